/**
 * Authorization: what each role may do, per route, in one table. Authentication (authenticator.ts) says
 * who called; the table says whether that caller's role may use the route and, for a route where an
 * agent speaks for a member, which body field names that member (it must be one the agent is bound to).
 *
 * Every route under /v1 must have an entry: createHttpApp refuses to build an app with an undeclared
 * route ({@link undeclaredRoutes}), and a request to one is refused at run time too (deny by default).
 */
import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { z } from 'zod';
import type { Logger } from '../../core/ports.js';
import type { Principal } from './authenticator.js';
import type { HttpContext, HttpEnv } from './context.js';
import type { Role } from './credentials.js';
import { ForbiddenError } from './errors.js';
import { parseJsonBody } from './schemas.js';

export interface RouteAccess {
  /** The roles that may use the route. */
  readonly roles: readonly Role[];
  /**
   * The JSON body field naming the member the request speaks for (a heartbeat's `instanceId`, a
   * report's `reporter`). An agent credential may only name a member it is bound to; operators are not
   * bound. Only a route that agents may use needs one.
   */
  readonly speaksFor?: string | undefined;
}

const READ: RouteAccess = { roles: ['operator', 'viewer'] };
const OPERATE: RouteAccess = { roles: ['operator'] };

/**
 * `<METHOD> <path as registered>` → who may use it. docs/http-api.md ("Roles") shows the same table. A
 * new route adds its line here; an agent route with a member in its body names that field.
 */
export const ROUTE_ACCESS: Readonly<Record<string, RouteAccess>> = {
  'GET /v1/groups': READ,
  'GET /v1/groups/:name': READ,
  'POST /v1/groups/:name/plan': READ,
  'POST /v1/groups/:name/failover': OPERATE,
  'POST /v1/members/:id/drain': OPERATE,
  'POST /v1/members/:id/undrain': OPERATE,
  'POST /v1/validate': READ,
  'GET /v1/history': READ,
  'POST /v1/heartbeats': { roles: ['operator', 'agent'], speaksFor: 'instanceId' },
  // The report's own MAC (the group key) proves the reporter; the binding keeps one host's API
  // credential from speaking for another member as well.
  'POST /v1/reports': { roles: ['operator', 'agent'], speaksFor: 'reporter' },
};

/** `METHOD path` of the route that will answer (the first that is not middleware), if any. */
function answeringRoute(c: HttpContext): string | undefined {
  const route = matchedRoutes(c).find((r) => r.method !== 'ALL');
  return route === undefined ? undefined : `${route.method} ${route.path}`;
}

/**
 * Routes under `prefix` registered on the app without an entry in `table`, and entries of `table` that
 * no route uses (a typo would otherwise leave a route undeclared and the entry dead).
 */
export function undeclaredRoutes(
  routes: readonly { readonly method: string; readonly path: string }[],
  table: Readonly<Record<string, RouteAccess>>,
  prefix = '/v1/',
): { undeclared: string[]; unused: string[] } {
  const registered = new Set(
    routes.filter((r) => r.method !== 'ALL' && r.path.startsWith(prefix)).map((r) => `${r.method} ${r.path}`),
  );
  return {
    undeclared: [...registered].filter((r) => table[r] === undefined),
    unused: Object.keys(table).filter((r) => !registered.has(r)),
  };
}

/**
 * Refuses (403 `auth.forbidden`) a request whose principal's role the route does not allow, or an agent
 * speaking for a member it is not bound to. Each refusal is journaled as one structured warn log line
 * (principal, role, route, claimed member): the log, not the store, so refused requests cost an attacker
 * log volume only and can never push real moves out of the history.
 */
export function authorize(
  table: Readonly<Record<string, RouteAccess>>,
  logger: Logger,
): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    const route = answeringRoute(c);
    if (route !== undefined) {
      const principal = c.get('principal')!;
      const access = table[route];
      const refuse = (message: string, claimed?: string) => {
        const details = { principal: principal.id, role: principal.role, route, claimed };
        logger.warn({ component: 'http', requestId: c.get('requestId'), ...details }, 'request refused');
        return new ForbiddenError(message, details);
      };
      if (access === undefined)
        throw refuse(`${route} declares no access; every route must (shared/app/http/access.ts)`);
      if (!access.roles.includes(principal.role))
        throw refuse(
          `credential ${JSON.stringify(principal.id)} has the ${principal.role} role, which may not use ${route}; it needs ${access.roles.join(' or ')}`,
        );
      if (access.speaksFor !== undefined && principal.role === 'agent') {
        const claimed = claimedMember(c, access.speaksFor);
        if (!principal.members.includes(claimed))
          throw refuse(boundMessage(principal, access.speaksFor, claimed), claimed);
      }
    }
    await next();
  };
}

const boundMessage = (p: Principal, field: string, claimed: string) =>
  `agent credential ${JSON.stringify(p.id)} speaks for ${p.members.join(', ')} only, and ${field} is ${claimed}`;

/**
 * The member the body names in `field`, read with the same strict JSON reading the route uses (a key
 * given twice is refused, so the route cannot see another member than this check did). A body without
 * it is refused here, naming the field, before the route sees it.
 */
function claimedMember(c: HttpContext, field: string): string {
  const schema = z.looseObject({
    [field]: z.string({ error: 'must name the member this agent speaks for' }),
  });
  const body = parseJsonBody(c.get('body'), c.req.header('content-type'), schema);
  return body?.[field] as string;
}
