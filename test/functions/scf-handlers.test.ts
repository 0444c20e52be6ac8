/**
 * The SCF entry points (`functions/scf/*.ts`), called the way SCF calls them: `main_handler(event,
 * context)` with the documented payload shapes. The runtime is injected (`useScfRuntimeFactory`): the
 * simulated runtime (the Alibaba simulator behind the production adapter, SQLite in memory), its members
 * known to the engine by CVM ids (`renamedCloud` translates at the cloud port), because what is under
 * test here is the Tencent path from trigger to engine. The Tencent cloud and the PostgreSQL store have
 * suites of their own.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../shared/adapters/logger/index.js';
import { SimulatedCloud, seedFromTopology } from '../../shared/adapters/simulator/index.js';
import { systemClock } from '../../shared/app/runtime.js';
import { useScfRuntimeFactory } from '../../shared/app/scf-runtime.js';
import { assembleSimulatedRuntime, type SimulatedRuntime } from '../../shared/app/simulated-runtime.js';
import { loadTopology } from '../../shared/core/config.js';
import { memberId, type Topology } from '../../shared/core/model.js';
import { renamedCloud } from '../support/renamed-cloud.js';
import { FAST_ENGINE, RecordingNotifier } from '../support/world.js';

const YAML = `
region: ap-guangzhou
groups:
  - name: web
    vSwitchId: vsw-demo0000000000000001
    haVipId: havip-demo0000000000001
    nopreempt: true
    announce: none
    health: { heartbeatTimeoutSeconds: 30 }
    members:
      - { id: i-demo0000000000000001, priority: 100, ip: 10.0.0.11 }
      - { id: i-demo0000000000000002, priority: 10, ip: 10.0.0.12 }
`;
const PRIMARY = 'ins-demo0001';
const BACKUP = 'ins-demo0002';
const RENAME = new Map([
  ['i-demo0000000000000001', PRIMARY],
  ['i-demo0000000000000002', BACKUP],
]);
const ALIBABA_TO_CVM: ReadonlyMap<string, string> = RENAME;
const TOKEN = 'scf-token-0123456789abcdef';

type Handler = (event: unknown, context: unknown) => Promise<Record<string, unknown>>;
const handlers: Record<'timer' | 'http' | 'cvm' | 'cmq', Handler> = {} as never;
let world: SimulatedRuntime;

const context = (id: string) => ({ request_id: id, function_name: 'havip-test', time_limit_in_ms: 30_000 });
const fixture = (name: string): Buffer => readFileSync(join('test/fixtures/events', name));
const json = (name: string) => JSON.parse(fixture(name).toString()) as Record<string, unknown>;
const bound = () =>
  (world.sim.haVip('havip-demo0000000000001')?.associatedInstances ?? []).map(
    (id) => ALIBABA_TO_CVM.get(id) ?? id,
  );
const mutations = () => {
  const c = world.sim.stats().calls;
  return (c.AssociateHaVip ?? 0) + (c.UnassociateHaVip ?? 0);
};

function tencentTopology(base: Topology): Topology {
  return {
    ...base,
    groups: base.groups.map((g) => ({
      ...g,
      members: g.members.map((m) => ({ ...m, id: memberId(RENAME.get(m.id) ?? m.id) })),
    })),
  };
}

beforeAll(async () => {
  const alibaba = loadTopology(YAML, { source: 'scf test' }).topology;
  const sim = new SimulatedCloud(seedFromTopology(alibaba, { attach: 'highest' }), { transitionDelayMs: 0 });
  const toCloud = new Map([...RENAME].map(([ali, ins]) => [ins, ali]));
  world = assembleSimulatedRuntime({
    topology: tencentTopology(alibaba),
    simulator: { running: sim },
    wrapCloud: (cloud) => renamedCloud(cloud, toCloud),
    runtime: {
      notifier: new RecordingNotifier(),
      logger: createMemoryLogger(),
      clock: systemClock,
      random: () => 0.5,
      engineOptions: FAST_ENGINE,
      defaultBudgetMs: 15_000,
    },
  });
  process.env.HAVIP_API_TOKENS = `ops:${TOKEN}`;
  useScfRuntimeFactory(async () => world.runtime);
  const entry = (m: unknown) => (m as { main_handler: Handler }).main_handler;
  handlers.timer = entry(await import('../../functions/scf/timer.js'));
  handlers.http = entry(await import('../../functions/scf/http.js'));
  handlers.cvm = entry(await import('../../functions/scf/cvm-events.js'));
  handlers.cmq = entry(await import('../../functions/scf/heartbeat.js'));
});
afterAll(async () => {
  delete process.env.HAVIP_API_TOKENS;
  await world?.close();
});

describe('SCF handlers with documented payloads', () => {
  it('the simulated cloud starts with the HAVIP on the primary', () => {
    expect(bound()).toEqual([PRIMARY]);
  });

  it('timer: sweeps every group, nothing to do', async () => {
    expect(await handlers.timer(fixture('tencent-timer.json'), context('t-1'))).toMatchObject({
      acknowledged: true,
      outcome: 'processed',
      results: [{ group: 'web', status: 'noop' }],
    });
  });

  it('API gateway: GET /v1/groups with the token → 200; without → 401', async () => {
    const event = json('tencent-apigw-get-groups.json');
    (event.headers as Record<string, string>).Authorization = `Bearer ${TOKEN}`;
    const ok = await handlers.http(JSON.stringify(event), context('h-1'));
    expect(ok).toMatchObject({ statusCode: 200, isBase64Encoded: false });
    expect(JSON.parse(ok.body as string)).toMatchObject({ groups: [{ name: 'web' }] });
    delete (event.headers as Record<string, string>).Authorization;
    expect(await handlers.http(event, context('h-2'))).toMatchObject({ statusCode: 401 });
  });

  it('function URL: the same API; an unusable event is a 400 naming the field', async () => {
    const ok = await handlers.http(
      {
        httpMethod: 'GET',
        path: '/v1/groups',
        headers: { host: 'fn.test', authorization: `Bearer ${TOKEN}` },
      },
      context('h-3'),
    );
    expect(ok.statusCode).toBe(200);
    const bad = await handlers.http({ httpMethod: 'GET', path: 'v1' }, context('h-4'));
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body as string)).toMatchObject({
      error: { code: 'event.invalid', issues: [{ path: 'path' }] },
    });
  });

  it('CMQ heartbeat timeout for the holder → failover to the backup', async () => {
    const r = await handlers.cmq(fixture('tencent-cmq-heartbeat-timeout.json'), context('c-1'));
    expect(r).toMatchObject({ acknowledged: true, outcome: 'processed', signals: 1 });
    expect(r.results).toEqual([expect.objectContaining({ group: 'web' })]);
    expect(bound()).toEqual([BACKUP]);
  });

  it('CloudMonitor host failure of the new holder in an EventList → drained, no eligible peer: hold and alert', async () => {
    const batch = json('tencent-eb-cvm-host-failure-batch.json');
    const [first] = batch.EventList as Record<string, unknown>[];
    const event = {
      EventList: [{ ...first, id: 'host-failure-backup', subject: BACKUP, data: { instanceId: BACKUP } }],
    };
    const r = await handlers.cvm(event, context('e-1'));
    expect(r).toMatchObject({ outcome: 'processed', results: [{ group: 'web', status: 'alert' }] });
    expect(bound()).toEqual([BACKUP]);
  });

  it('CloudAudit StopInstances for an instance outside the topology: acknowledged, no cloud action', async () => {
    const event = json('tencent-eb-cloudaudit-stopinstances.json');
    (event.data as Record<string, unknown>).requestParameters = '{"InstanceIds":["ins-elsewhere"]}';
    const before = mutations();
    expect(await handlers.cvm(event, context('e-2'))).toMatchObject({
      acknowledged: true,
      outcome: 'processed',
      results: [],
    });
    expect(mutations()).toBe(before);
  });

  it('a duplicate delivery of the same CloudMonitor event is processed once', async () => {
    const event = json('tencent-eb-cvm-ping-unreachable.json');
    await handlers.cvm(event, context('e-3'));
    expect(await handlers.cvm(event, context('e-4'))).toMatchObject({ outcome: 'processed', results: [] });
  });
});

describe('SCF handlers with malformed payloads: acknowledged, logged, no cloud action', () => {
  it.each([
    ['cvm', 'not JSON', Buffer.from('{"EventList": [')],
    ['cvm', 'an Alibaba event', fixture('eventbridge-ecs-statechange-stopping.json')],
    ['cmq', 'an MNS envelope', fixture('mns-topic-json-envelope.json')],
    [
      'cmq',
      'an ECS id in the body',
      JSON.stringify({ Records: [{ CMQ: { msgBody: '{"type":"heartbeat.ok","instanceId":"i-bp1x"}' } }] }),
    ],
    ['timer', 'an FC timer event', fixture('timer.json')],
    ['timer', 'an unknown group', JSON.stringify({ Type: 'Timer', Message: '{"groups":["nope"]}' })],
  ] as const)('%s: %s', async (entry, _title, body) => {
    const before = mutations();
    const r = await handlers[entry](body, context(`bad-${entry}`));
    expect(r).toMatchObject({ acknowledged: true });
    // An Alibaba event is well-formed CloudEvents from another source: ignored rather than rejected.
    expect(['rejected', 'ignored']).toContain(r.outcome);
    if (r.outcome === 'rejected') expect(r.error).toMatchObject({ code: 'event.invalid' });
    expect(mutations()).toBe(before);
  });
});
