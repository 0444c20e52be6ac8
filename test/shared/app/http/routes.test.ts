/**
 * The HTTP API end to end: Hono app → Service → engine → our Alibaba adapter → the simulator (over the
 * wire) and the SQLite store. Assertions about the cloud read the simulator's ground truth.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../../../shared/app/http/app.js';
import { handleFcHttpEvent } from '../../../../shared/app/http/fc.js';
import { groupName } from '../../../../shared/core/model.js';
import { AUTH, bearer, post, signed, TOKEN } from '../../../support/http.js';
import { BACKUP, createWorld, HAVIP, PAIR_YAML, PRIMARY, type World } from '../../../support/world.js';

const worlds: World[] = [];
afterEach(async () => {
  while (worlds.length > 0) await worlds.pop()?.close();
});

async function setup(opts: Parameters<typeof createWorld>[0] = {}) {
  const world = await createWorld(opts);
  worlds.push(world);
  const app = createHttpApp({ service: world.service, auth: AUTH, logger: world.logger, clock: world.clock });
  const bound = () => [...(world.sim.haVip(HAVIP)?.associatedInstances ?? [])];
  const mutations = () => {
    const c = world.sim.stats().calls;
    return (c.AssociateHaVip ?? 0) + (c.UnassociateHaVip ?? 0);
  };
  return { world, app, bound, mutations };
}

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field
type Json = any;
const json = async (res: Response): Promise<Json> => res.json();

describe('reading state', () => {
  it('GET /v1/groups lists the topology', async () => {
    const { app } = await setup();
    const res = await app.request('/v1/groups', { headers: bearer() });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      groups: [{ name: 'web', region: 'cn-hangzhou', haVipId: HAVIP, members: 2 }],
    });
  });

  it('GET /v1/groups/:name shows the holder, the serving member, member health and the plan', async () => {
    const { app } = await setup();
    const res = await app.request('/v1/groups/web', { headers: bearer() });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({
      name: 'web',
      haVipId: HAVIP,
      holders: [PRIMARY],
      plan: { status: 'planned' },
    });
    expect(body.members.map((m: Json) => [m.id, m.priority, m.eligible, m.bound])).toEqual([
      [PRIMARY, 100, true, true],
      [BACKUP, 10, true, false],
    ]);
    expect(body.plan.decision).toMatchObject({ kind: 'noop', holder: PRIMARY });
  });

  it('shows a stopped member as ineligible with its reason', async () => {
    const { app, world } = await setup();
    world.sim.stopInstance(BACKUP);
    await world.sim.settle();
    const body = await json(await app.request('/v1/groups/web', { headers: bearer() }));
    const backup = body.members.find((m: Json) => m.id === BACKUP);
    expect(backup).toMatchObject({ eligible: false, reasons: ['stopped:Stopped'] });
  });

  it.each([
    { path: '/v1/groups/nope', method: 'GET', code: 'group.not-found' },
    { path: '/v1/groups/nope/plan', method: 'POST', code: 'group.not-found' },
    { path: '/v1/groups/nope/failover', method: 'POST', code: 'group.not-found' },
    { path: '/v1/history?group=nope', method: 'GET', code: 'group.not-found' },
    { path: '/v1/members/i-bp1unknown000000000001/drain', method: 'POST', code: 'member.not-found' },
    { path: '/v1/members/i-bp1unknown000000000001/undrain', method: 'POST', code: 'member.not-found' },
  ])('404 $code for $method $path', async ({ path, method, code }) => {
    const { app, mutations } = await setup();
    const res = await app.request(path, method === 'GET' ? { headers: bearer() } : post({ reason: 'test' }));
    expect(res.status).toBe(404);
    const body = await json(res);
    expect(body.error.code).toBe(code);
    expect(body.error.message).toContain('is not in the topology');
    expect(mutations()).toBe(0);
  });

  it('404 member.not-found for a heartbeat from an instance outside the topology', async () => {
    const { app } = await setup();
    const res = await app.request('/v1/heartbeats', post({ instanceId: 'i-bp1unknown000000000001' }));
    expect(res.status).toBe(404);
    expect((await json(res)).error.code).toBe('member.not-found');
  });
});

describe('plan and failover', () => {
  it('POST plan is a dry run: the decision and steps, no cloud mutation', async () => {
    const { app, bound, mutations } = await setup();
    const res = await app.request('/v1/groups/web/plan', post({ to: BACKUP, reason: 'what if' }));
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({
      status: 'planned',
      decision: { kind: 'move', from: PRIMARY, to: BACKUP, cause: 'manual' },
    });
    expect(body.decision.reason).toContain('requested by ops: what if');
    expect(body.steps.length).toBeGreaterThan(0);
    expect(body.steps.every((s: Json) => s.outcome === 'planned')).toBe(true);
    expect(mutations()).toBe(0);
    expect(bound()).toEqual([PRIMARY]);
  });

  it('POST plan without a body plans the automatic decision', async () => {
    const { app } = await setup();
    const res = await app.request('/v1/groups/web/plan', { method: 'POST', headers: bearer() });
    expect(res.status).toBe(200);
    expect((await json(res)).decision).toMatchObject({ kind: 'noop', holder: PRIMARY });
  });

  it('POST failover moves the HaVip in the cloud and journals the caller as the actor', async () => {
    const { app, world, bound } = await setup();
    const res = await app.request('/v1/groups/web/failover', post({ reason: 'kernel patching' }));
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({
      status: 'unverified',
      decision: { kind: 'move', from: PRIMARY, to: BACKUP },
    });
    expect(bound()).toEqual([BACKUP]);
    const [h] = await world.store.listHistory({ group: groupName('web'), limit: 1 });
    expect(h).toMatchObject({ actor: 'ops', outcome: 'unverified' });
    expect(h?.decision.reason).toContain('kernel patching');
  });

  it('POST failover signed with HMAC journals the key id', async () => {
    const { app, world, bound } = await setup();
    const body = JSON.stringify({ to: BACKUP, reason: 'signed move' });
    const res = await app.request(
      '/v1/groups/web/failover',
      signed('POST', '/v1/groups/web/failover', world.clock.now(), body),
    );
    expect(res.status).toBe(200);
    expect(bound()).toEqual([BACKUP]);
    const [h] = await world.store.listHistory({ group: groupName('web'), limit: 1 });
    expect(h?.actor).toBe('agent-key');
  });

  it('409 manual-refused for an ineligible target without force; force moves it anyway', async () => {
    const { app, world, bound } = await setup();
    world.sim.stopInstance(BACKUP);
    await world.sim.settle();
    const refused = await app.request('/v1/groups/web/failover', post({ to: BACKUP, reason: 'try' }));
    expect(refused.status).toBe(409);
    expect(await json(refused)).toMatchObject({
      status: 'alert',
      decision: { kind: 'alert', alert: 'manual-refused' },
    });
    expect(bound()).toEqual([PRIMARY]);

    const forced = await app.request(
      '/v1/groups/web/failover',
      post({ to: BACKUP, reason: 'really', force: true }),
    );
    expect(forced.status).toBe(200);
    expect(await json(forced)).toMatchObject({ decision: { kind: 'move', to: BACKUP, forced: true } });
    expect(bound()).toEqual([BACKUP]);
  });

  it('409 manual-refused for a target outside the group', async () => {
    const { app, bound } = await setup();
    const res = await app.request(
      '/v1/groups/web/failover',
      post({ to: 'i-bp1other000000000001', reason: 'x' }),
    );
    expect(res.status).toBe(409);
    expect((await json(res)).decision.reason).toContain('is not a member of group web');
    expect(bound()).toEqual([PRIMARY]);
  });

  it('409 busy while another invocation holds the group lease', async () => {
    const { app, world, bound } = await setup();
    const lease = await world.store.acquireLease(groupName('web'), 'someone-else', 60_000, world.clock.now());
    expect(lease.acquired).toBe(true);
    const res = await app.request('/v1/groups/web/failover', post({ reason: 'now' }));
    expect(res.status).toBe(409);
    expect((await json(res)).status).toBe('busy');
    expect(bound()).toEqual([PRIMARY]);
  });

  it('200 noop when the requested target already holds the address', async () => {
    const { app, mutations } = await setup();
    const res = await app.request('/v1/groups/web/failover', post({ to: PRIMARY, reason: 'idempotent' }));
    expect(res.status).toBe(200);
    expect((await json(res)).status).toBe('noop');
    expect(mutations()).toBe(0);
  });
});

describe('drain, heartbeats, history, validate', () => {
  it('draining the holder moves the HaVip; undraining does not move it back (nopreempt)', async () => {
    const { app, bound } = await setup();
    const drained = await app.request(`/v1/members/${PRIMARY}/drain`, post({ reason: 'hardware swap' }));
    expect(drained.status).toBe(200);
    const body = await json(drained);
    expect(body).toMatchObject({ member: PRIMARY, draining: true, groups: ['web'] });
    expect(body.results[0]).toMatchObject({
      decision: { kind: 'move', from: PRIMARY, to: BACKUP, cause: 'drain' },
    });
    expect(bound()).toEqual([BACKUP]);

    const status = await json(await app.request('/v1/groups/web', { headers: bearer() }));
    expect(status.members.find((m: Json) => m.id === PRIMARY)).toMatchObject({ eligible: false });
    expect(status.members.find((m: Json) => m.id === PRIMARY).reasons[0]).toMatch(
      /^draining:manual: hardware swap \(ops\)/,
    );

    const undrained = await app.request(`/v1/members/${PRIMARY}/undrain`, {
      method: 'POST',
      headers: bearer(),
    });
    expect(undrained.status).toBe(200);
    expect(bound()).toEqual([BACKUP]);
    const after = await json(await app.request('/v1/groups/web', { headers: bearer() }));
    expect(after.members.find((m: Json) => m.id === PRIMARY)).toMatchObject({ eligible: true });
  });

  it('a heartbeat tells the holder it holds the HaVip, and the backup that it does not', async () => {
    const { app, world } = await setup();
    const holder = await app.request('/v1/heartbeats', post({ instanceId: PRIMARY, sequence: 1 }));
    expect(holder.status).toBe(200);
    const address = world.sim.haVip(HAVIP)?.ipAddress;
    expect(await json(holder)).toEqual({
      accepted: true,
      holds: [{ group: 'web', haVipId: HAVIP, address }],
      groups: ['web'],
    });
    const backup = await json(await app.request('/v1/heartbeats', post({ instanceId: BACKUP })));
    expect(backup).toEqual({ accepted: true, holds: [], groups: ['web'] });
  });

  it('an older heartbeat sequence is answered but not accepted', async () => {
    const { app } = await setup();
    await app.request('/v1/heartbeats', post({ instanceId: PRIMARY, sequence: 10 }));
    const stale = await json(await app.request('/v1/heartbeats', post({ instanceId: PRIMARY, sequence: 9 })));
    expect(stale.accepted).toBe(false);
    const next = await json(await app.request('/v1/heartbeats', post({ instanceId: PRIMARY, sequence: 11 })));
    expect(next.accepted).toBe(true);
  });

  it('GET /v1/history lists moves newest first, filtered and limited', async () => {
    const topology = `${PAIR_YAML}
  - name: db
    vSwitchId: vsw-bp1test0000000000001
    haVipId: havip-bp1test0000000000002
    announce: none
    members:
      - { id: i-bp1test0000000000003, priority: 100, ip: 192.168.0.13 }
      - { id: i-bp1test0000000000004, priority: 10, ip: 192.168.0.14 }
`;
    const { app } = await setup({ topology });
    expect((await app.request('/v1/groups/web/failover', post({ reason: 'one' }))).status).toBe(200);
    expect((await app.request('/v1/groups/web/failover', post({ reason: 'two' }))).status).toBe(200);
    expect((await app.request('/v1/groups/db/failover', post({ reason: 'three' }))).status).toBe(200);

    const all = await json(await app.request('/v1/history', { headers: bearer() }));
    expect(all.history.map((h: Json) => [h.group, h.to])).toEqual([
      ['db', 'i-bp1test0000000000004'],
      ['web', PRIMARY],
      ['web', BACKUP],
    ]);
    expect(all.history[1]).toMatchObject({ kind: 'move', outcome: 'unverified', actor: 'ops' });
    const web = await json(await app.request('/v1/history?group=web&limit=1', { headers: bearer() }));
    expect(web.history).toHaveLength(1);
    expect(web.history[0]).toMatchObject({ group: 'web', from: BACKUP, to: PRIMARY });
  });

  it('POST /v1/validate returns live findings with counts', async () => {
    const { app, world } = await setup();
    const clean = await json(await app.request('/v1/validate', { method: 'POST', headers: bearer() }));
    expect(clean).toMatchObject({ errors: 0 });
    expect(clean.warnings).toBe(clean.findings.length);

    world.sim.deleteInstance(BACKUP);
    const broken = await json(await app.request('/v1/validate', post({})));
    expect(broken.errors).toBeGreaterThan(0);
    expect(JSON.stringify(broken.findings)).toContain(BACKUP);
  });
});

describe('edges against a real service', () => {
  it.each([
    { name: 'no token', headers: {} as Record<string, string> },
    { name: 'a wrong token', headers: bearer(`${TOKEN}-wrong`) },
  ])('401 with $name, and nothing moves', async ({ headers }) => {
    const { app, mutations } = await setup();
    const res = await app.request('/v1/groups/web/failover', {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: JSON.stringify({ reason: 'x' }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
    expect(mutations()).toBe(0);
  });

  it('401 for an expired and for a replayed HMAC signature', async () => {
    const { app, world, bound } = await setup();
    const body = JSON.stringify({ reason: 'x' });
    const old = signed('POST', '/v1/groups/web/failover', world.clock.now() - 600_000, body);
    const expired = await app.request('/v1/groups/web/failover', old);
    expect(expired.status).toBe(401);
    expect((await json(expired)).error.code).toBe('auth.expired');
    expect(bound()).toEqual([PRIMARY]);

    const fresh = signed('POST', '/v1/groups/web/failover', world.clock.now(), body);
    expect((await app.request('/v1/groups/web/failover', fresh)).status).toBe(200);
    expect(bound()).toEqual([BACKUP]);
    const replay = await app.request('/v1/groups/web/failover', fresh);
    expect(replay.status).toBe(401);
    expect((await json(replay)).error.code).toBe('auth.replayed');
    expect(bound()).toEqual([BACKUP]);
  });

  it('400 naming the field, 413 for an oversized body; nothing moves', async () => {
    const { world, bound, mutations } = await setup();
    const app = createHttpApp({
      service: world.service,
      auth: AUTH,
      logger: world.logger,
      clock: world.clock,
      maxBodyBytes: 256,
    });
    const bad = await app.request('/v1/groups/web/failover', post({ to: BACKUP }));
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.message).toContain('reason: must be a non-empty string');
    const big = await app.request('/v1/groups/web/failover', post({ reason: 'x'.repeat(300) }));
    expect(big.status).toBe(413);
    expect(mutations()).toBe(0);
    expect(bound()).toEqual([PRIMARY]);
  });

  it('serves an FC HTTP trigger event through the same app', async () => {
    const { app, world } = await setup();
    const event = {
      version: 'v1',
      rawPath: '/v1/groups/web/failover',
      body: Buffer.from(JSON.stringify({ to: BACKUP, reason: 'via FC' })).toString('base64'),
      isBase64Encoded: true,
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      queryParameters: {},
      requestContext: {
        domainName: 'havip-failover-abcdefghij.cn-hangzhou.fcapp.run',
        requestId: '1-6740a1b2-3c4d5e6f7a8b9c0d1e2f3a4b',
        http: { method: 'POST', path: '/v1/groups/web/failover', sourceIp: '203.0.113.7' },
      },
    };
    const result = await handleFcHttpEvent(app, Buffer.from(JSON.stringify(event)), { logger: world.logger });
    expect(result.statusCode).toBe(200);
    expect(result.isBase64Encoded).toBe(false);
    expect(JSON.parse(result.body)).toMatchObject({ status: 'unverified', decision: { to: BACKUP } });
    expect(result.headers['x-request-id']).toBe('1-6740a1b2-3c4d5e6f7a8b9c0d1e2f3a4b');
    expect(world.sim.haVip(HAVIP)?.associatedInstances).toEqual([BACKUP]);
  });

  it('answers a malformed FC event with a JSON 400 and an oversized one with 413', async () => {
    const { app, world } = await setup();
    const malformed = await handleFcHttpEvent(app, Buffer.from('{"rawPath": "/v1/groups"}'), {
      logger: world.logger,
      requestId: 'fc-req-1',
    });
    expect(malformed.statusCode).toBe(400);
    expect(JSON.parse(malformed.body).error).toMatchObject({ code: 'event.invalid', requestId: 'fc-req-1' });

    const huge = {
      rawPath: '/v1/heartbeats',
      body: 'x'.repeat(2000),
      headers: { Authorization: `Bearer ${TOKEN}` },
      requestContext: { http: { method: 'POST' } },
    };
    const tooLarge = await handleFcHttpEvent(app, huge, { logger: world.logger, maxBodyBytes: 1000 });
    expect(tooLarge.statusCode).toBe(413);
    expect(JSON.parse(tooLarge.body).error.code).toBe('http.payload-too-large');
  });
});
