/**
 * How the simulated topic hands messages to its subscribers, as FC's MNS topic trigger would invoke a
 * function: each subscription gets its own invocations, concurrently, and a failed invocation is retried
 * (BACKOFF_RETRY: 3 retries, 10–20 s apart, per FC's MNSTopicTriggerConfig reference).
 *
 * Faults for tests, the fault campaign and benchmarks: latency and jitter, loss, duplication, extra
 * delay and reordering. Every decision is a pure function of (seed, subscription, message sequence
 * number, what is being decided) — {@link planDelivery} — so one message's fate never depends on how
 * many others came before it, and a test can say in advance which messages a seed loses.
 *
 * Reordering holds a message back until the next message for the same subscription has been scheduled,
 * then delivers it right after that one; if none comes within `maxHoldMs`, it is released anyway.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { InvalidInputError } from '../../../core/errors.js';
import type { Clock } from '../../../core/ports.js';

const Rate = z.number().min(0).max(1);
const Ms = z.number().int().min(0).max(3_600_000);
export const DeliveryFaultsSchema = z.strictObject({
  /** Every delivery waits this long (default 0). */
  latencyMs: Ms.optional(),
  /** Plus a uniform share of this (default 0). */
  jitterMs: Ms.optional(),
  /** Probability a message never reaches a subscription. */
  lossRate: Rate.optional(),
  /** Probability it reaches it twice. */
  duplicateRate: Rate.optional(),
  /** Probability a delivery is held up by `delayMs` more (default 5000). */
  delayRate: Rate.optional(),
  delayMs: Ms.optional(),
  /** Probability a message is overtaken by the next one. */
  reorderRate: Rate.optional(),
  /** A held-back message goes out after this long even if nothing overtook it (default 5000). */
  maxHoldMs: Ms.optional(),
  /** Retries of a failed invocation (default 3, FC's BACKOFF_RETRY). */
  retries: z.number().int().min(0).max(176).optional(),
});
export type DeliveryFaults = z.infer<typeof DeliveryFaultsSchema>;

export function checkedFaults(raw: unknown): DeliveryFaults {
  const r = DeliveryFaultsSchema.safeParse(raw);
  if (r.success) return r.data;
  throw new InvalidInputError(
    'simulator.fault-invalid',
    'invalid MNS delivery faults',
    r.error.issues.map((i) => ({
      path: i.path.join('.'),
      message: i.message,
      hint: 'rates are numbers in [0, 1], durations whole milliseconds ≤ 3600000',
    })),
  );
}

/** A deterministic draw in [0, 1) for one decision. */
export function dice(seed: number, key: string): number {
  return createHash('sha256').update(`${seed}\u0000${key}`).digest().readUInt32BE(0) / 2 ** 32;
}

export interface DeliveryPlan {
  /** Delay of each copy; empty when the message is lost, two entries when duplicated. */
  readonly delaysMs: readonly number[];
  readonly lost: boolean;
  readonly duplicated: boolean;
  readonly delayed: boolean;
  readonly reordered: boolean;
}

/** What happens to message number `seq` (1-based, per topic) on its way to `subscription`. */
export function planDelivery(
  f: DeliveryFaults,
  seed: number,
  subscription: string,
  seq: number,
): DeliveryPlan {
  const key = `${subscription}#${seq}`;
  const hit = (what: string, rate: number | undefined) =>
    (rate ?? 0) > 0 && dice(seed, `${key}:${what}`) < rate!;
  if (hit('loss', f.lossRate)) {
    return { delaysMs: [], lost: true, duplicated: false, delayed: false, reordered: false };
  }
  const duplicated = hit('duplicate', f.duplicateRate);
  let delayed = false;
  const delaysMs = (duplicated ? [0, 1] : [0]).map((copy) => {
    const jitter = Math.floor(dice(seed, `${key}:jitter:${copy}`) * (f.jitterMs ?? 0));
    const extra = hit(`delay:${copy}`, f.delayRate) ? (f.delayMs ?? 5_000) : 0;
    if (extra > 0) delayed = true;
    return (f.latencyMs ?? 0) + jitter + extra;
  });
  return { delaysMs, lost: false, duplicated, delayed, reordered: hit('reorder', f.reorderRate) };
}

export type NotifyFormat = 'JSON' | 'STREAM';

export interface DeliveryInfo {
  readonly messageId: string;
  readonly topic: string;
  readonly subscription: string;
  /** 1 for the first invocation, 2… for FC's retries. */
  readonly attempt: number;
  /** 0, or 1 for the second copy of a duplicated message. */
  readonly copy: number;
}

export interface Subscriber {
  readonly name: string;
  readonly format?: NotifyFormat;
  /** Only messages published with this MessageTag (MNS's FilterTag, ≤ 16 characters). */
  readonly filterTag?: string;
  /** Receives the exact event bytes FC passes the function. A rejection makes FC retry. */
  readonly deliver: (event: Buffer, info: DeliveryInfo) => unknown;
}

export interface QueuedMessage {
  readonly seq: number;
  readonly topic: string;
  readonly messageId: string;
}

export interface DeliveryStats {
  planned: number;
  lost: number;
  duplicated: number;
  delayed: number;
  reordered: number;
  invocations: number;
  delivered: number;
  failedAttempts: number;
  abandoned: number;
}

