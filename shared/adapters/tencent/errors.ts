/**
 * Mapping of Tencent Cloud API 3.0 failures to the project's error types.
 *
 * Tencent answers API errors with HTTP 200 and `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`
 * (common codes: https://cloud.tencent.com/document/product/1388/114322; per-action codes: the
 * `tencentcloud-sdk-go` client comments). A non-200 status comes from something in front of the API (a
 * gateway or proxy). Transport failures come from `fetch` (undici) as a `TypeError` whose `cause` has a
 * socket code, or as an abort on our timeout. We turn all of these into {@link CloudError}
 * (`provider: 'tencent'`, a stable `code`, Tencent's code, retryability) or
 * {@link CloudResponseLostError} (a mutation whose answer never arrived).
 */
import { HavipError } from '../../core/errors.js';
import {
  answerError,
  type CallContext,
  type Classification,
  classifyByStatus,
  type Hints,
  LOST_SOCKET_CODES,
  NOT_SENT_SOCKET_CODES,
  noAnswerError,
} from '../cloud-call/errors.js';

/** A change on the resource is still running (an EIP task on the HAVIP); the same call works once it ends. */
const SETTLING = new Set(['UnsupportedOperation.MutexOperationTaskRunning']);

/**
 * TAT cannot run a command on the instance now: agent missing or offline, instance not RUNNING, or a
 * command type the agent does not run. Repeating the call does not help until the instance is fixed.
 */
const INSTANCE_CANNOT_RUN = new Set([
  'ResourceUnavailable.AgentNotInstalled',
  'ResourceUnavailable.AgentStatusNotOnline',
  'ResourceUnavailable.InstanceStateNotRunning',
  'InvalidParameterValue.AgentUnsupportedCommandType',
]);

/** Already in the state the call asks for (the engine decides whether that is success). */
const ALREADY = new Map<string, Classification>([
  // The target is already in the HAVIP's drift scope.
  ['InvalidParameterValue.DuplicatedHaVipAssociations', { code: 'cloud.conflict', retryable: false }],
  // The HAVIP already carries an EIP, or the EIP is bound elsewhere.
  ['UnsupportedOperation.BindEIP', { code: 'cloud.conflict', retryable: false }],
  // The HAVIP carries no EIP to unbind.
  ['UnsupportedOperation.UnbindEIP', { code: 'cloud.not-found', retryable: false }],
]);

const THROTTLED_PATTERN = /^RequestLimitExceeded/;
const UNAVAILABLE_PATTERN = /^(?:InternalError|InternalServerError|ServiceUnavailable)/;
const FORBIDDEN_PATTERN =
  /^(?:AuthFailure|UnauthorizedOperation|OperationDenied|IpInBlacklist|IpNotInWhitelist)/;
const QUOTA_PATTERN = /^(?:LimitExceeded|ResourceInsufficient)|QuotaLimitExceeded/;
const NOT_FOUND_PATTERN = /^ResourceNotFound|NotFound$/;
const CONFLICT_PATTERN = /^ResourceInUse/;
const INVALID_PATTERN =
  /^(?:InvalidParameter|MissingParameter|UnknownParameter|InvalidAction|InvalidFilter|InvalidInstanceId|InvalidRequest|UnsupportedOperation|UnsupportedRegion|UnsupportedProtocol|NoSuchVersion|NoSuchProduct|ActionOffline|RequestSizeLimitExceeded)/;

/**
 * Classify a Tencent error code (and the HTTP status, when the answer was not Tencent's envelope).
 * Order matters: the specific sets before the prefixes (`UnsupportedOperation.MutexOperationTaskRunning`
 * is transient while `UnsupportedOperation.*` is not; `InvalidParameterValue.DuplicatedHaVipAssociations`
 * means "already done").
 */
export function classifyTencentError(code: string, status?: number): Classification {
  if (THROTTLED_PATTERN.test(code) || status === 429) return { code: 'cloud.throttled', retryable: true };
  if (SETTLING.has(code)) return { code: 'cloud.conflict', retryable: true };
  if (INSTANCE_CANNOT_RUN.has(code)) return { code: 'cloud.conflict', retryable: false };
  const already = ALREADY.get(code);
  if (already !== undefined) return already;
  if (UNAVAILABLE_PATTERN.test(code)) return { code: 'cloud.unavailable', retryable: true };
  if (FORBIDDEN_PATTERN.test(code)) return { code: 'cloud.forbidden', retryable: false };
  if (code === 'InvalidParameterValue.LimitExceeded')
    return { code: 'cloud.invalid-request', retryable: false };
  if (QUOTA_PATTERN.test(code)) return { code: 'cloud.quota', retryable: false };
  if (NOT_FOUND_PATTERN.test(code)) return { code: 'cloud.not-found', retryable: false };
  if (CONFLICT_PATTERN.test(code)) return { code: 'cloud.conflict', retryable: false };
  if (INVALID_PATTERN.test(code)) return { code: 'cloud.invalid-request', retryable: false };
  return classifyByStatus(status);
}

