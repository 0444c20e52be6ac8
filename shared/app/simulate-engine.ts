/**
 * `havip simulate --engine`: the same scenario as the pure what-if, run through the real engine against
 * a simulated cloud — for an Alibaba group the simulator (over the wire, through the Alibaba adapter),
 * for a Tencent group the {@link TencentScenarioWorld} the caller supplies — and the SQLite store. Each step sets the
 * world — Stopped instances are stopped in the simulator, draining members get a drain signal, other
 * down members fail their probe — and a sweep decides. Time is the scenario's: the engine's clock is set
 * to each step's `at`, so preempt delays and the flap guard window behave as in the pure path.
 */
import { createMemoryLogger } from '../adapters/logger/index.js';
import { createSqliteStore } from '../adapters/sqlite/index.js';
import { Engine, type EngineOptions } from '../core/engine.js';
import { ConfigError } from '../core/errors.js';
import type { Group, MemberId, Topology } from '../core/model.js';
import type { Clock, Notifier, Prober, ProbeTarget, StateStore } from '../core/ports.js';
import { receive } from '../core/signals.js';
import type { ScenarioStep, SimulationLine } from '../core/simulate.js';
import type { TencentCloudApi } from '../core/tencent-ports.js';
import { startSimulatedRuntime, startTencentSimulatorOnWire } from './simulated-runtime.js';

/**
 * The engine's clock in scenario time. It stands still while a step is decided (polls only yield to let
 * the simulator's zero-delay transitions complete), so times match the pure path to the millisecond.
 */