interface Entry {
  due: number;
  order: number;
  readonly message: QueuedMessage;
  readonly sub: Subscriber;
  readonly event: Buffer;
  readonly attempt: number;
  readonly copy: number;
}

export interface DeliveryQueueOptions {
  readonly clock: Pick<Clock, 'now'>;
  readonly seed: number;
  /** Deliver on real timers as messages fall due (default); false: only `deliverDue` / `drain`. */
  readonly autoDeliver: boolean;
  readonly faults: () => DeliveryFaults;
  readonly onInvocation?: (info: DeliveryInfo, ok: boolean) => void;
}

export class DeliveryQueue {
  readonly stats: DeliveryStats = {
    planned: 0,
    lost: 0,
    duplicated: 0,
    delayed: 0,
    reordered: 0,
    invocations: 0,
    delivered: 0,
    failedAttempts: 0,
    abandoned: 0,
  };
  private pending: Entry[] = [];
  /** Per subscription, the held-back message's entries and the times they were first due. */
  private readonly held = new Map<Subscriber, { entries: Entry[]; dues: number[] }>();
  private readonly inflight = new Set<Promise<void>>();
  private order = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(private readonly opts: DeliveryQueueOptions) {}

  /** Schedules one message for one subscription; `event` is what the function will receive. */
  enqueue(message: QueuedMessage, sub: Subscriber, event: Buffer): void {
    const f = this.opts.faults();
    const plan = planDelivery(f, this.opts.seed, sub.name, message.seq);
    const now = this.opts.clock.now();
    this.stats.planned++;
    if (plan.lost) this.stats.lost++;
    if (plan.duplicated) this.stats.duplicated++;
    if (plan.delayed) this.stats.delayed++;
    const entries = plan.delaysMs.map((d, copy) => this.entry(now + d, message, sub, event, 1, copy));
    const waiting = this.held.get(sub);
    if (waiting && entries.length > 0) {
      // The held-back message goes right after this one.
      const last = Math.max(...entries.map((e) => e.due));
      waiting.entries.forEach((e, i) => {
        e.due = Math.max(last, waiting.dues[i]!);
        e.order = ++this.order;
      });
      this.held.delete(sub);
    } else if (!waiting && plan.reordered && entries.length > 0) {
      this.stats.reordered++;
      const dues = entries.map((e) => e.due);
      for (const e of entries) e.due += f.maxHoldMs ?? 5_000;
      this.held.set(sub, { entries, dues });
    }
    this.arm();
  }

  /** Starts every invocation due at `now` (all of them when `now` is Infinity), in due order. */
  deliverDue(now: number = this.opts.clock.now()): void {
    this.pending.sort((a, b) => a.due - b.due || a.order - b.order);
    while (this.pending.length > 0 && this.pending[0]!.due <= now) this.invoke(this.pending.shift()!);
    this.arm();
  }

  /** Delivers everything pending, retries included, and waits for the invocations to finish. */
  async drain(): Promise<void> {
    for (;;) {
      this.deliverDue(Number.POSITIVE_INFINITY);
      if (this.inflight.size === 0) return;
      await Promise.allSettled([...this.inflight]);
    }
  }

  pendingCount(): number {
    return this.pending.length;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private entry(
    due: number,
    message: QueuedMessage,
    sub: Subscriber,
    event: Buffer,
    attempt: number,
    copy: number,
  ) {
    const e: Entry = { due, order: ++this.order, message, sub, event, attempt, copy };
    this.pending.push(e);
    return e;
  }

  private invoke(e: Entry): void {
    for (const [sub, h] of this.held) if (h.entries.includes(e)) this.held.delete(sub);
    const info: DeliveryInfo = {
      messageId: e.message.messageId,
      topic: e.message.topic,
      subscription: e.sub.name,
      attempt: e.attempt,
      copy: e.copy,
    };
    this.stats.invocations++;
    // The handler starts now; a synchronous throw counts as a failed invocation like a rejection.
    let result: unknown;
    try {
      result = e.sub.deliver(e.event, info);
    } catch (err) {
      result = Promise.reject(err);
    }
    const run = Promise.resolve(result)
      .then(
        () => {
          this.stats.delivered++;
          this.opts.onInvocation?.(info, true);
        },
        () => {
          this.stats.failedAttempts++;
          this.opts.onInvocation?.(info, false);
          this.retry(e);
        },
      )
      .finally(() => this.inflight.delete(run));
    this.inflight.add(run);
  }

  private retry(e: Entry): void {
    if (this.closed) return;
    if (e.attempt > (this.opts.faults().retries ?? 3)) {
      this.stats.abandoned++;
      return;
    }
    const wait =
      10_000 + Math.floor(dice(this.opts.seed, `${e.sub.name}#${e.message.seq}:retry:${e.attempt}`) * 10_000);
    this.entry(this.opts.clock.now() + wait, e.message, e.sub, e.event, e.attempt + 1, e.copy);
    this.arm();
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.opts.autoDeliver || this.closed || this.pending.length === 0) return;
    const next = Math.min(...this.pending.map((e) => e.due));
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.deliverDue();
      },
      Math.max(0, next - this.opts.clock.now()),
    );
    this.timer.unref?.();
  }
}
