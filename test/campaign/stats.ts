/**
 * Campaign figures: steps, faults injected by kind, concurrent schedules, invariant checks and
 * violations, reconcile outcomes. Counted across every run of a campaign (shrinking runs included) and
 * printed as the table RELIABILITY.md reproduces.
 */

export type Invariant =
  | 'inv1-exclusive'
  | 'inv2-eligible-target'
  | 'inv3-nopreempt'
  | 'inv4-fencing'
  | 'inv5-replay'
  | 'inv6-convergence'
  | 'inv7-last-holder'
  | 'fence-stop'
  | 'data-plane'
  | 'liveness';

export const INVARIANTS: readonly Invariant[] = [
  'inv1-exclusive',
  'inv2-eligible-target',
  'inv3-nopreempt',
  'inv4-fencing',
  'inv5-replay',
  'inv6-convergence',
  'inv7-last-holder',
  'fence-stop',
  'data-plane',
  'liveness',
];

const INVARIANT_TITLES: Record<Invariant, string> = {
  'inv1-exclusive': '1 at most one holder after a finished reconcile',
  'inv2-eligible-target': '2 never attach an ineligible member',
  'inv3-nopreempt': '3 nopreempt: an eligible holder is not moved',
  'inv4-fencing': '4 every mutation carries the current epoch',
  'inv5-replay': '5 replaying a signal changes nothing',
  'inv6-convergence': '6 converges within two sweeps after faults stop',
  'inv7-last-holder': '7 the last holder is never detached',
  'fence-stop': 'fencing stops only an ineligible, unbound old holder',
  'data-plane': 'data plane: done means the holder serves',
  liveness: 'every invocation finishes (virtual deadline)',
};

export class CampaignStats {
  runs = 0;
  steps = 0;
  readonly commands = new Map<string, number>();
  readonly faults = new Map<string, number>();
  readonly checks = new Map<Invariant, number>();
  readonly violations = new Map<Invariant, number>();
  /** Checks that could not be decided (the knowledge was not settled), by invariant. */
  readonly undecided = new Map<Invariant, number>();
  readonly outcomes = new Map<string, number>();
  concurrentSchedules = 0;
  concurrentInvocations = 0;
  scheduledReleases = 0;
  invocations = 0;
  virtualMs = 0;

  static add(m: Map<string, number>, key: string, n = 1): void {
    m.set(key, (m.get(key) ?? 0) + n);
  }

  command(kind: string): void {
    this.steps++;
    CampaignStats.add(this.commands, kind);
  }
  fault(kind: string, n = 1): void {
    if (n > 0) CampaignStats.add(this.faults, kind, n);
  }
  check(inv: Invariant, n = 1): void {
    CampaignStats.add(this.checks as Map<string, number>, inv, n);
  }
  violation(inv: Invariant): void {
    CampaignStats.add(this.violations as Map<string, number>, inv);
  }
  undecidedCheck(inv: Invariant): void {
    CampaignStats.add(this.undecided as Map<string, number>, inv);
  }
  outcome(status: string): void {
    CampaignStats.add(this.outcomes, status);
  }

  merge(o: CampaignStats): void {
    this.runs += o.runs;
    this.steps += o.steps;
    for (const [k, v] of o.commands) CampaignStats.add(this.commands, k, v);
    for (const [k, v] of o.faults) CampaignStats.add(this.faults, k, v);
    for (const [k, v] of o.checks) this.check(k, v);
    for (const [k, v] of o.violations) CampaignStats.add(this.violations as Map<string, number>, k, v);
    for (const [k, v] of o.undecided) CampaignStats.add(this.undecided as Map<string, number>, k, v);
    for (const [k, v] of o.outcomes) CampaignStats.add(this.outcomes, k, v);
    this.concurrentSchedules += o.concurrentSchedules;
    this.concurrentInvocations += o.concurrentInvocations;
    this.scheduledReleases += o.scheduledReleases;
    this.invocations += o.invocations;
    this.virtualMs += o.virtualMs;
  }

  totalViolations(): number {
    let n = 0;
    for (const v of this.violations.values()) n += v;
    return n;
  }

  toJSON(): Record<string, unknown> {
    const obj = (m: Map<string, number>) => Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)));
    return {
      runs: this.runs,
      steps: this.steps,
      invocations: this.invocations,
      virtualHours: Math.round((this.virtualMs / 3_600_000) * 10) / 10,
      concurrentSchedules: this.concurrentSchedules,
      concurrentInvocations: this.concurrentInvocations,
      scheduledReleases: this.scheduledReleases,
      faults: obj(this.faults),
      commands: obj(this.commands),
      checks: obj(this.checks as Map<string, number>),
      undecided: obj(this.undecided as Map<string, number>),
      violations: obj(this.violations as Map<string, number>),
      outcomes: obj(this.outcomes),
    };
  }
}

/** The summary as Markdown tables (printed by the runner, pasted into RELIABILITY.md). */
export function formatSummary(
  s: CampaignStats,
  meta: { seed: number; steps: number; elapsedMs: number; command: string },
): string {
  const lines: string[] = [];
  const table = (head: readonly string[], rows: readonly (readonly (string | number)[])[]) => {
    lines.push(`| ${head.join(' | ')} |`);
    lines.push(`| ${head.map((_h, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`);
    for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
    lines.push('');
  };
  lines.push(`Campaign seed ${meta.seed}, target ${meta.steps} steps — reproduce: \`${meta.command}\``);
  lines.push('');
  table(
    ['figure', 'value'],
    [
      ['runs (random topologies)', s.runs],
      ['steps (commands)', s.steps],
      ['invocations', s.invocations],
      ['virtual time simulated (h)', Math.round((s.virtualMs / 3_600_000) * 10) / 10],
      ['concurrent schedules explored (fc.scheduler)', s.concurrentSchedules],
      ['invocations in concurrent schedules', s.concurrentInvocations],
      ['scheduler releases (interleaving points)', s.scheduledReleases],
      ['invariant violations', s.totalViolations()],
      ['wall time (s)', Math.round(meta.elapsedMs / 100) / 10],
    ],
  );
  table(
    ['fault injected', 'count'],
    [...s.faults].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, v]),
  );
  table(
    ['invariant', 'checks', 'undecided', 'violations'],
    INVARIANTS.map((i) => [
      INVARIANT_TITLES[i],
      s.checks.get(i) ?? 0,
      s.undecided.get(i) ?? 0,
      s.violations.get(i) ?? 0,
    ]),
  );
  table(
    ['reconcile outcome', 'count'],
    [...s.outcomes].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, v]),
  );
  return lines.join('\n');
}
