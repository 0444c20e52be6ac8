/**
 * Publishes one message to a TDMQ for CMQ topic over Tencent Cloud API 3.0 (`PublishCmqMsg`, version
 * `2020-02-17`): one TC3-signed JSON POST (./signer.ts) with a timeout. Retrying is the caller's
 * business (the agent's dispatcher backs off); every failure says whether a retry can help.
 *
 * On the wire (TDMQ API reference "PublishCmqMsg", cloud.tencent.com/document/product/1179/55920 and
 * tencentcloud.com/document/api/1110/44150):
 *
 *   POST /   Host: tdmq.tencentcloudapi.com
 *   X-TC-Action: PublishCmqMsg   X-TC-Version: 2020-02-17   X-TC-Region: <region>
 *   X-TC-Timestamp: <s>   X-TC-Token: <token of temporary credentials>   Authorization: TC3-HMAC-SHA256 …
 *   {"TopicName": "<topic>", "MsgContent": "<body, at most 1024 KB>", "MsgTag": ["…"]}
 *
 * The answer is `{"Response": {"Result": true, "MsgId": "…", "RequestId": "…"}}`, an error the usual
 * `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`.
 *
 * Endpoints: `tdmq.tencentcloudapi.com` (nearest access), `tdmq.intl.tencentcloudapi.com` (the
 * international site), and inside a VPC `tdmq.internal.tencentcloudapi.com`, which keeps the report off
 * the public network — a standby member often has no Internet egress of its own, and the report must
 * get through precisely when something in the network is broken.
 *
 * Failures: RequestLimitExceeded*, InternalError*, HTTP 5xx, network errors and timeouts are worth
 * retrying (a lost answer may mean a duplicate publish: the receiver de-duplicates reports). A refused
 * session token (`AuthFailure.TokenFailure`: temporary credentials expired or replaced) makes the
 * credential source fetch fresh ones and the publish is tried once more at once; if that is refused
 * too, the failure is retryable (the dispatcher backs off). Any other AuthFailure,
 * UnauthorizedOperation, ResourceNotFound (the topic) and InvalidParameter* are final.
 */
import { z } from 'zod';
import { CloudError, type HavipError, InvalidInputError } from '../../core/errors.js';
import type { Clock } from '../../core/ports.js';
import { answerError, type CallContext, type Hints } from '../cloud-call/errors.js';
import {
  CredentialSourceOption,
  credentialsOf,
  isBaseEndpoint,
  redactSecrets,
} from '../cloud-call/publishing.js';
import type { CredentialSource, Credentials } from '../metadata/credentials.js';
import { API_VERSIONS } from './endpoints.js';
import { classifyTencentError, TencentAnswerError, toCloudError } from './errors.js';
import { JSON_CONTENT_TYPE, tc3Authorization } from './signer.js';
import { unwrapAnswer } from './transport.js';

export const PUBLISH_CMQ_ACTION = 'PublishCmqMsg';
export const CMQ_SERVICE = 'tdmq';
export const CMQ_API_VERSION = API_VERSIONS.tdmq;
/** The public endpoint (nearest access). */
export const CMQ_DEFAULT_ENDPOINT = 'https://tdmq.tencentcloudapi.com';
/** A CMQ message's largest body: 1024 KB. */
export const CMQ_MAX_MESSAGE_BYTES = 1024 * 1024;
/** A topic name: 1–64 letters, digits, `-` and `_`, starting with a letter (the CMQ console's rule). */
export const CMQ_TOPIC_RE = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
export const TENCENT_REGION_RE = /^[a-z]{2,}(?:-[a-z0-9]+)+$/;
/** The code of a refused session token (Tencent's common error codes). */
export const TOKEN_FAILURE = 'AuthFailure.TokenFailure';

export interface CmqPublisherOptions {
  /** `https://tdmq.tencentcloudapi.com` (default), the internal or international form, or a simulator. */
  readonly endpoint?: string;
  readonly region: string;
  readonly topic: string;
  readonly credentials: CredentialSource;
  /** Whole request, answer included (default 5000 ms). */
  readonly timeoutMs?: number;
  readonly fetch?: typeof globalThis.fetch;
  /** For `X-TC-Timestamp` (default: the system clock). */
  readonly clock?: Pick<Clock, 'now'>;
}

export interface CmqPublisher {
  readonly topic: string;
  publish(messageBody: string): Promise<{ messageId: string }>;
}

const Options = z.object({
  endpoint: z
    .string()
    .refine(isBaseEndpoint, {
      message: 'must be an http(s) URL with no path, e.g. https://tdmq.internal.tencentcloudapi.com',
    })
    .optional(),
  region: z.string().regex(TENCENT_REGION_RE, { message: 'must be a Tencent region like ap-guangzhou' }),
  topic: z.string().regex(CMQ_TOPIC_RE, {
    message: 'a CMQ topic name is 1–64 letters, digits, "-" or "_", starting with a letter',
  }),
  credentials: CredentialSourceOption,
  timeoutMs: z.number().int().min(1).max(60_000).optional(),
});

const HINTS: Hints = {
  byCode: {
    [TOKEN_FAILURE]: 'the session token is invalid or expired: use fresh temporary credentials',
    'AuthFailure.SignatureExpire':
      "the host clock is more than 5 minutes off the API's: synchronise it (NTP)",
    'AuthFailure.SignatureFailure': 'the SecretKey does not match the SecretId',
    'AuthFailure.SecretIdNotFound':
      'the SecretId does not exist or is disabled: check the key or the CAM role',
  },
  byClass: {
    'cloud.forbidden': () =>
      'grant tdmq:PublishCmqMsg on the topic to the instance role (deploy/tencent-agent-instance-policy.json)',
    'cloud.not-found': () => 'create the topic in this region, or fix reports.sink.topic / region',
    'cloud.throttled': () => 'PublishCmqMsg allows 20 requests a second per account by default; retrying',
  },
};

