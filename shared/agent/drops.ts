/**
 * Counters of dropped datagrams, and a log at a bounded rate: the first drop of each reason is logged at
 * once (with where it came from), then at most one line per reason per `everyMs`, with the count since
 * the last line. A flood of forgeries costs one log line per reason per period. Pure (takes the time).
 */
import { DROP_REASONS, type DropReason } from './admission.js';

export interface DropLogLine {
  readonly reason: DropReason;
  /** Drops of this reason since the last line (1 for the first). */
  readonly count: number;
  readonly total: number;
  readonly source: string;
  readonly detail: string;
}

export class DropCounters {
  private readonly totals = new Map<DropReason, number>(DROP_REASONS.map((r) => [r, 0]));
  private readonly unlogged = new Map<DropReason, number>();
  private readonly lastLogAt = new Map<DropReason, number>();

  constructor(private readonly everyMs: number) {}

  /** Counts one drop; returns a line to log when one is due. */
  count(reason: DropReason, source: string, detail: string, now: number): DropLogLine | undefined {
    const total = (this.totals.get(reason) ?? 0) + 1;
    this.totals.set(reason, total);
    const pending = (this.unlogged.get(reason) ?? 0) + 1;
    const last = this.lastLogAt.get(reason);
    if (last !== undefined && now - last < this.everyMs) {
      this.unlogged.set(reason, pending);
      return undefined;
    }
    this.unlogged.set(reason, 0);
    this.lastLogAt.set(reason, now);
    return { reason, count: pending, total, source, detail };
  }

  snapshot(): Record<DropReason, number> {
    return Object.fromEntries(this.totals) as Record<DropReason, number>;
  }
}
