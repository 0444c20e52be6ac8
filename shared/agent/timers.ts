/**
 * The agent's one source of time: the clock and one-shot timers, so that the report dispatcher (and
 * anything else driven by time) runs on a fake clock in tests.
 */

export interface Timers {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `fn` after `ms`; the returned function cancels it. */
  after(ms: number, fn: () => void): () => void;
}

export const systemTimers: Timers = {
  now: () => Date.now(),
  after(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(t);
  },
};

/** Runs `fn` every `everyMs` (first run after `firstMs`) until the returned function is called. */
export function every(timers: Timers, everyMs: number, fn: () => void, firstMs = everyMs): () => void {
  let cancel = timers.after(firstMs, tick);
  let stopped = false;
  function tick() {
    if (stopped) return;
    cancel = timers.after(everyMs, tick);
    fn();
  }
  return () => {
    stopped = true;
    cancel();
  };
}
