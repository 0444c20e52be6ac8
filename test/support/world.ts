/**
 * A complete orchestrator over fakes with real semantics: the simulator behind its HTTP server, our
 * Alibaba adapter talking to it over the wire, an in-memory SQLite store, the engine and the service.
 */
import { createMemoryLogger, type MemoryLogger } from '../../shared/adapters/logger/index.js';
import type { SimulatedCloud, SimulatorServer } from '../../shared/adapters/simulator/index.js';
import { type Runtime, systemClock } from '../../shared/app/runtime.js';
import type { Service } from '../../shared/app/service.js';
import { startSimulatedRuntime } from '../../shared/app/simulated-runtime.js';
import { loadTopology } from '../../shared/core/config.js';
import type { Engine, EngineOptions } from '../../shared/core/engine.js';
import type { Topology } from '../../shared/core/model.js';
import type { Clock, CloudApi, Notification, Notifier, Prober, StateStore } from '../../shared/core/ports.js';

export const PAIR_YAML = `
region: cn-hangzhou
groups:
  - name: web
    vSwitchId: vsw-bp1test0000000000001
    haVipId: havip-bp1test0000000000001
    nopreempt: true
    announce: none
    members:
      - { id: i-bp1test0000000000001, priority: 100, ip: 192.168.0.11 }
      - { id: i-bp1test0000000000002, priority: 10, ip: 192.168.0.12 }
`;
export const PRIMARY = 'i-bp1test0000000000001';
export const BACKUP = 'i-bp1test0000000000002';
export const HAVIP = 'havip-bp1test0000000000001';

/** A Notifier fake that records what it was asked to send (and can be told to fail). */
export class RecordingNotifier implements Notifier {
  readonly sent: Notification[] = [];
  failing = false;
  async notify(n: Notification): Promise<void> {
    if (this.failing) throw new Error('webhook down');
    this.sent.push(n);
  }
}

export interface World {
  readonly topology: Topology;
  readonly sim: SimulatedCloud;
  readonly server: SimulatorServer;
  readonly cloud: CloudApi;
  readonly store: StateStore;
  readonly clock: Clock;
  readonly logger: MemoryLogger;
  readonly notifier: RecordingNotifier;
  readonly runtime: Runtime;
  readonly engine: Engine;
  readonly service: Service;
  close(): Promise<void>;
}

export interface WorldOptions {
  /** Topology YAML; default {@link PAIR_YAML}. */
  readonly topology?: string;
  readonly transitionDelayMs?: number;
  readonly attach?: 'highest' | 'none';
  /** Share a store between worlds (two orchestrators racing on one group). */
  readonly store?: StateStore;
  readonly prober?: Prober;
  readonly engineOptions?: Partial<EngineOptions>;
  /** Reuse another world's simulator (a second orchestrator against the same cloud). */
  readonly sim?: SimulatedCloud;
  readonly random?: () => number;
  /** Simulated keepalived master-down takeover delay (default 50 ms in tests). */
  readonly keepalivedTakeoverMs?: number;
  /** Simulated Cloud Assistant run time (default 20 ms in tests). */
  readonly cloudAssistantDelayMs?: number;
  /** Wrap the adapter (e.g. in a PausableCloud) before the engine uses it. */
  readonly wrapCloud?: (c: CloudApi) => CloudApi;
  /** The host agents' group keys (group → key) the runtime verifies reports with. */
  readonly agentKeys?: ReadonlyMap<string, Uint8Array>;
}

export const FAST_ENGINE: Partial<EngineOptions> = {
  poll: { initialMs: 5, maxMs: 40 },
  backoff: { baseMs: 5, maxMs: 40 },
};

export async function createWorld(opts: WorldOptions = {}): Promise<World> {
  const { topology } = loadTopology(opts.topology ?? PAIR_YAML, { source: 'test topology' });
  const logger = createMemoryLogger();
  const notifier = new RecordingNotifier();
  const world = await startSimulatedRuntime({
    topology,
    simulator: opts.sim
      ? { running: opts.sim }
      : {
          attach: opts.attach ?? 'highest',
          transitionDelayMs: opts.transitionDelayMs ?? 0,
          randomSeed: 42,
          keepalivedTakeoverMs: opts.keepalivedTakeoverMs ?? 50,
          cloudAssistantDelayMs: opts.cloudAssistantDelayMs ?? 20,
        },
    store: opts.store ? { shared: opts.store } : { sqlitePath: ':memory:' },
    wrapCloud: opts.wrapCloud,
    runtime: {
      notifier,
      logger,
      clock: systemClock,
      prober: opts.prober,
      agentKeys: opts.agentKeys,
      random: opts.random ?? (() => 0.5),
      engineOptions: { ...FAST_ENGINE, ...opts.engineOptions },
      defaultBudgetMs: 15_000,
    },
  });
  const { runtime } = world;
  return {
    ...world,
    clock: systemClock,
    logger,
    notifier,
    engine: runtime.engine,
    service: runtime.service,
  };
}

/** Binds an instance to the pair's HaVip behind the orchestrator's back (an operator, another tool), and waits for it. */
export async function bindFromOutside(w: World, instanceId: string, clientToken: string): Promise<void> {
  await w.cloud.associateHaVip({
    regionId: 'cn-hangzhou',
    haVipId: HAVIP,
    instanceId,
    instanceType: 'EcsInstance',
    clientToken,
  });
  await w.sim.settle();
}
