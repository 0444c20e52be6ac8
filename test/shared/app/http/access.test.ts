/** Authorization: the role table and the agent bindings, through the app (issue 13, item 2). */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../../../shared/adapters/logger/index.js';
import { ROUTE_ACCESS, undeclaredRoutes } from '../../../../shared/app/http/access.js';
import { createHttpApp } from '../../../../shared/app/http/app.js';
import type { AuthConfig } from '../../../../shared/app/http/credentials.js';
import { bearer, HMAC_SECRET, post, signed, TestClock, TripwireService } from '../../../support/http.js';

const WEB1 = 'i-bp1web00000000000001';
const WEB2 = 'i-bp1web00000000000002';
const OPS = 'ops-token-0123456789abcdef';
const VIEW = 'view-token-0123456789abcde';
const AGENT = 'web1-token-0123456789abcde';

const ROLES_AUTH: AuthConfig = {
  tokens: [
    { name: 'ops', token: OPS, role: 'operator' },
    { name: 'dash', token: VIEW, role: 'viewer' },
    { name: 'web1', token: AGENT, role: 'agent', members: [WEB1] },
  ],
  hmacKeys: [{ id: 'web1-key', secret: HMAC_SECRET, role: 'agent', members: [WEB1] }],
};

function setup(auth: AuthConfig = ROLES_AUTH) {
  const logger = createMemoryLogger();
  const service = new TripwireService();
  const clock = new TestClock();
  const app = createHttpApp({ service, auth, logger, clock });
  return { app, service, logger, clock };
}

const get = (token: string): RequestInit => ({ headers: bearer(token) });
const postAs = (token: string, body?: unknown): RequestInit =>
  body === undefined ? { method: 'POST', headers: bearer(token) } : post(body, bearer(token));

/** Every route, as a request; the expected roles are written out here, not read from the table. */
const ROUTES: { route: string; path: string; init: (token: string) => RequestInit; roles: string[] }[] = [
  { route: 'GET /v1/groups', path: '/v1/groups', init: get, roles: ['operator', 'viewer'] },
  { route: 'GET /v1/groups/:name', path: '/v1/groups/web', init: get, roles: ['operator', 'viewer'] },
  {
    route: 'POST /v1/groups/:name/plan',
    path: '/v1/groups/web/plan',
    init: (t) => postAs(t, { to: WEB2, force: true }),
    roles: ['operator', 'viewer'],
  },
  {
    route: 'POST /v1/groups/:name/failover',
    path: '/v1/groups/web/failover',
    init: (t) => postAs(t, { reason: 'x', to: WEB2, force: true }),
    roles: ['operator'],
  },
  {
    route: 'POST /v1/members/:id/drain',
    path: `/v1/members/${WEB1}/drain`,
    init: (t) => postAs(t, { reason: 'x' }),
    roles: ['operator'],
  },
  {
    route: 'POST /v1/members/:id/undrain',
    path: `/v1/members/${WEB1}/undrain`,
    init: (t) => postAs(t),
    roles: ['operator'],
  },
  { route: 'POST /v1/validate', path: '/v1/validate', init: (t) => postAs(t), roles: ['operator', 'viewer'] },
  { route: 'GET /v1/history', path: '/v1/history', init: get, roles: ['operator', 'viewer'] },
  {
    route: 'POST /v1/heartbeats',
    path: '/v1/heartbeats',
    init: (t) => postAs(t, { instanceId: WEB1 }),
    roles: ['operator', 'agent'],
  },
  {
    route: 'POST /v1/reports',
    path: '/v1/reports',
    // Authorization looks at the reporter only; the report's own MAC is the service's to check.
    init: (t) => postAs(t, { reporter: WEB1, suspect: WEB2 }),
    roles: ['operator', 'agent'],
  },
];
const TOKENS = { operator: OPS, viewer: VIEW, agent: AGENT } as const;

