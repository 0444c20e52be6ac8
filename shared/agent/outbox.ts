/**
 * Reports waiting for the sink: at most one per key (newest wins), oldest first, bounded; and the retry
 * delay after a failed attempt, a capped full-jitter backoff with a floor so that even a run of unlucky
 * draws never makes the agent spin against an unreachable sink. Pure.
 */

export interface Pending {
  readonly key: string;
  readonly body: string;
}

export const MAX_OUTBOX = 256;

export class Outbox {
  private readonly entries = new Map<string, string>();

  constructor(private readonly max = MAX_OUTBOX) {}

  /** Queues `body` under `key`, replacing what was waiting there; returns what was evicted, if anything. */
  put(key: string, body: string): Pending | undefined {
    this.entries.delete(key);
    this.entries.set(key, body);
    if (this.entries.size <= this.max) return undefined;
    const [oldestKey, oldestBody] = this.entries.entries().next().value as [string, string];
    this.entries.delete(oldestKey);
    return { key: oldestKey, body: oldestBody };
  }

  /** The oldest waiting report. */
  peek(): Pending | undefined {
    const first = this.entries.entries().next();
    return first.done ? undefined : { key: first.value[0], body: first.value[1] };
  }

  /** Removes `p` unless a newer report replaced it meanwhile. */
  settle(p: Pending): void {
    if (this.entries.get(p.key) === p.body) this.entries.delete(p.key);
  }

  get size(): number {
    return this.entries.size;
  }
}

export interface RetryPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
  /** No retry comes sooner than this, whatever the draw. */
  readonly minMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 1_000, maxMs: 30_000, minMs: 1_000 };

/** The wait after the `failures`-th consecutive failure (1 = the first): uniform in [min, min(max, base·2^(n−1))]. */
export function retryDelay(failures: number, policy: RetryPolicy, random: () => number): number {
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(Math.max(failures - 1, 0), 30));
  return Math.max(policy.minMs, Math.floor(random() * cap));
}
