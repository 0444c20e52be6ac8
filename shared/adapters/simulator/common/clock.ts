/**
 * Time for a simulated cloud: the clock every delay runs on (transitions, latency, token refill,
 * staleness), the wall clock for servers, and a manual clock for deterministic tests.
 */

/** Opaque timer handle returned by {@link SimClock.setTimeout}. */
export type SimTimer = unknown;

/**
 * Time source and timer for every delay in the simulator (transitions, latency, token refill,
 * staleness). Inject {@link ManualClock} in tests to make them deterministic.
 */
export interface SimClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): SimTimer;
  clearTimeout?(timer: SimTimer): void;
}

/** Wall-clock time and Node timers: what `havip sim` and the local mode use. */
export const systemClock: SimClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
};

interface Pending {
  readonly seq: number;
  readonly at: number;
  readonly fn: () => void;
}

/**
 * A clock that only moves when told to. Timers fire in due order (ties in scheduling order) during
 * {@link ManualClock.advance}, with `now()` set to each timer's due time, so a test controls exactly
 * which asynchronous transitions have completed.
 */
export class ManualClock implements SimClock {
  private time: number;
  private seq = 0;
  private readonly timers = new Map<number, Pending>();

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): SimTimer {
    const seq = ++this.seq;
    this.timers.set(seq, { seq, at: this.time + Math.max(0, ms), fn });
    return seq;
  }

  clearTimeout(timer: SimTimer): void {
    if (typeof timer === 'number') this.timers.delete(timer);
  }

  /** Timers not yet fired. */
  pendingTimers(): number {
    return this.timers.size;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due (including timers those timers
   * schedule). Between firings it yields to the event loop so promise continuations (a call that was
   * waiting on injected latency) run before the next timer, as they would in real time.
   */
  async advance(ms: number): Promise<void> {
    const target = this.time + Math.max(0, ms);
    for (;;) {
      let next: Pending | undefined;
      for (const t of this.timers.values()) {
        if (
          t.at <= target &&
          (next === undefined || t.at < next.at || (t.at === next.at && t.seq < next.seq))
        )
          next = t;
      }
      if (next === undefined) break;
      this.timers.delete(next.seq);
      this.time = Math.max(this.time, next.at);
      next.fn();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.time = target;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
