/**
 * How node-postgres fails, and what each failure means for a retry.
 *
 * - A failure while **connecting** (refused, DNS, timeout, the server starting up or full) means nothing was
 *   sent: retrying can only help, unless it is a setting (authentication, TLS, a missing database).
 * - A **server error** (an SQLSTATE) on a statement means it did not apply (autocommit rolls it back).
 *   Serialization failures, deadlocks, lock and statement timeouts are worth another try.
 * - A **lost connection** during a statement (no SQLSTATE, or the server shutting down) leaves the outcome
 *   unknown: the statement may have been applied. Each operation decides how to recover (see the store).
 */
import { StoreError } from '../../core/errors.js';

export type Failure =
  | { readonly kind: 'not-applied'; readonly retryable: boolean }
  | { readonly kind: 'outcome-unknown' };

/** SQLSTATEs after which the same statement, tried again, may succeed; it did not apply. */
const RETRYABLE_STATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57014', // query_canceled (statement_timeout)
  '53300', // too_many_connections
  '53200', // out_of_memory
  '57P03', // cannot_connect_now (starting up)
]);
/** The server ended the session while a statement ran: it may or may not have committed. */
const SESSION_ENDED_STATES = new Set(['57P01', '57P02']);
/** Transport errors worth another connection attempt. */
const TRANSIENT_NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EAI_AGAIN',
]);

interface PgErrorLike {
  code?: unknown;
  message?: unknown;
  severity?: unknown;
}

function asError(e: unknown): PgErrorLike {
  return typeof e === 'object' && e !== null ? (e as PgErrorLike) : {};
}

/** The five-character SQLSTATE of a server error, if the server answered with one. */
export function sqlState(e: unknown): string | undefined {
  const err = asError(e);
  return typeof err.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code) && typeof err.severity === 'string'
    ? err.code
    : undefined;
}

function messageOf(e: unknown): string {
  const m = asError(e).message;
  return typeof m === 'string' && m !== '' ? m : String(e);
}

function isTransientConnect(e: unknown): boolean {
  const state = sqlState(e);
  // A server shutting down (57P01/57P02) refuses this connection; the next may reach it restarted or a standby.
  if (state !== undefined)
    return state.startsWith('08') || RETRYABLE_STATES.has(state) || SESSION_ENDED_STATES.has(state);
  const code = asError(e).code;
  if (typeof code === 'string' && TRANSIENT_NETWORK.has(code)) return true;
  return /timeout|terminated|closed/i.test(messageOf(e));
}

/** What a failure of `phase` means: see the module comment. */
export function classify(e: unknown, phase: 'connect' | 'statement'): Failure {
  if (phase === 'connect') return { kind: 'not-applied', retryable: isTransientConnect(e) };
  const state = sqlState(e);
  if (state === undefined || SESSION_ENDED_STATES.has(state)) return { kind: 'outcome-unknown' };
  return { kind: 'not-applied', retryable: RETRYABLE_STATES.has(state) };
}

/** The fix for failures that are settings, by SQLSTATE or transport code. */
function hintFor(e: unknown, schema: string): string | undefined {
  const state = sqlState(e);
  const code = asError(e).code;
  const message = messageOf(e);
  if (state === '42P01' || state === '3F000')
    return `the state store schema ${JSON.stringify(schema)} is missing or incomplete: run \`havip store init --postgres\``;
  if (state?.startsWith('28'))
    return 'check the user and password (in the URL, or PGPASSWORD) and pg_hba.conf on the server';
  if (state === '3D000') return 'create the database or fix the database name in the URL';
  if (state === '42501')
    return `grant the user USAGE on schema ${JSON.stringify(schema)} and SELECT, INSERT, UPDATE, DELETE on its tables`;
  if (/does not support SSL/i.test(message))
    return 'the server has TLS off: enable it on the server, or set the ssl mode to disable on a trusted network';
  if ((typeof code === 'string' && /CERT|TLS|SSL/.test(code)) || /certificate/i.test(message))
    return 'TLS verification failed: check the ssl mode and the CA file';
  if (code === 'ENOTFOUND') return 'the host name does not resolve: check the host in the URL';
  if (code === 'ECONNREFUSED')
    return 'nothing listens there: check the host and port and that the server runs';
  return undefined;
}

/**
 * A `StoreError` for a failed operation, naming the operation, the target and the SQLSTATE or transport
 * code, with the fix when the failure is a setting.
 */
export function toStoreError(
  e: unknown,
  ctx: { operation: string; target: string; schema: string; failure: Failure; attempts: number },
): StoreError {
  if (e instanceof StoreError) return e;
  const state = sqlState(e);
  const code = state ?? (typeof asError(e).code === 'string' ? (asError(e).code as string) : undefined);
  const outcomeUnknown = ctx.failure.kind === 'outcome-unknown';
  const retryable = outcomeUnknown || (ctx.failure.kind === 'not-applied' && ctx.failure.retryable);
  const hint = hintFor(e, ctx.schema);
  const tries = ctx.attempts > 1 ? ` (after ${ctx.attempts} attempts)` : '';
  let message = `PostgreSQL ${ctx.operation} at ${ctx.target} failed${tries}: ${code ? `${code}: ` : ''}${messageOf(e)}`;
  if (hint) message += `; ${hint}`;
  else if (outcomeUnknown)
    message += '; the connection was lost during the statement, which may or may not have been applied';
  return new StoreError(message, {
    cause: e,
    retryable,
    details: { operation: ctx.operation, target: ctx.target, sqlState: state, code, outcomeUnknown },
  });
}
