/**
 * Alibaba Cloud HaVip quotas the static validators enforce.
 *
 * Alibaba's documentation has two editions that disagree: the 2021 edition (and the English
 * `AssociateHaVip` API page) allow two ECS instances or ENIs per HaVip and five HaVips per account;
 * the 2025 Chinese and overview pages allow ten and fifty. Both are selectable as profiles, and every
 * value can be overridden because quotas can be raised in Quota Center.
 */
import type { QuotaProfile, Quotas } from './model.js';

/** The quota profiles a topology can name with `quotaProfile`. */
export const QUOTA_PROFILES: Readonly<Record<QuotaProfile, Quotas>> = Object.freeze({
  /** Current documentation: 10 members per HaVip, 5 HaVips per instance, 1 EIP per HaVip, 50 HaVips. */
  current: Object.freeze({ membersPerHaVip: 10, haVipsPerInstance: 5, eipsPerHaVip: 1, haVipsPerRegion: 50 }),
  /** The 2021 edition: 2 members per HaVip and 5 HaVips per account; the rest unchanged. */
  legacy: Object.freeze({ membersPerHaVip: 2, haVipsPerInstance: 5, eipsPerHaVip: 1, haVipsPerRegion: 5 }),
});

/** The profile used when a topology does not name one. */
export const DEFAULT_QUOTA_PROFILE: QuotaProfile = 'current';

/** The quota names, in documentation order. */
export const QUOTA_KEYS = [
  'membersPerHaVip',
  'haVipsPerInstance',
  'eipsPerHaVip',
  'haVipsPerRegion',
] as const;

/** What each quota limits, for messages. */
export const QUOTA_DESCRIPTIONS: Readonly<Record<keyof Quotas, string>> = Object.freeze({
  membersPerHaVip: 'ECS instances or ENIs bound to one HaVip',
  haVipsPerInstance: 'HaVips bound to one ECS instance',
  eipsPerHaVip: 'EIPs bound to one HaVip',
  haVipsPerRegion: 'HaVips in one region',
});

/** The profile's quotas with `overrides` applied on top; the result is frozen. */
export function resolveQuotas(profile: QuotaProfile, overrides: Partial<Quotas> = {}): Quotas {
  const base = QUOTA_PROFILES[profile];
  const out: Quotas = {
    membersPerHaVip: overrides.membersPerHaVip ?? base.membersPerHaVip,
    haVipsPerInstance: overrides.haVipsPerInstance ?? base.haVipsPerInstance,
    eipsPerHaVip: overrides.eipsPerHaVip ?? base.eipsPerHaVip,
    haVipsPerRegion: overrides.haVipsPerRegion ?? base.haVipsPerRegion,
  };
  return Object.freeze(out);
}

/**
 * Describes where a quota value came from, for messages: `quota membersPerHaVip = 2 (legacy profile)`
 * or `… = 4 (override; the current profile says 10)`.
 */
export function describeQuota(key: keyof Quotas, quotas: Quotas, profile: QuotaProfile): string {
  const value = quotas[key];
  const fromProfile = QUOTA_PROFILES[profile][key];
  return value === fromProfile
    ? `quota ${key} = ${value} (${profile} profile)`
    : `quota ${key} = ${value} (override; the ${profile} profile says ${fromProfile})`;
}
