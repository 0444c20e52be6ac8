/**
 * What-if simulation of one group's decisions over a timeline, on the pure core only (no cloud, no store).
 * Operators use it (`havip simulate`) to see what nopreempt, preempt delays and the flap guard will do
 * before they deploy a configuration.
 */
import { z } from 'zod';
import { decide } from './decide.js';
import { ConfigError, type InputIssue } from './errors.js';
import type { Decision, Group, IneligibleReason, MemberHealth, MemberId } from './model.js';

export const scenarioStepSchema = z.strictObject({
  at: z.number().nonnegative().finite(),
  /** The members eligible at this step; every other member is down. */
  healthy: z.array(z.string()),
  /** Members among the down ones that are Stopped (a hard down the flap guard never blocks). */
  stopped: z.array(z.string()).optional(),
  /** Members draining (spot interruption, maintenance, operator drain). */
  draining: z.array(z.string()).optional(),
});
export type ScenarioStep = z.infer<typeof scenarioStepSchema>;

export interface SimulationLine {
  readonly at: number;
  /** `step` for a scenario step, `recheck` for a pending preemption coming due between steps. */
  readonly trigger: 'step' | 'recheck';
  readonly holder: MemberId | null;
  readonly action: Decision['kind'];
  readonly alert?: string;
  readonly from?: MemberId;
  readonly to?: MemberId;
  readonly reason: string;
}

/**
 * Validates steps against the group: known member ids, non-decreasing times, a member in one state only.
 * Returns issues with exact paths (`steps[2].healthy[0]`).
 */
export function checkSteps(group: Group, steps: readonly ScenarioStep[]): InputIssue[] {
  const ids = new Set<string>(group.members.map((m) => m.id));
  const issues: InputIssue[] = [];
  let previousAt = -1;
  steps.forEach((step, i) => {
    if (step.at < previousAt) {
      issues.push({
        path: `steps[${i}].at`,
        message: `${step.at} is earlier than the previous step (${previousAt})`,
        hint: 'list steps in time order',
      });
    }
    previousAt = Math.max(previousAt, step.at);
    const seen = new Map<string, string>();
    for (const list of ['healthy', 'stopped', 'draining'] as const) {
      (step[list] ?? []).forEach((id, j) => {
        const path = `steps[${i}].${list}[${j}]`;
        if (!ids.has(id))
          issues.push({
            path,
            message: `${JSON.stringify(id)} is not a member of group ${group.name}`,
            hint: `members are ${[...ids].join(', ')}`,
          });
        const other = seen.get(id);
        if (other !== undefined)
          issues.push({
            path,
            message: `${id} is also listed in ${other}`,
            hint: 'a member has one state per step',
          });
        seen.set(id, list);
      });
    }
  });
  return issues;
}

/**
 * Runs the timeline. The group starts with nothing attached; at each step the decision is taken from the
 * previous holder and applied as if it succeeded. A preemption that comes due between two steps is
 * evaluated at its due time (as the timer sweep would), shown with `trigger: 'recheck'`.
 */
export function simulate(group: Group, steps: readonly ScenarioStep[]): SimulationLine[] {
  const issues = checkSteps(group, steps);
  if (issues.length > 0)
    throw new ConfigError('the scenario does not fit the group', issues, 'scenario.invalid');

  const lines: SimulationLine[] = [];
  const moves: number[] = [];
  const eligibleSince = new Map<MemberId, number>();
  let holder: MemberId | undefined;

  const run = (atSeconds: number, step: ScenarioStep, trigger: SimulationLine['trigger']): Decision => {
    const now = atSeconds * 1000;
    const healthy = new Set(step.healthy);
    const stopped = new Set(step.stopped ?? []);
    const draining = new Set(step.draining ?? []);
    const health = new Map<MemberId, MemberHealth>();
    for (const m of group.members) {
      if (healthy.has(m.id)) {
        if (!eligibleSince.has(m.id)) eligibleSince.set(m.id, now);
        health.set(m.id, { id: m.id, eligible: true, eligibleSince: eligibleSince.get(m.id), reasons: [] });
      } else {
        eligibleSince.delete(m.id);
        const reason: IneligibleReason = stopped.has(m.id)
          ? { kind: 'stopped', status: 'Stopped' }
          : draining.has(m.id)
            ? { kind: 'draining', source: 'scenario' }
            : { kind: 'probe-failed', failures: group.health.fall };
        health.set(m.id, { id: m.id, eligible: false, eligibleSince: undefined, reasons: [reason] });
      }
    }
    const d = decide({
      group,
      bound: holder === undefined ? [] : [holder],
      master: holder,
      health,
      recentMoves: moves,
      now,
    });
    if (d.kind === 'attach') holder = d.target;
    else if (d.kind === 'move') {
      holder = d.to;
      moves.push(now);
    } else if (d.kind === 'repair-split-brain') holder = d.keep;
    lines.push({
      at: atSeconds,
      trigger,
      holder: holder ?? null,
      action: d.kind,
      ...(d.kind === 'alert' ? { alert: d.alert } : {}),
      ...(d.kind === 'move' ? { from: d.from, to: d.to } : {}),
      ...(d.kind === 'attach' ? { to: d.target } : {}),
      reason: d.reason,
    });
    return d;
  };

  steps.forEach((step, i) => {
    let d = run(step.at, step, 'step');
    const nextAt = steps[i + 1]?.at ?? Number.POSITIVE_INFINITY;
    // Follow pending preemptions that come due before the next step, as the sweep would.
    for (let guard = 0; guard < 100 && d.kind === 'noop' && d.recheckAt !== undefined; guard++) {
      const dueSeconds = d.recheckAt / 1000;
      if (dueSeconds >= nextAt) break;
      d = run(dueSeconds, step, 'recheck');
    }
  });
  return lines;
}
