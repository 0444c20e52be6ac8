/**
 * Benchmark 1: the failover critical path. An ECS `Stopping` event for the HaVip holder enters the
 * trigger handler (`handleEcsEvent`, as the FC entry point calls it) and the orchestrator moves the HaVip
 * to the backup: observe, attach, detach and — with `announce: cloud-assistant` — run the announce
 * command and verify `MasterInstanceId`. Every cloud call is timed through a recording wrapper, so the
 * run yields the chain of calls that had to happen one after another and the time spent outside them.
 */
import { performance } from 'node:perf_hooks';
import * as wire from '../shared/adapters/alibaba/wire.js';
import { type SimEcsStateChangeEvent, VPC_VERSION } from '../shared/adapters/simulator/index.js';
import { handleEcsEvent } from '../shared/app/handlers.js';
import { loadTopology } from '../shared/core/config.js';
import type { AnnouncePolicy } from '../shared/core/model.js';
import { type CallRecord, criticalChain, describeChain, recordCalls } from './lib/recording-cloud.js';
import { type Summary, summarize } from './lib/stats.js';
import { generateTopology, haVipIdOf, memberIdOf } from './lib/topology.js';
import { type BenchWorld, startBenchWorld, type TimerWait, timedClock } from './lib/world.js';

export interface FailoverOptions {
  /** Simulated per-call API latency, ms (every action). */
  readonly latenciesMs: readonly number[];
  readonly announces: readonly AnnouncePolicy[];
  /** Measured runs per variant (after the warm-up runs). */
  readonly runs: number;
  /** Discarded runs per variant, so the figures describe a warm function instance. */
  readonly warmup: number;
  /**
   * HaVip/EIP/instance transition time and Cloud Assistant command run time, ms. Kept below the latency
   * so that the first status poll after a mutation already sees the settled state.
   */
  readonly transitionDelayMs: number;
  readonly progress?: (line: string) => void;
}

export const DEFAULT_FAILOVER: FailoverOptions = {
  latenciesMs: [50, 200],
  announces: ['cloud-assistant', 'none'],
  runs: 15,
  warmup: 2,
  transitionDelayMs: 20,
};

/** One measured failover. Times in ms, from the moment the event body enters the handler. */
export interface FailoverSample {
  /** Until the handler returned (includes the journal, history and notification after the switch). */
  readonly handlerMs: number;
  /** Until the last cloud call of the run ended: the verify read, or the final detach poll. */
  readonly switchMs: number;
  /** Cloud calls that had to run one after another. */
  readonly chain: number;
  readonly calls: number;
  /** `switchMs` minus the nominal latency of the chain's calls (chain × L). */
  readonly overheadMs: number;
  /**
   * `switchMs` minus the simulator's latency waits on the chain as they really lasted: the overhead
   * without the timer slack of the simulator's event loop.
   */
  readonly overheadExactMs: number;
  /** Timer slack: how much longer than L the chain's latency waits really took, summed. */
  readonly timerSlackMs: number;
  /** The overhead inside chain calls (besides the real waits): adapter, signing, loopback HTTP, simulator. */
  readonly inCallsMs: number;
  /** The overhead between chain calls: event parsing, engine, store, logging. */
  readonly betweenCallsMs: number;
  /**
   * CPU time of the process during the handler: the orchestrator's work plus the in-process simulator's
   * (its share per call is measured apart by {@link measureCallCost}).
   */
  readonly cpuMs: number;
  readonly chainText: string;
}

export interface FailoverVariant {
  readonly latencyMs: number;
  readonly announce: AnnouncePolicy;
  readonly samples: readonly FailoverSample[];
  /** Runs that did not end in the expected state, with what happened instead. */
  readonly failures: readonly string[];
  readonly summary: {
    readonly handlerMs: Summary;
    readonly switchMs: Summary;
    readonly chain: Summary;
    readonly calls: Summary;
    readonly overheadMs: Summary;
    readonly overheadExactMs: Summary;
    readonly timerSlackMs: Summary;
    readonly inCallsMs: Summary;
    readonly betweenCallsMs: Summary;
    readonly cpuMs: Summary;
  };
  readonly chainText: string;
}

export interface FailoverReport {
  readonly options: FailoverOptions;
  readonly variants: readonly FailoverVariant[];
}