describe('roles', () => {
  it('covers every route of the app (a route added later must be added here too)', () => {
    expect(ROUTES.map((r) => r.route).sort()).toEqual(Object.keys(ROUTE_ACCESS).sort());
  });

  it.each(
    ROUTES.flatMap((r) =>
      (['operator', 'viewer', 'agent'] as const).map((role) => ({
        ...r,
        role,
        allowed: r.roles.includes(role),
      })),
    ),
  )('$role → $route: allowed=$allowed', async ({ path, init, role, allowed }) => {
    const { app, service } = setup();
    const res = await app.request(path, init(TOKENS[role]));
    if (allowed) {
      // The tripwire service answers 500: authorization let the request through to it.
      expect(service.calls, await res.text()).toBe(1);
    } else {
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('auth.forbidden');
      expect(service.calls).toBe(0);
    }
  });

  it('regression (issue 13.2): the token on a member host cannot force a failover or drain the holder', async () => {
    const { app, service, logger } = setup();
    const failover = await app.request(
      '/v1/groups/web/failover',
      postAs(AGENT, { reason: 'x', force: true }),
    );
    const drain = await app.request(`/v1/members/${WEB2}/drain`, postAs(AGENT, { reason: 'x' }));
    expect([failover.status, drain.status]).toEqual([403, 403]);
    expect(((await failover.json()) as { error: { message: string } }).error.message).toBe(
      'credential "web1" has the agent role, which may not use POST /v1/groups/:name/failover; it needs operator',
    );
    expect(service.calls).toBe(0);
    const refusals = logger.entries.filter((e) => e.msg === 'request refused');
    expect(refusals.map((e) => [e.level, e.fields.principal, e.fields.role, e.fields.route])).toEqual([
      ['warn', 'web1', 'agent', 'POST /v1/groups/:name/failover'],
      ['warn', 'web1', 'agent', 'POST /v1/members/:id/drain'],
    ]);
  });

  it('a viewer reads but never acts', async () => {
    const { app, service } = setup();
    const res = await app.request('/v1/groups/web/failover', postAs(VIEW, { reason: 'x' }));
    expect(res.status).toBe(403);
    expect(service.calls).toBe(0);
  });

  it('checks the role before the body or the path: a refused caller learns nothing about its request', async () => {
    const { app } = setup();
    const res = await app.request('/v1/groups/NOT_A_GROUP/failover', postAs(VIEW, '{not json'));
    expect(res.status).toBe(403);
  });
});

describe('agent bindings', () => {
  it('regression (issue 13.2): an agent cannot post heartbeats for another member; the refusal is journaled', async () => {
    const { app, service, logger } = setup();
    const res = await app.request('/v1/heartbeats', postAs(AGENT, { instanceId: WEB2, sequence: 1 }));
    expect(res.status).toBe(403);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error).toMatchObject({
      code: 'auth.forbidden',
      message: `agent credential "web1" speaks for ${WEB1} only, and instanceId is ${WEB2}`,
    });
    expect(service.calls).toBe(0);
    const [refusal] = logger.entries.filter((e) => e.msg === 'request refused');
    expect(refusal).toMatchObject({
      level: 'warn',
      fields: { principal: 'web1', role: 'agent', route: 'POST /v1/heartbeats', claimed: WEB2 },
    });
    expect(refusal?.fields.requestId).toBe(res.headers.get('x-request-id'));
  });

  it('lets an agent post for its own member, signed or with its token', async () => {
    const { app, service, clock } = setup();
    await app.request('/v1/heartbeats', postAs(AGENT, { instanceId: WEB1 }));
    const body = JSON.stringify({ instanceId: WEB1 });
    await app.request(
      '/v1/heartbeats',
      signed('POST', '/v1/heartbeats', clock.now(), body, { id: 'web1-key', secret: HMAC_SECRET }),
    );
    expect(service.calls).toBe(2);
  });

  it('lets an operator post for any member (it is not bound)', async () => {
    const { app, service } = setup();
    await app.request('/v1/heartbeats', postAs(OPS, { instanceId: WEB2 }));
    expect(service.calls).toBe(1);
  });

  it.each([
    {
      name: 'the member given twice (the route could read the other one)',
      body: `{"instanceId":"${WEB1}","instanceId":"${WEB2}"}`,
      status: 400,
      path: 'instanceId',
    },
    { name: 'no member at all', body: '{"sequence":1}', status: 400, path: 'instanceId' },
    {
      name: 'a member that is not a string',
      body: `{"instanceId":["${WEB1}"]}`,
      status: 400,
      path: 'instanceId',
    },
    { name: 'no body', body: undefined, status: 400, path: 'instanceId' },
  ])('refuses an agent body with $name before the route runs', async ({ body, status, path }) => {
    const { app, service } = setup();
    const res = await app.request('/v1/heartbeats', postAs(AGENT, body));
    expect(res.status).toBe(status);
    const json = (await res.json()) as { error: { issues?: { path: string }[] } };
    expect(json.error.issues?.map((i) => i.path)).toContain(path);
    expect(service.calls).toBe(0);
  });
});

