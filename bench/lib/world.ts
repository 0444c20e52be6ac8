/**
 * The production wiring in one process, for the in-process benchmarks: the simulator behind its HTTP
 * server on 127.0.0.1, the Alibaba adapter talking to it over the wire (signing included), an in-memory
 * SQLite store, the pino logger writing real JSON lines (to a sink, so the benchmark output stays
 * readable) and the log notifier. Engine options are the production defaults.
 */
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { createLogger } from '../../shared/adapters/logger/index.js';
import {
  type SimClock,
  type SimulatedCloud,
  type SimulatedCloudOptions,
  type SimulatorServer,
  systemClock,
} from '../../shared/adapters/simulator/index.js';
import { createLogNotifier } from '../../shared/adapters/webhook/index.js';
import type { Runtime } from '../../shared/app/runtime.js';
import { startSimulatedRuntime } from '../../shared/app/simulated-runtime.js';
import type { Topology } from '../../shared/core/model.js';
import type { CloudApi, Logger } from '../../shared/core/ports.js';

/** A stream that accepts and drops everything: the logger still formats every line. */
export function nullSink(): Writable {
  return new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });
}

/** One timer the simulator waited on: asked for `ms`, actually fired `end − start` later. */
export interface TimerWait {
  readonly ms: number;
  readonly start: number;
  readonly end: number;
}

/**
 * The system clock, with every timer's real duration recorded. Node fires a timer at the earliest after
 * its delay, often a millisecond or more later on a busy machine: that slack is the simulator's, not the
 * orchestrator's, so the failover benchmark subtracts the waits as they really were.
 */
export function timedClock(): { readonly clock: SimClock; readonly waits: TimerWait[] } {
  const waits: TimerWait[] = [];
  const clock: SimClock = {
    now: () => systemClock.now(),
    setTimeout: (fn, ms) => {
      const start = performance.now();
      return systemClock.setTimeout(() => {
        waits.push({ ms, start, end: performance.now() });
        fn();
      }, ms);
    },
    clearTimeout: (t) => systemClock.clearTimeout?.(t),
  };
  return { clock, waits };
}

export interface BenchWorld {
  readonly sim: SimulatedCloud;
  readonly server: SimulatorServer;
  readonly runtime: Runtime;
  readonly logger: Logger;
  close(): Promise<void>;
}

export async function startBenchWorld(opts: {
  readonly topology: Topology;
  readonly sim: SimulatedCloudOptions;
  /** Wraps the adapter before the engine sees it (e.g. to record call timings). */
  readonly wrapCloud?: (c: CloudApi) => CloudApi;
}): Promise<BenchWorld> {
  const logger = createLogger({ level: 'info', destination: nullSink() });
  const world = await startSimulatedRuntime({
    topology: opts.topology,
    simulator: { attach: 'highest', ...opts.sim },
    wrapCloud: opts.wrapCloud,
    runtime: { notifier: createLogNotifier(logger), logger },
  });
  return { ...world, logger };
}
