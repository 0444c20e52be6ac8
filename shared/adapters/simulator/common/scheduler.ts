/**
 * Everything a simulated cloud does later (asynchronous transitions, keepalived takeovers, command
 * runs), on its clock. Jobs are also kept here, so {@link Scheduler.settle} can run what is pending
 * in due order without waiting for the clock, and {@link Scheduler.pending} can tell what is in flight.
 */
import type { SimClock, SimTimer } from './clock.js';

interface Job {
  readonly id: number;
  readonly due: number;
  readonly run: () => void;
  timer: SimTimer;
}

export class Scheduler {
  private readonly jobs = new Map<number, Job>();
  private seq = 0;

  constructor(private readonly clock: SimClock) {}

  /** Runs `run` once `delayMs` have passed on the clock (or earlier, at {@link settle}). */
  after(delayMs: number, run: () => void): void {
    const job: Job = { id: ++this.seq, due: this.clock.now() + delayMs, run, timer: undefined };
    this.jobs.set(job.id, job);
    job.timer = this.clock.setTimeout(() => this.fire(job.id), delayMs);
  }

  /** Runs every pending job now, in due order (ties in scheduling order), including jobs they schedule. */
  async settle(): Promise<void> {
    for (;;) {
      let next: Job | undefined;
      for (const j of this.jobs.values()) {
        if (next === undefined || j.due < next.due || (j.due === next.due && j.id < next.id)) next = j;
      }
      if (next === undefined) break;
      this.clock.clearTimeout?.(next.timer);
      this.fire(next.id);
    }
    await Promise.resolve();
  }

  /** Jobs still to run. */
  pending(): number {
    return this.jobs.size;
  }

  private fire(id: number): void {
    const job = this.jobs.get(id);
    if (job === undefined) return;
    this.jobs.delete(id);
    job.run();
  }
}
