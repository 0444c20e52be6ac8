/**
 * Drives the outbox against the report sink: one report at a time, oldest first; after a failure the
 * whole sink waits out the retry delay (outbox.ts), so an unreachable sink is tried at a bounded rate
 * however many reports are waiting; a success resets the delay. A failure the sink calls final drops
 * that report (logged and counted).
 */
import type { Logger } from '../core/ports.js';
import { Outbox, type Pending, type RetryPolicy, retryDelay } from './outbox.js';
import { type ReportSink, retryableFailure } from './sinks.js';
import type { Timers } from './timers.js';

export interface DispatchStats {
  attempts: number;
  delivered: number;
  failed: number;
  dropped: number;
  queued: number;
}

export interface DispatcherDeps {
  readonly sink: ReportSink;
  readonly timers: Timers;
  readonly policy: RetryPolicy;
  readonly logger: Logger;
  readonly random?: () => number;
  /** Called after each delivery (the tests' and the health endpoint's view). */
  readonly onDelivered?: (p: Pending) => void;
}

export class ReportDispatcher {
  private readonly outbox = new Outbox();
  private readonly stats: DispatchStats = { attempts: 0, delivered: 0, failed: 0, dropped: 0, queued: 0 };
  private failures = 0;
  private notBefore = 0;
  private sending = false;
  private cancelTimer: (() => void) | undefined;
  private stopped = false;

  constructor(private readonly deps: DispatcherDeps) {}

  /** Queues a report; a newer one under the same key replaces it. */
  enqueue(key: string, body: string): void {
    if (this.stopped) return;
    const evicted = this.outbox.put(key, body);
    if (evicted !== undefined) {
      this.stats.dropped++;
      this.deps.logger.warn({ key: evicted.key }, 'report outbox full: dropped the oldest report');
    }
    this.kick();
  }

  snapshot(): DispatchStats {
    return { ...this.stats, queued: this.outbox.size };
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
  }

  private kick(): void {
    if (this.sending || this.cancelTimer !== undefined || this.stopped) return;
    if (this.outbox.size === 0) return;
    const wait = this.notBefore - this.deps.timers.now();
    if (wait > 0) {
      this.cancelTimer = this.deps.timers.after(wait, () => {
        this.cancelTimer = undefined;
        this.kick();
      });
      return;
    }
    void this.sendOne();
  }

  private async sendOne(): Promise<void> {
    const next = this.outbox.peek();
    if (next === undefined) return;
    this.sending = true;
    this.stats.attempts++;
    try {
      await this.deps.sink.publish(next.body);
      this.outbox.settle(next);
      this.stats.delivered++;
      this.failures = 0;
      this.deps.onDelivered?.(next);
    } catch (e) {
      this.failed(next, e);
    } finally {
      this.sending = false;
    }
    this.kick();
  }

  private failed(p: Pending, e: unknown): void {
    this.failures++;
    this.stats.failed++;
    const delay = retryDelay(this.failures, this.deps.policy, this.deps.random ?? Math.random);
    this.notBefore = this.deps.timers.now() + delay;
    const error = e instanceof Error ? e.message : String(e);
    if (!retryableFailure(e)) {
      this.outbox.settle(p);
      this.stats.dropped++;
      this.deps.logger.error(
        { key: p.key, error },
        'report refused by the sink: dropped (a retry cannot help)',
      );
      return;
    }
    // One line per failure would flood the log during a long outage: the first, then every 10th.
    if (this.failures === 1 || this.failures % 10 === 0)
      this.deps.logger.warn(
        { key: p.key, error, failures: this.failures, retryInMs: delay, queued: this.outbox.size },
        'report not delivered: will retry',
      );
  }
}
