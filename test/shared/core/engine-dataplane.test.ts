/**
 * Data-plane takeover against the simulator's ARP model: a switch is done only when the new holder
 * serves the HaVip (`MasterInstanceId`), for each announce policy.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CloudApi } from '../../../shared/core/ports.js';
import { PausableCloud } from '../../support/pausable-cloud.js';
import { heartbeatTimeout, stateChange } from '../../support/signals.js';
import {
  BACKUP,
  bindFromOutside,
  createWorld,
  HAVIP,
  PAIR_YAML,
  PRIMARY,
  type World,
} from '../../support/world.js';

const worlds: World[] = [];
async function world(...args: Parameters<typeof createWorld>): Promise<World> {
  const w = await createWorld(...args);
  worlds.push(w);
  return w;
}
const stops: (() => void)[] = [];
afterEach(async () => {
  while (stops.length > 0) stops.pop()?.();
  while (worlds.length > 0) await worlds.pop()?.close();
});

let seq = 0;
const stopped = (id: string) => stateChange(id, 'Stopped', `dp-${++seq}`);
const timeout = (id: string) => heartbeatTimeout(id, `dp-hb-${++seq}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const yaml = (policy: string, extra = '') =>
  PAIR_YAML.replace('announce: none', `announce: ${policy}\n    announceDeadlineSeconds: 1${extra}`);
const serving = (w: World) => w.sim.servingInstance(HAVIP);
const address = (w: World) => w.sim.haVip(HAVIP)?.ipAddress as string;

/** The host agent's protocol, in-process: heartbeat → if the reply says we hold the HaVip, announce it. */
function runAgent(w: World, instanceId: string): void {
  let running = true;
  stops.push(() => {
    running = false;
  });
  void (async () => {
    while (running) {
      const reply = await w.service.heartbeat({ instanceId }).catch(() => undefined);
      for (const h of reply?.holds ?? []) if (h.address) w.sim.announce(instanceId, h.address);
      await sleep(30);
    }
  })();
}

async function failPrimary(w: World): Promise<Awaited<ReturnType<World['service']['ingest']>>> {
  w.sim.stopInstance(PRIMARY);
  await w.sim.settle();
  return w.service.ingest([stopped(PRIMARY)], 'event', `inv-${++seq}`);
}

