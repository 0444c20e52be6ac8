/**
 * Signal ingestion: the record phase (receiver time, the sequence rule, de-duplication, unknown members)
 * against the SQLite store, the reconcile phase over a reconcile that records what it was asked, and
 * end to end through the service against the simulator.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../../shared/adapters/logger/index.js';
import { createSqliteStore } from '../../../shared/adapters/sqlite/index.js';
import { loadTopology } from '../../../shared/core/config.js';
import type { ReconcileRequest, ReconcileResult } from '../../../shared/core/engine.js';
import { StoreError } from '../../../shared/core/errors.js';
import { groupsOf, type IngestDeps, ingestSignals, recordSignals } from '../../../shared/core/ingest.js';
import { memberId } from '../../../shared/core/model.js';
import type { StateStore } from '../../../shared/core/ports.js';
import { MAX_SEQUENCE_SKEW_MS, type Signal } from '../../../shared/core/signals.js';
import { heartbeat, heartbeatTimeout, stateChange } from '../../support/signals.js';
import { BACKUP, createWorld, HAVIP, PRIMARY, type World } from '../../support/world.js';

const NOW = Date.UTC(2026, 10, 20, 8, 0, 0);

/** `i-shared` is in both groups; `i-web` and `i-api` in one each. */
const { topology } = loadTopology(
  `
region: cn-hangzhou
groups:
  - name: web
    vSwitchId: vsw-bp1test0000000000001
    haVipId: havip-bp1test0000000000001
    announce: none
    members:
      - { id: i-bp1shared00000000001, priority: 100, ip: 192.168.0.11 }
      - { id: i-bp1web0000000000001, priority: 10, ip: 192.168.0.12 }
  - name: api
    vSwitchId: vsw-bp1test0000000000001
    haVipId: havip-bp1test0000000000002
    announce: none
    members:
      - { id: i-bp1shared00000000001, priority: 100, ip: 192.168.0.11 }
      - { id: i-bp1api0000000000001, priority: 10, ip: 192.168.0.13 }
`,
  { source: 'ingest test' },
);
const SHARED = 'i-bp1shared00000000001';
const WEB = 'i-bp1web0000000000001';
const API = 'i-bp1api0000000000001';

const stores: StateStore[] = [];
afterEach(async () => {
  while (stores.length > 0) await stores.pop()?.close();
});

function deps(over: Partial<IngestDeps> = {}) {
  const store = createSqliteStore({ path: ':memory:' });
  stores.push(store);
  const reconciled: ReconcileRequest[] = [];
  const logger = createMemoryLogger();
  const d: IngestDeps = {
    topology,
    store,
    clock: { now: () => NOW, sleep: async () => undefined },
    logger,
    reconcile: async (req) => {
      reconciled.push(req);
      return { group: req.group, trigger: req.trigger, status: 'noop' } as ReconcileResult;
    },
    ...over,
  };
  return { d, store, reconciled, logger };
}

describe('groupsOf', () => {
  it.each([
    [SHARED, ['web', 'api']],
    [WEB, ['web']],
    ['i-elsewhere', []],
  ])('%s → %j', (id, groups) => {
    expect(groupsOf(topology, id).map((g) => g.name)).toEqual(groups);
  });
});

