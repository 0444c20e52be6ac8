/**
 * The versioned HTTP API. One Hono app serves both the FC HTTP trigger (through the Fetch adapter in
 * shared/events/http.ts) and the local server (@hono/node-server), so the request path uses only Fetch
 * APIs plus node:crypto. The middlewares live in middleware.ts, the routes in routes/ (one module per
 * resource).
 */
import { Hono } from 'hono';
import { InvalidInputError } from '../../core/errors.js';
import type { Clock, Logger } from '../../core/ports.js';
import type { Service } from '../service.js';
import { authorize, ROUTE_ACCESS, undeclaredRoutes } from './access.js';
import { Authenticator } from './authenticator.js';
import type { HttpEnv } from './context.js';
import type { AuthConfig, ParsedAuthConfig } from './credentials.js';
import { MethodNotAllowedError } from './errors.js';
import { accessLog, bodyThenAuth, errorAnswer, notFoundAnswer } from './middleware.js';
import { memoryReplayGuard, type ReplayGuard } from './replay.js';
import { registerGroupRoutes } from './routes/groups.js';
import { registerHeartbeatRoutes } from './routes/heartbeats.js';
import { registerHistoryRoutes } from './routes/history.js';
import { registerMemberRoutes } from './routes/members.js';
import { registerReportRoutes } from './routes/reports.js';
import { registerValidateRoutes } from './routes/validate.js';
import { NoQuery, parseQuery } from './schemas.js';

export type { HttpEnv } from './context.js';

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
   * Rejects a replayed HMAC signature. Pass `storeReplayGuard` (the shared store's `markEventSeen`) when
   * several instances serve the API; the default only remembers signatures within this process.
   */
  readonly replayGuard?: ReplayGuard | undefined;
}

/**
 * Builds the API. Throws `InvalidInputError` (`config.invalid`) for a bad auth configuration; logs a
 * warning when no credential is configured (every protected route then answers 401), and a notice
 * naming the credentials that got the operator role because none was configured.
 */
export function createHttpApp(deps: HttpAppDeps): Hono<HttpEnv> {
  const { service, logger, clock } = deps;
  const maxBodyBytes = checkMaxBodyBytes(deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
  const auth = new Authenticator(deps.auth, {
    clock,
    replayGuard: deps.replayGuard ?? memoryReplayGuard(clock),
    onSignatureWithoutNonce: oncePerKey((keyId) =>
      logger.info(
        { component: 'http', principal: keyId },
        `key ${keyId} signs without X-Havip-Nonce (the first version of the scheme): two identical requests in one second are refused as replays; update the client`,
      ),
    ),
  });
  logCredentialNotices(auth.configured, auth.config, logger);

  const app = new Hono<HttpEnv>();
  app.use('*', accessLog(logger, clock));
  app.onError(errorAnswer(logger));
  app.notFound(notFoundAnswer);

  app.get('/healthz', (c) => {
    parseQuery(c.req.queries(), NoQuery);
    return c.json({ ok: true });
  });

  app.use('/v1/*', bodyThenAuth(auth, maxBodyBytes), authorize(ROUTE_ACCESS, logger));
  registerGroupRoutes(app, service);
  registerMemberRoutes(app, service);
  registerValidateRoutes(app, service);
  registerHeartbeatRoutes(app, service);
  registerReportRoutes(app, service);
  registerHistoryRoutes(app, service);
  checkRouteAccess(app);
  answerUnsupportedMethods(app);
  return app;
}

/** A route without an access entry would be refused to everyone: refuse to build such an app instead. */
function checkRouteAccess(app: Hono<HttpEnv>): void {
  const { undeclared, unused } = undeclaredRoutes(app.routes, ROUTE_ACCESS);
  if (undeclared.length === 0 && unused.length === 0) return;
  throw new InvalidInputError('config.invalid', 'the HTTP API routes and their access table disagree', [
    ...undeclared.map((r) => ({
      path: r,
      message: 'has no entry in ROUTE_ACCESS',
      hint: 'declare the roles that may use it in shared/app/http/access.ts',
    })),
    ...unused.map((r) => ({ path: r, message: 'is in ROUTE_ACCESS but no such route is registered' })),
  ]);
}

function logCredentialNotices(configured: boolean, config: ParsedAuthConfig, logger: Logger): void {
  if (!configured) {
    logger.warn(
      { component: 'http' },
      'HTTP API has no bearer tokens or HMAC keys configured: every request except /healthz will be refused with 401',
    );
  }
  const defaulted = [...config.tokens.map((t) => ({ ...t, id: t.name })), ...config.hmacKeys]
    .filter((c) => c.roleDefaulted)
    .map((c) => c.id);
  if (defaulted.length > 0) {
    logger.info(
      { component: 'http', principals: defaulted },
      `HTTP API credentials without a role get the operator role (every route): ${defaulted.join(', ')}; give each its role (name:operator:…, name:viewer:…, name:agent:<member>:…), see docs/http-api.md#roles`,
    );
  }
}

/** Wraps a per-key notice so it is logged once per key for the life of the app. */
function oncePerKey(notice: (key: string) => void): (key: string) => void {
  const seen = new Set<string>();
  return (key) => {
    if (seen.has(key)) return;
    seen.add(key);
    notice(key);
  };
}

function checkMaxBodyBytes(maxBodyBytes: number): number {
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new InvalidInputError('config.invalid', 'invalid HTTP API option', [
      {
        path: 'maxBodyBytes',
        message: `must be a positive whole number of bytes, got ${String(maxBodyBytes)}`,
        hint: 'omit it for 64 KiB',
      },
    ]);
  }
  return maxBodyBytes;
}

/**
 * Known paths with an unsupported method answer 405 with Allow, not a misleading 404. The paths and their
 * methods are read from the routes registered so far, so a new route needs no entry here.
 */
function answerUnsupportedMethods(app: Hono<HttpEnv>): void {
  const allow = new Map<string, string[]>();
  for (const { path, method } of app.routes) {
    if (method === 'ALL') continue; // middleware
    allow.set(path, [...(allow.get(path) ?? []), method]);
  }
  for (const [path, methods] of allow) {
    app.all(path, (c) => {
      throw new MethodNotAllowedError(c.req.method, c.req.path, methods);
    });
  }
}
