/**
 * The report scheduler: which reports a change calls for, and which ongoing conditions to report again.
 * A condition (a peer silent, the agent's own checks failing, a spot notice) is reported when it begins
 * and every `repeatMs` while it lasts, so the orchestrator always has fresh evidence; `recovered` ends it.
 * Pure: it returns report intents, and the daemon signs and queues them.
 */
import type { ReportReason } from '../events/agent-report.js';

export interface ReportIntent {
  readonly group: string;
  /** The member the report is about. */
  readonly suspect: string;
  readonly reason: ReportReason;
  /** For `peer-silent`: when the peer's last valid advert arrived (epoch ms), if ever. */
  readonly lastSeenAt?: number | undefined;
}

/**
 * The outbox key: one outstanding report per key, newest wins. A spot notice has a key of its own so a
 * later change of the checks never replaces the drain request.
 */
export function reportKey(i: ReportIntent): string {
  return `${i.group}\n${i.suspect}\n${i.reason === 'spot-termination' ? 'spot' : 'state'}`;
}

interface Condition {
  readonly intent: ReportIntent;
  readonly lastAt: number;
}

export class ReportScheduler {
  private readonly active = new Map<string, Condition>();

  /** `repeatMs` 0: report each change once only. */
  constructor(
    private readonly self: string,
    private readonly repeatMs: number,
  ) {}

  peerSilent(group: string, peer: string, lastSeenAt: number | undefined, now: number): ReportIntent {
    return this.begin({ group, suspect: peer, reason: 'peer-silent', lastSeenAt }, now);
  }

  peerRecovered(group: string, peer: string): ReportIntent {
    return this.end({ group, suspect: peer, reason: 'recovered' });
  }

  /** The agent's own checks changed state: one report per group. */
  checksChanged(groups: readonly string[], up: boolean, now: number): ReportIntent[] {
    return groups.map((group) =>
      up
        ? this.end({ group, suspect: this.self, reason: 'recovered' })
        : this.begin({ group, suspect: this.self, reason: 'checks-failed' }, now),
    );
  }

  /** A spot termination notice appeared: a drain request in every group, repeated until the end. */
  spotNotice(groups: readonly string[], now: number): ReportIntent[] {
    return groups.map((group) => this.begin({ group, suspect: this.self, reason: 'spot-termination' }, now));
  }

  /** Conditions due to be reported again at `now`; marks them reported. */
  due(now: number): ReportIntent[] {
    if (this.repeatMs === 0) return [];
    const out: ReportIntent[] = [];
    for (const [key, c] of this.active) {
      if (now - c.lastAt < this.repeatMs) continue;
      this.active.set(key, { intent: c.intent, lastAt: now });
      out.push(c.intent);
    }
    return out;
  }

  /** When {@link due} next has something, or undefined. */
  nextDueAt(): number | undefined {
    if (this.repeatMs === 0 || this.active.size === 0) return undefined;
    return Math.min(...[...this.active.values()].map((c) => c.lastAt + this.repeatMs));
  }

  private begin(intent: ReportIntent, now: number): ReportIntent {
    this.active.set(reportKey(intent), { intent, lastAt: now });
    return intent;
  }

  private end(intent: ReportIntent): ReportIntent {
    this.active.delete(reportKey(intent));
    return intent;
  }
}
