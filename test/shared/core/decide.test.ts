import { describe, expect, it } from 'vitest';
import { type DecideInput, decide } from '../../../shared/core/decide.js';
import type { Decision, ManualRequest } from '../../../shared/core/model.js';
import { memberId } from '../../../shared/core/model.js';
import {
  CHECKS_FAILED,
  DRAINING,
  HB_TIMEOUT,
  type HealthSpec,
  healthMap,
  makeGroup,
  member,
  PROBE_FAIL,
  REPORTED_SILENT,
  STOPPED,
} from '../../support/builders.js';

const NOW = 1_000_000_000;
const A = 'i-a';
const B = 'i-b';
const C = 'i-c';
const FOREIGN = 'i-foreign';

// The seeds' keepalived pair: MASTER priority 100, BACKUP priority 10, nopreempt.
const pair = makeGroup({ members: [member(A, 100, '192.168.0.11'), member(B, 10, '192.168.0.12')] });
// A three-member preempt group with a 30 s preempt delay.
const trio = makeGroup({
  nopreempt: false,
  preemptDelaySeconds: 30,
  members: [member(A, 150, '192.168.0.11'), member(B, 100, '192.168.0.12'), member(C, 50, '192.168.0.13')],
});
const manual = (to?: string, force = false): ManualRequest => ({
  to: to === undefined ? undefined : memberId(to),
  force,
  reason: 'maintenance window',
  actor: 'ops@example',
});
const inWindow = [NOW - 60_000, NOW - 120_000, NOW - 180_000];

interface Row {
  name: string;
  group?: typeof pair;
  bound: string[];
  master?: string;
  health: Record<string, HealthSpec>;
  moves?: number[];
  manual?: ManualRequest;
  expect: Partial<Record<string, unknown>> & { kind: Decision['kind'] };
  reason?: RegExp;
}

