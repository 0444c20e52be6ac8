/**
 * Benchmark 6: what a host agent's API heartbeat costs in cloud calls. Every member of `groups` groups
 * beats `beats` times; the orchestrator (in-process simulator, SQLite in memory) answers each with the
 * HaVips the member holds.
 *
 * - **before**: what `Service.heartbeat` did until issue 12, replayed here: record the beat, then one
 *   `engine.observeOne` (a `DescribeHaVips` and a `DescribeInstances`) per group of the member.
 * - **now**: `Service.heartbeat`, which answers from the engine's last observation kept in the store.
 *   Measured twice: the first round after a sweep (the deployed steady state: the timer sweep keeps
 *   every group's observation), and the first round on an empty store (each group described once, by
 *   its first heartbeat), each followed by the steady rounds.
 *
 * Figures are calls counted at the cloud port, so they do not depend on the machine; wall times are
 * printed for context only.
 */
import { performance } from 'node:perf_hooks';
import { createLogger } from '../shared/adapters/logger/index.js';
import { assembleSimulatedRuntime, type SimulatedRuntime } from '../shared/app/simulated-runtime.js';
import { loadTopology } from '../shared/core/config.js';
import { groupsOf } from '../shared/core/ingest.js';
import { memberId } from '../shared/core/model.js';
import type { Notifier } from '../shared/core/ports.js';
import { type CallRecord, recordCalls } from './lib/recording-cloud.js';
import { generateTopology } from './lib/topology.js';

export interface HeartbeatCostOptions {
  readonly groups: number;
  readonly members: number;
  /** Heartbeats per member in each variant (the first round included). */
  readonly beats: number;
  /** The agents' interval, for the per-second projection (the agent's default is 5 s). */
  readonly intervalSeconds: number;
}

export const DEFAULT_HEARTBEAT_COST: HeartbeatCostOptions = {
  groups: 1_000,
  members: 2,
  beats: 5,
  intervalSeconds: 5,
};

/** One variant: calls counted over its heartbeats, split into the first round and the rest. */
export interface HeartbeatVariant {
  readonly variant: string;
  readonly heartbeats: { readonly first: number; readonly steady: number };
  readonly describeHaVips: { readonly first: number; readonly steady: number };
  readonly allCalls: { readonly first: number; readonly steady: number };
  /** Wall time per heartbeat in the steady rounds (context only). */
  readonly steadyMsPerBeat: number;
}

export interface HeartbeatCostReport {
  readonly options: HeartbeatCostOptions;
  readonly variants: readonly HeartbeatVariant[];
  /** Heartbeats per second the fleet sends: members × groups ÷ interval. */
  readonly beatsPerSecond: number;
}

const NOTIFIER: Notifier = { notify: async () => undefined };

function world(opts: HeartbeatCostOptions): { rt: SimulatedRuntime; calls: CallRecord[] } {
  const { topology } = loadTopology(generateTopology({ groups: opts.groups, members: opts.members }), {
    source: 'heartbeat-cost bench',
  });
  let calls: CallRecord[] = [];
  const rt = assembleSimulatedRuntime({
    topology,
    simulator: { attach: 'highest', transitionDelayMs: 0, randomSeed: 1 },
    wrapCloud: (adapter) => {
      const recorded = recordCalls(adapter);
      calls = recorded.calls;
      return recorded.cloud;
    },
    runtime: { notifier: NOTIFIER, logger: createLogger({ level: 'silent' }), defaultBudgetMs: 600_000 },
  });
  return { rt, calls };
}

type Beat = (rt: SimulatedRuntime, member: string, sequence: number) => Promise<void>;

/** Until issue 12: the beat recorded, then every group of the member described. */
const beforeBeat: Beat = async (rt, member, sequence) => {
  const { engine, store } = rt.runtime;
  await store.recordSignal({
    kind: 'heartbeat',
    memberId: memberId(member),
    source: 'http',
    sequence,
    receivedAt: Date.now(),
  });
  for (const g of groupsOf(rt.topology, member)) await engine.observeOne(g);
};

const nowBeat: Beat = async (rt, member, sequence) => {
  await rt.runtime.service.heartbeat({ instanceId: member, sequence });
};

async function runVariant(
  opts: HeartbeatCostOptions,
  variant: string,
  beat: Beat,
  sweepFirst: boolean,
): Promise<HeartbeatVariant> {
  const { rt, calls } = world(opts);
  try {
    if (sweepFirst) await rt.runtime.service.sweep('bench-sweep');
    const members = rt.topology.groups.flatMap((g) => g.members.map((m) => m.id as string));
    const count = () => ({
      describeHaVips: calls.filter((c) => c.op === 'describeHaVips').length,
      all: calls.length,
    });
    const round = async (n: number) => {
      for (const m of members) await beat(rt, m, n);
    };
    const start = count();
    await round(1);
    const afterFirst = count();
    const t0 = performance.now();
    for (let n = 2; n <= opts.beats; n++) await round(n);
    const steadyMs = performance.now() - t0;
    const end = count();
    const steadyBeats = members.length * (opts.beats - 1);
    return {
      variant,
      heartbeats: { first: members.length, steady: steadyBeats },
      describeHaVips: {
        first: afterFirst.describeHaVips - start.describeHaVips,
        steady: end.describeHaVips - afterFirst.describeHaVips,
      },
      allCalls: { first: afterFirst.all - start.all, steady: end.all - afterFirst.all },
      steadyMsPerBeat: steadyBeats === 0 ? Number.NaN : steadyMs / steadyBeats,
    };
  } finally {
    await rt.close();
  }
}

export async function runHeartbeatCostBench(
  opts: HeartbeatCostOptions & { readonly progress?: (line: string) => void },
): Promise<HeartbeatCostReport> {
  if (opts.beats < 2)
    throw new RangeError(`beats must be ≥ 2 (a first round and a steady one), got ${opts.beats}`);
  const variants: HeartbeatVariant[] = [];
  const plan: [string, Beat, boolean][] = [
    ['before: a describe per beat', beforeBeat, true],
    ['now, after a sweep', nowBeat, true],
    ['now, empty store', nowBeat, false],
  ];
  for (const [name, beat, sweepFirst] of plan) {
    opts.progress?.(`heartbeat cost: ${name} (${opts.groups}×${opts.members}, ${opts.beats} beats each)`);
    variants.push(await runVariant(opts, name, beat, sweepFirst));
  }
  return {
    options: {
      groups: opts.groups,
      members: opts.members,
      beats: opts.beats,
      intervalSeconds: opts.intervalSeconds,
    },
    variants,
    beatsPerSecond: (opts.groups * opts.members) / opts.intervalSeconds,
  };
}

/** DescribeHaVips calls per heartbeat. */
export const perBeat = (calls: number, beats: number): number => (beats === 0 ? Number.NaN : calls / beats);
