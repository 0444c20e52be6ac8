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
import { CloudError, CloudResponseLostError, HavipError } from '../../core/errors.js';
import type { CloudErrorCode } from '../alibaba/errors.js';

export type { CloudErrorCode };

export interface Classification {
  readonly code: CloudErrorCode;
  readonly retryable: boolean;
}

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
  if (status !== undefined && status >= 500) return { code: 'cloud.unavailable', retryable: true };
  if (status === 401 || status === 403) return { code: 'cloud.forbidden', retryable: false };
  if (status === 404) return { code: 'cloud.not-found', retryable: false };
  return { code: 'cloud.error', retryable: false };
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

/** What the adapter knows about the failed call, for the error message. */
export interface CallContext {
  readonly action: string;
  readonly mutation: boolean;
  /** Non-secret identifying parameters (region, resource ids). */
  readonly subject: string;
  readonly service: string;
}

/** Hints for particular codes; they win over the per-class hints. */
const CODE_HINTS: Readonly<Record<string, string>> = {
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
};

const HINTS: Partial<Record<CloudErrorCode, (c: CallContext) => string>> = {
  'cloud.throttled': () =>
    'request rate limits are per account and action, shared by every tool using them; retry with backoff',
  'cloud.forbidden': (c) =>
    `check the credentials and that their CAM identity is allowed ${c.service}:${c.action} on this resource`,
  'cloud.not-found': () => 'check the id and region in the topology against the console',
  'cloud.quota': () => 'raise the quota or use fewer resources',
};

function tencentError(args: {
  ctx: CallContext;
  tencentCode: string;
  message: string;
  requestId?: string | undefined;
  statusCode?: number | undefined;
  cls: Classification;
  cause?: unknown;
}): CloudError {
  return new CloudError({
    provider: 'tencent',
    code: args.cls.code,
    action: args.ctx.action,
    tencentCode: args.tencentCode,
    message: args.message,
    ...(args.requestId !== undefined ? { requestId: args.requestId } : {}),
    ...(args.statusCode !== undefined ? { statusCode: args.statusCode } : {}),
    retryable: args.cls.retryable,
    cause: args.cause,
  });
}

/** Socket failures after the request may have reached the server: a mutation may have been applied. */
const LOST_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_ABORTED',
]);
/** Failures before anything was sent: the call was certainly not applied. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

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
    const hint = CODE_HINTS[e.tencentCode] ?? HINTS[cls.code]?.(ctx);
    return tencentError({
      ctx,
      tencentCode: e.tencentCode,
      message: `${e.apiMessage} (${ctx.subject})${hint ? `; ${hint}` : ''}`,
      requestId: e.requestId,
      statusCode: e.status,
      cls,
    });
  }
  const err = e instanceof Error ? e : new Error(String(e));
  const code = socketCode(err);
  if (NOT_SENT_CODES.has(code)) {
    return tencentError({
      ctx,
      tencentCode: `Network.${code}`,
      message: `the endpoint could not be reached (${ctx.subject}); check the endpoint and network path`,
      cls: { code: 'cloud.unavailable', retryable: true },
      cause: err,
    });
  }
  // A 200 whose body is not JSON came after the server acted: the outcome of a mutation is unknown.
  const badBody = err instanceof SyntaxError;
  // fetch reports every network failure as `TypeError: fetch failed`; without a code we cannot tell
  // whether the request went out, so it counts as lost.
  const unknownNetwork = err instanceof TypeError && code === '' && /fetch failed/.test(err.message);
  if (isTimeout(err) || LOST_CODES.has(code) || badBody || unknownNetwork) {
    if (ctx.mutation) return new CloudResponseLostError(ctx.action, err);
    return tencentError({
      ctx,
      tencentCode: isTimeout(err) ? 'RequestTimeout' : badBody ? 'InvalidResponse' : `Network.${code}`,
      message: `no usable response (${ctx.subject})`,
      cls: { code: 'cloud.unavailable', retryable: true },
      cause: err,
    });
  }
  return tencentError({
    ctx,
    tencentCode: code ? `Client.${code}` : 'Client.Error',
    message: `${err.message} (${ctx.subject})`,
    cls: { code: 'cloud.error', retryable: false },
    cause: err,
  });
}
