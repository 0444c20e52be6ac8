/**
 * Publishes a message to an MNS topic over MNS's REST API (PublishMessage): one signed attempt with a
 * timeout. Retrying is the caller's business: every failure says whether a retry can help.
 *
 * On the wire (MNS API reference "PublishMessage" and "Common parameters", and what the official SDKs
 * send — see ./signature.ts for the sources):
 *
 *   POST /topics/<topic>/messages
 *   Content-Type: text/xml;charset=utf-8
 *   Content-MD5: <Base64 of the hex MD5 of the body>
 *   Date: <RFC 1123, GMT>
 *   x-mns-version: 2015-06-06
 *   security-token: <STS token, when the credentials carry one; not signed>
 *   Authorization: MNS <AccessKeyId>:<Signature>
 *
 *   <?xml version="1.0" encoding="UTF-8"?>
 *   <Message xmlns="http://mns.aliyuncs.com/doc/v1/"><MessageBody>…</MessageBody><MessageTag>…</MessageTag></Message>
 *
 * Success is `201 Created` with `<Message><MessageId/><MessageBodyMD5/></Message>`; we check the MD5
 * against the body we sent. Errors are `<Error><Code/><Message/><RequestId/><HostId/></Error>`.
 *
 * Endpoints ({@link mnsEndpoint}): public `https://<account>.mns.<region>.aliyuncs.com`, internal
 * `http://<account>.mns.<region>-internal.aliyuncs.com` (HTTP only, reachable from the region's VPCs).
 * An ECS instance should use the internal endpoint of its own region: a standby member often has no
 * Internet egress of its own (the EIP may sit on the HaVip, i.e. on the peer), and the report must get
 * through precisely when something in the network is broken.
 */
import { z } from 'zod';
import { CloudError, InvalidInputError } from '../../core/errors.js';
import type { Clock } from '../../core/ports.js';
import { CredentialSourceOption, credentialsOf, isBaseEndpoint } from '../cloud-call/publishing.js';
import { describeTransportError } from '../metadata/client.js';
import type { CredentialSource, Credentials } from '../metadata/credentials.js';
import { mnsCallError, mnsTransportError, PUBLISH_ACTION } from './errors.js';
import {
  authorizationHeader,
  contentMd5,
  httpDate,
  MNS_API_VERSION,
  MNS_XML_NAMESPACE,
  messageBodyMd5,
  mnsSignature,
  SECURITY_TOKEN_HEADER,
  stringToSign,
  topicMessagesPath,
} from './signature.js';
import { childTexts, firstNonXmlChar, parseXml, xmlDocument } from './xml.js';

/** A topic's largest message (its MaximumMessageSize cannot be set higher). */
export const MAX_MESSAGE_BYTES = 65_536;
/** Subscription filter tags are at most 16 characters; longer message tags could never match one. */
export const MAX_TAG_CHARS = 16;
export const CONTENT_TYPE = 'text/xml;charset=utf-8';

export interface MnsPublisherOptions {
  /** `https://<account>.mns.<region>.aliyuncs.com`, the internal form, or the simulator's URL. */
  readonly endpoint: string;
  readonly topic: string;
  readonly credentials: CredentialSource;
  /** Whole request, answer included (default 3000 ms, as the v7 OpenAPI clients). */
  readonly timeoutMs?: number;
  readonly fetch?: typeof globalThis.fetch;
  /** For the Date header (default: the system clock). */
  readonly clock?: Pick<Clock, 'now'>;
}

export interface PublishOptions {
  /** MNS's MessageTag; subscriptions with a filter tag only receive messages carrying it. */
  readonly tag?: string;
}

export interface MnsPublisher {
  readonly topic: string;
  publish(messageBody: string, opts?: PublishOptions): Promise<{ messageId: string }>;
}

const TOPIC_RE = /^[A-Za-z0-9][A-Za-z0-9-]{0,255}$/;

const Options = z.object({
  endpoint: z.string().refine(isBaseEndpoint, {
    message: 'must be an http(s) URL with no path, e.g. https://<account>.mns.<region>.aliyuncs.com',
  }),
  topic: z.string().regex(TOPIC_RE, {
    message: 'an MNS topic name starts with a letter or digit and holds letters, digits and hyphens (≤ 256)',
  }),
  credentials: CredentialSourceOption,
  timeoutMs: z.number().int().min(1).max(60_000).optional(),
});

/** The MNS endpoint of an account in a region. */
export function mnsEndpoint(args: {
  accountId: string;
  region: string;
  network: 'public' | 'internal';
}): string {
  return args.network === 'internal'
    ? `http://${args.accountId}.mns.${args.region}-internal.aliyuncs.com`
    : `https://${args.accountId}.mns.${args.region}.aliyuncs.com`;
}

