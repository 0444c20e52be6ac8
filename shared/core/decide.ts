/**
 * The decision table of SEMANTICS.md, as one pure function. Given a group, what the cloud says is bound,
 * each member's health and the recent moves, it returns exactly one {@link Decision} with a human-readable
 * `reason`. The same function serves real runs and the dry-run `plan`.
 *
 * Order of precedence (first match wins):
 *  1. something outside the group is bound         → alert `foreign-association` (never touch what isn't ours)
 *  2. more than one member bound (exclusive mode)  → repair the split brain
 *  3. a manual request                             → manual failover rules
 *  4. the holder rules (no holder / eligible holder / ineligible holder), with the flap guard.
 */
import { compareCandidates, elect } from './election.js';
import {
  type Decision,
  type Group,
  type IneligibleReason,
  isHardDown,
  type ManualRequest,
  type Member,
  type MemberHealth,
  type MemberId,
} from './model.js';

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

const describeReason = (r: IneligibleReason): string => {
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
  }
};

export function decide(input: DecideInput): Decision {
  if (input.group.announce === 'keepalived') return decideKeepalived(input);
  const { group, health, now } = input;
  const byId = new Map<string, Member>(group.members.map((m) => [m.id, m]));
  const healthOf = (id: MemberId): MemberHealth =>
    health.get(id) ?? { id, eligible: false, eligibleSince: undefined, reasons: [{ kind: 'missing' }] };
  const isEligible = (id: MemberId): boolean => healthOf(id).eligible;
  const why = (id: MemberId): string => {
    const reasons = healthOf(id).reasons;
    return reasons.length === 0 ? 'eligible' : reasons.map(describeReason).join(', ');
  };
  const label = (m: Member): string => `${m.id} (priority ${m.priority})`;

  // 1. Foreign associations: something we do not manage is bound. Acting could cut someone else's traffic.
  const foreign = input.bound.filter((id) => !byId.has(id));
  const boundMembers = input.bound.filter((id) => byId.has(id)).map((id) => byId.get(id) as Member);
  if (foreign.length > 0) {
    return {
      kind: 'alert',
      alert: 'foreign-association',
      holder: boundMembers[0]?.id,
      reason: `the HaVip is bound to ${foreign.join(', ')}, which ${foreign.length === 1 ? 'is' : 'are'} not in group ${group.name}; no action until an operator resolves it`,
    };
  }

  const elected = elect(group.members, isEligible);

  // 2. Split brain: more than one member bound in exclusive mode.
  if (boundMembers.length > 1) {
    const masterMember = input.master === undefined ? undefined : byId.get(input.master);
    const masterBound = masterMember !== undefined && boundMembers.some((m) => m.id === masterMember.id);
    let keep: Member;
    let why2: string;
    if (masterBound && isEligible(masterMember.id)) {
      keep = masterMember;
      why2 = `${masterMember.id} is the master (MasterInstanceId) and eligible`;
    } else {
      const bestBound = elect(boundMembers, isEligible);
      if (bestBound !== undefined) {
        keep = bestBound;
        why2 = `${bestBound.id} is the best eligible bound member`;
      } else {
        // Nobody bound is eligible: keep one holder (never detach the last), preferring the master.
        keep = masterBound
          ? masterMember
          : ([...boundMembers].sort((a, b) => compareCandidates(b, a))[0] as Member);
        why2 = `no bound member is eligible; keeping ${keep.id} so the address stays attached`;
      }
    }
    const detach = boundMembers.filter((m) => m.id !== keep.id).map((m) => m.id);
    const noneEligible = elected === undefined;
    return {
      kind: 'repair-split-brain',
      keep: keep.id,
      detach,
      reason: `split brain: bound to ${boundMembers.map((m) => m.id).join(', ')}; keeping ${keep.id} because ${why2}; detaching ${detach.join(', ')}`,
      ...(noneEligible ? { alert: 'no-eligible-member' as const } : {}),
    };
  }

  const holder = boundMembers[0];

  // 3. Manual failover: overrides nopreempt and the flap guard, not eligibility (unless force).
  if (input.manual !== undefined) return decideManual(input.manual, holder);

  // 4a. Nothing bound.
  if (holder === undefined) {
    if (elected === undefined) {
      return {
        kind: 'alert',
        alert: 'no-eligible-member',
        holder: undefined,
        reason: `nothing is bound and no member is eligible (${group.members.map((m) => `${m.id}: ${why(m.id)}`).join('; ')})`,
      };
    }
    return {
      kind: 'attach',
      target: elected.id,
      forced: false,
      reason: `nothing is bound; ${label(elected)} is the elected member`,
    };
  }

  const holderHealth = healthOf(holder.id);

  // 4b. Eligible holder.
  if (holderHealth.eligible) {
    if (group.nopreempt) {
      return {
        kind: 'noop',
        holder: holder.id,
        reason:
          elected !== undefined && elected.id !== holder.id
            ? `holder ${label(holder)} is eligible; nopreempt keeps it although ${label(elected)} is eligible`
            : `holder ${label(holder)} is eligible`,
      };
    }
    if (elected === undefined || elected.id === holder.id || elected.priority <= holder.priority) {
      return {
        kind: 'noop',
        holder: holder.id,
        reason:
          elected !== undefined && elected.id !== holder.id
            ? `holder ${label(holder)} is eligible; ${label(elected)} does not have a strictly higher priority`
            : `holder ${label(holder)} is eligible and is the elected member`,
      };
    }
    const since = healthOf(elected.id).eligibleSince;
    const dueAt = (since ?? now) + group.preemptDelaySeconds * 1000;
    if (since === undefined || dueAt > now) {
      const waited = since === undefined ? 0 : Math.max(0, Math.floor((now - since) / 1000));
      return {
        kind: 'noop',
        holder: holder.id,
        reason: `preemption pending: ${label(elected)} has been eligible for ${waited}s of the ${group.preemptDelaySeconds}s preempt delay`,
        recheckAt: dueAt,
      };
    }
    return guarded(
      {
        kind: 'move',
        from: holder.id,
        to: elected.id,
        cause: 'preempt',
        forced: false,
        reason: `preempting: ${label(elected)} outranks holder ${label(holder)} and has been eligible for at least ${group.preemptDelaySeconds}s`,
      },
      holder,
      false,
    );
  }

  // 4c. Ineligible holder.
  const onlyDraining = holderHealth.reasons.every((r) => r.kind === 'draining');
  const hardDown = holderHealth.reasons.some(isHardDown);
  if (elected === undefined) {
    return {
      kind: 'alert',
      alert: 'no-eligible-member',
      holder: holder.id,
      reason: `holder ${holder.id} is not eligible (${why(holder.id)}) and no other member is eligible; keeping it attached`,
    };
  }
  if (onlyDraining) {
    return {
      kind: 'move',
      from: holder.id,
      to: elected.id,
      cause: 'drain',
      forced: false,
      reason: `planned move: holder ${holder.id} is ${why(holder.id)}; ${label(elected)} is the elected member`,
    };
  }
  return guarded(
    {
      kind: 'move',
      from: holder.id,
      to: elected.id,
      cause: 'failover',
      forced: false,
      reason: `failover: holder ${holder.id} is not eligible (${why(holder.id)}); ${label(elected)} is the elected member`,
    },
    holder,
    hardDown,
  );

  /** Applies the flap guard to a soft move. A move away from a hard-down holder is never blocked. */
  function guarded(move: Extract<Decision, { kind: 'move' }>, from: Member, allowed: boolean): Decision {
    if (allowed) return move;
    const windowStart = now - group.flapGuard.windowSeconds * 1000;
    const moves = input.recentMoves.filter((t) => t > windowStart && t <= now).length;
    if (moves < group.flapGuard.maxMoves) return move;
    return {
      kind: 'alert',
      alert: 'flap-guard',
      holder: from.id,
      reason: `flap guard: ${moves} moves in the last ${group.flapGuard.windowSeconds}s (limit ${group.flapGuard.maxMoves}); not moving to ${move.to} (${move.reason})`,
      blocked: { to: move.to, cause: move.cause },
    };
  }

  function decideManual(req: ManualRequest, current: Member | undefined): Decision {
    const refuse = (reason: string): Decision => ({
      kind: 'alert',
      alert: 'manual-refused',
      holder: current?.id,
      reason: `manual failover refused: ${reason}`,
    });
    let target: Member | undefined;
    if (req.to !== undefined) {
      target = byId.get(req.to);
      if (target === undefined) return refuse(`${req.to} is not a member of group ${group.name}`);
      if (current !== undefined && target.id === current.id) {
        return {
          kind: 'noop',
          holder: current.id,
          reason: `manual failover: ${target.id} already holds the address`,
        };
      }
      if (!isEligible(target.id) && !req.force) {
        return refuse(`${target.id} is not eligible (${why(target.id)}); pass force to override`);
      }
    } else {
      target = elect(
        group.members.filter((m) => m.id !== current?.id),
        isEligible,
      );
      if (target === undefined) {
        return refuse(`no eligible member other than ${current?.id ?? 'the (absent) holder'}`);
      }
    }
    const forced = !isEligible(target.id);
    const by = `requested by ${req.actor}: ${req.reason}${forced ? ' (forced onto an ineligible member)' : ''}`;
    if (current === undefined)
      return { kind: 'attach', target: target.id, forced, reason: `manual attach of ${target.id}, ${by}` };
    return {
      kind: 'move',
      from: current.id,
      to: target.id,
      cause: 'manual',
      forced,
      reason: `manual failover to ${target.id}, ${by}`,
    };
  }
}

