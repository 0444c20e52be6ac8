/**
 * What every decision rule looks at: the group, what is bound, each member's health and the recent
 * moves, with the lookups the rules share. Pure.
 */
import { elect } from '../election.js';
import type {
  Decision,
  Group,
  IneligibleReason,
  ManualRequest,
  Member,
  MemberHealth,
  MemberId,
} from '../model.js';

export interface DecideInput {
  readonly group: Group;
  /**
   * Ids the HaVip is bound to as the cloud reports them (for `direct` EIP groups: the instance the EIP is
   * bound to). May contain ids outside the group.
   */
  readonly bound: readonly string[];
  /** `MasterInstanceId`: the bound instance the VPC currently routes to, if the cloud names one. */
  readonly master: string | undefined;
  /** Health per member; a member missing from the map is treated as ineligible (`missing`). */
  readonly health: ReadonlyMap<MemberId, MemberHealth>;
  /** Epoch-ms times of completed moves of this group (any age; the window is applied here). */
  readonly recentMoves: readonly number[];
  readonly now: number;
  readonly manual?: ManualRequest | undefined;
}

/** The input, with what the rules ask of it. */
export interface Situation {
  readonly input: DecideInput;
  readonly group: Group;
  readonly now: number;
  /** Bound ids that are not members of the group. */
  readonly foreign: readonly string[];
  /** Bound members of the group, in the cloud's order. */
  readonly boundMembers: readonly Member[];
  /** The member the election picks among all eligible members. */
  readonly elected: Member | undefined;
  member(id: string): Member | undefined;
  /** A member's health; one missing from the input is ineligible (`missing`). */
  healthOf(id: MemberId): MemberHealth;
  isEligible(id: MemberId): boolean;
  /** Why a member is (not) eligible, in words. */
  why(id: MemberId): string;
}

export function situationOf(input: DecideInput): Situation {
  const { group, health } = input;
  const byId = new Map<string, Member>(group.members.map((m) => [m.id, m]));
  const healthOf = (id: MemberId): MemberHealth =>
    health.get(id) ?? { id, eligible: false, eligibleSince: undefined, reasons: [{ kind: 'missing' }] };
  const isEligible = (id: MemberId): boolean => healthOf(id).eligible;
  return {
    input,
    group,
    now: input.now,
    foreign: input.bound.filter((id) => !byId.has(id)),
    boundMembers: input.bound.filter((id) => byId.has(id)).map((id) => byId.get(id) as Member),
    elected: elect(group.members, isEligible),
    member: (id) => byId.get(id),
    healthOf,
    isEligible,
    why: (id) => {
      const reasons = healthOf(id).reasons;
      return reasons.length === 0 ? 'eligible' : reasons.map(describeReason).join(', ');
    },
  };
}

export function describeReason(r: IneligibleReason): string {
  switch (r.kind) {
    case 'stopped':
      return `instance ${r.status}`;
    case 'missing':
      return 'not found in the cloud';
    case 'heartbeat-timeout':
      return 'heartbeat timed out';
    case 'probe-failed':
      return `probe failed ${r.failures} time(s)`;
    case 'draining':
      return `draining (${r.source})`;
    case 'not-running':
      return `instance ${r.status}`;
    case 'reported-silent':
      return `reported silent by ${r.by.join(', ')}, confirmed by ${r.witness}`;
    case 'checks-failed':
      return 'its agent reports its checks failing';
  }
}

export const label = (m: Member): string => `${m.id} (priority ${m.priority})`;

/** Completed moves inside the flap guard's window. */
export function movesInWindow(s: Situation): number {
  const windowStart = s.now - s.group.flapGuard.windowSeconds * 1000;
  return s.input.recentMoves.filter((t) => t > windowStart && t <= s.now).length;
}

/** The alert for something bound that is not ours: acting could cut someone else's traffic. */
export function foreignAssociation(s: Situation, holder: MemberId | undefined): Decision | undefined {
  if (s.foreign.length === 0) return undefined;
  const { foreign } = s;
  return {
    kind: 'alert',
    alert: 'foreign-association',
    holder,
    reason: `the HaVip is bound to ${foreign.join(', ')}, which ${foreign.length === 1 ? 'is' : 'are'} not in group ${s.group.name}; no action until an operator resolves it`,
  };
}
