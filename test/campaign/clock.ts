/**
 * Virtual time for the campaign: one clock that is both the simulator's clock (transitions, throttling,
 * staleness) and the engine's `Clock` port (leases, deadlines, backoff, polling). Time moves only when
 * the driver fires the next timer, so a run is fast (no real waiting) and reproducible from its seed.
 *
 * Everything else in the campaign completes in microtasks (in-process transport, SQLite in memory), so
 * "no runnable work" is observable: after one macrotask turn the microtask queue is empty, and the only
 * way forward is the next timer.
 */
import type { SimClock, SimTimer } from '../../shared/adapters/simulator/index.js';
import type { Clock } from '../../shared/core/ports.js';

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

/** Lets every queued microtask (and whatever it queues) run before continuing. */
export const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class VirtualClock implements SimClock, Clock {
  private time: number;
  private seq = 0;
  private readonly timers = new Map<number, Timer>();

  constructor(start = Date.UTC(2026, 10, 20, 8, 0, 0)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): SimTimer {
    const id = ++this.seq;
    this.timers.set(id, { id, at: this.time + Math.max(0, Math.floor(ms)), fn });
    return id;
  }

  clearTimeout(timer: SimTimer): void {
    if (typeof timer === 'number') this.timers.delete(timer);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }

  /** Due time of the earliest timer, if any. */
  nextDue(): number | undefined {
    let best: Timer | undefined;
    for (const t of this.timers.values()) if (best === undefined || earlier(t, best)) best = t;
    return best?.at;
  }

  /** Fires the earliest timer (time jumps to its due time). Returns false when no timer is set. */
  fireNext(): boolean {
    let best: Timer | undefined;
    for (const t of this.timers.values()) if (best === undefined || earlier(t, best)) best = t;
    if (best === undefined) return false;
    this.timers.delete(best.id);
    this.time = Math.max(this.time, best.at);
    best.fn();
    return true;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way and letting the work each
   * one starts run before the next (background agents, transitions, sleeping invocations).
   */
  async advance(ms: number): Promise<void> {
    const target = this.time + Math.max(0, Math.floor(ms));
    for (;;) {
      await flush();
      const due = this.nextDue();
      if (due === undefined || due > target) break;
      this.fireNext();
    }
    this.time = Math.max(this.time, target);
    await flush();
  }

  pending(): number {
    return this.timers.size;
  }
}

function earlier(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.id < b.id);
}
