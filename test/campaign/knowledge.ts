/**
 * What the orchestrator could know about each member, built from ground truth and from what was actually
 * delivered to it — never from the engine's own view. The invariants ask two questions of it:
 *
 * - was the member *certainly ineligible* throughout a window (then attaching it is a violation), and
 * - was it *certainly eligible* throughout a window (then moving it away under nopreempt is a violation).
 *
 * Anything in between is a window where the engine legitimately could not know yet, and no verdict is
 * drawn. The rules follow the failover semantics of "Health" (README, "What it does"):
 *
 * - **Instance** (ECS status from the simulator; for an ENI member, whether the ENI is attached). A
 *   describe may answer from up to `staleMs` in the past, so the state must hold from `start − staleMs`.
 *   A delivered down event keeps an instance down for the engine's grace period even when describes say
 *   Running again, so "certainly eligible" also needs no down event delivered within that grace.
 * - **Heartbeats** (groups with `heartbeatTimeoutSeconds`): the latest heartbeat and heartbeat-timeout as
 *   recorded (receiver time, a signal applies only when strictly newer), and silence past the timeout.
 * - **Probes** (groups with a probe): keepalived fall/rise over the answers the fake prober gave. Answers
 *   given while several invocations ran at once may be lost to the health row's compare-and-set, so the
 *   model keeps the *set* of probe states the engine can be in; a verdict needs every state to agree.
 * - **Drain**: the latest drain against the latest undrain, as recorded.
 * - **Agent reports** (verified ones; forged reports are never mirrored): the member's own
 *   `checks-failed` may count for the report TTL after it was delivered. A `peer-silent` report counts
 *   only with a second witness: a second reporter, or a witness probe that could fail (the member's
 *   agent — or, in a group with a probe, its service — down at some instant of the window). So one
 *   reporter alone never makes a live, healthy member anything but certainly eligible: the invariants
 *   then catch a move off it. Ignoring the other conditions (healthy reporter, newer than the suspect's
 *   signs of life, recovered reports) only makes the model more cautious.
 *
 * Signals delivered inside a concurrent step landed in an order the scheduler chose, perhaps after the
 * step's other invocations read them: for those invocations heartbeat and drain state are unknown.
 */
import { STALE_DESCRIBE_GRACE_MS } from '../../shared/core/health.js';

export interface ProbeRules {
  readonly fall: number;
  readonly rise: number;
}

export interface HealthRules {
  readonly heartbeatTimeoutMs: number | undefined;
  readonly probe: ProbeRules | undefined;
  /** ECS members honour delivered down events; ENI members have no instance events. */
  readonly kind: 'ecs' | 'eni';
  /** How long a delivered agent report may count (the group's `agent.reportTtlSeconds`). */
  readonly reportTtlMs: number;
}

/** A verified agent report about the member, as delivered: by a peer, or its own failed checks. */
interface Report {
  readonly at: number;
  readonly reporter: string | 'self';
}

/** `H<failures>` (probe-healthy) or `U<successes>` (probe-unhealthy), counters capped at fall/rise. */
type ProbeState = string;

interface Snapshot {
  readonly at: number;
  /** Concurrent step that delivered this change (uncertain for that step's other invocations). */
  readonly step: number | undefined;
  readonly running: boolean;
  readonly beat: number | undefined;
  readonly timeout: number | undefined;
  readonly probe: ReadonlySet<ProbeState>;
  readonly drain: number | undefined;
  readonly undrain: number | undefined;
  /** Whether a witness probe of the member would answer (its agent, or its service in a probe group). */
  readonly witness: boolean;
}

const HEALTHY0: ReadonlySet<ProbeState> = new Set(['H0']);

export function probeStep(state: ProbeState, ok: boolean, rules: ProbeRules): ProbeState {
  const n = Number(state.slice(1));
  if (state.startsWith('H')) {
    if (ok) return 'H0';
    return n + 1 >= rules.fall ? 'U0' : `H${n + 1}`;
  }
  if (!ok) return 'U0';
  return n + 1 >= rules.rise ? 'H0' : `U${n + 1}`;
}