describe('recordSignals: the record phase', () => {
  it('stamps receiver time and reports the groups of every applied signal', async () => {
    const { d, store } = deps();
    const r = await recordSignals(d, [stateChange(WEB, 'Stopped', 'ev-1'), heartbeat(API, 7)]);
    expect(r).toEqual({ groups: ['web', 'api'], applied: 2, duplicates: 0, unknown: [], refused: [] });
    const latest = await store.latestSignals([memberId(WEB), memberId(API)]);
    expect(latest.get(memberId(WEB))?.['instance-state']).toMatchObject({
      status: 'Stopped',
      receivedAt: NOW,
    });
    expect(latest.get(memberId(API))?.heartbeat).toMatchObject({ sequence: 7, receivedAt: NOW });
  });

  it('a member in two groups affects both; a member outside the topology is reported, not stored', async () => {
    const { d, store } = deps();
    const r = await recordSignals(d, [
      heartbeatTimeout(SHARED, 'm-1'),
      heartbeatTimeout('i-elsewhere', 'm-2'),
    ]);
    expect(r).toEqual({
      groups: ['web', 'api'],
      applied: 1,
      duplicates: 0,
      unknown: ['i-elsewhere'],
      refused: [],
    });
    expect((await store.latestSignals([memberId('i-elsewhere')])).get(memberId('i-elsewhere'))).toEqual({});
  });

  it('drops a redelivered event by its id, kind and member, within the dedupe window only', async () => {
    let now = NOW;
    const { d } = deps({ clock: { now: () => now, sleep: async () => undefined }, dedupeTtlMs: 60_000 });
    const event = stateChange(WEB, 'Stopped', 'ev-1');
    expect(await recordSignals(d, [event, event])).toMatchObject({ applied: 1, duplicates: 1 });
    // The same event id for another kind or member is another event.
    expect(await recordSignals(d, [{ ...event, memberId: memberId(SHARED) }])).toMatchObject({
      applied: 1,
      duplicates: 0,
    });
    now += 60_000;
    expect(await recordSignals(d, [event])).toMatchObject({ applied: 1, duplicates: 0 });
  });

  it('an older signal than the stored one is not applied and affects no group', async () => {
    const { d } = deps();
    await recordSignals(d, [stateChange(WEB, 'Running', 'ev-2', '2026-11-20T07:59:00Z')]);
    const late = await recordSignals(d, [stateChange(WEB, 'Stopped', 'ev-1', '2026-11-20T07:58:00Z')]);
    expect(late).toEqual({ groups: [], applied: 0, duplicates: 0, unknown: [], refused: [] });
  });

  it.each([
    {
      label: 'an event time within the skew margin orders the signal',
      ahead: MAX_SEQUENCE_SKEW_MS,
      kept: true,
    },
    { label: 'an event time beyond the margin is distrusted', ahead: MAX_SEQUENCE_SKEW_MS + 1, kept: false },
  ])('$label', async ({ ahead, kept }) => {
    const { d, store } = deps();
    const time = new Date(NOW + ahead).toISOString();
    await recordSignals(d, [stateChange(WEB, 'Running', 'ev-1', time)]);
    const stored = (await store.latestSignals([memberId(WEB)])).get(memberId(WEB))?.['instance-state'];
    expect(stored?.sequence).toBe(kept ? NOW + ahead : undefined);
    expect(stored?.eventTime).toBe(time);
  });
});

describe('ingestSignals: record, then reconcile the affected groups', () => {
  it('reconciles each affected group once, with the trigger, invocation, deadline and actor', async () => {
    const { d, reconciled } = deps();
    const { groups, results } = await ingestSignals(
      d,
      [heartbeatTimeout(SHARED, 'm-1'), heartbeatTimeout(WEB, 'm-2')],
      { trigger: 'heartbeat', invocationId: 'inv-1', deadline: () => NOW + 5_000, actor: 'ops' },
    );
    expect(groups).toEqual(['web', 'api']);
    expect(reconciled).toEqual([
      { group: 'web', trigger: 'heartbeat', invocationId: 'inv-1', deadline: NOW + 5_000, actor: 'ops' },
      { group: 'api', trigger: 'heartbeat', invocationId: 'inv-1', deadline: NOW + 5_000, actor: 'ops' },
    ]);
    expect(results.map((r) => r.group)).toEqual(['web', 'api']);
  });

  it('a group whose reconcile throws gets a failed result; the others still run', async () => {
    const { d, reconciled } = deps();
    const broken = deps({
      reconcile: async (req) => {
        reconciled.push(req);
        if (req.group === 'web') throw new StoreError('store unreachable', { retryable: true });
        return d.reconcile(req);
      },
    });
    const { results } = await ingestSignals(broken.d, [heartbeatTimeout(SHARED, 'm-1')], {
      trigger: 'event',
      invocationId: 'inv-1',
      deadline: () => NOW,
    });
    expect(results).toEqual([
      expect.objectContaining({
        group: 'web',
        status: 'failed',
        error: { code: 'store.error', message: 'store unreachable' },
      }),
      expect.objectContaining({ group: 'api', status: 'noop' }),
    ]);
  });

  it('nothing applied, nothing reconciled; unknown members and duplicates are logged', async () => {
    const { d, reconciled, logger } = deps();
    const event = heartbeatTimeout(WEB, 'm-1');
    await ingestSignals(d, [event], { trigger: 'heartbeat', invocationId: 'a', deadline: () => NOW });
    reconciled.length = 0;
    const again = await ingestSignals(d, [event, heartbeatTimeout('i-elsewhere', 'm-2')], {
      trigger: 'heartbeat',
      invocationId: 'b',
      deadline: () => NOW,
    });
    expect(again).toEqual({ groups: [], results: [], refused: [] });
    expect(reconciled).toEqual([]);
    expect(logger.entries.map((e) => [e.msg, e.fields])).toEqual(
      expect.arrayContaining([
        [
          'ignored signals for instances outside the topology',
          { unknown: ['i-elsewhere'], trigger: 'heartbeat' },
        ],
        ['ignored duplicate events', { duplicates: 1, trigger: 'heartbeat' }],
      ]),
    );
  });
});

