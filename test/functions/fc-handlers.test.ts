/**
 * The deployed entry points, called the way Function Compute calls them: `handler(event: Buffer, context)`,
 * with the configuration in environment variables and STS credentials in the context. The cloud is the
 * simulator (through the same adapter production uses) and the store is SQLite.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SimulatedCloud,
  type SimulatorServer,
  seedFromTopology,
  startSimulatorServer,
} from '../../shared/adapters/simulator/index.js';
import { loadTopology } from '../../shared/core/config.js';

const TOPOLOGY = `
region: cn-hangzhou
groups:
  - name: web
    vSwitchId: vsw-bp1demo0000000000001
    haVipId: havip-bp1demo0000000000001
    nopreempt: true
    announce: none
    health: { heartbeatTimeoutSeconds: 30 }
    members:
      - { id: i-bp1demo0000000000001, priority: 100, ip: 192.168.0.11 }
      - { id: i-bp1demo0000000000002, priority: 10, ip: 192.168.0.12 }
`;
const TOKEN = 'ops-token-0123456789abcdef';
const AGENT_TOKEN = 'web1-agent-token-0123456789';
const PRIMARY = 'i-bp1demo0000000000001';
const BACKUP = 'i-bp1demo0000000000002';

let sim: SimulatedCloud;
let server: SimulatorServer;
type Handler = (event: unknown, context: unknown) => Promise<Record<string, unknown>>;
let onEcsEvent: Handler;
let onHeartbeat: Handler;
let onTimer: Handler;
let httpApi: Handler;

const context = (requestId: string) => ({
  requestId,
  credentials: { accessKeyId: 'STS.test', accessKeySecret: 'secret', securityToken: 'token' },
  function: { name: 'havip-failover', timeout: 30 },
});
const fixture = (name: string): Buffer => readFileSync(join('test/fixtures/events', name));
const bound = () => [...(sim.haVip('havip-bp1demo0000000000001')?.associatedInstances ?? [])];
const mutations = () => {
  const c = sim.stats().calls;
  return (c.AssociateHaVip ?? 0) + (c.UnassociateHaVip ?? 0);
};

beforeAll(async () => {
  sim = new SimulatedCloud(seedFromTopology(loadTopology(TOPOLOGY).topology, { attach: 'highest' }), {
    transitionDelayMs: 0,
  });
  server = await startSimulatorServer({ cloud: sim });
  Object.assign(process.env, {
    FC_FUNCTION_NAME: 'havip-failover',
    HAVIP_TOPOLOGY: TOPOLOGY,
    HAVIP_STORE: 'sqlite',
    HAVIP_ALLOW_LOCAL_STORE_ON_FC: 'true',
    HAVIP_SQLITE_PATH: join(mkdtempSync(join(tmpdir(), 'havip-fc-')), 'state.sqlite'),
    HAVIP_CLOUD_ENDPOINT: server.endpoint,
    HAVIP_CLOUD_PROTOCOL: 'http',
    HAVIP_API_TOKENS: `ops:${TOKEN},web1:agent:${PRIMARY}:${AGENT_TOKEN}`,
    HAVIP_LOG_LEVEL: 'silent',
  });
  ({ handler: onEcsEvent } = (await import('../../functions/on-ecs-event.js')) as unknown as {
    handler: Handler;
  });
  ({ handler: onHeartbeat } = (await import('../../functions/on-heartbeat.js')) as unknown as {
    handler: Handler;
  });
  ({ handler: onTimer } = (await import('../../functions/on-timer.js')) as unknown as { handler: Handler });
  ({ handler: httpApi } = (await import('../../functions/http-api.js')) as unknown as { handler: Handler });
});
afterAll(async () => {
  await server?.close();
});

describe('FC handlers with documented payloads', () => {
  it('HTTP trigger: GET /v1/groups with the token → 200; without → 401', async () => {
    const event = JSON.parse(fixture('http-trigger-get-groups.json').toString());
    event.headers.Authorization = `Bearer ${TOKEN}`;
    const ok = await httpApi(Buffer.from(JSON.stringify(event)), context('http-1'));
    expect(ok.statusCode).toBe(200);
    expect(JSON.parse(ok.body as string)).toMatchObject({ groups: [{ name: 'web' }] });
    delete event.headers.Authorization;
    const denied = await httpApi(Buffer.from(JSON.stringify(event)), context('http-2'));
    expect(denied.statusCode).toBe(401);
  });

  it('HTTP trigger: an agent token from HAVIP_API_TOKENS posts heartbeats for its own member only', async () => {
    const heartbeat = (instanceId: string) => ({
      rawPath: '/v1/heartbeats',
      body: JSON.stringify({ instanceId }),
      headers: { Authorization: `Bearer ${AGENT_TOKEN}`, 'Content-Type': 'application/json' },
      requestContext: { requestId: 'hb', http: { method: 'POST' } },
    });
    const own = await httpApi(Buffer.from(JSON.stringify(heartbeat(PRIMARY))), context('hb-1'));
    expect(own.statusCode).toBe(200);
    const other = await httpApi(Buffer.from(JSON.stringify(heartbeat(BACKUP))), context('hb-2'));
    expect(other.statusCode).toBe(403);
    expect(JSON.parse(other.body as string)).toMatchObject({ error: { code: 'auth.forbidden' } });
  });

  it('timer sweep: processes every group, nothing to do', async () => {
    const r = await onTimer(fixture('timer.json'), context('timer-1'));
    expect(r).toMatchObject({
      acknowledged: true,
      outcome: 'processed',
      results: [{ group: 'web', status: 'noop' }],
    });
  });

  it('MNS heartbeat timeout (JSON envelope) for the holder → failover', async () => {
    const r = await onHeartbeat(fixture('mns-topic-json-envelope.json'), context('mns-1'));
    expect(r).toMatchObject({
      acknowledged: true,
      outcome: 'processed',
      results: [{ group: 'web', status: 'unverified' }],
    });
    expect(bound()).toEqual([BACKUP]);
  });

  it('EventBridge Stopping for the new holder → no eligible peer → hold and alert', async () => {
    const ev = JSON.parse(fixture('eventbridge-ecs-statechange-stopping.json').toString());
    ev.data.resourceId = BACKUP;
    ev.subject = `acs:ecs:cn-hangzhou:1234567890123456:instance/${BACKUP}`;
    ev.id = 'ev-backup-stopping';
    const r = await onEcsEvent(Buffer.from(JSON.stringify(ev)), context('eb-1'));
    // The primary is still heartbeat-timed-out: nobody is eligible; the backup stays attached.
    expect(r).toMatchObject({ outcome: 'processed', results: [{ group: 'web', status: 'alert' }] });
    expect(bound()).toEqual([BACKUP]);
  });

  it('CloudMonitor Stopped event for an instance: processed; duplicate delivery ignored', async () => {
    const body = fixture('cloudmonitor-ecs-statechange-stopped.json');
    const first = await onEcsEvent(body, context('cm-1'));
    expect(first).toMatchObject({ acknowledged: true, outcome: 'processed' });
    const again = await onEcsEvent(body, context('cm-2'));
    expect(again).toMatchObject({ acknowledged: true, outcome: 'processed', results: [] });
  });

  it('events for instances outside the topology are ignored', async () => {
    const ev = JSON.parse(fixture('eventbridge-ecs-statechange-stopping.json').toString());
    ev.data.resourceId = 'i-bp1elsewhere000000001';
    ev.id = 'ev-elsewhere';
    const before = mutations();
    const r = await onEcsEvent(Buffer.from(JSON.stringify(ev)), context('eb-2'));
    expect(r).toMatchObject({ acknowledged: true, results: [] });
    expect(mutations()).toBe(before);
  });
});

describe('FC handlers with malformed payloads: acknowledged, logged, no cloud action', () => {
  it.each([
    ['ECS: not JSON', () => onEcsEvent(Buffer.from('{"id": '), context('bad-1'))],
    [
      'ECS: wrong type',
      () =>
        onEcsEvent(
          Buffer.from(
            JSON.stringify({
              id: 1,
              source: 'acs.ecs',
              type: 'ecs:Instance:StateChange',
              data: { resourceId: 5 },
            }),
          ),
          context('bad-2'),
        ),
    ],
    [
      'ECS: prototype pollution key',
      () => onEcsEvent(Buffer.from('{"__proto__": {"polluted": true}, "id": "x"}'), context('bad-3')),
    ],
    ['MNS: empty body', () => onHeartbeat(Buffer.from(''), context('bad-4'))],
    [
      'MNS: message is not an object',
      () =>
        onHeartbeat(
          Buffer.from(JSON.stringify({ Message: '42', MessageId: 'm', TopicName: 't' })),
          context('bad-5'),
        ),
    ],
    [
      'timer: unknown group',
      () =>
        onTimer(
          Buffer.from(
            JSON.stringify({
              triggerTime: '2026-11-20T08:16:00Z',
              triggerName: 't',
              payload: '{"groups":["nope"]}',
            }),
          ),
          context('bad-6'),
        ),
    ],
    [
      'timer: payload garbage',
      () => onTimer(Buffer.from(JSON.stringify({ triggerTime: 7 })), context('bad-7')),
    ],
  ])('%s', async (_name, call) => {
    const before = mutations();
    const r = await call();
    expect(r).toMatchObject({ acknowledged: true, outcome: 'rejected', error: { code: expect.any(String) } });
    expect(mutations()).toBe(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('HTTP: a malformed trigger event gets a 400 JSON error, not a crash', async () => {
    const r = await httpApi(Buffer.from('not json'), context('bad-http'));
    expect(r.statusCode).toBe(400);
    expect(JSON.parse(r.body as string)).toMatchObject({ error: { code: expect.any(String) } });
  });
});
