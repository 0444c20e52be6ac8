/**
 * The versioned HTTP API. One Hono app serves both the FC HTTP trigger (through the Fetch adapter in
 * shared/events/http.ts) and the local server (@hono/node-server), so the request path uses only Fetch
 * APIs plus node:crypto.
 */
import { randomUUID } from 'node:crypto';
import { type Context, Hono } from 'hono';
import type { ReconcileResult } from '../../core/engine.js';
import { InvalidInputError } from '../../core/errors.js';
import type { Clock, Logger } from '../../core/ports.js';
import { PayloadTooLargeError, REQUEST_ID_HEADER } from '../../events/http.js';
import type { Service } from '../service.js';
import {
  type AuthConfig,
  Authenticator,
  memoryReplayGuard,
  type Principal,
  type ReplayGuard,
} from './auth.js';
import {
  AuthError,
  errorResponse,
  MethodNotAllowedError,
  publicResult,
  RouteNotFoundError,
  statusForResult,
  statusForResults,
} from './errors.js';
import {
  DrainBody,
  EmptyBody,
  FailoverBody,
  groupParam,
  HeartbeatBody,
  HistoryQuery,
  memberParam,
  NoQuery,
  PlanBody,
  parseJsonBody,
  parseQuery,
  UndrainBody,
} from './schemas.js';

/** Default cap on a request body: the API takes small JSON documents. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

export interface HttpAppDeps {
  readonly service: Service;
  readonly auth: AuthConfig;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Largest accepted request body in bytes (default 64 KiB). */
  readonly maxBodyBytes?: number | undefined;
  /**
   * Rejects a replayed HMAC signature. Pass one backed by the shared store (`markEventSeen`) when several
   * instances serve the API; the default only remembers signatures within this process.
   */
  readonly replayGuard?: ReplayGuard | undefined;
}

/** Per-request values the middlewares hand to the routes. */
export interface HttpEnv {
  Variables: {
    requestId: string;
    principal: Principal | undefined;
    body: Uint8Array;
  };
}

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Builds the API. Throws `InvalidInputError` (`config.invalid`) for a bad auth configuration; logs a
 * warning when no credential is configured (every protected route then answers 401).
 */
