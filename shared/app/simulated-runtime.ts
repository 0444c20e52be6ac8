/**
 * The one way to stand the orchestrator up on a simulated cloud: the Alibaba VPC/ECS simulator (the ground
 * truth), the production Alibaba adapter talking to it, a SQLite store and the runtime (engine + service).
 * The local mode, `havip simulate --engine`, the benchmarks, the integration tests and the fault campaign
 * all assemble it here and differ only in the options:
 *
 * - over HTTP ({@link startSimulatedRuntime}): the simulator's server on 127.0.0.1, the real wire protocol
 *   and request signing;
 * - in-process ({@link assembleSimulatedRuntime}): the same requests and answers without a socket, built
 *   synchronously, for runs on virtual time.
 *
 * What each caller adds on top (the HTTP API, sweeps, agents, instruments) stays with the caller. Parts
 * that will join later (host-agent processes and an MNS topic in the local mode, a Tencent simulator) fit
 * as further choices of `simulator` and further entries on the close list.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { createAlibabaCloudApi } from '../adapters/alibaba/index.js';
import {
  SimulatedCloud,
  type SimulatedCloudOptions,
  type SimulatorServer,
  seedFromTopology,
  startSimulatorServer,
} from '../adapters/simulator/index.js';
import { createSqliteStore } from '../adapters/sqlite/index.js';
import type { Topology } from '../core/model.js';
import type { CloudApi, StateStore } from '../core/ports.js';
import { assembleRuntime, type Runtime, type RuntimeParts } from './runtime.js';
import { simulatorTransport } from './simulator-transport.js';

/**
 * A simulator seeded from the topology (every member, HaVip and EIP exists), with its clock, random seed
 * and delays (transitions, keepalived takeover, Cloud Assistant). Faults are set on `sim.faults` later.
 */
export interface SeededSimulator extends SimulatedCloudOptions {
  /** Bind each HaVip (or direct EIP) to its highest-priority member at the start, or leave all unbound. */
  readonly attach: 'highest' | 'none';
}

/** A simulator that already runs, shared with another runtime (two orchestrators on one cloud). */
export interface RunningSimulator {
  readonly running: SimulatedCloud;
}

/** Where the state lives. */
export type StoreChoice =
  /** A SQLite store of its own: `:memory:`, or a file; `fresh` removes the file first (a clean demo). */
  | { readonly sqlitePath: string; readonly fresh?: boolean }
  /** A store shared with another runtime; it stays open when this one closes. */
  | { readonly shared: StateStore };

export interface SimulatedRuntimeOptions {
  readonly topology: Topology;
  readonly simulator: SeededSimulator | RunningSimulator;
  /** Default: SQLite in memory. */
  readonly store?: StoreChoice;
  /** The AccessKey the adapter signs with; a simulator seeded from a topology accepts any. */
  readonly accessKey?: { readonly id: string; readonly secret: string };
  /** Wraps the adapter before the engine sees it (recording call timings, pausing calls). */
  readonly wrapCloud?: (adapter: CloudApi) => CloudApi;
  /** Everything else the runtime takes: notifier, logger, clock, prober, random, engine options, budget. */
  readonly runtime: Omit<RuntimeParts, 'topology' | 'cloud' | 'store'>;
}

export interface SimulatedRuntime {
  readonly topology: Topology;
  readonly sim: SimulatedCloud;
  /** The adapter as the engine sees it (after `wrapCloud`). */
  readonly cloud: CloudApi;
  readonly store: StateStore;
  readonly runtime: Runtime;
  /** Stops what this assembly started and closes the store it opened; shared parts stay up. */
  close(): Promise<void>;
}

export interface HttpSimulatedRuntime extends SimulatedRuntime {
  /** The simulator's HTTP server on 127.0.0.1 (its `url` also serves the admin endpoints). */
  readonly server: SimulatorServer;
}

const DEFAULT_ACCESS_KEY = { id: 'simulated-key', secret: 'simulated-secret' } as const;

/** The runtime on the simulator behind its HTTP server: the production wire path end to end. */
export async function startSimulatedRuntime(opts: SimulatedRuntimeOptions): Promise<HttpSimulatedRuntime> {
  const sim = simulatorFor(opts);
  const server = await startSimulatorServer({ cloud: sim });
  const key = opts.accessKey ?? DEFAULT_ACCESS_KEY;
  const adapter = createAlibabaCloudApi({
    credentials: { accessKeyId: key.id, accessKeySecret: key.secret },
    endpoints: { override: server.endpoint },
    protocol: 'http',
  });
  const assembled = assemble(opts, sim, adapter, [() => server.close()]);
  return { ...assembled, server };
}

/**
 * The runtime on the simulator in the same process, built synchronously (the fault campaign constructs
 * its world this way, on virtual time). Request building and answer parsing are the HTTP path's.
 */
export function assembleSimulatedRuntime(opts: SimulatedRuntimeOptions): SimulatedRuntime {
  const sim = simulatorFor(opts);
  const key = opts.accessKey ?? DEFAULT_ACCESS_KEY;
  const adapter = createAlibabaCloudApi({
    credentials: { accessKeyId: key.id, accessKeySecret: key.secret },
    transport: simulatorTransport(sim),
  });
  return assemble(opts, sim, adapter, []);
}

function simulatorFor(opts: SimulatedRuntimeOptions): SimulatedCloud {
  const choice = opts.simulator;
  if ('running' in choice) return choice.running;
  const { attach, ...options } = choice;
  return new SimulatedCloud(seedFromTopology(opts.topology, { attach }), options);
}

function openStore(choice: StoreChoice): { readonly store: StateStore; readonly owned: boolean } {
  if ('shared' in choice) return { store: choice.shared, owned: false };
  const path = choice.sqlitePath;
  if (choice.fresh === true && path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true });
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  }
  return { store: createSqliteStore({ path }), owned: true };
}

/** The shared tail: store, runtime, and one close that undoes what was started, in order. */
function assemble(
  opts: SimulatedRuntimeOptions,
  sim: SimulatedCloud,
  adapter: CloudApi,
  closers: (() => Promise<void>)[],
): SimulatedRuntime {
  const { store, owned } = openStore(opts.store ?? { sqlitePath: ':memory:' });
  const cloud = opts.wrapCloud ? opts.wrapCloud(adapter) : adapter;
  const runtime = assembleRuntime({ ...opts.runtime, topology: opts.topology, cloud, store });
  if (owned) closers.push(() => store.close());
  return {
    topology: opts.topology,
    sim,
    cloud,
    store,
    runtime,
    async close() {
      for (const close of closers) await close();
    },
  };
}
