/**
 * `havip simulate --engine`: the same scenario as the pure what-if, run through the real engine against
 * the simulator (over the wire, through the Alibaba adapter) and the SQLite store. Each step sets the
 * world — Stopped instances are stopped in the simulator, draining members get a drain signal, other
 * down members fail their probe — and a sweep decides. Time is the scenario's: the engine's clock is set
 * to each step's `at`, so preempt delays and the flap guard window behave as in the pure path.
 */
import { createMemoryLogger } from '../adapters/logger/index.js';
import type { SimulatedCloud } from '../adapters/simulator/index.js';
import type { Group, MemberId, Topology } from '../core/model.js';
import type { Clock, Notifier, Prober, ProbeTarget } from '../core/ports.js';
import { receive } from '../core/signals.js';
import type { ScenarioStep, SimulationLine } from '../core/simulate.js';
import type { Runtime } from './runtime.js';
import { startSimulatedRuntime } from './simulated-runtime.js';

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
 * once (fall = rise = 1); the data plane is not part of the what-if (the pure path has none), so nothing is
 * announced.
 */
function engineGroupOf(group: Group): Group {
  return {
    ...group,
    announce: 'none',
    health: {
      ...group.health,
      heartbeatTimeoutSeconds: undefined,
      probe: { kind: 'tcp', port: 1, timeoutMs: 1, intervalSeconds: 1 },
      fall: 1,
      rise: 1,
    },
  };
}

export async function simulateWithEngine(
  topology: Topology,
  group: Group,
  steps: readonly ScenarioStep[],
): Promise<SimulationLine[]> {
  const engineTopology: Topology = { ...topology, groups: [engineGroupOf(group)] };
  const clock = new ScenarioClock();
  const prober = new ScenarioProber();
  const simulated = await startSimulatedRuntime({
    topology: engineTopology,
    simulator: { attach: 'none', transitionDelayMs: 0, randomSeed: 1 },
    runtime: {
      notifier: silent,
      logger: createMemoryLogger({ level: 'error' }),
      clock,
      prober,
      random: () => 0.5,
      engineOptions: { poll: { initialMs: 1, maxMs: 5 }, backoff: { baseMs: 1, maxMs: 5 } },
      defaultBudgetMs: 600_000,
    },
  });
  const run = new ScenarioRun(group, simulated.sim, simulated.runtime, clock, prober);
  try {
    for (const [i, step] of steps.entries()) await run.step(step, steps[i + 1]?.at);
    return run.lines;
  } finally {
    await simulated.close();
  }
}

/** Plays the scenario's steps on the simulator and records one line per decision. */
class ScenarioRun {
  readonly lines: SimulationLine[] = [];
  private readonly draining = new Set<string>();
  private seq = 0;

  constructor(
    private readonly group: Group,
    private readonly sim: SimulatedCloud,
    private readonly runtime: Runtime,
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
    const { sim, prober, draining } = this;
    const healthy = new Set(step.healthy);
    const stopped = new Set(step.stopped ?? []);
    const drain = new Set(step.draining ?? []);
    for (const m of this.group.members) {
      const running = sim.instance(m.id)?.status === 'Running';
      if (m.kind === 'ecs' && stopped.has(m.id) && running) sim.stopInstance(m.id);
      if (m.kind === 'ecs' && !stopped.has(m.id) && !running) sim.startInstance(m.id);
      if (healthy.has(m.id) || drain.has(m.id)) prober.up.add(m.id);
      else prober.up.delete(m.id);
      if (drain.has(m.id) !== draining.has(m.id)) {
        const about = { memberId: m.id, source: 'scenario', reason: 'scenario' } as const;
        await this.runtime.store.recordSignal(
          receive(
            drain.has(m.id) ? { ...about, kind: 'drain', cause: 'manual' } : { ...about, kind: 'undrain' },
            this.clock.now(),
          ),
        );
        if (drain.has(m.id)) draining.add(m.id);
        else draining.delete(m.id);
      }
    }
    await sim.settle();
  }

  private async decideAt(atSeconds: number, trigger: SimulationLine['trigger']) {
    const { clock, group, sim } = this;
    clock.t = Math.max(clock.t, ScenarioClock.BASE + atSeconds * 1000);
    const [r] = await this.runtime.engine.sweep({
      invocationId: `simulate-${++this.seq}`,
      deadline: clock.now() + 600_000,
    });
    const d = r?.decision;
    if (d === undefined)
      throw new Error(`the engine could not decide at ${atSeconds}s: ${r?.error?.message ?? r?.status}`);
    const bound = sim.haVip(group.haVipId as string)?.associatedInstances ?? [];
    const eipHolder =
      group.haVipId === undefined && group.eip ? sim.eip(group.eip.allocationId)?.instanceId : undefined;
    this.lines.push({
      at: atSeconds,
      trigger,
      holder: ((group.haVipId === undefined ? eipHolder : bound[0]) as MemberId | undefined) ?? null,
      action: d.kind,
      ...(d.kind === 'alert' ? { alert: d.alert } : {}),
      ...(d.kind === 'move' ? { from: d.from, to: d.to } : {}),
      ...(d.kind === 'attach' ? { to: d.target } : {}),
      reason: d.reason,
    });
    return d;
  }
}
