/**
 * The local mode, headless: start it, look at the group through the authenticated API, stop the holder
 * through the simulator's admin endpoint (as the printed instructions say), and watch the HaVip move.
 */

import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LocalMode,
  startLocal,
  startTencentLocal,
  type TencentLocalMode,
  type TencentLocalOptions,
} from '../../../shared/app/local.js';

let local: LocalMode;
const lines: string[] = [];

/** A headless local mode on `file`: any free port, sweeps every second, quick transitions, no disk. */
async function headless(file: string, printed: string[]): Promise<TencentLocalOptions> {
  return {
    topologyText: await readFile(file, 'utf8'),
    topologySource: file,
    port: 0,
    sweepSeconds: 1,
    transitionMs: 50,
    sqlitePath: ':memory:',
    token: undefined,
    logLevel: 'silent',
    print: (l) => printed.push(l),
  };
}

beforeAll(async () => {
  local = await startLocal(await headless('examples/local-demo.yaml', lines));
});
afterAll(async () => {
  await local?.close();
});

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${local.apiUrl}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${local.token}`,
      'content-type': 'application/json',
      ...(init.headers ?? {}),
    },
  });

async function until<T>(read: () => Promise<T>, ok: (t: T) => boolean, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('local mode', () => {
  it('refuses the API without a token (401) but serves /healthz', async () => {
    const noAuth = await fetch(`${local.apiUrl}/v1/groups`);
    expect(noAuth.status).toBe(401);
    const wrong = await fetch(`${local.apiUrl}/v1/groups`, {
      headers: { authorization: 'Bearer not-the-token' },
    });
    expect(wrong.status).toBe(401);
    expect((await fetch(`${local.apiUrl}/healthz`)).status).toBe(200);
  });

  it('stopping the holder through the simulator moves the HaVip to the backup', async () => {
    const before = (await (await api('/v1/groups/web')).json()) as { holders: string[] };
    expect(before.holders).toEqual(['i-bp1demo0000000000001']);

    const stop = await fetch(`${local.simulatorUrl}/__admin/instances/i-bp1demo0000000000001/stop`, {
      method: 'POST',
    });
    expect(stop.status).toBe(200);

    const after = await until(
      async () =>
        (await (await api('/v1/groups/web')).json()) as {
          holders: string[];
          members: { id: string; eligible: boolean }[];
        },
      (g) => g.holders.length === 1 && g.holders[0] === 'i-bp1demo0000000000002',
      10_000,
    );
    expect(after.holders).toEqual(['i-bp1demo0000000000002']);
    // The switch is done only when the new holder serves the address (it announced through Cloud Assistant).
    const served = await until(
      async () => (await (await api('/v1/groups/web')).json()) as { serving?: string },
      (g) => g.serving === 'i-bp1demo0000000000002',
      10_000,
    );
    expect(served.serving).toBe('i-bp1demo0000000000002');
    expect(local.sim.servingInstance('havip-bp1demo0000000000001')).toBe('i-bp1demo0000000000002');
    expect(after.members.find((m) => m.id === 'i-bp1demo0000000000001')?.eligible).toBe(false);
    // Ground truth in the simulator, and the operator saw a line about it.
    expect(local.sim.haVip('havip-bp1demo0000000000001')?.associatedInstances).toEqual([
      'i-bp1demo0000000000002',
    ]);
    expect(local.sim.eip('eip-bp1demo0000000000001')?.instanceId).toBe('havip-bp1demo0000000000001');
    // The notification is sent right after the saga finishes; give it a moment.
    expect(await until(async () => lines.some((l) => l.includes('FAILOVER')), Boolean, 5_000)).toBe(true);

    const history = (await (await api('/v1/history?group=web')).json()) as unknown;
    expect(JSON.stringify(history)).toContain('i-bp1demo0000000000002');
  });
});

const HAVIP = 'havip-demoweb1';
const PRIMARY = 'ins-demoweb1';
const PEER = 'ins-demoweb2';

/** Who holds the HAVIP, as the orchestrator's own adapter reads it: `DescribeHaVips` → `InstanceId`. */
async function instanceIdOnTheWire(mode: TencentLocalMode): Promise<string | undefined> {
  const [h] = (await mode.runtime.tencent?.describeHaVips({
    regionId: 'ap-guangzhou',
    haVipIds: [HAVIP],
  })) ?? [undefined];
  return h?.instanceId;
}

/** Waits (a generous deadline, not a timed assertion) until `InstanceId` names `id`; returns what it names. */
const namedOnTheWire = (mode: TencentLocalMode, id: string) =>
  until(
    () => instanceIdOnTheWire(mode),
    (named) => named === id,
    60_000,
  );

/**
 * `havip local --cloud tencent`, headless: the engine signs TC3 requests to the Tencent simulator over
 * HTTP; stopping the holder CVM through the admin API moves the HAVIP to the peer (scope, TAT announce,
 * verify; found by the stop's CloudAudit event or a sweep), and the simulator's data plane
 * (`InstanceId`) names the peer.
 */
describe('local mode on Tencent Cloud', () => {
  let tencent: TencentLocalMode;
  const printed: string[] = [];
  beforeAll(async () => {
    tencent = await startTencentLocal(await headless('examples/tencent/topology.yaml', printed));
  });
  afterAll(async () => {
    await tencent?.close();
  });
  const status = async () =>
    (await (
      await fetch(`${tencent.apiUrl}/v1/groups/web`, {
        headers: { authorization: `Bearer ${tencent.token}` },
      })
    ).json()) as { holders: string[]; members: { id: string; eligible: boolean }[] };

  it('stopping the holder CVM through the admin API moves the HAVIP to the peer', async () => {
    expect((await status()).holders).toEqual([PRIMARY]);
    expect(await instanceIdOnTheWire(tencent)).toBe(PRIMARY);

    const stop = await fetch(`${tencent.simulatorUrl}/__admin/instances/${PRIMARY}/stop`, { method: 'POST' });
    expect(stop.status).toBe(200);

    // A generous deadline, not a timed assertion: the sweeps run every second on a shared machine.
    const after = await until(status, (g) => g.holders[0] === PEER, 60_000);
    expect(after.holders).toEqual([PEER]);
    expect(after.members.find((m) => m.id === PRIMARY)?.eligible).toBe(false);
    expect(await namedOnTheWire(tencent, PEER)).toBe(PEER);
    expect(tencent.sim.haVip(HAVIP)?.holder?.instanceId).toBe(PEER);
    expect(await until(async () => printed.some((l) => l.includes('FAILOVER')), Boolean, 10_000)).toBe(true);
  });
});

/**
 * The CVM event path of Tencent local mode: sweeps an hour apart (none runs during the test), so only
 * the stop's CloudAudit `ConsoleCall` event, delivered to the handler `havip-cvm-events` calls, can move
 * the HAVIP. Asserted on the move's history and `DescribeHaVips` → `InstanceId`, never on timing.
 */
describe('local mode on Tencent Cloud: a stopped CVM reaches havip-cvm-events as EventBridge delivers it', () => {
  let tencent: TencentLocalMode;
  const printed: string[] = [];
  beforeAll(async () => {
    const opts = await headless('examples/tencent/topology.yaml', printed);
    tencent = await startTencentLocal({ ...opts, sweepSeconds: 3_600 });
  });
  afterAll(async () => {
    await tencent?.close();
  });
  const history = async () =>
    JSON.stringify(
      await (
        await fetch(`${tencent.apiUrl}/v1/history?group=web`, {
          headers: { authorization: `Bearer ${tencent.token}` },
        })
      ).json(),
    );

  it('stopping the holder CVM moves the HAVIP through the CloudAudit event, with no sweep', async () => {
    expect(await instanceIdOnTheWire(tencent)).toBe(PRIMARY);
    expect(await history()).not.toContain(PEER);

    const stop = await fetch(`${tencent.simulatorUrl}/__admin/instances/${PRIMARY}/stop`, { method: 'POST' });
    expect(stop.status).toBe(200);
    const [event] = tencent.sim.recentCloudEvents();
    expect(event?.type).toBe('cvm:CloudEvent:ConsoleCall');

    expect(await namedOnTheWire(tencent, PEER)).toBe(PEER);
    expect(tencent.sim.servingInstance(HAVIP)).toBe(PEER);
    expect(await until(history, (h) => h.includes(PEER), 10_000)).toContain(PEER);
    expect(printed.some((l) => l.includes('event cvm:CloudEvent:ConsoleCall → web'))).toBe(true);
  });
});