describe('agent reports in the record phase', () => {
  const report = (sequence: number, reason: 'peer-silent' | 'recovered' = 'peer-silent') =>
    ({
      memberId: memberId(SHARED),
      kind: 'peer-report',
      source: 'mns',
      group: 'web',
      reporter: memberId(WEB),
      reason,
      reporterChecks: 'ok',
      sequence,
      eventId: `report:web:${WEB}:${sequence}`,
    }) satisfies Signal;

  it('refuses a replay and an older sequence from the same reporter, each with its reason', async () => {
    const { d, reconciled, logger } = deps();
    const req = { trigger: 'heartbeat' as const, invocationId: 'a', deadline: () => NOW };
    expect((await ingestSignals(d, [report(NOW - 10)], req)).refused).toEqual([]);
    const replay = await ingestSignals(d, [report(NOW - 10)], req);
    expect(replay.refused).toEqual([
      { eventId: `report:web:${WEB}:${NOW - 10}`, reason: 'a replay: already received' },
    ]);
    const older = await ingestSignals(d, [report(NOW - 20, 'recovered')], req);
    expect(older).toMatchObject({ groups: [], results: [] });
    expect(older.refused).toEqual([
      {
        eventId: `report:web:${WEB}:${NOW - 20}`,
        reason: `sequence ${NOW - 20} is not above the last recorded from ${WEB} about ${SHARED}`,
      },
    ]);
    // Only the first one was reconciled (both groups of the suspect); the refusals are logged.
    expect(reconciled.map((r) => r.group)).toEqual(['web', 'api']);
    expect(logger.find('refused agent reports: replayed or not newer')).toHaveLength(2);
  });

  it('a newer report from the reporter replaces its older one; other reporters keep theirs', async () => {
    const { d, store } = deps();
    await recordSignals(d, [report(NOW - 10), { ...report(NOW - 5), reporter: memberId(API), eventId: 'x' }]);
    const r = await recordSignals(d, [report(NOW - 1, 'recovered')]);
    expect(r).toMatchObject({ applied: 1, refused: [] });
    const latest = (await store.latestSignals([memberId(SHARED)])).get(memberId(SHARED));
    expect(latest?.['peer-report']?.map((x) => [x.reporter, x.reason])).toEqual([
      [API, 'peer-silent'],
      [WEB, 'recovered'],
    ]);
  });
});

describe('ingest end to end (service → engine → simulator)', () => {
  const worlds: World[] = [];
  afterEach(async () => {
    while (worlds.length > 0) await worlds.pop()?.close();
  });
  async function world(): Promise<World> {
    const w = await createWorld();
    worlds.push(w);
    return w;
  }
  async function stopAndSettle(w: World, id: string): Promise<void> {
    w.sim.stopInstance(id);
    await w.sim.settle();
  }
  let seq = 0;
  const stopped = (id: string, time?: string) => stateChange(id, 'Stopped', `ev-${++seq}`, time);
  const running = (id: string, time?: string) => stateChange(id, 'Running', `ev-${++seq}`, time);
  const bound = (w: World): string[] => [...(w.sim.haVip(HAVIP)?.associatedInstances ?? [])];

  it('duplicated events are applied once; a late older event does not override a newer one', async () => {
    const w = await world();
    await stopAndSettle(w, PRIMARY);
    const event = stopped(PRIMARY, '2026-11-20T08:15:30Z');
    const first = await w.service.ingest([event, event], 'event', 'inv-1');
    expect(first.results).toHaveLength(1);
    const again = await w.service.ingest([event], 'event', 'inv-2');
    expect(again.groups).toEqual([]);
    expect(w.sim.stats().calls.AssociateHaVip).toBe(1);

    // Backup is serving. Primary comes back (Running at 08:20), then a stale Stopped from 08:16 arrives.
    w.sim.startInstance(PRIMARY);
    await w.sim.settle();
    await w.service.ingest([running(PRIMARY, '2026-11-20T08:20:00Z')], 'event', 'inv-3');
    const late = await w.service.ingest([stopped(PRIMARY, '2026-11-20T08:16:00Z')], 'event', 'inv-4');
    expect(late.groups).toEqual([]); // older than what we hold: not applied, nothing reconciled
    const signals = await w.store.latestSignals([PRIMARY as never]);
    expect(signals.get(PRIMARY as never)?.['instance-state']?.status).toBe('Running');
  });

  it('an event time far in the future does not block later real events', async () => {
    const w = await world();
    // A Running event stamped in 9999 (a broken clock somewhere) arrives first…
    await w.service.ingest([running(PRIMARY, '9999-01-01T00:00:00Z')], 'event', 'inv-future');
    // …then the real stop: it must still fail the holder over.
    await stopAndSettle(w, PRIMARY);
    const { results } = await w.service.ingest(
      [stopped(PRIMARY, new Date().toISOString())],
      'event',
      'inv-now',
    );
    expect(results[0]?.decision).toMatchObject({ kind: 'move', from: PRIMARY, to: BACKUP });
    expect(bound(w)).toEqual([BACKUP]);
  });
});
