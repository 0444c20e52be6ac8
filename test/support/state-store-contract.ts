/**
 * The StateStore contract: every adapter must pass this suite unchanged. It pins the semantics the
 * engine relies on — leases with fencing epochs, the conditional journal, signal ordering, health CAS,
 * dedupe and history — including under concurrency.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidInputError, StaleEpochError, StoreError } from '../../shared/core/errors.js';
import { type Decision, type GroupName, groupName, memberId } from '../../shared/core/model.js';
import type {
  HistoryRecord,
  JournalEntry,
  MemberHealthState,
  ObservationRecord,
  StateStore,
} from '../../shared/core/ports.js';
import type { SignalRecord, SignalRecordOf } from '../../shared/core/signals.js';

export interface ContractOptions {
  /** The storage outlives one store object (a file, a service): enables the cross-store test. */
  readonly sharedStorage?: boolean;
  /** Per-test timeout, for adapters that talk to a remote service. */
  readonly timeoutMs?: number;
  /** Upper bound on fast-check runs per property (remote services are slow). */
  readonly propertyRuns?: number;
}

export interface ContractSubject {
  readonly store: StateStore;
  /** Opens another store over the same backing storage (as a second process would). */
  readonly openPeer?: () => Promise<StateStore>;
}

const T0 = 1_700_000_000_000;
const TTL = 30_000;

const move: Decision = {
  kind: 'move',
  from: memberId('i-a'),
  to: memberId('i-b'),
  cause: 'failover',
  forced: false,
  reason: 'i-a stopped',
};
const noop: Decision = { kind: 'noop', holder: memberId('i-a'), reason: 'holder healthy' };

function journal(
  group: GroupName,
  epoch: number,
  phase: JournalEntry['phase'],
  over: Partial<JournalEntry> = {},
): JournalEntry {
  return { group, epoch, phase, decision: move, step: undefined, updatedAt: T0, detail: undefined, ...over };
}

/** A heartbeat record; tests tell signals apart by `eventId`. */
function signal(
  member: string,
  over: Partial<SignalRecordOf<'heartbeat'>> = {},
): SignalRecordOf<'heartbeat'> {
  return {
    memberId: memberId(member),
    kind: 'heartbeat',
    source: 'http',
    receivedAt: T0,
    sequence: undefined,
    eventId: undefined,
    ...over,
  };
}

function stateChange(
  member: string,
  status: string,
  over: Partial<SignalRecordOf<'instance-state'>> = {},
): SignalRecordOf<'instance-state'> {
  return {
    memberId: memberId(member),
    kind: 'instance-state',
    source: 'eventbridge',
    status,
    effect: status === 'Running' ? 'up' : 'down',
    receivedAt: T0,
    eventId: undefined,
    ...over,
  };
}

/** One record of every kind (and both drain shapes), each with all of its optional fields set. */
const EVERY_KIND: readonly SignalRecord[] = [
  signal('i-a', { sequence: 41, eventId: 'hb-1' }),
  {
    memberId: memberId('i-a'),
    kind: 'heartbeat-timeout',
    source: 'mns',
    lastSeenAt: '2026-11-20T08:15:20Z',
    receivedAt: T0,
    eventId: 'msg-1',
  },
  stateChange('i-a', 'Stopped', { eventTime: '20261120T161532.058+0800', sequence: 1_763_626_532_058 }),
  {
    memberId: memberId('i-b'),
    kind: 'drain',
    source: 'cloudmonitor-event',
    cause: 'maintenance',
    eventType: 'SystemMaintenance.Reboot',
    notBefore: '2026-11-23T01:01:01Z',
    receivedAt: T0,
    eventId: 'ev-2',
  },
  {
    memberId: memberId('i-c'),
    kind: 'drain',
    source: 'http',
    cause: 'manual',
    reason: 'hardware swap — 机架 7',
    actor: 'ops',
    receivedAt: T0,
  },
  { memberId: memberId('i-c'), kind: 'undrain', source: 'scenario', reason: 'scenario', receivedAt: T0 },
  {
    memberId: memberId('i-d'),
    kind: 'self-report',
    source: 'mns',
    group: 'web',
    reason: 'checks-failed',
    reporterChecks: 'failing',
    sequence: 1_763_626_532_100,
    sentAt: '2026-11-20T08:15:32.100Z',
    receivedAt: T0,
    eventId: 'report:web:i-d:1763626532100',
  },
];

/** A peer report about `suspect` from `reporter`. */
function peerReport(
  suspect: string,
  reporter: string,
  over: Partial<SignalRecordOf<'peer-report'>> = {},
): SignalRecordOf<'peer-report'> {
  return {
    memberId: memberId(suspect),
    kind: 'peer-report',
    source: 'mns',
    group: 'web',
    reporter: memberId(reporter),
    reason: 'peer-silent',
    reporterChecks: 'ok',
    sequence: 100,
    lastSeenAt: '2026-11-20T08:15:20.000Z',
    sentAt: '2026-11-20T08:15:23.010Z',
    receivedAt: T0,
    eventId: undefined,
    ...over,
  };
}

/** An observation of group `g`'s HaVip bound to `bound`. */
function observation(g: string, observedAt: number, bound: string[]): ObservationRecord {
  return {
    group: groupName(g),
    observedAt,
    haVip: {
      haVipId: 'havip-1',
      regionId: 'cn-hangzhou',
      ipAddress: '192.168.0.200',
      status: bound.length > 0 ? 'InUse' : 'Available',
      vpcId: 'vpc-1',
      vSwitchId: 'vsw-1',
      masterInstanceId: bound[0],
      associatedInstanceType: bound.length > 0 ? 'EcsInstance' : undefined,
      associatedInstances: bound,
      associatedEipAddresses: [],
    },
  };
}