/** Who is asking: the window of one invocation. */
export interface Viewer {
  readonly start: number;
  /** The concurrent step the invocation ran in, if any. */
  readonly step: number | undefined;
}

export class MemberKnowledge {
  private snaps: Snapshot[];
  private downEvents: number[] = [];
  private reports: Report[] = [];

  constructor(
    readonly id: string,
    readonly rules: HealthRules,
    at: number,
    running: boolean,
  ) {
    this.snaps = [
      {
        at,
        step: undefined,
        running,
        beat: undefined,
        timeout: undefined,
        probe: HEALTHY0,
        drain: undefined,
        undrain: undefined,
        witness: true,
      },
    ];
  }

  current(): Snapshot {
    return this.snaps[this.snaps.length - 1] as Snapshot;
  }

  private push(at: number, step: number | undefined, patch: Partial<Snapshot>): void {
    this.snaps.push({ ...this.current(), at, step, ...patch });
  }

  setRunning(at: number, running: boolean): void {
    if (this.current().running !== running) this.push(at, undefined, { running });
  }

  /** A heartbeat recorded at receiver time `at`; returns whether it applies (strictly newer). */
  heartbeat(at: number, step?: number): boolean {
    const c = this.current();
    if (c.beat !== undefined && at <= c.beat) return false;
    this.push(at, step, { beat: at });
    return true;
  }

  heartbeatTimeout(at: number, step?: number): boolean {
    const c = this.current();
    if (c.timeout !== undefined && at <= c.timeout) return false;
    this.push(at, step, { timeout: at });
    return true;
  }

  drain(at: number, on: boolean, step?: number): boolean {
    const c = this.current();
    const last = on ? c.drain : c.undrain;
    if (last !== undefined && at <= last) return false;
    this.push(at, step, on ? { drain: at } : { undrain: at });
    return true;
  }

  /** Whether a witness probe would answer now (the host's agent or service came up or went down). */
  setWitness(at: number, answers: boolean): void {
    if (this.current().witness !== answers) this.push(at, undefined, { witness: answers });
  }

  /** A verified report about this member was delivered (the first time: a replay is refused). */
  report(at: number, reporter: string | 'self'): void {
    this.reports.push({ at, reporter });
  }

  /** A down instance-state event was delivered (whether or not the store kept it). */
  downEvent(at: number): void {
    this.downEvents.push(at);
  }

  /** One probe answer; `certain` when no other invocation could have raced its health-row update. */
  probeAnswer(at: number, ok: boolean, certain: boolean): void {
    const rules = this.rules.probe;
    if (rules === undefined) return;
    const before = this.current().probe;
    const next = new Set<ProbeState>();
    for (const s of before) {
      next.add(probeStep(s, ok, rules));
      if (!certain) next.add(s);
    }
    if (next.size !== before.size || [...next].some((s) => !before.has(s)))
      this.push(at, undefined, { probe: next });
  }

  /** Drops history older than `before` (keeping the state in force then). */
  prune(before: number): void {
    let i = 0;
    while (i + 1 < this.snaps.length && (this.snaps[i + 1] as Snapshot).at <= before) i++;
    if (i > 0) this.snaps = this.snaps.slice(i);
    this.downEvents = this.downEvents.filter((t) => t >= before - STALE_DESCRIBE_GRACE_MS);
    this.reports = this.reports.filter((r) => r.at + this.rules.reportTtlMs >= before);
  }

  // ---------------------------------------------------------------------------------------------
  // Queries

  /** Snapshots in force during [a, b], each with the instant from which and until which it applies. */
  private segments(a: number, b: number): { s: Snapshot; from: number; to: number }[] {
    const out: { s: Snapshot; from: number; to: number }[] = [];
    for (let i = 0; i < this.snaps.length; i++) {
      const s = this.snaps[i] as Snapshot;
      const next = this.snaps[i + 1];
      if (next !== undefined && next.at <= a) continue;
      if (s.at > b) break;
      const from = Math.max(s.at, a);
      const to = next === undefined ? b : Math.min(next.at, b);
      if (from <= to) out.push({ s, from, to });
    }
    return out;
  }

