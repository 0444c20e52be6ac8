/**
 * HTTP error vocabulary and the one mapping from errors and reconcile results to status codes. Every
 * non-2xx answer of the API has the body `{ error: { code, message, issues?, requestId? } }`.
 */
import type { ReconcileResult, ReconcileStatus } from '../../core/engine.js';
import type { CodeIn, ErrorCode } from '../../core/errors.js';
import { HavipError, type InputIssue, InvalidInputError, NotFoundError } from '../../core/errors.js';
import { PayloadTooLargeError } from '../../events/http.js';

/** Status codes the API answers with (a closed set, so responses stay documented). */
export type ApiStatus = 200 | 202 | 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 429 | 500 | 502 | 504;

/** The JSON body of every error response. */
export interface ErrorBody {
  readonly error: {
    readonly code: ErrorCode;
    readonly message: string;
    readonly issues?: readonly InputIssue[];
    /** Correlates the answer with the server's access and error logs. */
    readonly requestId?: string;
  };
}

/** Authentication failed. `challenge` becomes the `WWW-Authenticate` header of the 401. */
export class AuthError extends HavipError {
  readonly challenge: string;
  constructor(code: CodeIn<'auth'>, message: string, challenge: string) {
    super(code, message);
    this.challenge = challenge;
  }
}

/**
 * Authenticated, but not allowed: the credential's role does not cover the route, or an agent credential
 * speaks for a member it is not bound to. `details` carry what the log journals (never a secret).
 */
export class ForbiddenError extends HavipError {
  constructor(message: string, details: Record<string, unknown>) {
    super('auth.forbidden', message, { details });
  }
}

/** The replay guard holds as many live signatures of this key as it may: refused until some expire. */
export class ThrottledError extends HavipError {
  /** Seconds after which the key's oldest remembered signature has certainly expired. */
  readonly retryAfterSeconds: number;
  constructor(keyId: string, retryAfterSeconds: number) {
    super(
      'auth.throttled',
      `key ${JSON.stringify(keyId)} signed more requests within the replay window than the server remembers; retry later (other keys are not affected)`,
      { retryable: true },
    );
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * The request body could not be read to its end: the client closed the connection (or the stream broke)
 * first. Nobody is waiting for the answer; it is logged as one access-log line, not as a server error.
 */
export class ClientClosedError extends InvalidInputError {
  constructor() {
    super('request.invalid', 'the request body was not received in full', [
      { path: 'body', message: 'the client closed the connection before sending the whole body' },
    ]);
  }
}

/** A POST body that is not JSON. */
export class UnsupportedMediaTypeError extends HavipError {
  constructor(contentType: string | undefined) {
    super(
      'http.unsupported-media-type',
      `the request body must be JSON, got Content-Type ${contentType === undefined ? '(none)' : JSON.stringify(contentType)}: send Content-Type: application/json`,
    );
  }
}

/** A known path asked with a method it does not support. */
export class MethodNotAllowedError extends HavipError {
  readonly allow: readonly string[];
  constructor(method: string, path: string, allow: readonly string[]) {
    super('http.method-not-allowed', `${method} is not supported on ${path}; use ${allow.join(' or ')}`);
    this.allow = allow;
  }
}

/** No route matches the path. */
export class RouteNotFoundError extends HavipError {
  constructor(path: string) {
    super(
      'http.not-found',
      `no route ${JSON.stringify(path)}; the API lives under /v1 (see docs/http-api.md)`,
    );
  }
}

/**
 * Maps any thrown value to a status and a body. Unknown errors become a generic 500: their messages and
 * stacks can carry internals (file paths, SQL, hostnames), so they go to the log, never to the client.
 */
export function errorResponse(e: unknown, requestId: string): { status: ApiStatus; body: ErrorBody } {
  const body = (status: ApiStatus, code: ErrorCode, message: string, issues?: readonly InputIssue[]) => ({
    status,
    body: { error: { code, message, ...(issues ? { issues } : {}), requestId } },
  });
  if (e instanceof PayloadTooLargeError) return body(413, e.code, e.message, e.issues);
  if (e instanceof InvalidInputError) return body(400, e.code, e.message, e.issues);
  if (e instanceof NotFoundError) return body(404, e.code, e.message);
  if (e instanceof AuthError) return body(401, e.code, e.message);
  if (e instanceof ForbiddenError) return body(403, e.code, e.message);
  if (e instanceof ThrottledError) return body(429, e.code, e.message);
  if (e instanceof UnsupportedMediaTypeError) return body(415, e.code, e.message);
  if (e instanceof MethodNotAllowedError) return body(405, e.code, e.message);
  if (e instanceof RouteNotFoundError) return body(404, e.code, e.message);
  if (e instanceof HavipError && e.code === 'deadline.exceeded') return body(504, e.code, e.message);
  if (e instanceof HavipError && (e.code.startsWith('cloud.') || e.code.startsWith('store.'))) {
    return body(502, e.code, e.message);
  }
  return body(
    500,
    'internal',
    `internal error; the server log has the details under request id ${requestId}`,
  );
}

/**
 * The status for a reconcile result. A refused decision, a busy lease and a fenced (superseded) actor are
 * conflicts with the group's current state (409); a bound-but-unannounced switch is accepted but not
 * finished (202); a failure is the upstream's (502) or the deadline's (504).
 */
export function statusForResult(r: Pick<ReconcileResult, 'status' | 'error'>): ApiStatus {
  return STATUS_BY_RESULT[r.status] ?? failedStatus(r.error?.code);
}

const STATUS_BY_RESULT: Readonly<Partial<Record<ReconcileStatus, ApiStatus>>> = {
  noop: 200,
  done: 200,
  unverified: 200,
  planned: 200,
  'switch-incomplete': 202,
  alert: 409,
  busy: 409,
  fenced: 409,
};

function failedStatus(code: ErrorCode | undefined): ApiStatus {
  if (code === 'deadline.exceeded') return 504;
  if (code === undefined || code === 'internal') return 500;
  return 502;
}

/**
 * Drain/undrain record a signal, then reconcile every group holding the member. The signal is what the
 * caller asked for, so a refused or busy reconcile is still a success (the holder or the next sweep acts
 * on the recorded drain); only failures and unfinished switches change the status.
 */
export function statusForResults(results: readonly Pick<ReconcileResult, 'status' | 'error'>[]): ApiStatus {
  const statuses = results.map(statusForResult);
  for (const s of [504, 502, 500] as const) if (statuses.includes(s)) return s;
  return statuses.includes(202) ? 202 : 200;
}

/**
 * A failed result whose error is not one of ours carries a raw exception message; it is replaced, like a
 * 500's, so internals never reach the client.
 */
export function publicResult<R extends Pick<ReconcileResult, 'error'>>(r: R, requestId: string): R {
  if (r.error === undefined || r.error.code !== 'internal') return r;
  return {
    ...r,
    error: {
      code: 'internal',
      message: `internal error; the server log has the details under request id ${requestId}`,
    },
  };
}
