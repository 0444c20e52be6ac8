/**
 * A fake clock with one-shot timers (the agent's `Timers` port): time moves only when the test says, and
 * `advance` runs every timer that falls due on the way, in order, letting promises settle between them.
 */
import type { Timers } from '../../shared/agent/timers.js';

export class FakeTimers implements Timers {
  private queue: { at: number; seq: number; fn: () => void }[] = [];
  private seq = 0;

  constructor(public time = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.time;
  }

  after(ms: number, fn: () => void): () => void {
    const entry = { at: this.time + Math.max(0, ms), seq: this.seq++, fn };
    this.queue.push(entry);
    return () => {
      this.queue = this.queue.filter((e) => e !== entry);
    };
  }

  /** Pending timers. */
  get pending(): number {
    return this.queue.length;
  }

  /** Moves the clock forward by `ms`, running due timers in order. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    await settle();
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.queue[0];
      if (next === undefined || next.at > end) break;
      this.queue.shift();
      this.time = Math.max(this.time, next.at);
      next.fn();
      await settle();
    }
    this.time = end;
  }
}

/** Lets pending promise callbacks (and one macrotask turn) run. */
export async function settle(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
}
