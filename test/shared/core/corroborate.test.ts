/**
 * The corroboration rule for host agent reports (docs/detection.md), table-driven through the whole
 * pure path the engine runs: each member's observation → assessGroup (own evidence, then the reports,
 * corroborated) → decide(). Every row says what the agents reported, what the witness probe found, and
 * which decision follows.
 */
import { describe, expect, it } from 'vitest';
import { corroborate, witnessProbeOf } from '../../../shared/core/corroborate.js';
import { decide } from '../../../shared/core/decide.js';
import { assessGroup, type MemberObservation } from '../../../shared/core/health.js';
import type { Decision, Group, MemberId } from '../../../shared/core/model.js';
import { memberId } from '../../../shared/core/model.js';
import type { InstanceState } from '../../../shared/core/ports.js';
import type { LatestSignals, SignalRecord, SignalRecordOf } from '../../../shared/core/signals.js';
import { latestOf } from '../../../shared/core/signals.js';
import { makeGroup, member } from '../../support/builders.js';

const NOW = 1_800_000_000_000;
const A = 'i-a';
const B = 'i-b';
const C = 'i-c';
const OUTSIDER = 'i-outsider';

const pair = makeGroup({ members: [member(A, 100, '10.0.0.1'), member(B, 10, '10.0.0.2')] });
const trio = makeGroup({
  members: [member(A, 100, '10.0.0.1'), member(B, 50, '10.0.0.2'), member(C, 10, '10.0.0.3')],
});

const instance = (id: string, status = 'Running'): InstanceState => ({
  instanceId: id,
  regionId: 'cn-hangzhou',
  status,
  vpcId: 'vpc-1',
  vSwitchId: 'vsw-test',
  privateIpAddresses: [],
  operationLocks: [],
});

// Signals, each at `NOW - ago` ms.
const silent = (about: string, by: string, ago: number, over: Partial<SignalRecordOf<'peer-report'>> = {}) =>
  ({
    memberId: memberId(about),
    kind: 'peer-report',
    source: 'mns',
    group: 'web',
    reporter: memberId(by),
    reason: 'peer-silent',
    reporterChecks: 'ok',
    sequence: NOW - ago,
    receivedAt: NOW - ago,
    ...over,
  }) satisfies SignalRecordOf<'peer-report'>;
const recovered = (about: string, by: string, ago: number) =>
  silent(about, by, ago, { reason: 'recovered' }) satisfies SignalRecord;
const checks = (id: string, reason: 'checks-failed' | 'recovered', ago: number, sequence = NOW - ago) =>
  ({
    memberId: memberId(id),
    kind: 'self-report',
    source: 'mns',
    group: 'web',
    reason,
    reporterChecks: reason === 'recovered' ? 'ok' : 'failing',
    sequence,
    receivedAt: NOW - ago,
  }) satisfies SignalRecordOf<'self-report'>;
const beat = (id: string, ago: number, sequence?: number) =>
  ({
    memberId: memberId(id),
    kind: 'heartbeat',
    source: 'http',
    sequence,
    receivedAt: NOW - ago,
  }) satisfies SignalRecordOf<'heartbeat'>;
const running = (id: string, ago: number) =>
  ({
    memberId: memberId(id),
    kind: 'instance-state',
    source: 'eventbridge',
    status: 'Running',
    effect: 'up',
    receivedAt: NOW - ago,
  }) satisfies SignalRecordOf<'instance-state'>;

interface Row {
  readonly name: string;
  readonly group?: Group;
  readonly signals: readonly SignalRecord[];
  /** ECS status per member (default Running). */
  readonly status?: Readonly<Record<string, string>>;
  /** The witness probe of each member, if it runs: true = it answers. */
  readonly probe?: Readonly<Record<string, boolean>>;
  /** Moves inside the flap guard's window. */
  readonly moves?: number;
  /** The members the reports make ineligible, with the reason kind. */
  readonly down: Readonly<Record<string, string>>;
  /** Members the rule wants a witness probe of (before it ran). */
  readonly wantsProbe?: readonly string[];
  readonly decision: Partial<Decision> & { kind: Decision['kind'] };
}