const rows: Row[] = [
  // -- no holder
  {
    name: 'no holder, all eligible → attach the elected',
    bound: [],
    health: { [A]: 'ok', [B]: 'ok' },
    expect: { kind: 'attach', target: A, forced: false },
  },
  {
    name: 'no holder, only the backup eligible → attach it',
    bound: [],
    health: { [A]: STOPPED, [B]: 'ok' },
    expect: { kind: 'attach', target: B },
  },
  {
    name: 'no holder, none eligible → alert, no action',
    bound: [],
    health: { [A]: STOPPED, [B]: HB_TIMEOUT },
    expect: { kind: 'alert', alert: 'no-eligible-member', holder: undefined },
    reason: /heartbeat timed out/,
  },
  // -- eligible holder
  {
    name: 'master holds and is eligible → noop',
    bound: [A],
    health: { [A]: 'ok', [B]: 'ok' },
    expect: { kind: 'noop', holder: A },
  },
  {
    name: 'nopreempt: eligible backup keeps the address when the master returns',
    bound: [B],
    health: { [A]: 'ok', [B]: 'ok' },
    expect: { kind: 'noop', holder: B },
    reason: /nopreempt/,
  },
  {
    name: 'nopreempt holds even with a long-eligible higher member',
    bound: [B],
    health: { [A]: { eligibleSince: NOW - 3_600_000 }, [B]: 'ok' },
    expect: { kind: 'noop', holder: B },
  },
  // -- ineligible holder
  {
    name: 'holder stopped → failover to the eligible peer',
    bound: [A],
    health: { [A]: STOPPED, [B]: 'ok' },
    expect: { kind: 'move', from: A, to: B, cause: 'failover', forced: false },
  },
  {
    name: 'holder heartbeat timeout → failover',
    bound: [A],
    health: { [A]: HB_TIMEOUT, [B]: 'ok' },
    expect: { kind: 'move', from: A, to: B, cause: 'failover' },
  },
  {
    name: 'holder missing from health → treated as not found → failover',
    bound: [A],
    health: { [B]: 'ok' },
    expect: { kind: 'move', from: A, to: B },
    reason: /not found/,
  },
  {
    name: 'holder stopped, none eligible → keep the holder attached and alert',
    bound: [A],
    health: { [A]: STOPPED, [B]: STOPPED },
    expect: { kind: 'alert', alert: 'no-eligible-member', holder: A },
  },
  {
    name: 'holder probe-failed, none eligible → keep holder',
    bound: [A],
    health: { [A]: PROBE_FAIL, [B]: HB_TIMEOUT },
    expect: { kind: 'alert', alert: 'no-eligible-member', holder: A },
  },
  {
    name: 'holder draining → planned move',
    bound: [A],
    health: { [A]: DRAINING, [B]: 'ok' },
    expect: { kind: 'move', from: A, to: B, cause: 'drain' },
  },
  {
    name: 'holder draining, no eligible peer → hold and alert (never make it worse)',
    bound: [A],
    health: { [A]: DRAINING, [B]: STOPPED },
    expect: { kind: 'alert', alert: 'no-eligible-member', holder: A },
  },
  // -- split brain
  {
    name: 'split brain: keep the eligible master, detach the other',
    bound: [A, B],
    master: B,
    health: { [A]: 'ok', [B]: 'ok' },
    expect: { kind: 'repair-split-brain', keep: B, detach: [A] },
  },
  {
    name: 'split brain: master ineligible → keep the best eligible bound member',
    bound: [A, B],
    master: B,
    health: { [A]: 'ok', [B]: STOPPED },
    expect: { kind: 'repair-split-brain', keep: A, detach: [B] },
  },
  {
    name: 'split brain without master → keep the elected bound member',
    bound: [B, A],
    health: { [A]: 'ok', [B]: 'ok' },
    expect: { kind: 'repair-split-brain', keep: A, detach: [B] },
  },
  {
    name: 'split brain, none eligible → keep the master attached, alert',
    bound: [A, B],
    master: B,
    health: { [A]: STOPPED, [B]: STOPPED },
    expect: { kind: 'repair-split-brain', keep: B, detach: [A], alert: 'no-eligible-member' },
  },
  {
    name: 'split brain, none eligible, no master → keep the highest priority',
    bound: [B, A],
    health: { [A]: STOPPED, [B]: STOPPED },
    expect: { kind: 'repair-split-brain', keep: A, detach: [B] },
  },
  // -- foreign
  {
    name: 'bound to a foreign instance → alert, untouched',
    bound: [FOREIGN],
    health: { [A]: 'ok', [B]: 'ok' },
    expect: { kind: 'alert', alert: 'foreign-association', holder: undefined },
    reason: /i-foreign/,
  },
  {
    name: 'member plus foreign bound → alert, untouched',
    bound: [A, FOREIGN],
    health: { [A]: STOPPED, [B]: 'ok' },
    expect: { kind: 'alert', alert: 'foreign-association', holder: A },
  },
  {
    name: 'foreign beats a manual request',
    bound: [FOREIGN],
    health: { [A]: 'ok', [B]: 'ok' },
    manual: manual(B, true),
    expect: { kind: 'alert', alert: 'foreign-association' },
  },
  // -- flap guard
  {
    name: 'flap guard blocks a soft (probe) failover',
    bound: [A],
    health: { [A]: PROBE_FAIL, [B]: 'ok' },
    moves: inWindow,
    expect: { kind: 'alert', alert: 'flap-guard', holder: A, blocked: { to: B, cause: 'failover' } },
  },
  {
    name: 'flap guard blocks a heartbeat-based failover',
    bound: [A],
    health: { [A]: HB_TIMEOUT, [B]: 'ok' },
    moves: inWindow,
    expect: { kind: 'alert', alert: 'flap-guard' },
  },
  {
    name: 'flap guard blocks a failover on corroborated agent reports (a soft down)',
    bound: [A],
    health: { [A]: REPORTED_SILENT, [B]: 'ok' },
    moves: inWindow,
    expect: { kind: 'alert', alert: 'flap-guard', holder: A, blocked: { to: B, cause: 'failover' } },
  },
  {
    name: 'a holder reported silent and confirmed → failover, with the reporters in the reason',
    bound: [A],
    health: { [A]: REPORTED_SILENT, [B]: 'ok' },
    expect: { kind: 'move', from: A, to: B, cause: 'failover' },
    reason: /reported silent by i-b, confirmed by the witness probe failed/,
  },
  {
    name: 'a holder whose own agent reports its checks failing → failover',
    bound: [A],
    health: { [A]: CHECKS_FAILED, [B]: 'ok' },
    expect: { kind: 'move', from: A, to: B, cause: 'failover' },
    reason: /its agent reports its checks failing/,
  },
  {
    name: 'a reported holder with no other eligible member stays attached (never detach the last holder)',
    bound: [A],
    health: { [A]: REPORTED_SILENT, [B]: STOPPED },
    expect: { kind: 'alert', alert: 'no-eligible-member', holder: A },
  },
  {
    name: 'flap guard never blocks a move away from a stopped holder',
    bound: [A],
    health: { [A]: STOPPED, [B]: 'ok' },
    moves: inWindow,
    expect: { kind: 'move', from: A, to: B },
  },
  {
    name: 'flap guard ignores moves older than the window',
    bound: [A],
    health: { [A]: PROBE_FAIL, [B]: 'ok' },
    moves: [NOW - 601_000, NOW - 700_000, NOW - 800_000, NOW - 10_000],
    expect: { kind: 'move', from: A, to: B },
  },
  {
    name: 'flap guard allows below the limit',
    bound: [A],
    health: { [A]: PROBE_FAIL, [B]: 'ok' },
    moves: [NOW - 1000, NOW - 2000],
    expect: { kind: 'move' },
  },
  {
    name: 'flap guard does not block a planned drain',
    bound: [A],
    health: { [A]: DRAINING, [B]: 'ok' },
    moves: inWindow,
    expect: { kind: 'move', cause: 'drain' },
  },
  // -- preempt mode
  {
    name: 'preempt: higher member eligible past the delay → move',
    group: trio,
    bound: [B],
    health: { [A]: { eligibleSince: NOW - 40_000 }, [B]: 'ok', [C]: 'ok' },
    expect: { kind: 'move', from: B, to: A, cause: 'preempt' },
  },
  {
    name: 'preempt: exactly at the delay → move',
    group: trio,
    bound: [B],
    health: { [A]: { eligibleSince: NOW - 30_000 }, [B]: 'ok', [C]: 'ok' },
    expect: { kind: 'move', to: A },
  },
  {
    name: 'preempt: within the delay → noop with a recheck time',
    group: trio,
    bound: [B],
    health: { [A]: { eligibleSince: NOW - 10_000 }, [B]: 'ok', [C]: 'ok' },
    expect: { kind: 'noop', holder: B, recheckAt: NOW + 20_000 },
    reason: /10s of the 30s/,
  },
  {
    name: 'preempt: lower member holds, higher down → elected is B → move after delay',
    group: trio,
    bound: [C],
    health: { [A]: STOPPED, [B]: { eligibleSince: NOW - 31_000 }, [C]: 'ok' },
    expect: { kind: 'move', from: C, to: B, cause: 'preempt' },
  },
  {
    name: 'preempt: holder is the elected → noop',
    group: trio,
    bound: [A],
    health: { [A]: 'ok', [B]: 'ok', [C]: 'ok' },
    expect: { kind: 'noop', holder: A },
  },
  {
    name: 'preempt blocked by the flap guard',
    group: trio,
    bound: [B],
    health: { [A]: { eligibleSince: NOW - 40_000 }, [B]: 'ok', [C]: 'ok' },
    moves: inWindow,
    expect: { kind: 'alert', alert: 'flap-guard', blocked: { to: A, cause: 'preempt' } },
  },
  {
    name: 'preempt: failover picks the elected, not the next priority',
    group: trio,
    bound: [A],
    health: { [A]: STOPPED, [B]: 'ok', [C]: 'ok' },
    expect: { kind: 'move', from: A, to: B, cause: 'failover' },
  },
  {
    name: 'preempt: equal priority is not strictly higher → noop (tie never preempts)',
    group: makeGroup({
      nopreempt: false,
      members: [member(A, 100, '192.168.0.200'), member(B, 100, '192.168.0.2')],
    }),
    bound: [B],
    health: { [A]: 'ok', [B]: 'ok' },
    expect: { kind: 'noop', holder: B },
    reason: /strictly higher/,
  },
  // -- ties in the election
  {
    name: 'tie on priority → higher IPv4 as a number wins (.20 beats .3)',
    group: makeGroup({ members: [member(A, 100, '192.168.0.3'), member(B, 100, '192.168.0.20')] }),
    bound: [],
    health: { [A]: 'ok', [B]: 'ok' },
    expect: { kind: 'attach', target: B },
  },
  {
    name: 'tie on priority → 10.0.0.9 beats 9.255.255.255',
    group: makeGroup({ members: [member(A, 50, '9.255.255.255'), member(B, 50, '10.0.0.9')] }),
    bound: [],
    health: { [A]: 'ok', [B]: 'ok' },
    expect: { kind: 'attach', target: B },
  },
  {
    name: 'tie on priority and IP → lexically greater id wins',
    group: makeGroup({ members: [member('i-b', 100, '192.168.0.5'), member('i-a', 100, '192.168.0.5')] }),
    bound: [],
    health: { 'i-a': 'ok', 'i-b': 'ok' },
    expect: { kind: 'attach', target: 'i-b' },
  },
  // -- manual
  {
    name: 'manual overrides nopreempt',
    bound: [A],
    health: { [A]: 'ok', [B]: 'ok' },
    manual: manual(B),
    expect: { kind: 'move', from: A, to: B, cause: 'manual', forced: false },
    reason: /ops@example/,
  },
  {
    name: 'manual overrides the flap guard',
    bound: [A],
    health: { [A]: 'ok', [B]: 'ok' },
    moves: inWindow,
    manual: manual(B),
    expect: { kind: 'move', cause: 'manual' },
  },
  {
    name: 'manual to an ineligible member is refused',
    bound: [A],
    health: { [A]: 'ok', [B]: STOPPED },
    manual: manual(B),
    expect: { kind: 'alert', alert: 'manual-refused', holder: A },
    reason: /force/,
  },
  {
    name: 'manual force onto an ineligible member is journaled as forced',
    bound: [A],
    health: { [A]: 'ok', [B]: STOPPED },
    manual: manual(B, true),
    expect: { kind: 'move', to: B, forced: true },
  },
  {
    name: 'manual without target elects among the others',
    group: trio,
    bound: [A],
    health: { [A]: 'ok', [B]: STOPPED, [C]: 'ok' },
    manual: manual(),
    expect: { kind: 'move', from: A, to: C, cause: 'manual' },
  },
  {
    name: 'manual without target and no other eligible → refused',
    bound: [A],
    health: { [A]: 'ok', [B]: STOPPED },
    manual: manual(),
    expect: { kind: 'alert', alert: 'manual-refused' },
  },
  {
    name: 'manual to a non-member → refused',
    bound: [A],
    health: { [A]: 'ok', [B]: 'ok' },
    manual: manual('i-zzz'),
    expect: { kind: 'alert', alert: 'manual-refused' },
    reason: /not a member/,
  },
  {
    name: 'manual to the current holder → noop',
    bound: [A],
    health: { [A]: 'ok', [B]: 'ok' },
    manual: manual(A),
    expect: { kind: 'noop', holder: A },
  },
  {
    name: 'manual with nothing bound → attach the target',
    bound: [],
    health: { [A]: 'ok', [B]: 'ok' },
    manual: manual(B),
    expect: { kind: 'attach', target: B, forced: false },
  },
  {
    name: 'manual force attach of an ineligible member with nothing bound',
    bound: [],
    health: { [A]: STOPPED, [B]: STOPPED },
    manual: manual(B, true),
    expect: { kind: 'attach', target: B, forced: true },
  },
];

