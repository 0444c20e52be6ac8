/**
 * Mapping of Alibaba Cloud API failures to the project's error types.
 *
 * The v7 OpenAPI client throws, for an HTTP 4xx/5xx answer, an error carrying Alibaba's `code`,
 * `statusCode`, `requestId` and the parsed body as `data`: a `ThrottlingError` when the code contains
 * `Throttling`, a `ClientError` for other 4xx and a `ServerError` for 5xx. Transport failures come from
 * the `httpx` library underneath as plain errors (`RequestTimeoutError`, or Node socket errors with a
 * `code` such as `ECONNRESET`). We turn all of these into {@link CloudError} (stable `code`, Alibaba's
 * code, retryability) or {@link CloudResponseLostError} (a mutation whose answer never arrived).
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

// Codes that mean "the resource is busy with another change; the same call succeeds once it settles".
// HaVip and EIP (dis)association is asynchronous and one resource accepts one change at a time, so
// these are normal during a failover. `DistibuteLock` is Alibaba's spelling; the corrected spelling
// is accepted too in case the service ever fixes it.
const SETTLING = new Set([
  'OperationConflict',
  'LastTokenProcessing',
  'OperationFailed.DistibuteLock',
  'OperationFailed.DistributeLock',
  'TaskConflict',
  'InvalidBindingStatus',
  'IncorrectHaVipStatus',
  'IncorrectEipStatus',
  'IncorrectInstanceStatus',
]);
const SETTLING_PATTERN = /^(?:Incorrect[A-Za-z]*Status|OperationConflict\.|TaskConflict\.|IncorrectStatus\.)/;

// Cloud Assistant: the instance cannot run a command now (not Running, no agent, agent offline or
// outdated). Repeating the same call does not help until someone fixes the instance, so these are not
// retryable; an agent that is upgrading itself comes back on its own. Codes from the RunCommand /
// InvokeCommand error tables and the per-instance `ErrorCode` values of DescribeInvocationResults.
const INSTANCE_CANNOT_RUN = new Set([
  'InvalidInstanceStatus',
  'InvalidInstance.NotRunning',
  'InstanceNotRunning',
  'InvalidInstance.NoClient',
  'InvalidInstance.NotVpc',
  'ClientNotRunning',
  'ClientNotResponse',
  'ClientNeedUpgrade',
  'CommandNotApplicable',
]);
const INSTANCE_BUSY = new Set(['ClientIsUpgrading']);

const UNAVAILABLE_PATTERN =
  /^(?:ServiceUnavailable|SystemBusy|InternalError|UnknownError|ServiceTimeout|InternalServerError)/;

const FORBIDDEN_PATTERN =
  /^(?:Forbidden|Forbbiden|NoPermission|AccessDenied|UnauthorizedOperation|Unauthorized|InvalidAccessKeyId|InvalidAccessKeySecret|SignatureDoesNotMatch|IncompleteSignature|InvalidSecurityToken|SecurityTokenExpired|InvalidCredentials|InvalidTimeStamp|SignatureNonceUsed)/;

const QUOTA_PATTERN = /(?:QuotaExceed|CountLimitExceeded|LimitExceeded|QuotaExhausted|InsufficientQuota)/;

const NOT_FOUND_PATTERN = /(?:NotFound|NotExist|NonExist)/;

const INVALID_PATTERN =
  /^(?:Invalid|Missing|Unsupported|Illegal|NotBelong|DependencyViolation|IdempotentParameterMismatch)/;

/**
 * Classify an Alibaba error code (and HTTP status, when known) into our stable code and retryability.
 * Order matters: throttling and "settling" codes are checked before the generic `Invalid…` prefix,
 * because e.g. `InvalidBindingStatus` is transient while `InvalidParameter` is not.
 */
export function classifyAlibabaError(code: string, status?: number): Classification {
  if (code.includes('Throttling') || status === 429) return { code: 'cloud.throttled', retryable: true };
  if (SETTLING.has(code) || SETTLING_PATTERN.test(code)) return { code: 'cloud.conflict', retryable: true };
  if (INSTANCE_BUSY.has(code)) return { code: 'cloud.conflict', retryable: true };
  if (INSTANCE_CANNOT_RUN.has(code)) return { code: 'cloud.conflict', retryable: false };
  // A command type the API does not know is our mistake, not a missing resource.
  if (code === 'InvalidCmdType.NotFound') return { code: 'cloud.invalid-request', retryable: false };
  // Request size limits (`CmdContent.ExceedLimit`, `InstanceIds.ExceedLimit`, …): shrink the request.
  if (code.endsWith('.ExceedLimit')) return { code: 'cloud.invalid-request', retryable: false };
  if (UNAVAILABLE_PATTERN.test(code)) return { code: 'cloud.unavailable', retryable: true };
  // Already bound: repeating cannot help; the caller decides whether it is the desired state.
  if (code === 'InvalidAssociation.Duplicated') return { code: 'cloud.conflict', retryable: false };
  // Not bound: for a detach this is usually "already done"; the caller checks `alibabaCode`.
  if (code === 'ResourceNotAssociated') return { code: 'cloud.not-found', retryable: false };
  // The region id itself is wrong (answered with HTTP 404 under a Forbidden prefix).
  if (code === 'Forbidden.RegionNotFound') return { code: 'cloud.invalid-request', retryable: false };
  if (FORBIDDEN_PATTERN.test(code)) return { code: 'cloud.forbidden', retryable: false };
  if (QUOTA_PATTERN.test(code)) return { code: 'cloud.quota', retryable: false };
  if (NOT_FOUND_PATTERN.test(code)) return { code: 'cloud.not-found', retryable: false };
  if (INVALID_PATTERN.test(code)) return { code: 'cloud.invalid-request', retryable: false };
  return classifyByStatus(status);
}