function health(
  member: string,
  over: Partial<Omit<MemberHealthState, 'version'>> = {},
): Omit<MemberHealthState, 'version'> {
  return {
    memberId: memberId(member),
    probeHealthy: true,
    consecutiveFailures: 0,
    consecutiveSuccesses: 3,
    eligibleSince: undefined,
    updatedAt: T0,
    ...over,
  };
}

function history(group: string, at: number, epoch: number, over: Partial<HistoryRecord> = {}): HistoryRecord {
  return {
    group: groupName(group),
    epoch,
    at,
    decision: move,
    outcome: 'done',
    actor: undefined,
    durationMs: undefined,
    detail: undefined,
    ...over,
  };
}

async function staleOf(p: Promise<unknown>): Promise<StaleEpochError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, 'expected a StaleEpochError').toBeInstanceOf(StaleEpochError);
  expect((e as StaleEpochError).code).toBe('store.stale-epoch');
  return e as StaleEpochError;
}

let unique = 0;
/** A fresh id per use, so property runs can share one store without seeing each other's rows. */
const fresh = (prefix: string): string => `${prefix}-${++unique}`;

/**
 * Registers the contract suite for one adapter. `makeStore` is called before every test and must
 * return an empty store; when it also returns `openPeer`, the concurrency tests split their
 * contenders between the two stores and a cross-store visibility test is added.
 */