describe('decide (SEMANTICS.md decision table)', () => {
  it.each(rows)('$name', (row) => {
    const input: DecideInput = {
      group: row.group ?? pair,
      bound: row.bound,
      master: row.master,
      health: healthMap(row.health),
      recentMoves: row.moves ?? [],
      now: NOW,
      manual: row.manual,
    };
    const d = decide(input);
    expect(d).toMatchObject(row.expect);
    expect(d.reason.length).toBeGreaterThan(10);
    if (row.reason) expect(d.reason).toMatch(row.reason);
  });

  it('is deterministic whatever order members and bindings are listed in', () => {
    const reversed = makeGroup({
      members: [...trio.members].reverse(),
      nopreempt: false,
      preemptDelaySeconds: 30,
    });
    for (const g of [trio, reversed]) {
      const d = decide({
        group: g,
        bound: [],
        master: undefined,
        health: healthMap({ [A]: STOPPED, [B]: 'ok', [C]: 'ok' }),
        recentMoves: [],
        now: NOW,
      });
      expect(d).toMatchObject({ kind: 'attach', target: B });
    }
  });

  it('never targets an ineligible member without force (exhaustive over 3-member health combinations)', () => {
    const states: HealthSpec[] = ['ok', STOPPED, HB_TIMEOUT, PROBE_FAIL, DRAINING];
    for (const a of states)
      for (const b of states)
        for (const c of states)
          for (const bound of [[], [A], [B], [C]] as string[][]) {
            const health = healthMap({ [A]: a, [B]: b, [C]: c });
            for (const group of [trio, makeGroup({ members: trio.members })]) {
              const d = decide({ group, bound, master: undefined, health, recentMoves: [], now: NOW });
              const target = d.kind === 'attach' ? d.target : d.kind === 'move' ? d.to : undefined;
              if (target !== undefined) expect(health.get(target)?.eligible).toBe(true);
              // Invariant 7: with nobody eligible the last holder is never detached.
              const anyEligible = [...health.values()].some((h) => h.eligible);
              if (!anyEligible) expect(['alert', 'noop']).toContain(d.kind);
            }
          }
  });
});