describe('the access table', () => {
  it('declares every /v1 route the app registers, and nothing else', () => {
    const { app } = setup();
    expect(undeclaredRoutes(app.routes, ROUTE_ACCESS)).toEqual({ undeclared: [], unused: [] });
  });

  it('lets the operator use every route', () => {
    for (const [route, access] of Object.entries(ROUTE_ACCESS))
      expect(access.roles, route).toContain('operator');
  });

  it('names an undeclared route and an entry without a route', () => {
    const app = new Hono();
    app.get('/v1/groups', (c) => c.text(''));
    app.post('/v1/reports', (c) => c.text(''));
    app.use('/v1/*', async (_c, next) => next());
    expect(
      undeclaredRoutes(app.routes, { 'GET /v1/groups': { roles: ['operator'] }, 'GET /v1/x': { roles: [] } }),
    ).toEqual({
      undeclared: ['POST /v1/reports'],
      unused: ['GET /v1/x'],
    });
  });

  it('a reports route declares its binding the same way (reporter must be a bound member)', async () => {
    // How POST /v1/reports declares itself: the same middleware refuses a report from another reporter.
    const { authorize } = await import('../../../../shared/app/http/access.js');
    const logger = createMemoryLogger();
    const table = { 'POST /v1/reports': { roles: ['operator', 'agent'] as const, speaksFor: 'reporter' } };
    const app = new Hono<import('../../../../shared/app/http/context.js').HttpEnv>();
    app.use('*', async (c, next) => {
      c.set('principal', { scheme: 'bearer', id: 'web1', role: 'agent', members: [WEB1] });
      c.set('body', new Uint8Array(await c.req.arrayBuffer()));
      c.set('requestId', 'r');
      await next();
    });
    app.use('*', authorize(table, logger));
    app.post('/v1/reports', (c) => c.json({ ok: true }));
    app.onError((e, c) => c.json({ code: (e as { code?: string }).code }, 403));
    const send = (reporter: string) => app.request('/v1/reports', post({ reporter, instanceId: WEB2 }, {}));
    expect((await send(WEB1)).status).toBe(200);
    expect(await (await send(WEB2)).json()).toEqual({ code: 'auth.forbidden' });
  });
});

describe('legacy credentials', () => {
  it('logs once which credentials got the operator role because none was configured', () => {
    const { logger } = setup({
      tokens: [{ name: 'old', token: OPS }],
      hmacKeys: [
        { id: 'old-key', secret: HMAC_SECRET },
        { id: 'v', secret: `${HMAC_SECRET}v`, role: 'viewer' },
      ],
    });
    const notices = logger.entries.filter((e) => /get the operator role/.test(e.msg));
    expect(notices).toHaveLength(1);
    expect(notices[0]?.fields.principals).toEqual(['old', 'old-key']);
  });

  it('logs nothing of the kind when every credential has a role', () => {
    const { logger } = setup();
    expect(logger.entries.filter((e) => /get the operator role/.test(e.msg))).toEqual([]);
  });
});