/**
 * Sequential cloud calls a failover should take, by announce policy. `none`: the observation, the attach,
 * one read that settles the attach and is the detach's fresh read, the detach and its settle poll.
 * `cloud-assistant` adds the attach's own settle poll (the command runs on a settled binding) and the
 * command, whose result is read beside the detach's fresh read; the detach's settle poll shows the new
 * master, so the verify step needs no call of its own.
 */
export const CHAIN_TARGET: Readonly<Partial<Record<AnnouncePolicy, number>>> = {
  none: 5,
  'cloud-assistant': 7,
};

const EXPECTED_STATUS: Record<AnnouncePolicy, string> = {
  // Verified through MasterInstanceId after the announce command.
  'cloud-assistant': 'done',
  // Nothing announces, so the engine reports the bind as unverified (by design).
  none: 'unverified',
  agent: 'switch-incomplete',
  keepalived: 'done',
};

/**
 * A warm function instance: one runtime (adapter, store, engine) kept across events, as Function Compute
 * keeps it between invocations, over a simulated cloud with one two-member group per planned run. Run `i`
 * stops group `i`'s primary and hands the `Stopping` event to the handler; no run sees another's state.
 */
export class FailoverRig {
  private next = 0;

  private constructor(
    readonly latencyMs: number,
    readonly announce: AnnouncePolicy,
    readonly groups: number,
    private readonly world: BenchWorld,
    private readonly recorded: CallRecord[],
    private readonly waits: TimerWait[],
  ) {}

  static async start(opts: {
    latencyMs: number;
    announce: AnnouncePolicy;
    transitionDelayMs: number;
    groups: number;
  }): Promise<FailoverRig> {
    const { topology } = loadTopology(
      generateTopology({ groups: opts.groups, members: 2, announce: opts.announce }),
      {
        source: 'failover benchmark',
      },
    );
    let recorded: CallRecord[] = [];
    const { clock, waits } = timedClock();
    const world = await startBenchWorld({
      topology,
      sim: {
        clock,
        transitionDelayMs: opts.transitionDelayMs,
        cloudAssistantDelayMs: opts.transitionDelayMs,
        randomSeed: 1,
      },
      wrapCloud: (c) => {
        const r = recordCalls(c);
        recorded = r.calls;
        return r.cloud;
      },
    });
    world.sim.faults.setLatency(opts.latencyMs);
    return new FailoverRig(opts.latencyMs, opts.announce, opts.groups, world, recorded, waits);
  }

  /** Fails over the next unused group; throws when the world ends in an unexpected state. */
  async run(): Promise<FailoverSample> {
    const i = this.next++;
    if (i >= this.groups) throw new Error(`this rig has ${this.groups} groups; all have failed over`);
    const { sim, runtime, logger } = this.world;
    const primary = memberIdOf(i, 0);
    const backup = memberIdOf(i, 1);
    const events: SimEcsStateChangeEvent[] = [];
    const off = sim.onEvent((e) => events.push(e));
    sim.stopInstance(primary);
    off();
    const stopping = events.find((e) => e.data.resourceId === primary && e.data.state === 'Stopping');
    if (stopping === undefined) throw new Error('the simulator emitted no Stopping event');
    // Function Compute hands the event over as a Buffer.
    const body = Buffer.from(JSON.stringify(stopping));
    this.recorded.length = 0;
    this.waits.length = 0;

    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const result = await handleEcsEvent(runtime.service, logger, body, `bench-${i}`);
    const t1 = performance.now();
    const cpu = process.cpuUsage(cpu0);

    const status = result.results[0]?.status;
    const bound = sim.haVip(haVipIdOf(i))?.associatedInstances ?? [];
    if (status !== EXPECTED_STATUS[this.announce] || bound.length !== 1 || bound[0] !== backup) {
      throw new Error(`ended with status ${String(status)}, HaVip bound to [${bound.join(', ')}]`);
    }
    const calls = [...this.recorded];
    const chain = criticalChain(calls);
    const lastEnd = Math.max(...calls.map((c) => c.end));
    const inChain = chain.reduce((a, c) => a + (c.end - c.start), 0);
    // Each call waits on exactly one latency timer, inside the call's own interval.
    const realWaits = chain.reduce((a, c) => {
      if (this.latencyMs === 0) return a;
      const w = this.waits.find((x) => x.ms === this.latencyMs && x.start >= c.start && x.end <= c.end);
      if (w === undefined) throw new Error(`no latency wait found inside a ${c.op} call`);
      return a + (w.end - w.start);
    }, 0);
    const switchMs = lastEnd - t0;
    return {
      handlerMs: t1 - t0,
      switchMs,
      chain: chain.length,
      calls: calls.length,
      overheadMs: switchMs - chain.length * this.latencyMs,
      overheadExactMs: switchMs - realWaits,
      timerSlackMs: realWaits - chain.length * this.latencyMs,
      inCallsMs: inChain - realWaits,
      betweenCallsMs: switchMs - inChain,
      cpuMs: (cpu.user + cpu.system) / 1000,
      chainText: describeChain(chain, calls),
    };
  }

