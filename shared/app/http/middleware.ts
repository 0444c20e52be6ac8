/**
 * The middlewares around every route: the request id and access log, the error and not-found answers, and
 * for `/v1/*` the bounded body read followed by authentication (an HMAC signature covers the body).
 */
import { randomUUID } from 'node:crypto';
import type { ErrorHandler, MiddlewareHandler, NotFoundHandler } from 'hono';
import { InvalidInputError } from '../../core/errors.js';
import type { Clock, Logger } from '../../core/ports.js';
import { PayloadTooLargeError } from '../../events/http.js';
import type { Authenticator } from './authenticator.js';
import type { HttpEnv } from './context.js';
import {
  AuthError,
  ClientClosedError,
  errorResponse,
  MethodNotAllowedError,
  RouteNotFoundError,
  ThrottledError,
} from './errors.js';

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Access log: one line per request. Only allowlisted fields: never headers, tokens or signatures. The
 * request id is FC's (passed by the FC adapter in the env) or a fresh UUID: a client-chosen id is never
 * used, since it would land in the logs and in the invocation id before anyone was authenticated.
 */
export function accessLog(logger: Logger, clock: Clock): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    const started = clock.now();
    const trusted = c.env?.requestId;
    const requestId = trusted !== undefined && REQUEST_ID_RE.test(trusted) ? trusted : randomUUID();
    c.set('requestId', requestId);
    c.set('receivedAt', started);
    c.set('principal', undefined);
    c.set('body', new Uint8Array(0));
    c.set('clientClosed', false);
    await next();
    c.header('X-Request-Id', requestId);
    const principal = c.get('principal');
    logger.info(
      {
        component: 'http',
        requestId,
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        durationMs: clock.now() - started,
        principal: principal?.id,
        scheme: principal?.scheme,
        ...(c.get('clientClosed') ? { clientClosed: true } : {}),
      },
      'http request',
    );
  };
}

/** Every thrown error becomes the API's error body; a 5xx is logged with its details. */
export function errorAnswer(logger: Logger): ErrorHandler<HttpEnv> {
  return (e, c) => {
    const requestId = c.get('requestId') ?? 'unknown';
    const { status, body } = errorResponse(e, requestId);
    if (status >= 500) {
      logger.error({ component: 'http', requestId, error: e }, 'request failed');
    }
    if (e instanceof AuthError) c.header('WWW-Authenticate', e.challenge);
    if (e instanceof MethodNotAllowedError) c.header('Allow', e.allow.join(', '));
    if (e instanceof ThrottledError) c.header('Retry-After', String(e.retryAfterSeconds));
    if (e instanceof ClientClosedError) c.set('clientClosed', true);
    return c.json(body, status);
  };
}

export const notFoundAnswer: NotFoundHandler<HttpEnv> = (c) => {
  const { status, body } = errorResponse(new RouteNotFoundError(c.req.path), c.get('requestId'));
  return c.json(body, status);
};

/** Body first (bounded), then authentication: an HMAC signature covers the body's bytes. */
export function bodyThenAuth(auth: Authenticator, maxBodyBytes: number): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    if (BODY_METHODS.has(c.req.method)) c.set('body', await readBody(c.req.raw, maxBodyBytes));
    c.set(
      'principal',
      await auth.authenticate({
        method: c.req.method,
        url: c.req.url,
        headers: c.req.raw.headers,
        body: c.get('body'),
      }),
    );
    await next();
  };
}

/**
 * Reads the body with a hard cap. `Content-Length` is checked first (cheap refusal), then the bytes
 * actually read, because chunked requests have no length and a declared length can be wrong. A stream
 * that breaks off (the client aborted) is a {@link ClientClosedError}, not a server failure.
 */
async function readBody(req: Request, limit: number): Promise<Uint8Array> {
  const declared = req.headers.get('content-length');
  if (declared !== null) {
    if (!/^\d{1,15}$/.test(declared.trim())) {
      throw new InvalidInputError('request.invalid', 'invalid Content-Length', [
        { path: 'headers.content-length', message: `must be a byte count, got ${JSON.stringify(declared)}` },
      ]);
    }
    const size = Number(declared);
    if (size > limit) throw new PayloadTooLargeError(size, limit);
  }
  if (req.body === null) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read().catch(() => {
      throw new ClientClosedError();
    });
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw new PayloadTooLargeError(total, limit);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
