/**
 * The engine end to end against the simulator (over the wire, through our adapter) and the SQLite store.
 * Every assertion about the cloud reads the simulator's ground truth, never the engine's own view.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedCloud, seedFromTopology } from '../../../shared/adapters/simulator/index.js';
import { createSqliteStore } from '../../../shared/adapters/sqlite/index.js';
import { loadTopology } from '../../../shared/core/config.js';
import type { CloudApi, StateStore } from '../../../shared/core/ports.js';
import { PausableCloud } from '../../support/pausable-cloud.js';
import { heartbeat, heartbeatTimeout, stateChange } from '../../support/signals.js';
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
afterEach(async () => {
  while (worlds.length > 0) await worlds.pop()?.close();
});

let seq = 0;
const stopped = (id: string, time?: string) => stateChange(id, 'Stopped', `ev-${++seq}`, time);
const running = (id: string, time?: string) => stateChange(id, 'Running', `ev-${++seq}`, time);
const timeout = (id: string) => heartbeatTimeout(id, `hb-${++seq}`);
const beat = (id: string) => heartbeat(id);

const bound = (w: World): string[] => [...(w.sim.haVip(HAVIP)?.associatedInstances ?? [])];
const mutations = (w: World) => {
  const c = w.sim.stats().calls;
  return (c.AssociateHaVip ?? 0) + (c.UnassociateHaVip ?? 0);
};
async function stopAndSettle(w: World, id: string): Promise<void> {
  w.sim.stopInstance(id);
  await w.sim.settle();
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * An orchestrator on `store` (lease TTL 400 ms) handling the primary's stop, frozen at the door of its
 * first `method` call: release the gate to let the call through or crash it.
 */
async function failoverFrozenAt(store: StateStore, method: keyof CloudApi) {
  let paused!: PausableCloud;
  const a = await world({
    store,
    wrapCloud: (c: CloudApi) => (paused = new PausableCloud(c)),
    engineOptions: { leaseTtlMs: 400 },
  });
  await stopAndSettle(a, PRIMARY);
  const gate = paused.pauseNext(method);
  const first = a.service.ingest([stopped(PRIMARY)], 'event', 'inv-a');
  await gate.reached;
  return { a, gate, first };
}