export function createHttpApp(deps: HttpAppDeps): Hono<HttpEnv> {
  const { service, logger, clock } = deps;
  const maxBodyBytes = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new InvalidInputError('config.invalid', 'invalid HTTP API option', [
      {
        path: 'maxBodyBytes',
        message: `must be a positive whole number of bytes, got ${String(maxBodyBytes)}`,
        hint: 'omit it for 64 KiB',
      },
    ]);
  }
  const auth = new Authenticator(deps.auth, {
    clock,
    replayGuard: deps.replayGuard ?? memoryReplayGuard(clock),
  });
  if (!auth.configured) {
    logger.warn(
      { component: 'http' },
      'HTTP API has no bearer tokens or HMAC keys configured: every request except /healthz will be refused with 401',
    );
  }

  const app = new Hono<HttpEnv>();

  // Access log: one line per request. Only allowlisted fields: never headers, tokens or signatures.
  app.use('*', async (c, next) => {
    const started = clock.now();
    const given = c.req.header(REQUEST_ID_HEADER);
    const requestId = given !== undefined && REQUEST_ID_RE.test(given) ? given : randomUUID();
    c.set('requestId', requestId);
    c.set('principal', undefined);
    c.set('body', new Uint8Array(0));
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
      },
      'http request',
    );
  });

  app.onError((e, c) => {
    const requestId = c.get('requestId') ?? 'unknown';
    const { status, body } = errorResponse(e, requestId);
    if (status >= 500) {
      logger.error({ component: 'http', requestId, error: e }, 'request failed');
    }
    if (e instanceof AuthError) c.header('WWW-Authenticate', e.challenge);
    if (e instanceof MethodNotAllowedError) c.header('Allow', e.allow.join(', '));
    return c.json(body, status);
  });
  app.notFound((c) => {
    const { status, body } = errorResponse(new RouteNotFoundError(c.req.path), c.get('requestId'));
    return c.json(body, status);
  });

  app.get('/healthz', (c) => {
    parseQuery(c.req.queries(), NoQuery);
    return c.json({ ok: true });
  });

  // Body first (bounded), then authentication: an HMAC signature covers the body's bytes.
  app.use('/v1/*', async (c, next) => {
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
  });

  const actor = (c: Context<HttpEnv>) => c.get('principal')!.id;
  const body = <S extends Parameters<typeof parseJsonBody>[2]>(
    c: Context<HttpEnv>,
    schema: S,
    optional = false,
  ) => parseJsonBody(c.get('body'), c.req.header('content-type'), schema, { optional });
  const result = (c: Context<HttpEnv>, r: ReconcileResult) =>
    c.json(publicResult(r, c.get('requestId')), statusForResult(r));

  app.get('/v1/groups', (c) => {
    parseQuery(c.req.queries(), NoQuery);
    return c.json({ groups: service.listGroups() });
  });

  app.get('/v1/groups/:name', async (c) => {
    parseQuery(c.req.queries(), NoQuery);
    const name = groupParam(c.req.param('name'));
    const status = await service.getGroup(name);
    return c.json({ ...status, plan: publicResult(status.plan, c.get('requestId')) });
  });

  app.post('/v1/groups/:name/plan', async (c) => {
    parseQuery(c.req.queries(), NoQuery);
    const name = groupParam(c.req.param('name'));
    const req = body(c, PlanBody, true);
    const manual =
      req === undefined || (req.to === undefined && req.force === undefined && req.reason === undefined)
        ? undefined
        : { to: req.to, force: req.force ?? false, reason: req.reason ?? 'dry run', actor: actor(c) };
    return result(c, await service.plan(name, manual));
  });

  app.post('/v1/groups/:name/failover', async (c) => {
    parseQuery(c.req.queries(), NoQuery);
    const name = groupParam(c.req.param('name'));
    const req = body(c, FailoverBody)!;
    const r = await service.failover(name, {
      to: req.to,
      force: req.force ?? false,
      reason: req.reason,
      actor: actor(c),
      invocationId: `http-${c.get('requestId')}`,
    });
    return result(c, r);
  });

  for (const drain of [true, false]) {
    app.post(`/v1/members/:id/${drain ? 'drain' : 'undrain'}`, async (c) => {
      parseQuery(c.req.queries(), NoQuery);
      const id = memberParam(c.req.param('id'));
      const req = drain ? body(c, DrainBody)! : (body(c, UndrainBody, true) ?? {});
      const out = await service.setDrain(id, drain, {
        reason: req.reason ?? 'undrain',
        actor: actor(c),
        invocationId: `http-${c.get('requestId')}`,
      });
      const results = out.results.map((r) => publicResult(r, c.get('requestId')));
      return c.json({ member: id, draining: drain, groups: out.groups, results }, statusForResults(results));
    });
  }

  app.post('/v1/validate', async (c) => {
    parseQuery(c.req.queries(), NoQuery);
    body(c, EmptyBody, true);
    const findings = await service.validateLive();
    const errors = findings.filter((f) => f.severity === 'error').length;
    return c.json({ findings, errors, warnings: findings.length - errors });
  });

  app.post('/v1/heartbeats', async (c) => {
    parseQuery(c.req.queries(), NoQuery);
    const req = body(c, HeartbeatBody)!;
    return c.json(await service.heartbeat({ instanceId: req.instanceId, sequence: req.sequence }));
  });

  app.get('/v1/history', async (c) => {
    const q = parseQuery(c.req.queries(), HistoryQuery);
    return c.json({ history: await service.history({ group: q.group, limit: q.limit }) });
  });

  // Known paths with an unsupported method answer 405 with Allow, not a misleading 404.
  const allow: [string, string[]][] = [
    ['/healthz', ['GET']],
    ['/v1/groups', ['GET']],
    ['/v1/groups/:name', ['GET']],
    ['/v1/groups/:name/plan', ['POST']],
    ['/v1/groups/:name/failover', ['POST']],
    ['/v1/members/:id/drain', ['POST']],
    ['/v1/members/:id/undrain', ['POST']],
    ['/v1/validate', ['POST']],
    ['/v1/heartbeats', ['POST']],
    ['/v1/history', ['GET']],
  ];
  for (const [path, methods] of allow) {
    app.all(path, (c) => {
      throw new MethodNotAllowedError(c.req.method, c.req.path, methods);
    });
  }

  return app;
}

/**
 * Reads the body with a hard cap. `Content-Length` is checked first (cheap refusal), then the bytes
 * actually read, because chunked requests have no length and a declared length can be wrong.
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
    const { done, value } = await reader.read();
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