// Socket failures after the request may have reached the server: for a mutation we cannot know
// whether it was applied.
const LOST_CODES = new Set([
  ...LOST_SOCKET_CODES,
  'ESOCKETTIMEDOUT',
  'ERR_STREAM_PREMATURE_CLOSE',
  'HPE_INVALID_CONSTANT',
]);
// Failures before anything was sent: safe to report as "not applied".
const NOT_SENT_CODES = new Set(NOT_SENT_SOCKET_CODES);

interface SdkResponseError {
  code: string;
  statusCode?: number;
  requestId?: string;
  data?: Record<string, unknown>;
  message?: string;
}

function isSdkResponseError(e: unknown): e is SdkResponseError {
  if (typeof e !== 'object' || e === null) return false;
  const r = e as Record<string, unknown>;
  return typeof r.code === 'string' && typeof r.statusCode === 'number' && 'data' in r;
}

/** Remove query strings from URLs: with v2 signing they carry the AccessKeyId, token and signature. */
export function redact(text: string): string {
  return text
    .replace(/(https?:\/\/[^\s?]*)\?\S*/g, '$1?<redacted>')
    .replace(/(Signature|SecurityToken|AccessKeyId|AccessKeySecret|Credential)=[^\s&,]*/g, '$1=<redacted>');
}

function cleanRequestId(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' && v !== 'undefined' && v !== 'null' ? v : undefined;
}

/** Hints for particular Alibaba codes (they win over the per-class hints), and per class. */
const HINTS: Hints = {
  byCode: {
    InvalidInstanceStatus: 'Cloud Assistant runs commands only on Running instances',
    'InvalidInstance.NotRunning': 'Cloud Assistant runs commands only on Running instances',
    InstanceNotRunning: 'Cloud Assistant runs commands only on Running instances',
    'InvalidInstance.NoClient':
      'install the Cloud Assistant agent on the instance (preinstalled on public images) or use announce: agent',
    ClientNotRunning: 'start the Cloud Assistant agent (aliyun-service) on the instance',
    ClientNotResponse: 'the Cloud Assistant agent is hung; restart aliyun-service on the instance',
    ClientNeedUpgrade: 'upgrade the Cloud Assistant agent on the instance',
    'InvalidInstance.NotVpc': 'Cloud Assistant commands need a VPC instance',
  },
  byClass: {
    'cloud.throttled': () =>
      'flow control is per account and shared by every tool using it; retry with backoff',
    'cloud.forbidden': (c) =>
      `check the credentials and that their RAM identity is allowed ${c.service}:${c.action} on this resource`,
    'cloud.not-found': () => 'check the id and region in the topology against the console',
    'cloud.quota': () => 'raise the quota in Quota Center or bind fewer resources',
  },
};

/** A stand-in for the raw SDK error as `cause`: the raw one may hold request URLs with secrets. */
function sanitizedCause(e: unknown): Error {
  const src = e instanceof Error ? e : new Error(String(e));
  const out = new Error(redact(src.message));
  out.name = src.name;
  const code = (src as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') (out as Error & { code?: unknown }).code = code;
  return out;
}

/**
 * Turn anything thrown by the OpenAPI client into a {@link HavipError}. Never retries; never keeps the
 * raw error (whose message may contain a signed URL).
 */
export function toCloudError(e: unknown, ctx: CallContext): HavipError {
  if (e instanceof HavipError) return e;
  if (isSdkResponseError(e)) {
    const alibabaCode = e.code && e.code !== 'undefined' ? e.code : `HTTP${e.statusCode ?? ''}`;
    const cls = classifyAlibabaError(alibabaCode, e.statusCode);
    const data = e.data ?? {};
    const raw = data.Message ?? data.message;
    const text = typeof raw === 'string' && raw !== '' ? raw : `HTTP ${e.statusCode}`;
    return answerError('alibaba', ctx, cls, HINTS, {
      providerCode: alibabaCode,
      text: redact(text),
      requestId: cleanRequestId(e.requestId) ?? cleanRequestId(data.RequestId),
      statusCode: e.statusCode,
      cause: sanitizedCause(e),
    });
  }
  const err = e instanceof Error ? e : new Error(String(e));
  const rawCode: unknown = (err as { code?: unknown }).code;
  const sysCode = typeof rawCode === 'string' ? rawCode : '';
  return noAnswerError('alibaba', ctx, {
    code: sysCode,
    notSent: NOT_SENT_CODES.has(sysCode),
    timedOut: err.name === 'RequestTimeoutError' || /timeout/i.test(err.name),
    lost: LOST_CODES.has(sysCode),
    // A body that is not JSON: with a 2xx it came after the server acted; with an error status it is
    // usually a gateway page. Either way the outcome of a mutation is unknown.
    badBody: err instanceof SyntaxError,
    text: redact(err.message),
    cause: sanitizedCause(err),
  });
}