describe('engine against the simulator', () => {
  it('holder stopped → the HaVip moves to the next eligible member, journaled, recorded, notified', async () => {
    const w = await world();
    expect(bound(w)).toEqual([PRIMARY]);
    await stopAndSettle(w, PRIMARY);
    const { results } = await w.service.ingest([stopped(PRIMARY)], 'event', 'inv-1');
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({
      status: 'unverified',
      decision: { kind: 'move', from: PRIMARY, to: BACKUP, cause: 'failover' },
    });
    expect(bound(w)).toEqual([BACKUP]);
    expect(await w.store.readJournal(w.topology.groups[0]!.name)).toMatchObject({ phase: 'DONE' });
    const [h] = await w.store.listHistory({ limit: 5 });
    expect(h).toMatchObject({ outcome: 'unverified', decision: { kind: 'move', to: BACKUP } });
    expect(w.notifier.sent.map((n) => n.kind)).toEqual(['failover']);
    // attach-then-detach: exactly two mutations
    expect(w.sim.stats().calls).toMatchObject({ AssociateHaVip: 1, UnassociateHaVip: 1 });
  });

  it('nopreempt: the recovered primary does not take the address back', async () => {
    const w = await world();
    await stopAndSettle(w, PRIMARY);
    await w.service.ingest([stopped(PRIMARY)], 'event', 'inv-1');
    w.sim.startInstance(PRIMARY);
    await w.sim.settle();
    const { results } = await w.service.ingest([running(PRIMARY)], 'event', 'inv-2');
    expect(results[0]).toMatchObject({ status: 'noop', decision: { kind: 'noop', holder: BACKUP } });
    expect(results[0]?.decision?.reason).toMatch(/nopreempt/);
    expect(bound(w)).toEqual([BACKUP]);
  });

  it('preempt mode: moves back only after the preempt delay of continuous eligibility', async () => {
    const yaml = PAIR_YAML.replace('nopreempt: true', 'nopreempt: false\n    preemptDelaySeconds: 1');
    const w = await world({ topology: yaml });
    await stopAndSettle(w, PRIMARY);
    await w.service.ingest([stopped(PRIMARY)], 'event', 'inv-1');
    w.sim.startInstance(PRIMARY);
    await w.sim.settle();
    const early = await w.service.ingest([running(PRIMARY)], 'event', 'inv-2');
    expect(early.results[0]?.decision).toMatchObject({ kind: 'noop', holder: BACKUP });
    expect(early.results[0]?.decision?.reason).toMatch(/preemption pending/);
    await sleep(1_100);
    const [late] = await w.service.sweep('sweep-1');
    expect(late).toMatchObject({
      status: 'unverified',
      decision: { kind: 'move', from: BACKUP, to: PRIMARY, cause: 'preempt' },
    });
    expect(bound(w)).toEqual([PRIMARY]);
  });

  it('no eligible member → the last holder stays attached and an alert is sent once', async () => {
    const w = await world();
    await stopAndSettle(w, PRIMARY);
    await w.service.ingest([stopped(PRIMARY)], 'event', 'inv-1');
    await stopAndSettle(w, BACKUP);
    const before = mutations(w);
    const { results } = await w.service.ingest([stopped(BACKUP)], 'event', 'inv-2');
    expect(results[0]).toMatchObject({
      status: 'alert',
      decision: { kind: 'alert', alert: 'no-eligible-member', holder: BACKUP },
    });
    await w.service.sweep('sweep-1');
    await w.service.sweep('sweep-2');
    expect(mutations(w)).toBe(before);
    expect(bound(w)).toEqual([BACKUP]);
    expect(w.notifier.sent.filter((n) => n.kind === 'failover-blocked')).toHaveLength(1);
  });

  it('split brain (both bound) → keeps the master, detaches the other', async () => {
    const w = await world();
    await bindFromOutside(w, BACKUP, 'outside-1');
    expect(bound(w).sort()).toEqual([PRIMARY, BACKUP].sort());
    const master = w.sim.haVip(HAVIP)?.masterInstanceId;
    const [r] = await w.service.sweep('sweep-1');
    expect(r).toMatchObject({ decision: { kind: 'repair-split-brain', keep: master } });
    expect(bound(w)).toEqual([master]);
    expect(w.notifier.sent.map((n) => n.kind)).toContain('split-brain-repaired');
  });

  it('foreign association → alert, nothing touched', async () => {
    const { topology } = loadTopology(PAIR_YAML);
    const seed = seedFromTopology(topology, { attach: 'none' });
    const region = seed.regions[0]!;
    const vsw = region.vpcs[0]!.vSwitches[0]!.vSwitchId;
    const seeded = {
      ...seed,
      regions: [
        {
          ...region,
          instances: [
            ...(region.instances ?? []),
            { instanceId: 'i-bp1foreign00000000001', vSwitchId: vsw, privateIp: '192.168.0.99' },
          ],
        },
      ],
    };
    const sim = new SimulatedCloud(seeded, { transitionDelayMs: 0, randomSeed: 1 });
    const w = await world({ sim });
    await bindFromOutside(w, 'i-bp1foreign00000000001', 'outside-2');
    const before = mutations(w);
    const [r] = await w.service.sweep('sweep-1');
    expect(r).toMatchObject({ status: 'alert', decision: { kind: 'alert', alert: 'foreign-association' } });
    expect(mutations(w)).toBe(before);
    expect(bound(w)).toEqual(['i-bp1foreign00000000001']);
  });

  it('flap guard: heartbeat-driven moves stop after maxMoves in the window', async () => {
    const yaml = PAIR_YAML.replace(
      'announce: none',
      'announce: none\n    health: { heartbeatTimeoutSeconds: 30 }',
    );
    const w = await world({ topology: yaml });
    const statuses: string[] = [];
    for (const [down, up] of [
      [PRIMARY, BACKUP],
      [BACKUP, PRIMARY],
      [PRIMARY, BACKUP],
      [BACKUP, PRIMARY],
    ] as const) {
      await w.service.ingest([beat(up)], 'heartbeat', 'hb');
      const { results } = await w.service.ingest([timeout(down)], 'heartbeat', 'hb');
      statuses.push(
        `${results[0]?.decision?.kind}:${results[0]?.decision?.kind === 'alert' ? results[0].decision.alert : ''}`,
      );
      await sleep(2);
    }
    expect(statuses).toEqual(['move:', 'move:', 'move:', 'alert:flap-guard']);
    expect(bound(w)).toEqual([BACKUP]);
  });

  it('throttling storm: retries with backoff inside the deadline and still converges', async () => {
    const w = await world();
    await stopAndSettle(w, PRIMARY);
    w.sim.faults.setThrottle({ ratePerSecond: 20, burst: 2 });
    const { results } = await w.service.ingest([stopped(PRIMARY)], 'event', 'inv-1');
    w.sim.faults.setThrottle(null);
    expect(results[0]?.status).toBe('unverified');
    expect(bound(w)).toEqual([BACKUP]);
    expect(w.sim.stats().throttled).toBeGreaterThan(0);
  });

  it('a lost response after a committed attach: re-reads, does not attach twice, converges', async () => {
    const w = await world();
    await stopAndSettle(w, PRIMARY);
    w.sim.faults.dropNextResponse({ action: 'AssociateHaVip' });
    const { results } = await w.service.ingest([stopped(PRIMARY)], 'event', 'inv-1');
    expect(results[0]?.status).toBe('unverified');
    expect(bound(w)).toEqual([BACKUP]);
    expect(w.sim.stats().calls.AssociateHaVip).toBe(1);
  });

  it('5xx on detach is retried with the same ClientToken', async () => {
    const w = await world();
    await stopAndSettle(w, PRIMARY);
    w.sim.faults.failNext({ action: 'UnassociateHaVip', count: 2, code: 'ServiceUnavailable' });
    const { results } = await w.service.ingest([stopped(PRIMARY)], 'event', 'inv-1');
    expect(results[0]?.status).toBe('unverified');
    expect(bound(w)).toEqual([BACKUP]);
    expect(w.sim.stats().calls.UnassociateHaVip).toBe(3);
  });

  it('a crash between attach and detach is rolled forward by the next lease holder; the paused actor is fenced', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    const { a, gate, first } = await failoverFrozenAt(store, 'unassociateHaVip');
    // The first actor attached the backup and froze before detaching the primary.
    expect(bound(a).sort()).toEqual([PRIMARY, BACKUP].sort());
    expect(await store.readJournal(a.topology.groups[0]!.name)).toMatchObject({ phase: 'DETACHING' });

    await sleep(450); // its lease expires
    const b = await world({ store, sim: a.sim, engineOptions: { leaseTtlMs: 400 } });
    const [resumed] = await b.service.sweep('sweep-b');
    expect(resumed).toMatchObject({
      resumedFrom: { phase: 'DETACHING' },
      decision: { kind: 'repair-split-brain', keep: BACKUP, detach: [PRIMARY] },
    });
    expect(bound(b)).toEqual([BACKUP]);

    const historyBefore = (await store.listHistory({ limit: 50 })).length;
    gate.release('proceed');
    const { results } = await first;
    expect(results[0]?.status).toBe('fenced');
    expect((await store.listHistory({ limit: 50 })).length).toBe(historyBefore);
    expect(bound(a)).toEqual([BACKUP]);
    await store.close();
  });

  it('a failed run whose lease was taken over before it journaled FAILED is fenced: no history, no notification', async () => {
    // Found by the fault campaign (seed 1047557381): a run paused just before its FAILED journal write,
    // past its lease; the stale write was refused, but the run still recorded a "failed" history entry
    // (and notified) for a group another actor now owned.
    const store = createSqliteStore({ path: ':memory:' });
    let release!: () => void;
    const failedWriteReached = new Promise<void>((reached) => {
      const writeJournal = store.writeJournal.bind(store);
      store.writeJournal = async (entry, now) => {
        if (entry.phase === 'FAILED') {
          reached();
          await new Promise<void>((r) => {
            release = r;
          });
        }
        return writeJournal(entry, now);
      };
    });
    const { a, gate, first } = await failoverFrozenAt(store, 'associateHaVip');
    gate.release('crash');
    await failedWriteReached;

    await sleep(450); // its lease expires while it is frozen in front of the write
    const b = await world({ store, sim: a.sim, engineOptions: { leaseTtlMs: 400 } });
    await b.service.sweep('sweep-b');
    const historyBefore = await store.listHistory({ limit: 50 });
    const notifiedBefore = a.notifier.sent.length;
    release();
    const { results } = await first;
    expect(results[0]?.status).toBe('fenced');
    expect(await store.listHistory({ limit: 50 })).toEqual(historyBefore);
    expect(a.notifier.sent.length).toBe(notifiedBefore);
    await store.close();
  });

  it('two concurrent reconciles on one group: one acts, the other backs off', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    const a = await world({ store });
    const b = await world({ store, sim: a.sim });
    await stopAndSettle(a, PRIMARY);
    const [ra, rb] = await Promise.all([
      a.engine.reconcile({
        group: a.topology.groups[0]!.name,
        trigger: 'event',
        invocationId: 'a',
        deadline: Date.now() + 10_000,
      }),
      b.engine.reconcile({
        group: b.topology.groups[0]!.name,
        trigger: 'event',
        invocationId: 'b',
        deadline: Date.now() + 10_000,
      }),
    ]);
    expect([ra.status, rb.status].sort()).toEqual(['busy', 'unverified']);
    expect(bound(a)).toEqual([BACKUP]);
    expect(a.sim.stats().calls.AssociateHaVip).toBe(1);
    await store.close();
  });

  it('manual failover overrides nopreempt; a refused one changes nothing', async () => {
    const w = await world();
    const ok = await w.service.failover('web', {
      to: BACKUP,
      reason: 'patching',
      actor: 'ops',
      invocationId: 'm1',
    });
    expect(ok).toMatchObject({
      status: 'unverified',
      decision: { kind: 'move', cause: 'manual', to: BACKUP },
    });
    expect(bound(w)).toEqual([BACKUP]);
    await stopAndSettle(w, PRIMARY);
    const before = mutations(w);
    const refused = await w.service.failover('web', {
      to: PRIMARY,
      reason: 'back',
      actor: 'ops',
      invocationId: 'm2',
    });
    expect(refused).toMatchObject({ status: 'alert', decision: { kind: 'alert', alert: 'manual-refused' } });
    expect(mutations(w)).toBe(before);
  });

  it('plan (dry run) returns the decision and steps without touching the cloud', async () => {
    const w = await world();
    await stopAndSettle(w, PRIMARY);
    await w.store.recordSignal({ ...stateChange(PRIMARY, 'Stopped', 'ev-plan'), receivedAt: Date.now() });
    const before = mutations(w);
    const plan = await w.service.plan('web');
    expect(plan).toMatchObject({ status: 'planned', decision: { kind: 'move', to: BACKUP } });
    expect(plan.steps.map((s) => `${s.key}=${s.outcome}`)).toEqual([
      `attach-havip:${BACKUP}=planned`,
      `detach-havip:${PRIMARY}=planned`,
    ]);
    expect(mutations(w)).toBe(before);
    expect(bound(w)).toEqual([PRIMARY]);
  });

  it('a failing notifier never blocks the failover', async () => {
    const w = await world();
    w.notifier.failing = true;
    await stopAndSettle(w, PRIMARY);
    const { results } = await w.service.ingest([stopped(PRIMARY)], 'event', 'inv-1');
    expect(results[0]?.status).toBe('unverified');
    expect(bound(w)).toEqual([BACKUP]);
    expect(w.logger.entries.some((e) => e.msg === 'notification failed')).toBe(true);
  });
});

describe('probes', () => {
  it('a sweep that acts probes each member once (fall/rise count one probe per sweep)', async () => {
    const probes = new Map<string, number>();
    const prober = {
      async probe(t: { memberId: string }) {
        probes.set(t.memberId, (probes.get(t.memberId) ?? 0) + 1);
        return true;
      },
    };
    const yaml = PAIR_YAML.replace(
      'announce: none',
      'announce: none\n    health: { probe: { kind: tcp, port: 80 } }',
    );
    const w = await world({ topology: yaml, prober });
    await stopAndSettle(w, PRIMARY);
    const [r] = await w.service.sweep('sweep-1');
    expect(r?.decision).toMatchObject({ kind: 'move', to: BACKUP });
    expect(Object.fromEntries(probes)).toEqual({ [PRIMARY]: 1, [BACKUP]: 1 });
  });
});