describe('takeover policies', () => {
  it('cloud-assistant: the engine runs the announce script; the new holder serves the HaVip', async () => {
    const w = await world({ topology: yaml('cloud-assistant') });
    expect(serving(w)).toBe(PRIMARY);
    const { results } = await failPrimary(w);
    expect(results[0]).toMatchObject({ status: 'done', decision: { kind: 'move', to: BACKUP } });
    expect(results[0]?.steps.map((s) => `${s.op}=${s.outcome}`)).toEqual([
      'attach-havip=done',
      'announce=done',
      'detach-havip=done',
      'verify=done',
    ]);
    expect(w.sim.haVip(HAVIP)?.masterInstanceId).toBe(BACKUP);
    expect(serving(w)).toBe(BACKUP);
    expect(w.sim.stats().calls.RunCommand).toBe(1);
    const [h] = await w.store.listHistory({ limit: 1 });
    expect(h?.outcome).toBe('done');
  });

  it('agent: done once the agent on the new holder announces', async () => {
    const w = await world({ topology: yaml('agent') });
    runAgent(w, PRIMARY);
    runAgent(w, BACKUP);
    const { results } = await failPrimary(w);
    expect(results[0]).toMatchObject({ status: 'done' });
    expect(serving(w)).toBe(BACKUP);
    expect(w.sim.stats().calls.RunCommand ?? 0).toBe(0);
  });

  it.each([
    { case: 'a move, once the new holder is bound', holder: BACKUP },
    { case: 'a split-brain repair, for the member it keeps', holder: PRIMARY },
  ])('agent: while the old binding is detached, heartbeats name the holder of $case', async ({ holder }) => {
    let paused!: PausableCloud;
    const w = await world({
      topology: yaml('agent'),
      wrapCloud: (c: CloudApi) => (paused = new PausableCloud(c)),
    });
    w.sim.announce(PRIMARY, address(w));
    const gate = paused.pauseNext('unassociateHaVip');
    let run: Promise<unknown>;
    if (holder === BACKUP) run = failPrimary(w);
    else {
      // Someone else bound the backup: both are bound, the primary serves, the sweep keeps it.
      await bindFromOutside(w, BACKUP, 'outside-1');
      run = w.service.sweep('sweep-1');
    }
    await gate.reached;
    expect(w.sim.haVip(HAVIP)?.associatedInstances).toEqual(expect.arrayContaining([PRIMARY, BACKUP]));
    for (const id of [PRIMARY, BACKUP]) {
      const { holds } = await w.service.heartbeat({ instanceId: id });
      expect(holds.map((h) => h.haVipId)).toEqual(id === holder ? [HAVIP] : []);
    }
    gate.release('proceed');
    w.sim.announce(holder, address(w));
    await run;
    expect(w.sim.haVip(HAVIP)?.associatedInstances).toEqual([holder]);
  });

  it('agent: a sweep that finds a split brain but cannot take the lease still names the member it would keep', async () => {
    const w = await world({ topology: yaml('agent') });
    w.sim.announce(PRIMARY, address(w));
    await bindFromOutside(w, BACKUP, 'outside-1');
    // Another invocation holds the lease: this sweep decides on its pre-check, then ends busy.
    const group = w.topology.groups[0]!.name;
    await w.store.acquireLease(group, 'someone-else', 60_000, w.clock.now());
    const [r] = await w.service.sweep('sweep-1');
    expect(r).toMatchObject({ status: 'busy' });
    for (const id of [PRIMARY, BACKUP]) {
      const { holds } = await w.service.heartbeat({ instanceId: id });
      expect(holds.map((h) => h.haVipId)).toEqual(id === PRIMARY ? [HAVIP] : []);
    }
  });

  it('none: bind only, and the result says the data plane was not verified', async () => {
    const w = await world({ topology: yaml('none') });
    const { results } = await failPrimary(w);
    expect(results[0]).toMatchObject({ status: 'unverified' });
    const [h] = await w.store.listHistory({ limit: 1 });
    expect(h?.outcome).toBe('unverified');
    // Bound, but nobody announced: the VPC sends the traffic nowhere.
    expect(w.sim.haVip(HAVIP)?.associatedInstances).toEqual([BACKUP]);
    expect(serving(w)).toBeUndefined();
  });
});

describe('switch-incomplete', () => {
  it('agent never announces → switch-incomplete after the deadline, notified once, completed by a later sweep', async () => {
    const w = await world({ topology: yaml('agent') });
    const { results } = await failPrimary(w);
    expect(results[0]).toMatchObject({ status: 'switch-incomplete' });
    expect(results[0]?.steps.at(-1)).toMatchObject({ op: 'verify', outcome: 'incomplete' });
    expect(w.notifier.sent.map((n) => n.kind)).toEqual(['switch-incomplete']);

    const again = await w.service.sweep('sweep-1');
    expect(again[0]?.status).toBe('switch-incomplete');
    expect(w.notifier.sent.filter((n) => n.kind === 'switch-incomplete')).toHaveLength(1); // not re-notified

    w.sim.announce(BACKUP, address(w)); // the agent comes back
    const done = await w.service.sweep('sweep-2');
    expect(done[0]).toMatchObject({ status: 'done' });
    expect(serving(w)).toBe(BACKUP);
    expect(w.notifier.sent.at(-1)?.kind).toBe('recovered');
    const [h] = await w.store.listHistory({ limit: 1 });
    expect(h?.outcome).toBe('done');
  });

  it('cloud-assistant offline on the new holder → switch-incomplete; the next sweep re-announces once it is back', async () => {
    const w = await world({ topology: yaml('cloud-assistant') });
    w.sim.faults.setCloudAssistant(BACKUP, 'offline');
    const { results } = await failPrimary(w);
    expect(results[0]).toMatchObject({ status: 'switch-incomplete' });
    expect(results[0]?.steps.find((s) => s.op === 'announce')).toMatchObject({ outcome: 'failed' });
    expect(results[0]?.steps.find((s) => s.op === 'announce')?.note).toMatch(/ClientNotRunning|Aborted/);
    expect(serving(w)).toBeUndefined();

    w.sim.faults.setCloudAssistant(BACKUP, 'ok');
    const [r] = await w.service.sweep('sweep-1');
    expect(r).toMatchObject({ status: 'done', decision: { kind: 'noop', holder: BACKUP } });
    expect(r?.steps.map((s) => s.op)).toEqual(['announce', 'verify']);
    expect(serving(w)).toBe(BACKUP);
  });

  it('a sweep finds the holder not serving (address lost) and re-announces through Cloud Assistant', async () => {
    const w = await world({ topology: yaml('cloud-assistant') });
    // Unbinding and re-binding the holder by hand clears the master, like an address removed by hand.
    await w.cloud.unassociateHaVip({
      regionId: 'cn-hangzhou',
      haVipId: HAVIP,
      instanceId: PRIMARY,
      instanceType: 'EcsInstance',
      force: true,
      clientToken: 'by-hand-1',
    });
    await w.sim.settle();
    await bindFromOutside(w, PRIMARY, 'by-hand-2');
    expect(serving(w)).toBeUndefined();
    const [r] = await w.service.sweep('sweep-1');
    expect(r).toMatchObject({ status: 'done' });
    expect(serving(w)).toBe(PRIMARY);
  });
});