/** An error envelope from the API (HTTP 200) or a non-200 answer without one. */
export class TencentAnswerError extends Error {
  constructor(
    readonly tencentCode: string,
    readonly apiMessage: string,
    readonly requestId: string | undefined,
    readonly status: number,
  ) {
    super(`${tencentCode}: ${apiMessage}`);
    this.name = 'TencentAnswerError';
  }
}

/** Hints for particular codes (they win over the per-class hints), and per class. */
const HINTS: Hints = {
  byCode: {
    'AuthFailure.SignatureExpire':
      "the request timestamp is more than 5 minutes off the API's clock: synchronise this host's clock (NTP)",
    'AuthFailure.SecretIdNotFound':
      'the SecretId does not exist or is disabled: check the key in the CAM console',
    'AuthFailure.SignatureFailure': 'the SecretKey does not match the SecretId',
    'AuthFailure.TokenFailure': 'the session token is invalid or expired: fetch fresh temporary credentials',
    'UnsupportedOperation.MutexOperationTaskRunning':
      'another task on the resource is still running; retry when it has finished',
    'ResourceUnavailable.AgentNotInstalled': 'install the TAT agent on the instance, or use announce: agent',
    'ResourceUnavailable.AgentStatusNotOnline': 'the TAT agent is offline: start tat_agent on the instance',
    'ResourceUnavailable.InstanceStateNotRunning': 'TAT runs commands only on RUNNING instances',
    'InvalidParameterValue.AgentUnsupportedCommandType': 'the instance runs no shell (a Windows image?)',
  },
  byClass: {
    'cloud.throttled': () =>
      'request rate limits are per account and action, shared by every tool using them; retry with backoff',
    'cloud.forbidden': (c) =>
      `check the credentials and that their CAM identity is allowed ${c.service}:${c.action} on this resource`,
    'cloud.not-found': () => 'check the id and region in the topology against the console',
    'cloud.quota': () => 'raise the quota or use fewer resources',
  },
};

/** Socket failures after the request may have reached the server: a mutation may have been applied. */
const LOST_CODES = new Set([
  ...LOST_SOCKET_CODES,
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_ABORTED',
]);
/** Failures before anything was sent: the call was certainly not applied. */
const NOT_SENT_CODES = new Set([...NOT_SENT_SOCKET_CODES, 'UND_ERR_CONNECT_TIMEOUT']);

/** The socket-level code of a fetch failure (`TypeError('fetch failed')` keeps it in `cause`). */
function socketCode(e: Error): string {
  for (let cur: unknown = e, depth = 0; cur instanceof Error && depth < 4; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    cur = cur.cause;
  }
  return '';
}

function isTimeout(e: Error): boolean {
  return e.name === 'TimeoutError' || e.name === 'AbortError';
}

/** Turn anything a call threw into a {@link HavipError}. Never retries. */
export function toCloudError(e: unknown, ctx: CallContext): HavipError {
  if (e instanceof HavipError) return e;
  if (e instanceof TencentAnswerError) {
    const cls = classifyTencentError(e.tencentCode, e.status === 200 ? undefined : e.status);
    return answerError('tencent', ctx, cls, HINTS, {
      providerCode: e.tencentCode,
      text: e.apiMessage,
      requestId: e.requestId,
      statusCode: e.status,
    });
  }
  const err = e instanceof Error ? e : new Error(String(e));
  const code = socketCode(err);
  return noAnswerError('tencent', ctx, {
    code,
    notSent: NOT_SENT_CODES.has(code),
    timedOut: isTimeout(err),
    // fetch reports every network failure as `TypeError: fetch failed`; without a code we cannot tell
    // whether the request went out, so it counts as lost.
    lost:
      LOST_CODES.has(code) || (err instanceof TypeError && code === '' && /fetch failed/.test(err.message)),
    // A 200 whose body is not JSON came after the server acted: the outcome of a mutation is unknown.
    badBody: err instanceof SyntaxError,
    text: err.message,
    cause: err,
  });
}
