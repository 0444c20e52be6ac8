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
 * What each caller adds on top (the HTTP API, sweeps, agents, instruments) stays with the caller.
 *
 * On Tencent Cloud ({@link startTencentSimulatedRuntime}): the Tencent simulator seeded from the
 * topology's Tencent groups, the production Tencent adapter signing TC3 over HTTP, and the same store
 * and runtime tail.
 */
import { randomBytes } from 'node:crypto';
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
import { createTencentCloudApi } from '../adapters/tencent/index.js';
import {
  startTencentSimulatorServer,
  type TencentSimCredentials,
  TencentSimulatedCloud,
  type TencentSimulatedCloudOptions,
  tencentSeedFromTopology,
} from '../adapters/tencent-simulator/index.js';
import type { Topology } from '../core/model.js';
import type { CloudApi, StateStore } from '../core/ports.js';
import type { TencentCloudApi } from '../core/tencent-ports.js';
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

/** The Alibaba tail: the adapter (wrapped), then the shared tail. */
function assemble(
  opts: SimulatedRuntimeOptions,
  sim: SimulatedCloud,
  adapter: CloudApi,
  closers: (() => Promise<void>)[],
): SimulatedRuntime {
  const cloud = opts.wrapCloud ? opts.wrapCloud(adapter) : adapter;
  const { store, close } = openAndClose(opts.store, closers);
  const runtime = assembleRuntime({ ...opts.runtime, topology: opts.topology, cloud, store });
  return { topology: opts.topology, sim, cloud, store, runtime, close };
}

/** The shared tail: the store, and one close that undoes what was started, in order. */
function openAndClose(
  choice: StoreChoice | undefined,
  closers: (() => Promise<void>)[],
): { readonly store: StateStore; close(): Promise<void> } {
  const { store, owned } = openStore(choice ?? { sqlitePath: ':memory:' });
  if (owned) closers.push(() => store.close());
  return {
    store,
    async close() {
      for (const close of closers) await close();
    },
  };
}

/**
 * The Tencent simulator seeded from the topology's Tencent groups, with its delays. It accepts one key
 * pair, made up for the run, which the adapter signs with (TC3).
 */
export interface SeededTencentSimulator extends Omit<TencentSimulatedCloudOptions, 'credentials'> {
  /** Scope, holder and EIP on each HAVIP's highest-priority member at the start, or nothing bound. */
  readonly attach: 'highest' | 'none';
}

/** The Tencent simulator behind its HTTP server and the production Tencent adapter talking to it. */
export interface TencentSimulatorOnWire {
  readonly sim: TencentSimulatedCloud;
  /** Its `url` also serves the admin endpoints. */
  readonly server: SimulatorServer;
  readonly api: TencentCloudApi;
  /** The one key pair the simulator accepts (local, never a real Tencent key). */
  readonly credentials: TencentSimCredentials;
  close(): Promise<void>;
}

export async function startTencentSimulatorOnWire(
  topology: Topology,
  simulator: SeededTencentSimulator,
): Promise<TencentSimulatorOnWire> {
  const { attach, ...options } = simulator;
  const credentials = {
    secretId: `AKIDsim${randomBytes(12).toString('hex')}`,
    secretKey: randomBytes(16).toString('hex'),
  };
  const seed = tencentSeedFromTopology(tencentDocumentOf(topology), { attach });
  const sim = new TencentSimulatedCloud(seed, { ...options, credentials });
  const server = await startTencentSimulatorServer({ cloud: sim });
  const api = createTencentCloudApi({
    credentials,
    endpoints: { override: server.endpoint },
    protocol: 'http',
  });
  return { sim, server, api, credentials, close: () => server.close() };
}

/** The topology's Tencent groups as the document the simulator's world builder reads. */
function tencentDocumentOf(topology: Topology): unknown {
  const groups = topology.groups.filter((g) => g.cloud === 'tencent');
  return {
    cloud: 'tencent',
    groups: groups.map((g) => ({
      name: g.name,
      region: g.region,
      haVipId: g.haVipId,
      vpcId: g.tencent?.vpcId,
      subnetId: g.tencent?.subnetId,
      ...(g.tencent?.eipAddressIp === undefined ? {} : { eip: { addressIp: g.tencent.eipAddressIp } }),
      members: g.members.map((m) => ({ id: m.id, ip: m.ip, priority: m.priority })),
    })),
  };
}

export interface TencentSimulatedRuntimeOptions
  extends Omit<SimulatedRuntimeOptions, 'simulator' | 'accessKey' | 'wrapCloud'> {
  readonly simulator: SeededTencentSimulator;
}

export interface HttpTencentSimulatedRuntime extends TencentSimulatorOnWire {
  readonly topology: Topology;
  readonly store: StateStore;
  readonly runtime: Runtime;
}

/** The runtime on the Tencent simulator behind its HTTP server: TC3-signed requests end to end. */
export async function startTencentSimulatedRuntime(
  opts: TencentSimulatedRuntimeOptions,
): Promise<HttpTencentSimulatedRuntime> {
  const wire = await startTencentSimulatorOnWire(opts.topology, opts.simulator);
  const { store, close } = openAndClose(opts.store, [() => wire.close()]);
  const runtime = assembleRuntime({ ...opts.runtime, topology: opts.topology, tencent: wire.api, store });
  return { ...wire, topology: opts.topology, store, runtime, close };
}
