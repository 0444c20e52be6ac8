/**
 * keepalived-semantics election. Among eligible members the highest `priority` wins; on equal priority the
 * higher primary IPv4 address (compared as a 32-bit number, as VRRP compares the sender's address) wins;
 * still equal (only possible with duplicate IPs, which the validators refuse) the lexically greater member
 * id wins, so the result is deterministic whatever order the members are listed in.
 */
import type { Member, MemberId } from './model.js';

/** Parses dotted-quad IPv4 to an unsigned 32-bit number; `undefined` for anything else. */
export function ipv4ToNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

/** Positive when `a` beats `b` in an election, negative when `b` wins, 0 only for the same member. */
export function compareCandidates(a: Member, b: Member): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
  const ipA = ipv4ToNumber(a.ip) ?? -1;
  const ipB = ipv4ToNumber(b.ip) ?? -1;
  if (ipA !== ipB) return ipA - ipB;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Elects the winner among `members` for which `isEligible` holds; `undefined` when none is eligible.
 */
export function elect(members: readonly Member[], isEligible: (id: MemberId) => boolean): Member | undefined {
  let best: Member | undefined;
  for (const m of members) {
    if (!isEligible(m.id)) continue;
    if (best === undefined || compareCandidates(m, best) > 0) best = m;
  }
  return best;
}

/** All eligible members, best first (for status displays and "next in line" hints). */
export function rank(members: readonly Member[], isEligible: (id: MemberId) => boolean): Member[] {
  return members.filter((m) => isEligible(m.id)).sort((a, b) => compareCandidates(b, a));
}