export function createMnsPublisher(opts: MnsPublisherOptions): MnsPublisher {
  const parsed = Options.safeParse(opts);
  if (!parsed.success) {
    throw new InvalidInputError(
      'config.invalid',
      'invalid MNS publisher option',
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  const base = opts.endpoint.replace(/\/+$/, '');
  const resource = topicMessagesPath(opts.topic);
  const timeoutMs = opts.timeoutMs ?? 3_000;
  const doFetch = opts.fetch ?? globalThis.fetch;
  const clock = opts.clock ?? { now: () => Date.now() };

  return {
    topic: opts.topic,
    async publish(messageBody, publishOpts = {}) {
      const body = requestBody(messageBody, publishOpts.tag);
      const creds = await credentialsOf(opts.credentials, 'alibaba', PUBLISH_ACTION);
      const headers = signedHeaders(creds, body, resource, httpDate(clock.now()));
      let status: number;
      let text: string;
      let requestId: string | undefined;
      try {
        const res = await doFetch(`${base}${resource}`, {
          method: 'POST',
          headers,
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
        status = res.status;
        requestId = res.headers.get('x-mns-request-id') ?? undefined;
        text = await res.text();
      } catch (e) {
        const reason = describeTransportError(e);
        throw mnsTransportError(
          reason === 'timed out' ? 'RequestTimeout' : 'NetworkError',
          `no answer from ${base} within ${timeoutMs} ms (${reason})`,
          e,
        );
      }
      if (status >= 200 && status < 300) return { messageId: readSuccess(text, messageBody, requestId) };
      throw mnsCallError(readError(status, text, requestId), [
        creds.accessKeySecret,
        creds.securityToken ?? '',
      ]);
    },
  };
}

/** The request document, after checking what MNS would refuse anyway (so it costs no request). */
function requestBody(messageBody: string, tag: string | undefined): string {
  const issues: { path: string; message: string; hint?: string }[] = [];
  if (typeof messageBody !== 'string' || messageBody.length === 0) {
    issues.push({ path: 'messageBody', message: 'must be a non-empty string' });
  } else {
    const bytes = Buffer.byteLength(messageBody, 'utf8');
    if (bytes > MAX_MESSAGE_BYTES)
      issues.push({ path: 'messageBody', message: `${bytes} bytes; MNS takes at most ${MAX_MESSAGE_BYTES}` });
    const bad = firstNonXmlChar(messageBody);
    if (bad >= 0) {
      issues.push({
        path: 'messageBody',
        message: `holds a control character at offset ${bad}, which MNS's XML cannot carry`,
        hint: 'publish JSON text (JSON escapes control characters) or Base64-encode the body',
      });
    }
  }
  if (tag !== undefined && (!/^\S+$/.test(tag) || tag.length > MAX_TAG_CHARS || firstNonXmlChar(tag) >= 0))
    issues.push({ path: 'tag', message: `must be 1–${MAX_TAG_CHARS} characters without spaces` });
  if (issues.length > 0)
    throw new InvalidInputError('cloud.invalid-request', 'message not published', issues);
  return xmlDocument('Message', MNS_XML_NAMESPACE, [
    ['MessageBody', messageBody],
    ['MessageTag', tag],
  ]);
}

function signedHeaders(
  creds: Credentials,
  body: string,
  resource: string,
  date: string,
): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': CONTENT_TYPE,
    'Content-MD5': contentMd5(body),
    Date: date,
    'x-mns-version': MNS_API_VERSION,
  };
  const signature = mnsSignature(
    creds.accessKeySecret,
    stringToSign({
      method: 'POST',
      contentMd5: headers['Content-MD5']!,
      contentType: CONTENT_TYPE,
      date,
      headers,
      resource,
    }),
  );
  headers.Authorization = authorizationHeader(creds.accessKeyId, signature);
  if (creds.securityToken) headers[SECURITY_TOKEN_HEADER] = creds.securityToken;
  return headers;
}

function readSuccess(text: string, sent: string, requestId: string | undefined): string {
  let fields: Map<string, string> | undefined;
  try {
    const root = parseXml(text, { maxLength: 64 * 1024 });
    if (root.name === 'Message') fields = childTexts(root);
  } catch {
    fields = undefined;
  }
  const messageId = fields?.get('MessageId')?.trim();
  const md5 = fields?.get('MessageBodyMD5')?.trim();
  if (!messageId) throw badAnswer('the success answer has no MessageId', requestId);
  if (md5 !== undefined && md5.toUpperCase() !== messageBodyMd5(sent)) {
    throw badAnswer(
      `MNS stored a different body (MessageBodyMD5 ${md5}) for message ${messageId}`,
      requestId,
    );
  }
  return messageId;
}

function readError(status: number, text: string, requestId: string | undefined) {
  try {
    const root = parseXml(text, { maxLength: 64 * 1024 });
    if (root.name === 'Error') {
      const f = childTexts(root);
      const code = f.get('Code')?.trim();
      if (code) {
        return {
          status,
          mnsCode: code,
          message: f.get('Message')?.trim() || code,
          requestId: f.get('RequestId')?.trim() || requestId,
        };
      }
    }
  } catch {
    // not MNS's error document: a proxy or load balancer answered
  }
  return {
    status,
    mnsCode: `HTTP${status}`,
    message: `HTTP ${status} without MNS's error document`,
    requestId,
  };
}

function badAnswer(message: string, requestId: string | undefined): CloudError {
  return new CloudError({
    code: 'cloud.error',
    action: PUBLISH_ACTION,
    alibabaCode: 'InvalidResponse',
    message,
    requestId,
    retryable: false,
  });
}