class ScenarioClock implements Clock {
  /** Scenario second 0 is an arbitrary fixed instant, so stored times look like real ones. */
  static readonly BASE = Date.UTC(2026, 0, 1);
  t = ScenarioClock.BASE;
  now(): number {
    return this.t;
  }
  async sleep(_ms: number): Promise<void> {
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** Probe results set by the scenario. */
class ScenarioProber implements Prober {
  readonly up = new Set<string>();
  async probe(target: ProbeTarget): Promise<boolean> {
    return this.up.has(target.memberId);
  }
}

const silent: Notifier = { notify: async () => undefined };

/**
 * The scenario's group as the engine runs it: health comes from the scenario through a probe that flips at
 * once (fall = rise = 1). On Alibaba the data plane is not part of the what-if (the pure path has none), so
 * nothing is announced. On Tencent the holder *is* the data plane (InstanceId follows ARP), so the new
 * holder announces through TAT and the engine verifies it.
 */
function engineGroupOf(group: Group): Group {
  return {
    ...group,
    announce: group.cloud === 'tencent' ? 'cloud-assistant' : 'none',
    health: {
      ...group.health,
      heartbeatTimeoutSeconds: undefined,
      probe: { kind: 'tcp', port: 1, timeoutMs: 1, intervalSeconds: 1 },
      fall: 1,
      rise: 1,
    },
  };
}

/**
 * A simulated Tencent Cloud for the scenario: its port (VPC, CVM, TAT) and the controls a scenario step
 * needs. The Tencent simulator provides one; tests use an in-memory fake with the same semantics.
 */
export interface TencentScenarioWorld {
  readonly api: TencentCloudApi;
  isRunning(instanceId: string): boolean;
  setRunning(instanceId: string, running: boolean): void;
  /** Who holds the HAVIP now (`InstanceId`, or the ENI for an ENI group). */
  holder(group: Group): string | undefined;
  /** Lets work in flight (TAT invocations, tasks) finish. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export interface SimulateEngineOptions {
  /** Builds the Tencent world of a Tencent group's scenario, seeded from the topology with nothing held. */
  readonly tencentWorld?: (topology: Topology) => Promise<TencentScenarioWorld>;
}

/**
 * The Tencent world of `havip simulate --engine`: the Tencent simulator seeded from the topology with
 * nothing held, behind its HTTP server, and the production Tencent adapter signing TC3 to it.
 */
export async function tencentSimulatorScenarioWorld(topology: Topology): Promise<TencentScenarioWorld> {
  const wire = await startTencentSimulatorOnWire(topology, {
    attach: 'none',
    transitionDelayMs: 0,
    tatDelayMs: 0,
    randomSeed: 1,
  });
  const { sim } = wire;
  return {
    api: wire.api,
    isRunning: (id) => sim.instance(id)?.state === 'RUNNING',
    setRunning: (id, running) => (running ? sim.startInstance(id) : sim.stopInstance(id)),
    holder: (g) => {
      const h = g.haVipId === undefined ? undefined : sim.haVip(g.haVipId)?.holder;
      return g.members.every((m) => m.kind === 'eni') ? h?.networkInterfaceId : h?.instanceId;
    },
    settle: () => sim.settle(),
    close: () => wire.close(),
  };
}

/** What a scenario run drives: the cloud's controls and the engine over it. */
interface ScenarioWorld {
  isRunning(instanceId: string): boolean;
  setRunning(instanceId: string, running: boolean): void;
  holder(group: Group): string | undefined;
  settle(): Promise<void>;
  readonly engine: Engine;
  readonly store: StateStore;
  close(): Promise<void>;
}

const SCENARIO_ENGINE: Partial<EngineOptions> = {
  poll: { initialMs: 1, maxMs: 5 },
  backoff: { baseMs: 1, maxMs: 5 },
};

export async function simulateWithEngine(
  topology: Topology,
  group: Group,
  steps: readonly ScenarioStep[],
  opts: SimulateEngineOptions = {},
): Promise<SimulationLine[]> {
  const engineTopology: Topology = { ...topology, groups: [engineGroupOf(group)] };
  const clock = new ScenarioClock();
  const prober = new ScenarioProber();
  const world =
    group.cloud === 'tencent'
      ? await tencentScenarioWorld(engineTopology, clock, prober, opts)
      : await alibabaScenarioWorld(engineTopology, clock, prober);
  const run = new ScenarioRun(group, world, clock, prober);
  try {
    for (const [i, step] of steps.entries()) await run.step(step, steps[i + 1]?.at);
    return run.lines;
  } finally {
    await world.close();
  }
}

async function alibabaScenarioWorld(
  topology: Topology,
  clock: ScenarioClock,
  prober: ScenarioProber,
): Promise<ScenarioWorld> {
  const simulated = await startSimulatedRuntime({
    topology,
    simulator: { attach: 'none', transitionDelayMs: 0, randomSeed: 1 },
    runtime: {
      notifier: silent,
      logger: createMemoryLogger({ level: 'error' }),
      clock,
      prober,
      random: () => 0.5,
      engineOptions: SCENARIO_ENGINE,
      defaultBudgetMs: 600_000,
    },
  });
  const { sim, runtime } = simulated;
  return {
    isRunning: (id) => sim.instance(id)?.status === 'Running',
    setRunning: (id, running) => (running ? sim.startInstance(id) : sim.stopInstance(id)),
    holder: (g) =>
      g.haVipId === undefined
        ? g.eip && sim.eip(g.eip.allocationId)?.instanceId
        : sim.haVip(g.haVipId)?.associatedInstances[0],
    settle: () => sim.settle(),
    engine: runtime.engine,
    store: runtime.store,
    close: () => simulated.close(),
  };
}

async function tencentScenarioWorld(
  topology: Topology,
  clock: ScenarioClock,
  prober: ScenarioProber,
  opts: SimulateEngineOptions,
): Promise<ScenarioWorld> {
  if (opts.tencentWorld === undefined)
    throw new ConfigError(
      'simulating a Tencent group through the engine needs a simulated Tencent Cloud, and none is configured',
      [{ path: 'group.cloud', message: 'is tencent', hint: 'run the pure what-if (without --engine)' }],
      'scenario.invalid',
    );
  const tencent = await opts.tencentWorld(topology);
  const store = createSqliteStore({ path: ':memory:' });
  const logger = createMemoryLogger({ level: 'error' });
  const deps = { tencent: tencent.api, store, notifier: silent, clock, logger, prober, random: () => 0.5 };
  return {
    isRunning: (id) => tencent.isRunning(id),
    setRunning: (id, running) => tencent.setRunning(id, running),
    holder: (g) => tencent.holder(g),
    settle: () => tencent.settle(),
    engine: new Engine(deps, topology, SCENARIO_ENGINE),
    store,
    close: async () => {
      await store.close();
      await tencent.close();
    },
  };
}

/** Plays the scenario's steps on the simulator and records one line per decision. */
class ScenarioRun {
  readonly lines: SimulationLine[] = [];
  private readonly draining = new Set<string>();
  private seq = 0;

  constructor(
    private readonly group: Group,
    private readonly world: ScenarioWorld,
    private readonly clock: ScenarioClock,
    private readonly prober: ScenarioProber,
  ) {}

  /** Sets the world of one step, decides, then follows the engine's rechecks due before the next step. */
  async step(step: ScenarioStep, nextAt = Number.POSITIVE_INFINITY): Promise<void> {
    this.clock.t = Math.max(this.clock.t, ScenarioClock.BASE + step.at * 1000);
    await this.apply(step);
    let d = await this.decideAt(step.at, 'step');
    for (let guard = 0; guard < 100 && d.kind === 'noop' && d.recheckAt !== undefined; guard++) {
      const due = (d.recheckAt - ScenarioClock.BASE) / 1000;
      if (due >= nextAt) break;
      d = await this.decideAt(due, 'recheck');
    }
  }

  private async apply(step: ScenarioStep): Promise<void> {
    const { world, prober, draining } = this;
    const healthy = new Set(step.healthy);
    const stopped = new Set(step.stopped ?? []);
    const drain = new Set(step.draining ?? []);
    for (const m of this.group.members) {
      const running = world.isRunning(m.id);
      if (m.kind === 'ecs' && stopped.has(m.id) && running) world.setRunning(m.id, false);
      if (m.kind === 'ecs' && !stopped.has(m.id) && !running) world.setRunning(m.id, true);
      if (healthy.has(m.id) || drain.has(m.id)) prober.up.add(m.id);
      else prober.up.delete(m.id);
      if (drain.has(m.id) !== draining.has(m.id)) {
        const about = { memberId: m.id, source: 'scenario', reason: 'scenario' } as const;
        await world.store.recordSignal(
          receive(
            drain.has(m.id) ? { ...about, kind: 'drain', cause: 'manual' } : { ...about, kind: 'undrain' },
            this.clock.now(),
          ),
        );
        if (drain.has(m.id)) draining.add(m.id);
        else draining.delete(m.id);
      }
    }
    await world.settle();
  }

  private async decideAt(atSeconds: number, trigger: SimulationLine['trigger']) {
    const { clock, group, world } = this;
    clock.t = Math.max(clock.t, ScenarioClock.BASE + atSeconds * 1000);
    const [r] = await world.engine.sweep({
      invocationId: `simulate-${++this.seq}`,
      deadline: clock.now() + 600_000,
    });
    const d = r?.decision;
    if (d === undefined)
      throw new Error(`the engine could not decide at ${atSeconds}s: ${r?.error?.message ?? r?.status}`);
    this.lines.push({
      at: atSeconds,
      trigger,
      holder: (world.holder(group) as MemberId | undefined) ?? null,
      action: d.kind,
      ...(d.kind === 'alert' ? { alert: d.alert } : {}),
      ...(d.kind === 'move' ? { from: d.from, to: d.to } : {}),
      ...(d.kind === 'attach' ? { to: d.target } : {}),
      reason: d.reason,
    });
    return d;
  }
}