describe('keepalived coexistence', () => {
  const ka = (extra = '') => yaml('keepalived', `\n    health: { heartbeatTimeoutSeconds: 30 }${extra}`);

  it('keeps every member bound and lets keepalived move a stopped master', async () => {
    const w = await world({ topology: ka() });
    expect(w.sim.haVip(HAVIP)?.associatedInstances.slice().sort()).toEqual([PRIMARY, BACKUP].sort());
    expect(serving(w)).toBe(PRIMARY);
    const { results } = await failPrimary(w);
    await w.sim.settle(); // keepalived on the backup takes over after its master-down interval
    expect(serving(w)).toBe(BACKUP);
    expect(results[0]?.decision?.kind).not.toBe('move'); // the orchestrator did not need to act
    // The orchestrator never unbinds members in coexistence: both stay bound.
    expect(w.sim.haVip(HAVIP)?.associatedInstances).toContain(BACKUP);
  });

  it('re-binds a member that lost its binding', async () => {
    const w = await world({ topology: ka() });
    await w.cloud.unassociateHaVip({
      regionId: 'cn-hangzhou',
      haVipId: HAVIP,
      instanceId: BACKUP,
      instanceType: 'EcsInstance',
      force: false,
      clientToken: 'by-hand-3',
    });
    await w.sim.settle();
    const [r] = await w.service.sweep('sweep-1');
    expect(r?.steps.map((s) => s.key)).toEqual([`attach-havip:${BACKUP}`]);
    expect(w.sim.haVip(HAVIP)?.associatedInstances.slice().sort()).toEqual([PRIMARY, BACKUP].sort());
    expect(serving(w)).toBe(PRIMARY);
  });

  it('detects an unhealthy master that keepalived did not move (alert), and force-moves it when opted in', async () => {
    const w = await world({ topology: ka() });
    // The master's application dies (heartbeat timeout) but the instance runs: keepalived does not notice.
    const first = await w.service.ingest([timeout(PRIMARY)], 'heartbeat', 'hb-1');
    expect(first.results[0]?.decision).toMatchObject({ kind: 'noop', holder: PRIMARY });
    await sleep(1_100);
    const [stuck] = await w.service.sweep('sweep-1');
    expect(stuck).toMatchObject({
      status: 'alert',
      decision: { kind: 'alert', alert: 'keepalived-stuck', holder: PRIMARY },
    });
    expect(w.notifier.sent.map((n) => n.kind)).toContain('failover-blocked');
    expect(serving(w)).toBe(PRIMARY);

    const forced = await world({ topology: ka('\n    keepalivedForceMove: true') });
    await forced.service.ingest([timeout(PRIMARY)], 'heartbeat', 'hb-2');
    await sleep(1_100);
    const [moved] = await forced.service.sweep('sweep-2');
    expect(moved).toMatchObject({ status: 'done', decision: { kind: 'move', from: PRIMARY, to: BACKUP } });
    expect(serving(forced)).toBe(BACKUP);
    expect(forced.sim.haVip(HAVIP)?.associatedInstances).toEqual([BACKUP]);
  });
});
