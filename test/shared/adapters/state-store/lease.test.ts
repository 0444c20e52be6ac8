/** The lease rules every adapter applies to its group row (table-driven). */
import { describe, expect, it } from 'vitest';
import {
  isLeaseFree,
  leaseVerdict,
  type StoredLease,
  staleEpoch,
} from '../../../../shared/adapters/state-store/index.js';
import { StaleEpochError } from '../../../../shared/core/errors.js';
import { groupName } from '../../../../shared/core/model.js';

const T0 = 1_700_000_000_000;
const row = (over: Partial<StoredLease> = {}): StoredLease => ({
  group: groupName('g'),
  epoch: 3,
  holder: 'inv-3',
  expiresAt: T0 + 1_000,
  released: false,
  ...over,
});

describe('leaseVerdict', () => {
  it.each([
    { label: 'no row', lease: undefined, epoch: 1, now: T0, verdict: 'no-lease' },
    { label: 'a newer epoch holds it', lease: row(), epoch: 2, now: T0, verdict: 'superseded' },
    { label: 'an epoch never issued', lease: row(), epoch: 4, now: T0, verdict: 'not-issued' },
    { label: 'our epoch, released', lease: row({ released: true }), epoch: 3, now: T0, verdict: 'released' },
    { label: 'our epoch, at its expiry', lease: row(), epoch: 3, now: T0 + 1_000, verdict: 'expired' },
    { label: 'our epoch, live', lease: row(), epoch: 3, now: T0 + 999, verdict: 'current' },
  ])('$label → $verdict', ({ lease, epoch, now, verdict }) => {
    expect(leaseVerdict(lease, epoch, now)).toBe(verdict);
  });
});

describe('isLeaseFree', () => {
  it.each([
    { label: 'held', lease: row(), now: T0, free: false },
    { label: 'expired', lease: row(), now: T0 + 1_000, free: true },
    { label: 'released', lease: row({ released: true }), now: T0, free: true },
  ])('$label → $free', ({ lease, now, free }) => {
    expect(isLeaseFree(lease, now)).toBe(free);
  });
});

describe('staleEpoch', () => {
  it.each([
    { label: 'superseded', lease: row(), epoch: 2, now: T0, reason: 'superseded' },
    { label: 'expired with a clock', lease: row(), epoch: 3, now: T0 + 5_000, reason: 'expired' },
    // Renewal ignores expiry: a refused renewal of a still-current epoch changed under us.
    { label: 'expired, no clock', lease: row(), epoch: 3, now: undefined, reason: 'changed-concurrently' },
    { label: 'no row', lease: undefined, epoch: 1, now: T0, reason: 'no-lease' },
  ])('$label → $reason', ({ lease, epoch, now, reason }) => {
    const e = staleEpoch('g', epoch, lease, now);
    expect(e).toBeInstanceOf(StaleEpochError);
    expect(e.details).toMatchObject({
      reason,
      currentEpoch: lease?.epoch,
      currentExpiresAt: lease?.expiresAt,
    });
  });
});
