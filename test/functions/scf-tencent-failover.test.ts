/**
 * The SCF entry points over the production SCF runtime (`scfRuntimeFromEnv`): the Tencent adapter
 * against the Tencent simulator (its in-process transport: the adapter builds and reads every call as
 * over HTTPS), the PostgreSQL store on the test server, the engine's Tencent port. Nothing is injected
 * but the transport: a CloudAudit StopInstances event for the holder really moves the HAVIP.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  inProcessTransport,
  TencentSimulatedCloud,
  tencentSeedFromTopology,
} from '../../shared/adapters/tencent-simulator/index.js';
import type { Runtime } from '../../shared/app/runtime.js';
import { scfRuntimeFromEnv, useScfRuntimeFactory } from '../../shared/app/scf-runtime.js';
import { parseYaml } from '../../shared/core/config/yaml.js';
import { PostgresSchemas, postgresTestUrl, sql } from '../support/postgres.js';
import { TENCENT_PAIR, TENCENT_PAIR_YAML } from '../support/tencent-topology.js';

const { primary: PRIMARY, backup: BACKUP, haVipId: HAVIP } = TENCENT_PAIR;
const TOPOLOGY = TENCENT_PAIR_YAML;
const FIXTURES = 'test/fixtures/events';
/** The execution role's temporary credentials, as SCF puts them in the environment (test values). */
const ROLE = { secretId: 'AKIDscfroletest', secretKey: 'scf-role-secret-key-for-tests', token: 'scf-tok' };

type Handler = (event: unknown, context: unknown) => Promise<Record<string, unknown>>;
const schemas = new PostgresSchemas();
let sim: TencentSimulatedCloud;
let schema: string;
let runtime: Runtime | undefined;
let cvmEvents: Handler;
let timer: Handler;

const context = (id: string) => ({ request_id: id, function_name: 'havip-test', time_limit_in_ms: 30_000 });
const holder = () => sim.haVip(HAVIP)?.holder?.instanceId;

beforeAll(async () => {
  const parsed = parseYaml(TOPOLOGY);
  if (!parsed.ok) throw new Error('the test topology does not parse');
  sim = new TencentSimulatedCloud(tencentSeedFromTopology(parsed.value), {
    credentials: { secretId: ROLE.secretId, secretKey: ROLE.secretKey },
    tatDelayMs: 0,
  });
  schema = (await schemas.fresh()).schema;
  const env = {
    HAVIP_STORE: 'postgres',
    HAVIP_POSTGRES_URL: postgresTestUrl(),
    HAVIP_POSTGRES_SCHEMA: schema,
    HAVIP_TOPOLOGY: TOPOLOGY,
    HAVIP_LOG_LEVEL: 'silent',
    TENCENTCLOUD_SECRETID: ROLE.secretId,
    TENCENTCLOUD_SECRETKEY: ROLE.secretKey,
    TENCENTCLOUD_SESSIONTOKEN: ROLE.token,
  };
  useScfRuntimeFactory(async () => {
    runtime = await scfRuntimeFromEnv(env, { transport: inProcessTransport(sim) });
    return runtime;
  });
  const entry = (m: unknown) => (m as { main_handler: Handler }).main_handler;
  cvmEvents = entry(await import('../../functions/scf/cvm-events.js'));
  timer = entry(await import('../../functions/scf/timer.js'));
}, 60_000);

afterAll(async () => {
  useScfRuntimeFactory((env) => scfRuntimeFromEnv(env));
  await runtime?.close();
  await schemas.dropAll();
});

describe('SCF on Tencent Cloud, end to end', () => {
  it('the sweep finds the HAVIP on the primary and changes nothing', async () => {
    expect(holder()).toBe(PRIMARY);
    const r = await timer(readFileSync(join(FIXTURES, 'tencent-timer.json')), context('t-1'));
    expect(r).toMatchObject({ acknowledged: true, outcome: 'processed', results: [{ group: 'web' }] });
    expect(holder()).toBe(PRIMARY);
    expect(sim.stats().calls.AssociateHaVipInstance ?? 0).toBe(0);
  });

  it('the holder stopped (CloudAudit StopInstances): the HAVIP moves to the backup, recorded in PostgreSQL', async () => {
    sim.stopInstance(PRIMARY);
    await sim.settle();
    const event = readFileSync(join(FIXTURES, 'tencent-eb-cloudaudit-stopinstances.json'));
    const r = await cvmEvents(event, context('e-1'));
    expect(r, JSON.stringify(r)).toMatchObject({ acknowledged: true, outcome: 'processed' });
    await sim.settle();
    expect(holder()).toBe(BACKUP);
    expect(sim.stats().calls.RunCommand ?? 0).toBeGreaterThan(0);
    const rows = await sql<{ group_name: string }>(`SELECT group_name FROM "${schema}".history`);
    expect(rows.map((x) => x.group_name)).toContain('web');
  });
});
