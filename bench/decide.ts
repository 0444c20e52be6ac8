/**
 * Benchmark 4 (sanity only): how many decisions per second the pure core makes for a 10-member group.
 * A decision is never the bottleneck next to a cloud round trip; this guards against an accidental
 * quadratic or an allocation storm in `decide()`.
 */
import { performance } from 'node:perf_hooks';
import { loadTopology } from '../shared/core/config.js';
import { type DecideInput, decide } from '../shared/core/decide.js';
import type { Decision, Group, MemberHealth, MemberId } from '../shared/core/model.js';
import { type Summary, summarize } from './lib/stats.js';
import { generateTopology } from './lib/topology.js';

export interface DecideOptions {
  /** Timed batches per scenario. */
  readonly samples: number;
  /** Calls per batch. */
  readonly iterations: number;
}

export const DEFAULT_DECIDE: DecideOptions = { samples: 9, iterations: 20_000 };

export interface DecideScenarioReport {
  readonly scenario: string;
  readonly expected: Decision['kind'];
  readonly opsPerSecond: Summary;
}

export interface DecideReport {
  readonly options: DecideOptions;
  readonly members: number;
  readonly scenarios: readonly DecideScenarioReport[];
}

function healthy(group: Group, now: number, down?: MemberId): Map<MemberId, MemberHealth> {
  return new Map(
    group.members.map((m) => [
      m.id,
      m.id === down
        ? {
            id: m.id,
            eligible: false,
            eligibleSince: undefined,
            reasons: [{ kind: 'stopped', status: 'Stopping' }],
          }
        : { id: m.id, eligible: true, eligibleSince: now - 3_600_000, reasons: [] },
    ]),
  );
}

export function runDecideBench(opts: DecideOptions = DEFAULT_DECIDE): DecideReport {
  const { topology } = loadTopology(generateTopology({ groups: 1, members: 10 }), {
    source: 'decide benchmark',
  });
  const group = topology.groups[0] as Group;
  const now = Date.UTC(2026, 0, 1);
  const holder = (group.members[0] as { id: MemberId }).id;
  const scenarios: { scenario: string; expected: Decision['kind']; input: DecideInput }[] = [
    {
      scenario: 'holder healthy, nopreempt',
      expected: 'noop',
      input: { group, bound: [holder], master: holder, health: healthy(group, now), recentMoves: [], now },
    },
    {
      scenario: 'holder stopped → failover',
      expected: 'move',
      input: {
        group,
        bound: [holder],
        master: holder,
        health: healthy(group, now, holder),
        recentMoves: [now - 60_000],
        now,
      },
    },
  ];
  return {
    options: opts,
    members: group.members.length,
    scenarios: scenarios.map(({ scenario, expected, input }) => {
      const got = decide(input).kind;
      if (got !== expected)
        throw new Error(`decide benchmark: ${scenario} decided ${got}, expected ${expected}`);
      // Warm-up so the samples measure optimised code.
      for (let i = 0; i < opts.iterations; i++) decide(input);
      const rates: number[] = [];
      let sink = 0;
      for (let s = 0; s < opts.samples; s++) {
        const t0 = performance.now();
        for (let i = 0; i < opts.iterations; i++) sink += decide(input).reason.length;
        rates.push(opts.iterations / ((performance.now() - t0) / 1000));
      }
      // Keep the results alive so the loop cannot be optimised away.
      if (sink < 0) throw new Error('unreachable');
      return { scenario, expected, opsPerSecond: summarize(rates) };
    }),
  };
}