  close(): Promise<void> {
    return this.world.close();
  }
}

/**
 * Runs every variant `warmup + runs` times, interleaved (variant A, B, C, A, B, C, …) so drift on a shared
 * machine hits all variants alike. Each variant is one warm instance; its warm-up runs are discarded.
 */
export async function runFailoverBench(opts: FailoverOptions = DEFAULT_FAILOVER): Promise<FailoverReport> {
  const total = opts.warmup + opts.runs;
  const variants: { rig: FailoverRig; samples: FailoverSample[]; failures: string[] }[] = [];
  try {
    for (const latencyMs of opts.latenciesMs) {
      for (const announce of opts.announces) {
        const rig = await FailoverRig.start({
          latencyMs,
          announce,
          transitionDelayMs: opts.transitionDelayMs,
          groups: total,
        });
        variants.push({ rig, samples: [], failures: [] });
      }
    }
    for (let i = 0; i < total; i++) {
      for (const v of variants) {
        try {
          const s = await v.rig.run();
          if (i >= opts.warmup) v.samples.push(s);
        } catch (e) {
          const why = e instanceof Error ? e.message : String(e);
          v.failures.push(i < opts.warmup ? `warm-up: ${why}` : why);
        }
      }
      opts.progress?.(`failover: round ${i + 1}/${total}${i < opts.warmup ? ' (warm-up)' : ''}`);
    }
  } finally {
    for (const v of variants) await v.rig.close();
  }
  return {
    options: opts,
    variants: variants.map((v) => {
      const pick = (f: (s: FailoverSample) => number) => summarize(v.samples.map(f));
      return {
        latencyMs: v.rig.latencyMs,
        announce: v.rig.announce,
        samples: v.samples,
        failures: v.failures,
        chainText: v.samples[0]?.chainText ?? '',
        summary: {
          handlerMs: pick((s) => s.handlerMs),
          switchMs: pick((s) => s.switchMs),
          chain: pick((s) => s.chain),
          calls: pick((s) => s.calls),
          overheadMs: pick((s) => s.overheadMs),
          overheadExactMs: pick((s) => s.overheadExactMs),
          timerSlackMs: pick((s) => s.timerSlackMs),
          inCallsMs: pick((s) => s.inCallsMs),
          betweenCallsMs: pick((s) => s.betweenCallsMs),
          cpuMs: pick((s) => s.cpuMs),
        },
      };
    }),
  };
}

/** What one cloud call costs apart from the simulated latency (L = 0), measured two ways. */
export interface CallCostReport {
  /** `describeHaVips` through the adapter: signing, loopback HTTP, the simulator, parsing and validation. */
  readonly viaAdapterMs: Summary;
  /** The same request handed to the simulator directly, without HTTP: the simulator's own share. */
  readonly simulatorOnlyMs: Summary;
}

/** Sequential `DescribeHaVips` calls for one HaVip, after a warm-up, with no simulated latency. */
export async function measureCallCost(samples = 200): Promise<CallCostReport> {
  const { topology } = loadTopology(generateTopology({ groups: 1, members: 2 }), { source: 'call cost' });
  const world = await startBenchWorld({ topology, sim: { randomSeed: 1 } });
  try {
    const regionId = topology.region;
    const haVipIds = [haVipIdOf(0)];
    const request = wire.describeHaVips({ regionId, haVipIds, pageNumber: 1 });
    const direct = () =>
      world.sim.handle({ version: VPC_VERSION, action: 'DescribeHaVips', params: request.query });
    const adapter = () => world.runtime.cloud.describeHaVips({ regionId, haVipIds });
    const time = async (call: () => Promise<unknown>): Promise<number[]> => {
      for (let i = 0; i < 20; i++) await call();
      const out: number[] = [];
      for (let i = 0; i < samples; i++) {
        const t0 = performance.now();
        await call();
        out.push(performance.now() - t0);
      }
      return out;
    };
    return { viaAdapterMs: summarize(await time(adapter)), simulatorOnlyMs: summarize(await time(direct)) };
  } finally {
    await world.close();
  }
}
