/**
 * Idempotency tokens (`common/idempotency.ts`): a remembered result is returned without running
 * again, other parameters under the same token are refused, failures are not remembered, and the
 * oldest tokens are forgotten first.
 */
import { describe, expect, it } from 'vitest';
import {
  fingerprintOf,
  IdempotencyCache,
} from '../../../../../shared/adapters/simulator/common/idempotency.js';

const mismatch = () => new Error('mismatch');

describe('IdempotencyCache', () => {
  it('runs once per key; a repeat with the same fingerprint gets the first result', () => {
    const cache = new IdempotencyCache<{ n: number }>(10);
    let runs = 0;
    const run = () => ({ n: ++runs });
    const first = cache.run('k', 'f', run, mismatch);
    expect(cache.run('k', 'f', run, mismatch)).toBe(first);
    expect(runs).toBe(1);
    expect(cache.run('other', 'f', run, mismatch)).toEqual({ n: 2 });
  });

  it('refuses the key with another fingerprint, without running', () => {
    const cache = new IdempotencyCache<string>(10);
    cache.run('k', 'f1', () => 'first', mismatch);
    let ran = false;
    expect(() =>
      cache.run(
        'k',
        'f2',
        () => {
          ran = true;
          return 'second';
        },
        mismatch,
      ),
    ).toThrow('mismatch');
    expect(ran).toBe(false);
  });

  it('does not remember a run that threw, so a retry runs again', () => {
    const cache = new IdempotencyCache<string>(10);
    expect(() =>
      cache.run(
        'k',
        'f',
        () => {
          throw new Error('refused');
        },
        mismatch,
      ),
    ).toThrow('refused');
    expect(cache.run('k', 'f', () => 'ok', mismatch)).toBe('ok');
  });

  it('forgets the oldest key beyond its size', () => {
    const cache = new IdempotencyCache<string>(2);
    for (const k of ['a', 'b', 'c']) cache.run(k, 'f', () => `${k}1`, mismatch);
    expect(cache.run('a', 'f', () => 'a2', mismatch)).toBe('a2');
    expect(cache.run('c', 'f', () => 'c2', mismatch)).toBe('c1');
  });
});

describe('fingerprintOf', () => {
  it('ignores the order of parameters and the token itself, but no other parameter', () => {
    const a = fingerprintOf({ HaVipId: 'h', InstanceId: 'i', ClientToken: 't1' }, 'ClientToken');
    expect(fingerprintOf({ ClientToken: 't2', InstanceId: 'i', HaVipId: 'h' }, 'ClientToken')).toBe(a);
    expect(fingerprintOf({ HaVipId: 'h', InstanceId: 'j', ClientToken: 't1' }, 'ClientToken')).not.toBe(a);
    expect(fingerprintOf({ HaVipId: 'h', InstanceId: 'i', Force: 'True' }, 'ClientToken')).not.toBe(a);
  });
});
