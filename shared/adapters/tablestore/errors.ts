/**
 * How the `tablestore` 5.6.x SDK reports failures, and how we map them.
 *
 * The SDK's `extractError` tries to parse the error body as XML, but the service answers with a
 * protobuf `Error {code, message}`; the parser is missing, so the SDK falls back to
 * `err.code = <HTTP status as a number>` and `err.message = <raw protobuf bytes as text> + " requestId:…"`.
 * A failed condition therefore arrives as `code === 403` with `OTSConditionCheckFail` embedded in the
 * message, never as a string code. Transport failures keep the SDK's string codes (`NetworkingError`,
 * `TimeoutError`).
 */
import { StoreError } from '../../core/errors.js';

/** OTS codes after which repeating the same request later may succeed. */
const RETRYABLE_OTS_CODES = new Set([
  'OTSServerBusy',
  'OTSTimeout',
  'OTSServerUnavailable',
  'OTSInternalServerError',
  'OTSQuotaExhausted',
  'OTSNotEnoughCapacityUnit',
  'OTSOperationThrottled',
  'OTSPartitionUnavailable',
  'OTSTableNotReady',
  'OTSRowOperationConflict',
]);

/** SDK/transport codes for which the request may or may not have reached the service. */
const OUTCOME_UNKNOWN_CODES = new Set([
  'NetworkingError',
  'TimeoutError',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
]);

interface SdkErrorLike {
  code?: unknown;
  message?: unknown;
  headers?: Record<string, unknown>;
  requestId?: unknown;
}

function asSdkError(e: unknown): SdkErrorLike {
  return typeof e === 'object' && e !== null ? (e as SdkErrorLike) : {};
}

/** True exactly for the SDK's rendering of a failed row-existence or column condition. */
export function isConditionCheckFailure(e: unknown): boolean {
  const err = asSdkError(e);
  return err.code === 403 && typeof err.message === 'string' && err.message.includes('OTSConditionCheckFail');
}

/** The `OTS…` error code inside an SDK error, if the service sent one. */
export function otsErrorCode(e: unknown): string | undefined {
  const err = asSdkError(e);
  if (typeof err.code === 'string' && err.code.startsWith('OTS')) return err.code;
  if (typeof err.message !== 'string') return undefined;
  return /OTS[A-Za-z]+/.exec(err.message)?.[0];
}

/** Whether the request may have been applied although we got no answer. */
export function isOutcomeUnknown(e: unknown): boolean {
  const code = asSdkError(e).code;
  return typeof code === 'string' && OUTCOME_UNKNOWN_CODES.has(code);
}

function requestIdOf(err: SdkErrorLike): string | undefined {
  const header = err.headers?.['x-ots-requestid'] ?? err.headers?.['x-ots-request-id'];
  if (typeof header === 'string' && header !== '') return header;
  if (typeof err.requestId === 'string' && err.requestId !== '') return err.requestId;
  if (typeof err.message === 'string') return / requestId:(\S+)\s*$/.exec(err.message)?.[1];
  return undefined;
}

/** The human part of the message: protobuf framing bytes and the request id suffix removed. */
function readableMessage(err: SdkErrorLike): string {
  if (typeof err.message !== 'string') return 'unknown error';
  // Control characters are protobuf field tags/lengths; a length byte may also be printable, so
  // split on the code to keep only what follows it.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping protobuf framing bytes on purpose
  const text = err.message.replace(/ requestId:\S*\s*$/, '').replace(/[\u0000-\u001f\u007f]+/g, ' ');
  const code = otsErrorCode(err);
  const afterCode =
    code !== undefined && text.includes(code) ? text.slice(text.indexOf(code) + code.length) : text;
  return afterCode.trim() || text.trim() || 'unknown error';
}

/**
 * Maps any non-condition SDK failure to a `StoreError` naming the operation, table, OTS code and
 * request id. Throttling, timeouts and 5xx are retryable; a missing table says how to create it.
 */
export function toStoreError(operation: string, table: string, e: unknown): StoreError {
  if (e instanceof StoreError) return e;
  const err = asSdkError(e);
  const code = otsErrorCode(e);
  const httpStatus = typeof err.code === 'number' ? err.code : undefined;
  const outcomeUnknown = isOutcomeUnknown(e);
  const retryable =
    outcomeUnknown ||
    (code !== undefined && RETRYABLE_OTS_CODES.has(code)) ||
    (code === undefined && httpStatus !== undefined && httpStatus >= 500);
  const requestId = requestIdOf(err);
  let message = `Tablestore ${operation} on table ${table} failed: ${code ?? (typeof err.code === 'string' ? err.code : `HTTP ${httpStatus ?? '?'}`)}: ${readableMessage(err)}`;
  if (code === 'OTSObjectNotExist') {
    message += '; create the tables with `havip store init` (or check the instance name and table names)';
  } else if (code === 'OTSAuthFailed' || httpStatus === 403) {
    message += '; check the AccessKey / STS token and that the RAM policy allows ots:* on this instance';
  } else if (outcomeUnknown) {
    message += '; the write may or may not have been applied';
  }
  return new StoreError(message, {
    retryable,
    cause: e,
    details: { operation, table, otsCode: code, httpStatus, requestId, outcomeUnknown },
  });
}
