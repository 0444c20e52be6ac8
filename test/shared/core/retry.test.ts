/** The retry policy: full-jitter backoff bounds, giving up at the deadline, and what is retryable. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CloudError,
  CloudResponseLostError,
  DeadlineExceededError,
  HavipError,
  InvalidInputError,
  LeaseBusyError,
  NotFoundError,
  StaleEpochError,
  StoreError,
} from '../../../shared/core/errors.js';
import type { Clock } from '../../../shared/core/ports.js';
import {
  type BackoffPolicy,
  backoffDelay,
  backoffOrGiveUp,
  DEFAULT_BACKOFF,
  isRetryable,
} from '../../../shared/core/retry.js';

/** A clock that only moves when something sleeps on it. */
function steppedClock(start = 1_000_000): Clock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

const policy: BackoffPolicy = { baseMs: 100, maxMs: 3_000 };

describe('backoffDelay', () => {
  it.each([
    // attempt, random, delay: uniform in [0, min(max, base·2^attempt)]
    { attempt: 0, random: 0, delay: 0 },
    { attempt: 0, random: 0.5, delay: 50 },
    { attempt: 0, random: 0.999, delay: 99 },
    { attempt: 1, random: 0.5, delay: 100 },
    { attempt: 3, random: 0.5, delay: 400 },
    { attempt: 4, random: 0.5, delay: 800 },
    { attempt: 5, random: 0.5, delay: 1_500 }, // 3,200 capped at 3,000
    { attempt: 30, random: 0.999, delay: 2_997 },
    { attempt: 10_000, random: 0.999, delay: 2_997 }, // no overflow for absurd attempts
  ])('attempt $attempt, random $random → $delay ms', ({ attempt, random, delay }) => {
    expect(backoffDelay(attempt, policy, () => random)).toBe(delay);
  });

  it('is always a whole number of ms in [0, min(max, base·2^attempt))', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 200 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 1_000 }),
        fc.integer({ min: 1, max: 60_000 }),
        (attempt, random, baseMs, maxMs) => {
          const d = backoffDelay(attempt, { baseMs, maxMs }, () => random);
          const cap = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
          return Number.isInteger(d) && d >= 0 && (d < cap || d === 0);
        },
      ),
    );
  });
});

describe('backoffOrGiveUp', () => {
  it('sleeps the backoff (at least 1 ms) while the deadline allows it', async () => {
    const clock = steppedClock();
    for (const attempt of [0, 1, 2]) {
      await backoffOrGiveUp(attempt, clock, clock.now() + 10_000, policy, () => 0.5, 'x', undefined);
    }
    await backoffOrGiveUp(0, clock, clock.now() + 10_000, policy, () => 0, 'x', undefined);
    expect(clock.slept).toEqual([50, 100, 200, 1]);
  });

  it('gives up without sleeping when the sleep would reach the deadline, carrying the last error', async () => {
    const clock = steppedClock();
    const last = new CloudError({
      action: 'AssociateHaVip',
      alibabaCode: 'Throttling.User',
      message: 'slow down',
      retryable: true,
      code: 'cloud.throttled',
    });
    const deadline = clock.now() + 400; // attempt 3 at random 0.5 wants 400 ms: it would reach it
    const e = await backoffOrGiveUp(3, clock, deadline, policy, () => 0.5, 'AssociateHaVip', last).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(DeadlineExceededError);
    expect(e).toMatchObject({
      code: 'deadline.exceeded',
      message: 'AssociateHaVip: deadline exceeded',
      details: { attempts: 4, lastError: 'cloud.throttled' },
    });
    expect(clock.slept).toEqual([]);
  });

  it('a retry loop under the default policy stops at its deadline, never past it', async () => {
    const clock = steppedClock();
    const deadline = clock.now() + 5_000;
    let attempts = 0;
    const gaveUp = await (async () => {
      for (let attempt = 0; ; attempt++) {
        attempts++;
        await backoffOrGiveUp(attempt, clock, deadline, DEFAULT_BACKOFF, () => 0.99, 'read', 'boom');
      }
    })().catch((e: unknown) => e);
    expect(gaveUp).toMatchObject({ details: { attempts, lastError: 'boom' } });
    expect(clock.now()).toBeLessThan(deadline);
    expect(attempts).toBeGreaterThan(3);
  });
});

describe('isRetryable', () => {
  it.each([
    [
      'a throttled call',
      new CloudError({ action: 'a', alibabaCode: 'Throttling', message: '', retryable: true }),
      true,
    ],
    [
      'a 5xx',
      new CloudError({ action: 'a', alibabaCode: 'ServiceUnavailable', message: '', retryable: true }),
      true,
    ],
    [
      'a refused call',
      new CloudError({ action: 'a', alibabaCode: 'Forbidden.RAM', message: '', retryable: false }),
      false,
    ],
    ['a lost response (re-read first)', new CloudResponseLostError('AssociateHaVip'), true],
    ['a busy lease', new LeaseBusyError('web', 3, 0), true],
    ['a passed deadline', new DeadlineExceededError('x'), true],
    ['a stale epoch (stop)', new StaleEpochError('web', 3), false],
    ['bad input', new InvalidInputError('request.invalid', 'bad', []), false],
    ['an unknown group', new NotFoundError('group', 'web'), false],
    ['a store error marked retryable', new StoreError('busy', { retryable: true }), true],
    ['a store error', new StoreError('broken'), false],
    ['a HavipError without the flag', new HavipError('internal', 'y'), false],
    ['a plain Error', new Error('boom'), false],
    ['a string', 'boom', false],
    ['undefined', undefined, false],
  ])('%s → %s', (_name, error, retryable) => {
    expect(isRetryable(error)).toBe(retryable);
  });
});
