/**
 * A crash at every saga step, exhaustively: for each scenario below, the invocation that acts is crashed
 * before and after each of its saga points in turn (every journal write and every cloud mutation), and
 * frozen at each point past its lease TTL and then resumed or killed. Each run then lets faults stop and
 * checks every invariant, including convergence within two sweeps. The random campaign samples these;
 * this walks all of them.
 */

import type fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Advance, Enqueue, type Model, Power, ReleasePaused, SagaFault, Sweep } from './commands.js';
import { runOnce } from './runner.js';
import { CampaignStats } from './stats.js';
import type { GroupSpec } from './topology.js';
import type { CampaignWorld } from './world.js';

const base: GroupSpec = {
  kind: 'ecs',
  priorities: [100, 50, 10],
  address: 'havip+eip',
  nopreempt: true,
  preemptDelaySeconds: 0,
  announce: 'none',
  announceDeadlineSeconds: 10,
  heartbeatTimeoutSeconds: undefined,
  probe: undefined,
  flapGuard: { maxMoves: 3, windowSeconds: 60 },
  fencing: 'none',
  agentKeyed: false,
};

type Cmd = fc.AsyncCommand<Model, CampaignWorld>;
interface Scenario {
  readonly name: string;
  readonly group: GroupSpec;
  /** Puts the world where the next invocation has a failover to do. */
  readonly setup: readonly Cmd[];
  readonly trigger: 'sweep' | 'deliver' | 'manual';
  /** The acting invocation has at least this many saga points. */
  readonly minPoints: number;
}

const scenarios: readonly Scenario[] = [
  {
    name: 'failover with an EIP on the HaVip (announce none)',
    group: base,
    setup: [new Power(0, 0, 'stop')],
    trigger: 'sweep',
    minPoints: 6,
  },
  {
    name: 'failover announced through Cloud Assistant',
    group: { ...base, address: 'havip', announce: 'cloud-assistant' },
    setup: [new Power(0, 0, 'stop')],
    trigger: 'sweep',
    minPoints: 8,
  },
  {
    name: 'heartbeat timeout, agent announces, old holder fenced',
    group: { ...base, announce: 'agent', heartbeatTimeoutSeconds: 30, fencing: 'stop' },
    setup: [new Enqueue(0, 0, 'hb-timeout')],
    trigger: 'deliver',
    minPoints: 8,
  },
  {
    name: 'direct EIP moved between ENI members',
    group: { ...base, kind: 'eni', address: 'direct', heartbeatTimeoutSeconds: 30 },
    setup: [new Enqueue(0, 0, 'hb-timeout')],
    trigger: 'deliver',
    minPoints: 5,
  },
  {
    name: 'manual failover',
    group: { ...base, nopreempt: false },
    setup: [],
    trigger: 'manual',
    minPoints: 5,
  },
  {
    name: 'planned move on a spot interruption',
    group: base,
    setup: [new Enqueue(0, 0, 'spot')],
    trigger: 'deliver',
    minPoints: 5,
  },
];

async function run(s: Scenario, fault: Cmd): Promise<CampaignStats> {
  const stats = new CampaignStats();
  await runOnce(
    { spec: { groups: [s.group] }, seed: 5, transitionDelayMs: 500, cloudAssistantDelayMs: 300 },
    [...s.setup, fault],
    stats,
  );
  return stats;
}

const reached = (stats: CampaignStats) => !stats.faults.has('saga fault armed but not reached');

describe('a crash at every saga step', () => {
  describe.each(scenarios)('$name', (s) => {
    it.each(['crash-before', 'crash-after'] as const)(
      '%s each point, then faults stop: invariants hold',
      async (how) => {
        let points = 0;
        for (let at = 1; at <= 20; at++) {
          const stats = await run(s, new SagaFault(at, how, s.trigger, 0));
          expect(stats.totalViolations(), `${how} at point ${at}`).toBe(0);
          if (!reached(stats)) break;
          points = at;
        }
        expect(points).toBeGreaterThanOrEqual(s.minPoints);
      },
    );

    it.each(['proceed', 'crash'] as const)(
      'frozen at each point past the lease TTL, a sweep takes over, then it resumes with %s',
      async (release) => {
        let points = 0;
        for (let at = 1; at <= 20; at++) {
          const stats = new CampaignStats();
          await runOnce(
            { spec: { groups: [s.group] }, seed: 5, transitionDelayMs: 500, cloudAssistantDelayMs: 300 },
            [
              ...s.setup,
              new SagaFault(at, 'pause', s.trigger, 0),
              new Advance(91_000),
              new Sweep(),
              new ReleasePaused(release),
            ],
            stats,
          );
          expect(stats.totalViolations(), `paused at point ${at}`).toBe(0);
          if (!reached(stats)) break;
          expect(
            stats.faults.get(`pause released (${release}, past the lease TTL)`),
            `paused at point ${at}`,
          ).toBe(1);
          points = at;
        }
        expect(points).toBeGreaterThanOrEqual(s.minPoints);
      },
    );
  });
});
