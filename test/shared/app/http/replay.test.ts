/** The replay guards: the in-process one (bounded per principal, never flushed) and the store-backed one. */
import { describe, expect, it } from 'vitest';
import { memoryReplayGuard, storeReplayGuard } from '../../../../shared/app/http/replay.js';
import { TestClock } from '../../../support/http.js';

const entry = (key: string, principal = 'ops', ttlMs = 60_000) => ({ principal, key, ttlMs });

describe('memoryReplayGuard', () => {
  it('admits a key once per TTL', async () => {
    const clock = new TestClock();
    const guard = memoryReplayGuard(clock);
    expect(await guard(entry('a', 'ops', 1000))).toBe('first');
    expect(await guard(entry('a', 'ops', 1000))).toBe('replayed');
    expect(await guard(entry('b', 'ops', 1000))).toBe('first');
    clock.time += 1000;
    expect(await guard(entry('a', 'ops', 1000))).toBe('first');
  });

  it('regression (issue 13.3): no volume of requests flushes a live signature, of another principal or its own', async () => {
    const clock = new TestClock();
    const guard = memoryReplayGuard(clock, 3);
    expect(await guard(entry('victim-signature', 'ops'))).toBe('first');
    // The attacker signs as many requests as it likes with its own key…
    const own = [];
    for (let i = 0; i < 10; i++) own.push(await guard(entry(`attacker-${i}`, 'attacker')));
    // …its room fills and it is refused, never making room by forgetting.
    expect(own).toEqual(['first', 'first', 'first', ...Array(7).fill('full')]);
    expect(await guard(entry('attacker-0', 'attacker'))).toBe('replayed');
    // The captured request of the other principal is still a replay.
    expect(await guard(entry('victim-signature', 'ops'))).toBe('replayed');
    // And the victim itself is unaffected by the attacker's full room.
    expect(await guard(entry('victim-next', 'ops'))).toBe('first');
  });

  it('makes room again as signatures expire', async () => {
    const clock = new TestClock();
    const guard = memoryReplayGuard(clock, 2);
    await guard(entry('a'));
    clock.time += 10_000;
    await guard(entry('b'));
    expect(await guard(entry('c'))).toBe('full');
    clock.time += 50_000; // `a` has expired, `b` has not
    expect(await guard(entry('c'))).toBe('first');
    expect(await guard(entry('b'))).toBe('replayed');
  });
});

describe('storeReplayGuard', () => {
  it('maps the store’s first-seen answer and prefixes the key, at the clock’s time', async () => {
    const clock = new TestClock();
    const seen = new Map<string, number>();
    const calls: [string, number, number][] = [];
    const guard = storeReplayGuard(async (key, ttlMs, now) => {
      calls.push([key, ttlMs, now]);
      const first = !seen.has(key);
      seen.set(key, now + ttlMs);
      return first;
    }, clock);
    expect(await guard(entry('k'))).toBe('first');
    expect(await guard(entry('k'))).toBe('replayed');
    expect(calls[0]).toEqual(['hmac:k', 60_000, clock.now()]);
  });
});