const rows: Row[] = [
  {
    name: 'two live members lose sight of each other (each reports the other, probes answer) → no move',
    signals: [beat(A, 9_000), beat(B, 9_000), silent(B, A, 4_000), silent(A, B, 3_000)],
    probe: { [A]: true, [B]: true },
    // B's newer report makes A's older one void (B showed life after it); B's needs a witness.
    wantsProbe: [A],
    down: {},
    decision: { kind: 'noop', holder: memberId(A) },
  },
  {
    name: "an isolated reporter's false report: the holder answers the witness probe → no move",
    signals: [beat(A, 8_000), beat(B, 1_000), silent(A, B, 2_000)],
    probe: { [A]: true },
    wantsProbe: [A],
    down: {},
    decision: { kind: 'noop', holder: memberId(A) },
  },
  {
    name: 'a reporter whose own checks fail is not a witness → no move, no probe',
    signals: [silent(A, B, 2_000, { reporterChecks: 'failing' })],
    down: {},
    decision: { kind: 'noop', holder: memberId(A) },
  },
  {
    name: 'a reporter that itself reported its checks failing is not a witness',
    signals: [checks(B, 'checks-failed', 20_000), silent(A, B, 2_000)],
    down: { [B]: 'checks-failed' },
    decision: { kind: 'noop', holder: memberId(A) },
  },
  {
    name: 'a frozen holder: a peer reports it silent and the witness probe fails → move',
    signals: [beat(A, 12_000), beat(B, 1_000), silent(A, B, 3_000)],
    probe: { [A]: false },
    wantsProbe: [A],
    down: { [A]: 'reported-silent' },
    decision: { kind: 'move', from: memberId(A), to: memberId(B), cause: 'failover' },
  },
  {
    name: "the suspect's own checks-failed report counts by itself → move",
    signals: [beat(A, 1_000), checks(A, 'checks-failed', 2_000)],
    down: { [A]: 'checks-failed' },
    decision: { kind: 'move', from: memberId(A), to: memberId(B), cause: 'failover' },
  },
  {
    name: "the suspect's own checks-failed and a peer's report: both name it",
    signals: [checks(A, 'checks-failed', 5_000), silent(A, B, 2_000)],
    down: { [A]: 'checks-failed' },
    decision: { kind: 'move', from: memberId(A), to: memberId(B) },
  },
  {
    name: 'a heartbeat after checks-failed does not clear it: the host runs, its service does not',
    signals: [checks(A, 'checks-failed', 20_000), beat(A, 1_000)],
    down: { [A]: 'checks-failed' },
    decision: { kind: 'move', from: memberId(A), to: memberId(B) },
  },
  {
    name: 'its own recovered report clears checks-failed (the store keeps the newer one)',
    signals: [checks(A, 'recovered', 1_000)],
    down: {},
    decision: { kind: 'noop', holder: memberId(A) },
  },
  {
    name: 'a Running state change (a restart) after checks-failed clears it',
    signals: [checks(A, 'checks-failed', 30_000), running(A, 5_000)],
    down: {},
    decision: { kind: 'noop', holder: memberId(A) },
  },
  {
    name: 'a stale report after a newer heartbeat changes nothing',
    signals: [silent(A, B, 6_000), beat(A, 1_000)],
    probe: { [A]: false },
    down: {},
    decision: { kind: 'noop', holder: memberId(A) },
  },
  {
    name: 'a report older than the suspect own report about a peer changes nothing (it is alive)',
    signals: [silent(A, B, 6_000), silent(B, A, 2_000)],
    probe: { [A]: false, [B]: true },
    wantsProbe: [B],
    down: {},
    decision: { kind: 'noop', holder: memberId(A) },
  },
  {
    name: 'a report older than another peer’s recovered report about the suspect changes nothing',
    group: trio,
    signals: [silent(A, B, 6_000), recovered(A, C, 2_000)],
    probe: { [A]: false },
    down: {},
    decision: { kind: 'noop', holder: memberId(A) },
  },
  {
    name: 'a report at the same instant as a heartbeat of the suspect is not newer',
    signals: [beat(A, 2_000), silent(A, B, 2_000)],
    probe: { [A]: false },
    down: {},
    decision: { kind: 'noop', holder: memberId(A) },
  },
  {
    name: 'a report older than the report time-to-live (90 s) is over',
    signals: [beat(A, 200_000), silent(A, B, 91_000)],
    probe: { [A]: false },
    down: {},
    decision: { kind: 'noop', holder: memberId(A) },
  },
  {
    name: 'two healthy reporters confirm each other: down without a probe',
    group: trio,
    signals: [silent(A, B, 3_000), silent(A, C, 2_000)],
    down: { [A]: 'reported-silent' },
    decision: { kind: 'move', from: memberId(A), to: memberId(B) },
  },
  {
    name: 'a reporter reported silent by a newer report is not healthy: no second reporter',
    group: trio,
    signals: [silent(A, B, 5_000), silent(A, C, 4_000), silent(C, B, 1_000)],
    probe: { [A]: true, [C]: true },
    wantsProbe: [A, C],
    down: {},
    decision: { kind: 'noop', holder: memberId(A) },
  },
  {
    name: 'a reporter outside the group is ignored',
    signals: [silent(A, OUTSIDER, 1_000)],
    down: {},
    decision: { kind: 'noop', holder: memberId(A) },
  },
  {
    name: 'a draining reporter is not eligible, so not a witness',
    signals: [
      {
        memberId: memberId(B),
        kind: 'drain',
        source: 'mns',
        cause: 'spot-interruption',
        eventType: 'havip-report:spot-termination',
        receivedAt: NOW - 10_000,
      },
      silent(A, B, 1_000),
    ],
    down: {},
    decision: { kind: 'noop', holder: memberId(A) },
  },
  {
    name: 'a soft down stays soft: the flap guard blocks the move',
    signals: [silent(A, B, 3_000)],
    probe: { [A]: false },
    wantsProbe: [A],
    moves: 3,
    down: { [A]: 'reported-silent' },
    decision: { kind: 'alert', alert: 'flap-guard', holder: memberId(A) },
  },
  {
    name: 'never detach the last holder: the only peer is stopped',
    signals: [checks(A, 'checks-failed', 1_000)],
    status: { [B]: 'Stopped' },
    down: { [A]: 'checks-failed' },
    decision: { kind: 'alert', alert: 'no-eligible-member', holder: memberId(A) },
  },
];