export function createCmqPublisher(opts: CmqPublisherOptions): CmqPublisher {
  const parsed = Options.safeParse(opts);
  if (!parsed.success)
    throw new InvalidInputError(
      'config.invalid',
      'invalid CMQ publisher option',
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  const url = new URL(opts.endpoint ?? CMQ_DEFAULT_ENDPOINT);
  const ctx: CallContext = {
    action: PUBLISH_CMQ_ACTION,
    // A repeated publish is a duplicate report, which the receiver drops: a lost answer is retryable.
    mutation: false,
    subject: `topic ${opts.topic} in ${opts.region}`,
    service: CMQ_SERVICE,
  };
  const send = sender(opts, url, ctx);
  return {
    topic: opts.topic,
    async publish(messageBody) {
      const payload = requestBody(opts.topic, messageBody);
      const creds = await credentialsOf(opts.credentials, 'tencent', PUBLISH_CMQ_ACTION);
      try {
        return await send(payload, creds);
      } catch (e) {
        if (!isTokenFailure(e)) throw e;
        // Fixed keys have nothing fresher to offer: their token is simply wrong (final).
        if (opts.credentials.invalidate === undefined) throw cmqError(e, ctx, []);
        opts.credentials.invalidate(creds);
        const fresh = await credentialsOf(opts.credentials, 'tencent', PUBLISH_CMQ_ACTION);
        return await send(payload, fresh).catch((again: unknown) => {
          throw isTokenFailure(again) ? retryableTokenFailure(again) : again;
        });
      }
    },
  };
}

/** One signed attempt: the MsgId, or a {@link CloudError} (a refused token as {@link TencentAnswerError}). */
function sender(opts: CmqPublisherOptions, url: URL, ctx: CallContext) {
  const doFetch = opts.fetch ?? globalThis.fetch;
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const clock = opts.clock ?? { now: () => Date.now() };
  return async (payload: string, creds: Credentials): Promise<{ messageId: string }> => {
    const timestamp = Math.floor(clock.now() / 1000);
    let answer: Record<string, unknown>;
    try {
      const res = await doFetch(url.origin, {
        method: 'POST',
        headers: signedHeaders(opts.region, url.hostname, timestamp, payload, creds),
        body: payload,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      answer = unwrapAnswer({ status: res.status, body: parseJson(text, res.status) });
    } catch (e) {
      if (e instanceof TencentAnswerError && e.tencentCode === TOKEN_FAILURE) throw e;
      throw cmqError(e, ctx, [creds.accessKeySecret, creds.securityToken ?? '']);
    }
    const messageId = typeof answer.MsgId === 'string' ? answer.MsgId : '';
    if (answer.Result !== true || messageId === '')
      throw cmqError(new SyntaxError('the answer has no Result: true and MsgId'), ctx, []);
    return { messageId };
  };
}

function signedHeaders(
  region: string,
  host: string,
  timestamp: number,
  payload: string,
  creds: Credentials,
): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': JSON_CONTENT_TYPE,
    'X-TC-Action': PUBLISH_CMQ_ACTION,
    'X-TC-Version': CMQ_API_VERSION,
    'X-TC-Region': region,
    'X-TC-Timestamp': String(timestamp),
    'X-TC-RequestClient': 'havip-agent',
    Authorization: tc3Authorization({
      secretId: creds.accessKeyId,
      secretKey: creds.accessKeySecret,
      service: CMQ_SERVICE,
      host,
      timestamp,
      payload,
    }),
  };
  if (creds.securityToken) headers['X-TC-Token'] = creds.securityToken;
  return headers;
}

/** A non-200 body may be a proxy's page: undefined then; a 200 that is not JSON is a bad answer. */
function parseJson(text: string, status: number): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    if (status === 200) throw e;
    return undefined;
  }
}

function cmqError(e: unknown, ctx: CallContext, secrets: readonly string[]): HavipError {
  if (e instanceof TencentAnswerError) {
    const cls = classifyTencentError(e.tencentCode, e.status === 200 ? undefined : e.status);
    return answerError('tencent', ctx, cls, HINTS, {
      providerCode: e.tencentCode,
      text: redactSecrets(e.apiMessage, secrets).slice(0, 300),
      requestId: e.requestId,
      statusCode: e.status,
    });
  }
  return toCloudError(e, ctx);
}

function isTokenFailure(e: unknown): e is TencentAnswerError {
  return e instanceof TencentAnswerError && e.tencentCode === TOKEN_FAILURE;
}

function retryableTokenFailure(e: TencentAnswerError): CloudError {
  return new CloudError({
    code: 'cloud.forbidden',
    action: PUBLISH_CMQ_ACTION,
    provider: 'tencent',
    tencentCode: e.tencentCode,
    message: 'the session token was refused again after fetching fresh credentials; retrying later',
    requestId: e.requestId,
    statusCode: e.status,
    retryable: true,
  });
}

/** The request body, after checking what the API would refuse anyway (so it costs no request). */
function requestBody(topic: string, messageBody: string): string {
  const bytes = typeof messageBody === 'string' ? Buffer.byteLength(messageBody, 'utf8') : 0;
  if (bytes === 0 || bytes > CMQ_MAX_MESSAGE_BYTES)
    throw new InvalidInputError('cloud.invalid-request', 'message not published', [
      {
        path: 'messageBody',
        message: `must be a non-empty string of at most ${CMQ_MAX_MESSAGE_BYTES} bytes (got ${bytes})`,
      },
    ]);
  return JSON.stringify({ TopicName: topic, MsgContent: messageBody });
}