/**
 * keepalived coexistence: keepalived on the hosts elects and announces; the HaVip stays bound to every
 * member and `MasterInstanceId` is whoever keepalived made master. The orchestrator only watches: an
 * unhealthy master that keepalived has not replaced within `announceDeadlineSeconds` is alerted
 * (`keepalived-stuck`) or, with `keepalivedForceMove`, unbound so a healthy peer's keepalived takes over.
 */
export function decideKeepalived(input: DecideInput): Decision {
  const { group, health, now } = input;
  const byId = new Map<string, Member>(group.members.map((m) => [m.id, m]));
  const healthOf = (id: MemberId): MemberHealth | undefined => health.get(id);
  const isEligible = (id: MemberId): boolean => healthOf(id)?.eligible === true;
  const deadlineMs = group.announceDeadlineSeconds * 1000;

  const foreign = input.bound.filter((id) => !byId.has(id));
  if (foreign.length > 0) {
    return {
      kind: 'alert',
      alert: 'foreign-association',
      holder: undefined,
      reason: `the HaVip is bound to ${foreign.join(', ')}, which ${foreign.length === 1 ? 'is' : 'are'} not in group ${group.name}; no action until an operator resolves it`,
    };
  }
  if (input.manual !== undefined) {
    return {
      kind: 'alert',
      alert: 'manual-refused',
      holder: input.master as MemberId | undefined,
      reason:
        'manual failover refused: keepalived elects the master in this group; drain the member or stop keepalived on it instead',
    };
  }
  const bound = input.bound.map((id) => byId.get(id) as Member);
  const electedBound = elect(bound, isEligible);
  const master = input.master === undefined || input.master === '' ? undefined : byId.get(input.master);

  if (master === undefined) {
    if (electedBound === undefined) {
      return {
        kind: 'alert',
        alert: 'no-eligible-member',
        holder: undefined,
        reason: 'no master and no bound member is eligible',
      };
    }
    // The likely previous master is the most recently failed bound member.
    const since = Math.max(...bound.map((m) => healthOf(m.id)?.ineligibleSince ?? Number.NEGATIVE_INFINITY));
    if (Number.isFinite(since) && now - since <= deadlineMs) {
      return {
        kind: 'noop',
        holder: undefined,
        reason: `no master yet: waiting for keepalived to elect one (${Math.floor((now - since) / 1000)}s of ${group.announceDeadlineSeconds}s)`,
        recheckAt: since + deadlineMs + 1,
      };
    }
    return {
      kind: 'alert',
      alert: 'keepalived-stuck',
      holder: undefined,
      reason: `no member announces the HaVip (MasterInstanceId is empty) although ${electedBound.id} is eligible: is keepalived running?`,
    };
  }
  if (isEligible(master.id))
    return { kind: 'noop', holder: master.id, reason: `keepalived master ${master.id} is eligible` };

  const h = healthOf(master.id);
  const why = (h?.reasons ?? [{ kind: 'missing' as const }]).map(describeReason).join(', ');
  const since = h?.ineligibleSince ?? now;
  if (now - since <= deadlineMs) {
    return {
      kind: 'noop',
      holder: master.id,
      reason: `keepalived master ${master.id} is not eligible (${why}); giving keepalived ${group.announceDeadlineSeconds}s to move (${Math.floor((now - since) / 1000)}s so far)`,
      recheckAt: since + deadlineMs + 1,
    };
  }
  const target = elect(
    bound.filter((m) => m.id !== master.id),
    isEligible,
  );
  if (target === undefined) {
    return {
      kind: 'alert',
      alert: 'no-eligible-member',
      holder: master.id,
      reason: `keepalived master ${master.id} is not eligible (${why}) and no other bound member is eligible; keeping it`,
    };
  }
  if (!group.keepalivedForceMove) {
    return {
      kind: 'alert',
      alert: 'keepalived-stuck',
      holder: master.id,
      reason: `keepalived master ${master.id} has not been eligible for ${Math.floor((now - since) / 1000)}s (${why}) and keepalived has not moved it; ${target.id} is eligible (set keepalivedForceMove to let the orchestrator unbind the master)`,
    };
  }
  const recent = input.recentMoves.filter(
    (t) => t > now - group.flapGuard.windowSeconds * 1000 && t <= now,
  ).length;
  if (recent >= group.flapGuard.maxMoves && !(h?.reasons ?? []).some(isHardDown)) {
    return {
      kind: 'alert',
      alert: 'flap-guard',
      holder: master.id,
      reason: `flap guard: ${recent} moves in the last ${group.flapGuard.windowSeconds}s; not unbinding keepalived master ${master.id}`,
      blocked: { to: target.id, cause: 'failover' },
    };
  }
  return {
    kind: 'move',
    from: master.id,
    to: target.id,
    cause: 'failover',
    forced: false,
    reason: `keepalived did not move the unhealthy master ${master.id} (${why}) within ${group.announceDeadlineSeconds}s: unbinding it so ${target.id}'s keepalived takes over`,
  };
}