function observationsOf(group: Group, signals: readonly SignalRecord[], status: Row['status'] = {}) {
  const byMember = new Map<MemberId, SignalRecord[]>();
  for (const s of signals) byMember.set(s.memberId, [...(byMember.get(s.memberId) ?? []), s]);
  return group.members.map(
    (m): MemberObservation => ({
      member: m,
      instance: instance(m.id, status[m.id]),
      eni: undefined,
      signals: latestOf(byMember.get(m.id) ?? []),
      state: undefined,
      probe: undefined,
    }),
  );
}

describe('corroboration of agent reports (assessGroup → decide)', () => {
  it.each(rows)('$name', (row) => {
    const group = row.group ?? pair;
    const observations = observationsOf(group, row.signals, row.status);
    const before = assessGroup(group, observations, NOW, new Map());
    const wants = [...before.findings].filter(([, f]) => f.wantsProbe).map(([id]) => id);
    expect(wants).toEqual(row.wantsProbe ?? []);
    const witness = new Map(Object.entries(row.probe ?? {}).map(([id, ok]) => [memberId(id), ok]));
    const { assessments } = assessGroup(group, observations, NOW, witness);
    const down = Object.fromEntries(
      [...assessments]
        .flatMap(([id, a]) => a.health.reasons.map((r) => [id, r.kind] as const))
        .filter(([, kind]) => kind === 'reported-silent' || kind === 'checks-failed'),
    );
    expect(down).toEqual(row.down);
    const health = new Map([...assessments].map(([id, a]) => [id, a.health]));
    const recentMoves = Array.from({ length: row.moves ?? 0 }, (_, i) => NOW - (i + 1) * 1000);
    const decision = decide({ group, bound: [A], master: A, health, recentMoves, now: NOW });
    expect(decision).toMatchObject(row.decision);
  });

  it('names the reporters and the second witness in the reason', () => {
    const observations = observationsOf(trio, [silent(A, B, 3_000), silent(A, C, 2_000)]);
    const { assessments } = assessGroup(trio, observations, NOW, new Map());
    expect(assessments.get(memberId(A))?.health.reasons).toEqual([
      { kind: 'reported-silent', by: [B, C], witness: 'a second reporter' },
    ]);
    const pairObs = observationsOf(pair, [silent(A, B, 3_000)]);
    const failed = assessGroup(pair, pairObs, NOW, new Map([[memberId(A), false]]));
    expect(failed.assessments.get(memberId(A))?.health.reasons).toEqual([
      { kind: 'reported-silent', by: [B], witness: 'the witness probe failed' },
    ]);
    const decision = decide({
      group: pair,
      bound: [A],
      master: A,
      health: new Map([...failed.assessments].map(([id, a]) => [id, a.health])),
      recentMoves: [],
      now: NOW,
    });
    expect(decision.reason).toContain('reported silent by i-b, confirmed by the witness probe failed');
  });

  it('says why a report did not count', () => {
    const unconfirmed = (signals: readonly SignalRecord[], witness: [string, boolean][] = []) => {
      const signalsById = new Map<MemberId, LatestSignals>(
        observationsOf(pair, signals).map((o) => [o.member.id, o.signals]),
      );
      return [
        ...corroborate({
          group: pair,
          now: NOW,
          signals: signalsById,
          baseEligible: () => true,
          instanceStatus: () => 'Running',
          witness: new Map(witness.map(([id, ok]) => [memberId(id), ok])),
        }).values(),
      ].flatMap((f) => f.unconfirmed ?? []);
    };
    expect(unconfirmed([silent(A, B, 1_000, { reporterChecks: 'failing' })])).toEqual([
      'i-a reported silent by i-b, none of them healthy',
    ]);
    expect(unconfirmed([silent(A, B, 1_000)])).toEqual([
      'i-a reported silent by i-b; waiting for a witness probe',
    ]);
    expect(unconfirmed([silent(A, B, 1_000)], [[A, true]])).toEqual([
      'i-a reported silent by i-b but answers the witness probe: no second witness',
    ]);
  });
});

describe('the witness probe', () => {
  it("is the group's own probe when it has one", () => {
    const probe = { kind: 'tcp' as const, port: 443, timeoutMs: 500, intervalSeconds: 10 };
    const group = makeGroup({ members: pair.members, health: { ...pair.health, probe } });
    expect(witnessProbeOf(group)).toBe(probe);
  });

  it("is a GET of the agent's health endpoint otherwise, on the configured port", () => {
    expect(witnessProbeOf(pair)).toMatchObject({
      kind: 'http',
      port: 7402,
      path: '/health',
      expectStatus: [200],
      timeoutMs: 500,
    });
    const custom = makeGroup({
      members: pair.members,
      agent: { healthPort: 9402, reportTtlSeconds: 60, witnessTimeoutMs: 250 },
    });
    expect(witnessProbeOf(custom)).toMatchObject({ port: 9402, timeoutMs: 250 });
  });
});