describe('decide in keepalived coexistence (announce: keepalived)', () => {
  const ka = (o: Partial<typeof pair> = {}) =>
    makeGroup({
      announce: 'keepalived',
      announceDeadlineSeconds: 30,
      members: [member(A, 100, '192.168.0.11'), member(B, 50, '192.168.0.12')],
      ...o,
    });
  const failedSince = (spec: HealthSpec | { ineligibleSince: number }): number | undefined =>
    typeof spec === 'object' && 'ineligibleSince' in spec ? spec.ineligibleSince : undefined;
  const h = (spec: Record<string, HealthSpec | { ineligibleSince: number }>) => {
    const m = healthMap(
      Object.fromEntries(
        Object.entries(spec).map(([k, v]) => [
          k,
          failedSince(v) === undefined ? (v as HealthSpec) : PROBE_FAIL,
        ]),
      ),
    );
    for (const [k, v] of Object.entries(spec)) {
      const since = failedSince(v);
      if (since !== undefined) m.set(memberId(k), { ...m.get(memberId(k))!, ineligibleSince: since });
    }
    return m;
  };
  it.each([
    {
      name: 'eligible master → noop',
      group: ka(),
      master: A,
      health: h({ [A]: 'ok', [B]: 'ok' }),
      expect: { kind: 'noop', holder: A },
    },
    {
      name: 'unhealthy master within the deadline → wait for keepalived',
      group: ka(),
      master: A,
      health: h({ [A]: { ineligibleSince: NOW - 10_000 }, [B]: 'ok' }),
      expect: { kind: 'noop', holder: A, recheckAt: NOW - 10_000 + 30_001 },
    },
    {
      name: 'unhealthy master past the deadline → keepalived-stuck alert (default)',
      group: ka(),
      master: A,
      health: h({ [A]: { ineligibleSince: NOW - 31_000 }, [B]: 'ok' }),
      expect: { kind: 'alert', alert: 'keepalived-stuck', holder: A },
    },
    {
      name: 'past the deadline with keepalivedForceMove → unbind the master toward the elected peer',
      group: ka({ keepalivedForceMove: true }),
      master: A,
      health: h({ [A]: { ineligibleSince: NOW - 31_000 }, [B]: 'ok' }),
      expect: { kind: 'move', from: A, to: B },
    },
    {
      name: 'force move blocked by the flap guard',
      group: ka({ keepalivedForceMove: true }),
      master: A,
      health: h({ [A]: { ineligibleSince: NOW - 31_000 }, [B]: 'ok' }),
      moves: inWindow,
      expect: { kind: 'alert', alert: 'flap-guard' },
    },
    {
      name: 'unhealthy master, nobody else eligible → keep, alert',
      group: ka({ keepalivedForceMove: true }),
      master: A,
      health: h({ [A]: { ineligibleSince: NOW - 99_000 }, [B]: STOPPED }),
      expect: { kind: 'alert', alert: 'no-eligible-member', holder: A },
    },
    {
      name: 'no master shortly after the old one failed → wait',
      group: ka(),
      master: undefined,
      health: h({ [A]: { ineligibleSince: NOW - 2_000 }, [B]: 'ok' }),
      expect: { kind: 'noop', holder: undefined },
    },
    {
      name: 'no master for longer than the deadline → keepalived-stuck',
      group: ka(),
      master: undefined,
      health: h({ [A]: { ineligibleSince: NOW - 60_000 }, [B]: 'ok' }),
      expect: { kind: 'alert', alert: 'keepalived-stuck', holder: undefined },
    },
    {
      name: 'no master and nobody failed → keepalived is not announcing at all',
      group: ka(),
      master: undefined,
      health: h({ [A]: 'ok', [B]: 'ok' }),
      expect: { kind: 'alert', alert: 'keepalived-stuck' },
    },
    {
      name: 'manual failover is refused (keepalived elects)',
      group: ka(),
      master: A,
      health: h({ [A]: 'ok', [B]: 'ok' }),
      manual: manual(B),
      expect: { kind: 'alert', alert: 'manual-refused' },
    },
  ])('$name', ({ group, master, health, moves, manual: m, expect: e }) => {
    const d = decide({ group, bound: [A, B], master, health, recentMoves: moves ?? [], now: NOW, manual: m });
    expect(d).toMatchObject(e);
  });

  it('foreign binding → alert even in coexistence', () => {
    const d = decide({
      group: ka(),
      bound: [A, B, FOREIGN],
      master: A,
      health: h({ [A]: 'ok', [B]: 'ok' }),
      recentMoves: [],
      now: NOW,
    });
    expect(d).toMatchObject({ kind: 'alert', alert: 'foreign-association' });
  });
});