export function runStateStoreContract(
  name: string,
  makeStore: () => Promise<ContractSubject>,
  capabilities: ContractOptions = {},
): void {
  const runs = (n: number) => Math.min(n, capabilities.propertyRuns ?? n);
  const options = capabilities.timeoutMs === undefined ? {} : { timeout: capabilities.timeoutMs };
  describe(`StateStore contract: ${name}`, options, () => {
    let subject: ContractSubject;
    let store: StateStore;
    const extra: StateStore[] = [];

    beforeEach(async () => {
      subject = await makeStore();
      store = subject.store;
    });
    afterEach(async () => {
      for (const s of extra.splice(0)) await s.close();
      await store.close();
    });

    // -- leases ----------------------------------------------------------------------------------

    describe('leases', () => {
      const g = groupName('g1');

      it('acquires a free group at epoch 1 and reports it', async () => {
        const r = await store.acquireLease(g, 'inv-a', TTL, T0);
        expect(r).toEqual({
          acquired: true,
          lease: { group: g, epoch: 1, holder: 'inv-a', expiresAt: T0 + TTL },
        });
        expect(await store.getLease(g)).toEqual({ group: g, epoch: 1, holder: 'inv-a', expiresAt: T0 + TTL });
      });

      it('refuses a held, unexpired lease and names the current holder (also to the same holder: not re-entrant)', async () => {
        await store.acquireLease(g, 'inv-a', TTL, T0);
        for (const holder of ['inv-b', 'inv-a']) {
          expect(await store.acquireLease(g, holder, TTL, T0 + 1)).toEqual({
            acquired: false,
            current: { group: g, epoch: 1, holder: 'inv-a', expiresAt: T0 + TTL },
          });
        }
      });

      it.each([
        { label: 'one ms before expiry: busy', at: T0 + TTL - 1, acquired: false },
        { label: 'exactly at expiresAt: free (expiresAt <= now)', at: T0 + TTL, acquired: true },
        { label: 'long after expiry: free', at: T0 + 10 * TTL, acquired: true },
      ])('expiry boundary — $label', async ({ at, acquired }) => {
        await store.acquireLease(g, 'inv-a', TTL, T0);
        const r = await store.acquireLease(g, 'inv-b', TTL, at);
        expect(r.acquired).toBe(acquired);
        if (r.acquired) expect(r.lease).toEqual({ group: g, epoch: 2, holder: 'inv-b', expiresAt: at + TTL });
      });

      it('a released lease is free at once, is no longer reported, and the next epoch follows on', async () => {
        await store.acquireLease(g, 'inv-a', TTL, T0);
        await store.releaseLease(g, 1);
        expect(await store.getLease(g)).toBeUndefined();
        const r = await store.acquireLease(g, 'inv-b', TTL, T0 + 1);
        expect(r).toMatchObject({ acquired: true, lease: { epoch: 2, holder: 'inv-b' } });
      });

      it('never reuses an epoch across release and expiry', async () => {
        const epochs: number[] = [];
        let now = T0;
        for (let i = 0; i < 6; i++) {
          const r = await store.acquireLease(g, `inv-${i}`, TTL, now);
          if (!r.acquired) throw new Error('expected to acquire');
          epochs.push(r.lease.epoch);
          if (i % 2 === 0) await store.releaseLease(g, r.lease.epoch);
          else now += TTL; // let it expire instead
        }
        expect(epochs).toEqual([1, 2, 3, 4, 5, 6]);
      });

      it('groups are independent', async () => {
        await store.acquireLease(g, 'inv-a', TTL, T0);
        const other = await store.acquireLease(groupName('g2'), 'inv-b', TTL, T0);
        expect(other).toMatchObject({ acquired: true, lease: { group: 'g2', epoch: 1 } });
        expect(await store.getLease(groupName('g3'))).toBeUndefined();
      });

      it('renewing with the current epoch moves expiresAt to now + ttl', async () => {
        await store.acquireLease(g, 'inv-a', TTL, T0);
        const lease = await store.renewLease(g, 1, 2 * TTL, T0 + 10);
        expect(lease).toEqual({ group: g, epoch: 1, holder: 'inv-a', expiresAt: T0 + 10 + 2 * TTL });
        expect(await store.getLease(g)).toEqual(lease);
        // Still ours after the original expiry.
        await expect(store.assertEpoch(g, 1, T0 + TTL + 5)).resolves.toBeUndefined();
      });

      it('renewing our own expired lease that nobody took over is allowed', async () => {
        await store.acquireLease(g, 'inv-a', TTL, T0);
        const lease = await store.renewLease(g, 1, TTL, T0 + 2 * TTL);
        expect(lease.expiresAt).toBe(T0 + 3 * TTL);
        await expect(store.assertEpoch(g, 1, T0 + 2 * TTL + 1)).resolves.toBeUndefined();
      });

      it.each([
        {
          label: 'someone else acquired after expiry',
          setup: async (s: StateStore) => {
            await s.acquireLease(g, 'inv-a', TTL, T0);
            await s.acquireLease(g, 'inv-b', TTL, T0 + TTL);
          },
          epoch: 1,
          reason: 'superseded',
        },
        {
          label: 'the lease was released',
          setup: async (s: StateStore) => {
            await s.acquireLease(g, 'inv-a', TTL, T0);
            await s.releaseLease(g, 1);
          },
          epoch: 1,
          reason: 'released',
        },
        { label: 'no lease was ever taken', setup: async () => {}, epoch: 1, reason: 'no-lease' },
        {
          label: 'the epoch was never issued',
          setup: async (s: StateStore) => {
            await s.acquireLease(g, 'inv-a', TTL, T0);
          },
          epoch: 2,
          reason: 'not-issued',
        },
      ])('renewing fails with StaleEpochError when $label', async ({ setup, epoch, reason }) => {
        await setup(store);
        const before = await store.getLease(g);
        const e = await staleOf(store.renewLease(g, epoch, TTL, T0 + TTL + 1));
        expect(e.details).toMatchObject({ group: g, epoch, reason });
        expect(await store.getLease(g)).toEqual(before);
      });

      it('releasing with a stale epoch, or twice, is a no-op', async () => {
        await store.acquireLease(g, 'inv-a', TTL, T0);
        await store.acquireLease(g, 'inv-b', TTL, T0 + TTL);
        await store.releaseLease(g, 1);
        expect(await store.getLease(g)).toEqual({
          group: g,
          epoch: 2,
          holder: 'inv-b',
          expiresAt: T0 + 2 * TTL,
        });
        await store.releaseLease(g, 2);
        await store.releaseLease(g, 2);
        await store.releaseLease(groupName('never-seen'), 4);
        expect(await store.getLease(g)).toBeUndefined();
        expect(await store.acquireLease(g, 'inv-c', TTL, T0 + TTL)).toMatchObject({
          acquired: true,
          lease: { epoch: 3 },
        });
      });

      it.each([
        { label: 'current and unexpired', epoch: 2, at: T0 + TTL + 1, ok: true },
        { label: 'at its expiresAt', epoch: 2, at: T0 + 2 * TTL, ok: false },
        { label: 'an older epoch', epoch: 1, at: T0 + TTL + 1, ok: false },
        { label: 'a newer epoch than issued', epoch: 3, at: T0 + TTL + 1, ok: false },
      ])('assertEpoch with $label → ok=$ok', async ({ epoch, at, ok }) => {
        await store.acquireLease(g, 'inv-a', TTL, T0);
        await store.acquireLease(g, 'inv-b', TTL, T0 + TTL);
        if (ok) await expect(store.assertEpoch(g, epoch, at)).resolves.toBeUndefined();
        else await staleOf(store.assertEpoch(g, epoch, at));
      });

      it('assertEpoch rejects a released lease and a group without lease', async () => {
        await store.acquireLease(g, 'inv-a', TTL, T0);
        await store.releaseLease(g, 1);
        await staleOf(store.assertEpoch(g, 1, T0 + 1));
        await staleOf(store.assertEpoch(groupName('nobody'), 1, T0));
      });
    });

    // -- journal ---------------------------------------------------------------------------------

    describe('journal', () => {
      const g = groupName('g1');

      it('stores the entry for the current epoch and reads it back unchanged', async () => {
        await store.acquireLease(g, 'inv-a', TTL, T0);
        const entry = journal(g, 1, 'ATTACHING', {
          step: 'attach:i-b',
          detail: { clientToken: 'g1-1-attach', nested: { ok: true, n: [1, 2] } },
          updatedAt: T0 + 5,
        });
        await store.writeJournal(entry, T0 + 5);
        expect(await store.readJournal(g)).toEqual(entry);
      });

      it('the latest write wins', async () => {
        await store.acquireLease(g, 'inv-a', TTL, T0);
        await store.writeJournal(journal(g, 1, 'PLANNED'), T0 + 1);
        await store.writeJournal(journal(g, 1, 'DETACHING', { step: 'detach:i-a' }), T0 + 2);
        expect(await store.readJournal(g)).toMatchObject({ phase: 'DETACHING', step: 'detach:i-a' });
      });

      it('rejects a stale epoch and keeps the newer holder’s entry', async () => {
        await store.acquireLease(g, 'inv-a', TTL, T0);
        await store.writeJournal(journal(g, 1, 'PLANNED'), T0 + 1);
        await store.acquireLease(g, 'inv-b', TTL, T0 + TTL);
        const mine = journal(g, 2, 'PLANNED', { decision: noop });
        await store.writeJournal(mine, T0 + TTL + 1);
        const e = await staleOf(store.writeJournal(journal(g, 1, 'DONE'), T0 + TTL + 2));
        expect(e.details).toMatchObject({ reason: 'superseded', currentEpoch: 2 });
        expect(await store.readJournal(g)).toEqual(mine);
      });

      it.each([
        {
          label: 'at expiry',
          prep: async (s: StateStore) => void (await s.acquireLease(g, 'a', TTL, T0)),
          at: T0 + TTL,
        },
        {
          label: 'after release',
          prep: async (s: StateStore) => {
            await s.acquireLease(g, 'a', TTL, T0);
            await s.releaseLease(g, 1);
          },
          at: T0 + 1,
        },
        { label: 'without any lease', prep: async () => {}, at: T0 },
      ])('rejects a write $label', async ({ prep, at }) => {
        await prep(store);
        await staleOf(store.writeJournal(journal(g, 1, 'PLANNED'), at));
        expect(await store.readJournal(g)).toBeUndefined();
      });

      it('survives release so the next holder can roll an unfinished saga forward', async () => {
        await store.acquireLease(g, 'inv-a', TTL, T0);
        const unfinished = journal(g, 1, 'ATTACHING', { step: 'attach:i-b' });
        await store.writeJournal(unfinished, T0 + 1);
        await store.releaseLease(g, 1);
        await store.acquireLease(g, 'inv-b', TTL, T0 + 2);
        expect(await store.readJournal(g)).toEqual(unfinished);
      });

      it('is per group; an unknown group has none', async () => {
        await store.acquireLease(g, 'inv-a', TTL, T0);
        await store.writeJournal(journal(g, 1, 'DONE'), T0 + 1);
        expect(await store.readJournal(groupName('g2'))).toBeUndefined();
      });
    });

    // -- signals ---------------------------------------------------------------------------------

    describe('signals', () => {
      it.each([
        {
          label: 'higher sequence',
          old: { sequence: 5, receivedAt: T0 },
          next: { sequence: 6, receivedAt: T0 - 9 },
          applied: true,
        },
        {
          label: 'lower sequence, later arrival',
          old: { sequence: 5, receivedAt: T0 },
          next: { sequence: 4, receivedAt: T0 + 9 },
          applied: false,
        },
        {
          label: 'equal sequence (replay)',
          old: { sequence: 5, receivedAt: T0 },
          next: { sequence: 5, receivedAt: T0 + 9 },
          applied: false,
        },
        {
          label: 'no sequences, later arrival',
          old: { receivedAt: T0 },
          next: { receivedAt: T0 + 1 },
          applied: true,
        },
        {
          label: 'no sequences, earlier arrival',
          old: { receivedAt: T0 },
          next: { receivedAt: T0 - 1 },
          applied: false,
        },
        {
          label: 'no sequences, same arrival',
          old: { receivedAt: T0 },
          next: { receivedAt: T0 },
          applied: false,
        },
        {
          label: 'only the new one has a sequence: time decides',
          old: { receivedAt: T0 },
          next: { sequence: 1, receivedAt: T0 + 1 },
          applied: true,
        },
        {
          label: 'only the old one has a sequence: time decides',
          old: { sequence: 9, receivedAt: T0 },
          next: { receivedAt: T0 - 1 },
          applied: false,
        },
      ])('$label → applied=$applied', async ({ old, next, applied }) => {
        const first = signal('i-a', { ...old, eventId: 'old' });
        const second = signal('i-a', { ...next, eventId: 'new' });
        expect(await store.recordSignal(first)).toBe(true);
        expect(await store.recordSignal(second)).toBe(applied);
        const latest = (await store.latestSignals([memberId('i-a')])).get(memberId('i-a'));
        expect(latest?.heartbeat).toEqual(applied ? second : first);
      });

      it('replaying the same signal is not applied again', async () => {
        const s = stateChange('i-a', 'Stopped', { eventId: 'ev-1', sequence: 3 });
        expect(await store.recordSignal(s)).toBe(true);
        for (let i = 0; i < 3; i++) expect(await store.recordSignal(s)).toBe(false);
        expect((await store.latestSignals([s.memberId])).get(s.memberId)).toEqual({ 'instance-state': s });
      });

      it('keeps the latest per (member, kind) and answers for every requested member', async () => {
        const a1 = signal('i-a', { kind: 'heartbeat', receivedAt: T0 + 1, sequence: 10 });
        const a2: SignalRecord = {
          memberId: memberId('i-a'),
          kind: 'drain',
          source: 'eventbridge',
          cause: 'spot-interruption',
          eventType: 'PreemptibleInstanceInterruption',
          eventId: 'ev-9',
          receivedAt: T0 + 2,
        };
        const b1 = stateChange('i-b', 'Running', { receivedAt: T0 + 3 });
        for (const s of [a1, a2, b1]) expect(await store.recordSignal(s)).toBe(true);
        const latest = await store.latestSignals([memberId('i-a'), memberId('i-b'), memberId('i-c')]);
        expect(latest.get(memberId('i-a'))).toEqual({ heartbeat: a1, drain: a2 });
        expect(latest.get(memberId('i-b'))).toEqual({ 'instance-state': b1 });
        expect(latest.get(memberId('i-c'))).toEqual({});
        expect([...latest.keys()].sort()).toEqual(['i-a', 'i-b', 'i-c']);
      });

      it('a newer signal replaces every field, including dropping a sequence, event id or payload field', async () => {
        await store.recordSignal(
          stateChange('i-a', 'Stopped', { sequence: 5, eventId: 'ev-1', eventTime: 'x', receivedAt: T0 }),
        );
        const newer = stateChange('i-a', 'Running', { receivedAt: T0 + 1 });
        expect(await store.recordSignal(newer)).toBe(true);
        expect(
          (await store.latestSignals([memberId('i-a')])).get(memberId('i-a'))?.['instance-state'],
        ).toEqual(newer);
      });

      it.each(EVERY_KIND.map((s) => ({ label: `${s.kind} (${s.source})`, s })))(
        'keeps every field of a $label signal',
        async ({ s }) => {
          expect(await store.recordSignal(s)).toBe(true);
          expect((await store.latestSignals([s.memberId])).get(s.memberId)?.[s.kind]).toEqual(s);
        },
      );

      it('keeps the latest peer report per (suspect, reporter): reporters never replace each other', async () => {
        const fromB = peerReport('i-a', 'i-b', { sequence: 100, receivedAt: T0 });
        const fromC = peerReport('i-a', 'i-c', { sequence: 7, receivedAt: T0 + 1 });
        expect(await store.recordSignal(fromC)).toBe(true);
        expect(await store.recordSignal(fromB)).toBe(true);
        // A later arrival from B with an older sequence is a replay: refused, B's newest stays.
        expect(await store.recordSignal(peerReport('i-a', 'i-b', { sequence: 99, receivedAt: T0 + 5 }))).toBe(
          false,
        );
        expect(await store.recordSignal(fromB)).toBe(false);
        const recovered = peerReport('i-a', 'i-b', {
          reason: 'recovered',
          sequence: 101,
          lastSeenAt: undefined,
          receivedAt: T0 + 6,
        });
        expect(await store.recordSignal(recovered)).toBe(true);
        const heartbeat = signal('i-a', { sequence: 3 });
        expect(await store.recordSignal(heartbeat)).toBe(true);
        const latest = (await store.latestSignals([memberId('i-a')])).get(memberId('i-a'));
        // Sorted by reporter; the other kinds keep their own slots.
        expect(latest).toEqual({ heartbeat, 'peer-report': [recovered, fromC] });
      });

      it('property: any arrival order converges to the newest signal (sequences, then receive times)', async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.uniqueArray(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 8 }),
            fc.boolean(),
            fc.boolean(),
            async (keys, bySequence, concurrently) => {
              const member = fresh('i-prop');
              const signals = keys.map((k) =>
                signal(
                  member,
                  bySequence
                    ? { sequence: k, receivedAt: T0, eventId: `v${k}` }
                    : { receivedAt: T0 + k, eventId: `v${k}` },
                ),
              );
              const results = concurrently
                ? await Promise.all(signals.map((s) => store.recordSignal(s)))
                : await (async () => {
                    const out: boolean[] = [];
                    for (const s of signals) out.push(await store.recordSignal(s));
                    return out;
                  })();
              const newest = Math.max(...keys);
              const latest = (await store.latestSignals([memberId(member)])).get(memberId(member));
              expect(latest?.heartbeat?.eventId).toBe(`v${newest}`);
              // Sequentially the first arrival always lands; concurrently some arrival must.
              expect(concurrently ? results.some(Boolean) : results[0]).toBe(true);
              // Replaying everything afterwards changes nothing.
              for (const s of signals) expect(await store.recordSignal(s)).toBe(false);
            },
          ),
          { numRuns: runs(25), seed: 7 },
        );
      });
    });

    // -- observations ----------------------------------------------------------------------------

    describe('observations', () => {
      it('keeps the latest per group: a later read replaces, an earlier or equal one does not', async () => {
        const first = observation('web', T0, ['i-a']);
        expect(await store.recordObservation(first)).toBe(true);
        expect(await store.recordObservation(observation('web', T0 - 1, ['i-b']))).toBe(false);
        expect(await store.recordObservation(observation('web', T0, ['i-b']))).toBe(false);
        const later = observation('web', T0 + 1, []);
        expect(await store.recordObservation(later)).toBe(true);
        const other: ObservationRecord = { group: groupName('api'), observedAt: T0, haVip: undefined };
        expect(await store.recordObservation(other)).toBe(true);
        const got = await store.latestObservations([groupName('web'), groupName('api'), groupName('none')]);
        expect(got).toEqual(
          new Map([
            [groupName('web'), later],
            [groupName('api'), other],
          ]),
        );
      });

      it('keeps the member a move in flight promoted, and drops it with a later read that has none', async () => {
        const promoted: ObservationRecord = {
          ...observation('promo', T0, ['i-a', 'i-b']),
          promoted: memberId('i-b'),
        };
        expect(await store.recordObservation(promoted)).toBe(true);
        expect((await store.latestObservations([groupName('promo')])).get(groupName('promo'))).toEqual(
          promoted,
        );
        const settled = observation('promo', T0 + 1, ['i-b']);
        expect(await store.recordObservation(settled)).toBe(true);
        const got = (await store.latestObservations([groupName('promo')])).get(groupName('promo'));
        expect(got).toEqual(settled);
        expect(got?.promoted).toBeUndefined();
      });

      it('concurrent writers converge to the latest read', async () => {
        const reads = [5, 1, 9, 3, 7].map((k) => observation('race', T0 + k, [`i-${k}`]));
        const applied = await Promise.all(reads.map((o) => store.recordObservation(o)));
        expect(applied.some(Boolean)).toBe(true);
        const got = await store.latestObservations([groupName('race')]);
        expect(got.get(groupName('race'))?.observedAt).toBe(T0 + 9);
        expect(got.get(groupName('race'))?.haVip?.associatedInstances).toEqual(['i-9']);
      });

      it('refuses a record without a group or with a negative time, naming the field', async () => {
        const e = await store.recordObservation({ ...observation('', -1, []), group: groupName('') }).then(
          () => undefined,
          (x: unknown) => x,
        );
        expect(e).toBeInstanceOf(InvalidInputError);
        const paths = (e as InvalidInputError).issues.map((i) => i.path);
        expect(paths).toEqual(expect.arrayContaining(['record.group', 'record.observedAt']));
      });
    });

    // -- health ----------------------------------------------------------------------------------

    describe('health', () => {
      const m = memberId('i-a');

      it('creates with expectedVersion 0 at version 1, and reads it back', async () => {
        expect(await store.getHealth([m])).toEqual(new Map());
        expect(await store.putHealth(health('i-a'), 0)).toBe(true);
        expect((await store.getHealth([m])).get(m)).toEqual({ ...health('i-a'), version: 1 });
      });

      it.each([
        { label: 'create over an existing row', expected: 0, applied: false },
        { label: 'update at the stored version', expected: 1, applied: true },
        { label: 'update at an older version', expected: 0, applied: false },
        { label: 'update at a version never stored', expected: 2, applied: false },
      ])('$label → $applied', async ({ expected, applied }) => {
        await store.putHealth(health('i-a'), 0);
        const next = health('i-a', {
          probeHealthy: false,
          consecutiveFailures: 2,
          consecutiveSuccesses: 0,
          eligibleSince: undefined,
          ineligibleSince: T0 - 5,
          updatedAt: T0 + 9,
        });
        expect(await store.putHealth(next, expected)).toBe(applied);
        const stored = (await store.getHealth([m])).get(m);
        expect(stored).toEqual(
          applied ? { ...next, version: expected + 1 } : { ...health('i-a'), version: 1 },
        );
      });

      it('an update against a missing row fails', async () => {
        expect(await store.putHealth(health('i-z'), 3)).toBe(false);
        expect(await store.getHealth([memberId('i-z')])).toEqual(new Map());
      });

      it('returns only the members that have a row', async () => {
        await store.putHealth(health('i-a'), 0);
        await store.putHealth(health('i-b', { eligibleSince: T0 }), 0);
        const got = await store.getHealth([memberId('i-a'), memberId('i-b'), memberId('i-c')]);
        expect([...got.keys()].sort()).toEqual(['i-a', 'i-b']);
        expect(got.get(memberId('i-b'))?.eligibleSince).toBe(T0);
        expect(got.get(memberId('i-b'))?.ineligibleSince).toBeUndefined();
        expect(got.get(memberId('i-a'))?.eligibleSince).toBeUndefined();
      });
    });

    // -- dedupe ----------------------------------------------------------------------------------

    describe('dedupe', () => {
      it('true the first time, false within the TTL, true again once expired', async () => {
        const day = 86_400_000;
        expect(await store.markEventSeen('ev-1', day, T0)).toBe(true);
        expect(await store.markEventSeen('ev-1', day, T0 + 1)).toBe(false);
        expect(await store.markEventSeen('ev-1', day, T0 + day - 1)).toBe(false);
        expect(await store.markEventSeen('ev-1', day, T0 + day)).toBe(true);
        expect(await store.markEventSeen('ev-1', day, T0 + day + 1)).toBe(false);
        expect(await store.markEventSeen('ev-2', day, T0 + 1)).toBe(true);
      });

      it('many ids interleaved stay independent', async () => {
        for (let i = 0; i < 300; i++) expect(await store.markEventSeen(`ev-${i}`, 1000, T0 + i)).toBe(true);
        for (let i = 0; i < 300; i += 37)
          expect(await store.markEventSeen(`ev-${i}`, 1000, T0 + i + 999)).toBe(false);
        // Well past every expiry (and past any lazy purge): each id is new again.
        for (let i = 0; i < 300; i += 37)
          expect(await store.markEventSeen(`ev-${i}`, 1000, T0 + 5000)).toBe(true);
      });
    });

    // -- history ---------------------------------------------------------------------------------

    describe('history', () => {
      it('lists newest first, with group, since and limit', async () => {
        const recs = [
          history('g1', T0 + 10, 1, { outcome: 'planned' }),
          history('g2', T0 + 20, 1),
          history('g1', T0 + 30, 2, { actor: 'ops@example', durationMs: 1234, detail: { to: 'i-b' } }),
          history('g1', T0 + 40, 3, { outcome: 'switch-incomplete' }),
          history('g2', T0 + 50, 2, { outcome: 'blocked', decision: noop }),
        ];
        for (const r of [recs[2]!, recs[0]!, recs[4]!, recs[1]!, recs[3]!]) await store.appendHistory(r);
        const all = await store.listHistory({ limit: 10 });
        expect(all).toEqual([recs[4], recs[3], recs[2], recs[1], recs[0]]);
        expect(await store.listHistory({ group: groupName('g1'), limit: 10 })).toEqual([
          recs[3],
          recs[2],
          recs[0],
        ]);
        expect(await store.listHistory({ group: groupName('g1'), limit: 2 })).toEqual([recs[3], recs[2]]);
        expect(await store.listHistory({ group: groupName('g1'), since: T0 + 30, limit: 10 })).toEqual([
          recs[3],
          recs[2],
        ]);
        expect(await store.listHistory({ since: T0 + 20, limit: 3 })).toEqual([recs[4], recs[3], recs[2]]);
        expect(await store.listHistory({ group: groupName('nope'), limit: 5 })).toEqual([]);
      });

      it('breaks ties by higher epoch, then by insertion order (newest first)', async () => {
        const planned = history('g1', T0, 4, { outcome: 'planned' });
        const done = history('g1', T0, 4, { outcome: 'done' });
        const older = history('g1', T0, 3, { outcome: 'failed' });
        for (const r of [older, planned, done]) await store.appendHistory(r);
        const expected = [done, planned, older];
        expect(await store.listHistory({ group: groupName('g1'), limit: 10 })).toEqual(expected);
        expect(await store.listHistory({ limit: 10 })).toEqual(expected);
      });

      it('appending the same record twice keeps both (it is a log, not a set)', async () => {
        const r = history('g1', T0, 1);
        await store.appendHistory(r);
        await store.appendHistory(r);
        expect(await store.listHistory({ limit: 10 })).toEqual([r, r]);
      });
    });

    // -- concurrency -----------------------------------------------------------------------------

    describe('concurrency', () => {
      /** Half the contenders go through a peer store when the adapter supports one. */
      const contenders = async (): Promise<StateStore[]> => {
        if (!subject.openPeer) return [store];
        const peer = await subject.openPeer();
        extra.push(peer);
        return [store, peer];
      };

      it('N concurrent acquires on a free group: exactly one wins, the others see the winner', async () => {
        const stores = await contenders();
        const g = groupName('race');
        const results = await Promise.all(
          Array.from({ length: 16 }, (_, i) =>
            stores[i % stores.length]!.acquireLease(g, `inv-${i}`, TTL, T0),
          ),
        );
        const winners = results.filter((r) => r.acquired);
        expect(winners).toHaveLength(1);
        const lease = winners[0]!.acquired ? winners[0]!.lease : undefined;
        expect(lease?.epoch).toBe(1);
        for (const r of results) if (!r.acquired) expect(r.current).toEqual(lease);
      });

      it('N concurrent acquires after expiry: exactly one wins at epoch + 1', async () => {
        const stores = await contenders();
        const g = groupName('race-expired');
        await store.acquireLease(g, 'old', TTL, T0);
        const results = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            stores[i % stores.length]!.acquireLease(g, `inv-${i}`, TTL, T0 + TTL),
          ),
        );
        const winners = results.filter((r) => r.acquired);
        expect(winners).toHaveLength(1);
        expect(winners[0]).toMatchObject({ lease: { epoch: 2 } });
      });

      it.each([['stale first'], ['current first']])(
        'concurrent journal writes by a stale and the current epoch (%s): only the current one lands',
        async (order) => {
          const stores = await contenders();
          const g = groupName('race-journal');
          await store.acquireLease(g, 'inv-a', TTL, T0);
          await store.acquireLease(g, 'inv-b', TTL, T0 + TTL);
          const stale = journal(g, 1, 'DONE');
          const current = journal(g, 2, 'ATTACHING');
          const writers = [
            () => stores[0]!.writeJournal(stale, T0 + TTL + 1),
            () => stores[stores.length - 1]!.writeJournal(current, T0 + TTL + 1),
          ];
          if (order === 'current first') writers.reverse();
          const settled = await Promise.allSettled(writers.map((w) => w()));
          const staleResult = settled[order === 'current first' ? 1 : 0]!;
          const currentResult = settled[order === 'current first' ? 0 : 1]!;
          expect(currentResult.status).toBe('fulfilled');
          expect(staleResult.status).toBe('rejected');
          expect((staleResult as PromiseRejectedResult).reason).toBeInstanceOf(StaleEpochError);
          expect(await store.readJournal(g)).toEqual(current);
        },
      );

      it('concurrent signals with different sequences: the highest survives whatever the order', async () => {
        const stores = await contenders();
        const seqs = [3, 17, 5, 11, 2, 13, 7, 19, 1, 23, 29, 0];
        for (const rotation of [0, 4, 7]) {
          const member = fresh('i-race');
          const ordered = [...seqs.slice(rotation), ...seqs.slice(0, rotation)];
          const applied = await Promise.all(
            ordered.map((seq, i) =>
              stores[i % stores.length]!.recordSignal(signal(member, { sequence: seq, eventId: `s${seq}` })),
            ),
          );
          expect(applied.some(Boolean)).toBe(true);
          const latest = (await store.latestSignals([memberId(member)])).get(memberId(member));
          expect(latest?.heartbeat?.sequence).toBe(29);
        }
      });

      it('concurrent health CAS at the same version: exactly one wins', async () => {
        const stores = await contenders();
        const m = memberId('i-cas');
        await store.putHealth(health('i-cas'), 0);
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            stores[i % stores.length]!.putHealth(health('i-cas', { consecutiveFailures: i + 1 }), 1),
          ),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = results.indexOf(true);
        expect((await store.getHealth([m])).get(m)).toMatchObject({
          version: 2,
          consecutiveFailures: winner + 1,
        });
      });

      it('concurrent creates of the same health row: exactly one wins', async () => {
        const stores = await contenders();
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) => stores[i % stores.length]!.putHealth(health('i-new'), 0)),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('concurrent dedupe of one event id: exactly one caller sees it first', async () => {
        const stores = await contenders();
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            stores[i % stores.length]!.markEventSeen('ev-race', 60_000, T0),
          ),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        // And once more after expiry, racing again.
        const again = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            stores[i % stores.length]!.markEventSeen('ev-race', 60_000, T0 + 60_000),
          ),
        );
        expect(again.filter(Boolean)).toHaveLength(1);
      });
    });

    // -- model-based -----------------------------------------------------------------------------

    describe('model', () => {
      type Op =
        | { t: 'acquire'; holder: number; ttl: number }
        | { t: 'renew' | 'release' | 'journal' | 'assert'; pick: number; ttl: number }
        | { t: 'advance'; ms: number };
      const opArb: fc.Arbitrary<Op> = fc.oneof(
        fc.record({
          t: fc.constant('acquire' as const),
          holder: fc.nat(2),
          ttl: fc.integer({ min: 1, max: 100 }),
        }),
        fc.record({
          t: fc.constantFrom('renew' as const, 'release' as const, 'journal' as const, 'assert' as const),
          pick: fc.nat(),
          ttl: fc.integer({ min: 1, max: 100 }),
        }),
        fc.record({ t: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 150 }) }),
      );

      it('any sequence of lease operations matches the reference model', async () => {
        await fc.assert(
          fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), async (ops) => {
            const g = groupName(fresh('model'));
            let now = T0;
            let issued = 0;
            let cur: { epoch: number; holder: string; expiresAt: number; released: boolean } | undefined;
            const live = (e: number) =>
              cur !== undefined && cur.epoch === e && !cur.released && cur.expiresAt > now;
            for (const op of ops) {
              if (op.t === 'advance') {
                now += op.ms;
                continue;
              }
              if (op.t === 'acquire') {
                const holder = `h${op.holder}`;
                const r = await store.acquireLease(g, holder, op.ttl, now);
                if (cur === undefined || cur.released || cur.expiresAt <= now) {
                  issued += 1;
                  cur = { epoch: issued, holder, expiresAt: now + op.ttl, released: false };
                  expect(r).toEqual({
                    acquired: true,
                    lease: { group: g, epoch: issued, holder, expiresAt: now + op.ttl },
                  });
                } else {
                  expect(r).toEqual({
                    acquired: false,
                    current: { group: g, epoch: cur.epoch, holder: cur.holder, expiresAt: cur.expiresAt },
                  });
                }
                continue;
              }
              // Pick an epoch among those issued, plus 0 and one never issued (journal epochs start at 1).
              const epoch = op.t === 'journal' ? 1 + (op.pick % (issued + 1)) : op.pick % (issued + 2);
              if (op.t === 'renew') {
                const p = store.renewLease(g, epoch, op.ttl, now);
                if (cur !== undefined && cur.epoch === epoch && !cur.released) {
                  cur = { ...cur, expiresAt: now + op.ttl };
                  expect(await p).toEqual({ group: g, epoch, holder: cur.holder, expiresAt: cur.expiresAt });
                } else {
                  await staleOf(p);
                }
              } else if (op.t === 'release') {
                await store.releaseLease(g, epoch);
                if (cur !== undefined && cur.epoch === epoch) cur = { ...cur, released: true };
              } else if (op.t === 'journal') {
                const p = store.writeJournal(journal(g, epoch, 'PLANNED', { updatedAt: now }), now);
                if (live(epoch)) await p;
                else await staleOf(p);
              } else {
                const p = store.assertEpoch(g, epoch, now);
                if (live(epoch)) await p;
                else await staleOf(p);
              }
              const reported = await store.getLease(g);
              expect(reported).toEqual(
                cur === undefined || cur.released
                  ? undefined
                  : { group: g, epoch: cur.epoch, holder: cur.holder, expiresAt: cur.expiresAt },
              );
            }
          }),
          { numRuns: runs(40), seed: 42 },
        );
      });
    });

    // -- edges -----------------------------------------------------------------------------------

    describe('input validation and lifecycle', () => {
      it.each([
        {
          label: 'acquire with ttl 0',
          run: (s: StateStore) => s.acquireLease(groupName('g'), 'h', 0, T0),
          path: 'args.ttlMs',
        },
        {
          label: 'acquire for an empty group name',
          run: (s: StateStore) => s.acquireLease(groupName(''), 'h', 1, T0),
          path: 'args.group',
        },
        {
          label: 'renew with a fractional epoch',
          run: (s: StateStore) => s.renewLease(groupName('g'), 1.5, 1, T0),
          path: 'args.epoch',
        },
        {
          label: 'a signal with a fractional sequence',
          run: (s: StateStore) => s.recordSignal(signal('i-a', { sequence: 1.5 })),
          path: 'signal.sequence',
        },
        {
          label: 'a signal of an unknown kind',
          run: (s: StateStore) =>
            s.recordSignal({ ...signal('i-a'), kind: 'reboot' } as unknown as SignalRecord),
          path: 'signal.kind',
        },
        {
          label: 'a state change without its status',
          run: (s: StateStore) =>
            s.recordSignal({
              ...stateChange('i-a', 'Stopped'),
              status: undefined,
            } as unknown as SignalRecord),
          path: 'signal.status',
        },
        {
          label: 'a drain of an unknown cause',
          run: (s: StateStore) =>
            s.recordSignal({ ...EVERY_KIND[3]!, cause: 'whim' } as unknown as SignalRecord),
          path: 'signal.cause',
        },
        {
          label: 'a signal from an unknown source',
          run: (s: StateStore) =>
            s.recordSignal({ ...signal('i-a'), source: 'smoke' } as unknown as SignalRecord),
          path: 'signal.source',
        },
        {
          label: 'a journal entry with epoch 0',
          run: (s: StateStore) => s.writeJournal(journal(groupName('g'), 0, 'PLANNED'), T0),
          path: 'entry.epoch',
        },
        {
          label: 'health with a negative version',
          run: (s: StateStore) => s.putHealth(health('i-a'), -1),
          path: 'expectedVersion',
        },
        {
          label: 'history with limit 0',
          run: (s: StateStore) => s.listHistory({ limit: 0 }),
          path: 'query.limit',
        },
        {
          label: 'dedupe with an empty id',
          run: (s: StateStore) => s.markEventSeen('', 1000, T0),
          path: 'args.eventId',
        },
      ])('rejects $label with store.invalid-argument naming $path', async ({ run, path }) => {
        const e = await run(store).then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(e).toBeInstanceOf(InvalidInputError);
        expect((e as InvalidInputError).code).toBe('store.invalid-argument');
        expect((e as InvalidInputError).issues.map((i) => i.path)).toContain(path);
      });

      it('rejects calls after close with a StoreError', async () => {
        await store.close();
        const e = await store.getLease(groupName('g')).then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(e).toBeInstanceOf(StoreError);
        await store.close(); // closing twice is harmless
      });

      // Only registered for adapters whose storage outlives one store object (files, services).
      if (capabilities.sharedStorage === true) {
        it('a peer store over the same storage sees leases, journal, signals and health', async () => {
          if (!subject.openPeer) throw new Error('sharedStorage declared but makeStore returned no openPeer');
          const peer = await subject.openPeer();
          extra.push(peer);
          const g = groupName('shared');
          await store.acquireLease(g, 'proc-1', TTL, T0);
          expect(await peer.acquireLease(g, 'proc-2', TTL, T0 + 1)).toMatchObject({
            acquired: false,
            current: { holder: 'proc-1' },
          });
          await store.writeJournal(journal(g, 1, 'PLANNED'), T0 + 2);
          await store.releaseLease(g, 1);
          expect(await peer.acquireLease(g, 'proc-2', TTL, T0 + 3)).toMatchObject({
            acquired: true,
            lease: { epoch: 2 },
          });
          await staleOf(store.writeJournal(journal(g, 1, 'DONE'), T0 + 4));
          expect(await peer.readJournal(g)).toMatchObject({ epoch: 1, phase: 'PLANNED' });
          await store.recordSignal(signal('i-shared', { sequence: 2 }));
          expect(await peer.recordSignal(signal('i-shared', { sequence: 1 }))).toBe(false);
          await store.putHealth(health('i-shared'), 0);
          expect(await peer.putHealth(health('i-shared'), 0)).toBe(false);
          expect(await peer.putHealth(health('i-shared'), 1)).toBe(true);
        });
      }
    });
  });
}
