/**
 * MNS failures as the project's {@link CloudError}: a stable `code`, MNS's own error code
 * (`alibabaCode`), the request id, and whether repeating the call can help.
 *
 * Codes and HTTP statuses from MNS's error-code table ("Error codes" / "Syntax of error responses") and
 * the code list of aliyun/aliyun-mns-go-sdk. Note `QpsLimitExceeded` comes with HTTP 400 and
 * `TimeExpired` (Date more than 15 minutes off) with 408, so the status alone misleads. MNS does not
 * document a code for an expired or unknown STS token; the simulator answers `SecurityTokenExpired` /
 * `InvalidSecurityToken` (OSS's codes) with 403 and we treat an expired token as retryable: the role
 * credential source hands out fresh credentials on the next attempt.
 */
import { CloudError } from '../../core/errors.js';
import { redactSecrets } from '../cloud-call/publishing.js';

export const PUBLISH_ACTION = 'PublishMessage';

export type MnsErrorCode =
  | 'cloud.throttled'
  | 'cloud.unavailable'
  | 'cloud.forbidden'
  | 'cloud.not-found'
  | 'cloud.invalid-request'
  | 'cloud.error';

export interface MnsClassification {
  readonly code: MnsErrorCode;
  readonly retryable: boolean;
  /** What to do about it, for the message. */
  readonly hint?: string;
}

const AUTH_HINTS: Record<string, string> = {
  SignatureDoesNotMatch: 'check the AccessKey secret (or the instance role credentials)',
  InvalidAccessKeyId: 'the AccessKey id is unknown to MNS; check the key or the instance role',
  AccessDenied:
    'grant mns:PublishMessage on acs:mns:<region>:<account>:/topics/<topic>/messages to the instance role (deploy/agent-instance-policy.json)',
  TimeExpired: 'the host clock is more than 15 minutes off; synchronise it (chrony/NTP)',
  InvalidSecurityToken: 'the STS token does not belong to the AccessKey id; fetch fresh role credentials',
  MissingAuthorizationHeader: 'the request was not signed',
  InvalidAuthorizationHeader: 'the Authorization header is not "MNS <AccessKeyId>:<Signature>"',
};

const INVALID = new Set([
  'InvalidArgument',
  'MalformedXML',
  'InvalidDegist',
  'InvalidDigest',
  'InvalidDateHeader',
  'MissingDateHeader',
  'MissingVersionHeader',
  'InvalidRequestURL',
  'InvalidQueryString',
  'MessageBodyLengthExceeded',
]);

/** Classifies MNS's error code, falling back on the HTTP status for codes we do not know. */
export function classifyMnsError(code: string, status: number): MnsClassification {
  if (code === 'QpsLimitExceeded' || code.includes('Throttl') || status === 429)
    return { code: 'cloud.throttled', retryable: true, hint: 'back off and retry' };
  if (code === 'SecurityTokenExpired')
    return { code: 'cloud.forbidden', retryable: true, hint: 'retry with fresh role credentials' };
  const authHint = AUTH_HINTS[code];
  if (authHint !== undefined) return { code: 'cloud.forbidden', retryable: false, hint: authHint };
  if (code === 'TopicNotExist')
    return {
      code: 'cloud.not-found',
      retryable: false,
      hint: 'create the topic in this region or fix its name',
    };
  if (INVALID.has(code)) return { code: 'cloud.invalid-request', retryable: false };
  if (/^(?:InternalError|InternalServerError|ServiceUnavailable|ServerBusy)/.test(code) || status >= 500)
    return { code: 'cloud.unavailable', retryable: true };
  if (status === 401 || status === 403) return { code: 'cloud.forbidden', retryable: false };
  if (status === 404) return { code: 'cloud.not-found', retryable: false };
  if (status === 408) return { code: 'cloud.unavailable', retryable: true };
  return { code: 'cloud.error', retryable: false };
}

export interface MnsErrorAnswer {
  readonly status: number;
  /** MNS's code, or `HTTP<status>` when the answer was not MNS's error XML (a proxy page, say). */
  readonly mnsCode: string;
  readonly message: string;
  readonly requestId: string | undefined;
}

export function mnsCallError(a: MnsErrorAnswer, secrets: readonly string[]): CloudError {
  const c = classifyMnsError(a.mnsCode, a.status);
  const said = redactSecrets(a.message, secrets).slice(0, 300);
  const hint = c.hint ? ` (${c.hint})` : '';
  return new CloudError({
    code: c.code,
    action: PUBLISH_ACTION,
    alibabaCode: a.mnsCode,
    message: `${said}${hint}; HTTP ${a.status}, request id ${a.requestId ?? 'none'}`,
    requestId: a.requestId,
    statusCode: a.status,
    retryable: c.retryable,
  });
}

/** The request never got an answer: retrying may help; the message may already have been published. */
export function mnsTransportError(kind: 'RequestTimeout' | 'NetworkError', detail: string, cause: unknown) {
  return new CloudError({
    code: 'cloud.unavailable',
    action: PUBLISH_ACTION,
    alibabaCode: kind,
    message: `${detail}; the message may or may not have been published`,
    retryable: true,
    cause,
  });
}
