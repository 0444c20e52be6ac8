/**
 * Which Tencent failures the engine retries. The adapter marks throttling and server errors retryable;
 * the engine also retries by Tencent's code, so a task still running on the HAVIP (another mutation in
 * flight) is waited out rather than reported: `RequestLimitExceeded`, `InternalError` and
 * `UnsupportedOperation.MutexOperationTaskRunning`, each with its sub-codes (`InternalError.Xxx`).
 */
import { CloudError } from '../errors.js';
import { isRetryable } from '../retry.js';

export const TENCENT_RETRYABLE_CODES: readonly string[] = Object.freeze([
  'RequestLimitExceeded',
  'InternalError',
  'UnsupportedOperation.MutexOperationTaskRunning',
]);

export function isTencentRetryable(e: unknown): boolean {
  if (isRetryable(e)) return true;
  if (!(e instanceof CloudError)) return false;
  const code = e.providerCode;
  return TENCENT_RETRYABLE_CODES.some((c) => code === c || code.startsWith(`${c}.`));
}