  /**
   * Signals delivered by the viewer's own concurrent step landed in an order the scheduler chose (and
   * perhaps after the viewer read them): for that viewer, heartbeat and drain state are unknown.
   */
  private tainted(viewer: Viewer): boolean {
    return viewer.step !== undefined && this.snaps.some((s) => s.step === viewer.step);
  }

  private runningThroughout(from: number, to: number, value: boolean): boolean {
    return this.segments(from, to).every(({ s }) => s.running === value);
  }

  private hbDown(s: Snapshot, t: number): boolean {
    const T = this.rules.heartbeatTimeoutMs;
    if (T === undefined) return false;
    if (s.timeout !== undefined && (s.beat === undefined || s.timeout > s.beat)) return true;
    return s.beat !== undefined && t - s.beat > T;
  }

  private probeDown(s: Snapshot): boolean {
    return this.rules.probe !== undefined && [...s.probe].every((p) => p.startsWith('U'));
  }

  private probeUp(s: Snapshot): boolean {
    return this.rules.probe === undefined || [...s.probe].every((p) => p.startsWith('H'));
  }

  private draining(s: Snapshot): boolean {
    return s.drain !== undefined && (s.undrain === undefined || s.drain > s.undrain);
  }

  /** Certainly not eligible at every instant of [viewer.start, now]. */
  sureIneligible(viewer: Viewer, now: number, staleMs: number): boolean {
    const a = viewer.start;
    if (this.runningThroughout(a - staleMs, now, false)) return true;
    const signalsKnown = !this.tainted(viewer);
    // Silence grows with time, so each segment is weakest at its start.
    return this.segments(a, now).every(
      ({ s, from, to }) =>
        (signalsKnown && (this.hbDown(s, from) || this.draining(s))) ||
        this.probeDown(s) ||
        this.runningThroughout(from - staleMs, to, false),
    );
  }

  /** Certainly eligible at every instant of [viewer.start, now]. */
  sureEligible(viewer: Viewer, now: number, staleMs: number): boolean {
    const a = viewer.start;
    if (this.tainted(viewer)) return false;
    if (!this.runningThroughout(a - staleMs, now, true)) return false;
    if (
      this.rules.kind === 'ecs' &&
      this.downEvents.some((d) => d >= a - STALE_DESCRIBE_GRACE_MS - 1 && d <= now)
    )
      return false;
    if (this.maybeReportedDown(a, now)) return false;
    // Silence grows with time, so each segment is weakest at its end.
    return this.segments(a, now).every(
      ({ s, to }) => !this.hbDown(s, to) && this.probeUp(s) && !this.draining(s),
    );
  }

  /** Whether agent reports could count against the member at some instant of [a, b] (see the top). */
  private maybeReportedDown(a: number, b: number): boolean {
    const live = this.reports.filter((r) => r.at <= b && r.at + this.rules.reportTtlMs >= a);
    if (live.some((r) => r.reporter === 'self')) return true;
    const reporters = new Set(live.map((r) => r.reporter));
    if (reporters.size >= 2) return true;
    return reporters.size === 1 && this.segments(a, b).some(({ s }) => !s.witness);
  }

  /**
   * Whether the engine's probe state has caught up with the truth: every state it can be in is the one
   * further answers of `up` keep it in (`H0` for a healthy target, `U0` for a failing one).
   */
  probeSettled(up: boolean): boolean {
    if (this.rules.probe === undefined) return true;
    return [...this.current().probe].every((p) => p === (up ? 'H0' : 'U0'));
  }

  /** For reports: the current component states. */
  describe(now: number): string {
    const s = this.current();
    return [
      s.running ? 'running' : 'down',
      this.rules.heartbeatTimeoutMs !== undefined ? (this.hbDown(s, now) ? 'hb:down' : 'hb:ok') : undefined,
      this.rules.probe !== undefined ? `probe:{${[...s.probe].join(',')}}` : undefined,
      this.draining(s) ? 'draining' : undefined,
      s.witness ? undefined : 'witness:fails',
      this.reports.length > 0
        ? `reports:[${this.reports.map((r) => `${r.reporter}@${r.at}`).join(',')}]`
        : undefined,
    ]
      .filter((x) => x !== undefined)
      .join(' ');
  }
}
