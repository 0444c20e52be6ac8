/**
 * The decision table of SEMANTICS.md, as pure rules. Given a group, what the cloud says is bound, each
 * member's health and the recent moves, {@link decide} returns exactly one {@link Decision} with a
 * human-readable `reason`. The same rules serve real runs and the dry run (`plan`).
 *
 * Order of precedence (first match wins), one function per row:
 *  1. something outside the group is bound         → alert `foreign-association` (never touch what isn't ours)
 *  2. more than one member bound (exclusive mode)  → {@link splitBrain}: repair it
 *  3. a manual request                             → {@link manualFailover} (decide/manual.ts)
 *  4. the holder rules: {@link nothingBound}, {@link eligibleHolder} (nopreempt, {@link preemption}),
 *     {@link ineligibleHolder} (planned move, failover), each soft move through the {@link flapGuard}.
 *
 * keepalived coexistence has its own table (decide/keepalived.ts).
 */
import { decideKeepalived } from './decide/keepalived.js';
import { manualFailover } from './decide/manual.js';
import {
  type DecideInput,
  foreignAssociation,
  label,
  movesInWindow,
  type Situation,
  situationOf,
} from './decide/situation.js';
import { compareCandidates, elect } from './election.js';
import { type Decision, isHardDown, type Member } from './model.js';

export type { DecideInput } from './decide/situation.js';
export { decideKeepalived };

export function decide(input: DecideInput): Decision {
  if (input.group.announce === 'keepalived') return decideKeepalived(input);
  const s = situationOf(input);
  const holder = s.boundMembers[0];
  const foreign = foreignAssociation(s, holder?.id);
  if (foreign !== undefined) return foreign;
  if (s.boundMembers.length > 1) return splitBrain(s);
  // Manual failover overrides nopreempt and the flap guard, not eligibility (unless force).
  if (input.manual !== undefined) return manualFailover(s, input.manual, holder);
  if (holder === undefined) return nothingBound(s);
  return s.isEligible(holder.id) ? eligibleHolder(s, holder) : ineligibleHolder(s, holder);
}

/** More than one member bound in exclusive mode: keep one, detach the others. */
function splitBrain(s: Situation): Decision {
  const { keep, because } = splitBrainKeeper(s);
  const bound = s.boundMembers.map((m) => m.id);
  const detach = bound.filter((id) => id !== keep.id);
  return {
    kind: 'repair-split-brain',
    keep: keep.id,
    detach,
    reason: `split brain: bound to ${bound.join(', ')}; keeping ${keep.id} because ${because}; detaching ${detach.join(', ')}`,
    ...(s.elected === undefined ? { alert: 'no-eligible-member' as const } : {}),
  };
}

/** The master if eligible, else the best eligible bound member, else one holder (never detach the last). */
function splitBrainKeeper(s: Situation): { keep: Member; because: string } {
  const master = s.input.master === undefined ? undefined : s.member(s.input.master);
  const masterBound = master !== undefined && s.boundMembers.some((m) => m.id === master.id);
  if (masterBound && s.isEligible(master.id))
    return { keep: master, because: `${master.id} is the master (MasterInstanceId) and eligible` };
  const bestBound = elect(s.boundMembers, s.isEligible);
  if (bestBound !== undefined)
    return { keep: bestBound, because: `${bestBound.id} is the best eligible bound member` };
  // Nobody bound is eligible: keep one holder, preferring the master.
  const keep = masterBound
    ? master
    : ([...s.boundMembers].sort((a, b) => compareCandidates(b, a))[0] as Member);
  return { keep, because: `no bound member is eligible; keeping ${keep.id} so the address stays attached` };
}

/** No holder: attach the elected member, or alert when none is eligible. */
function nothingBound(s: Situation): Decision {
  const { elected, group } = s;
  if (elected === undefined) {
    return {
      kind: 'alert',
      alert: 'no-eligible-member',
      holder: undefined,
      reason: `nothing is bound and no member is eligible (${group.members.map((m) => `${m.id}: ${s.why(m.id)}`).join('; ')})`,
    };
  }
  return {
    kind: 'attach',
    target: elected.id,
    forced: false,
    reason: `nothing is bound; ${label(elected)} is the elected member`,
  };
}

/** An eligible holder stays, unless preempt mode and a strictly higher-priority member is eligible. */
function eligibleHolder(s: Situation, holder: Member): Decision {
  const { elected, group } = s;
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
  return preemption(s, holder, elected);
}

/** Preempt only once the better member has been continuously eligible for `preemptDelaySeconds`. */
function preemption(s: Situation, holder: Member, elected: Member): Decision {
  const { group, now } = s;
  const since = s.healthOf(elected.id).eligibleSince;
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
  return flapGuard(
    s,
    {
      kind: 'move',
      from: holder.id,
      to: elected.id,
      cause: 'preempt',
      forced: false,
      reason: `preempting: ${label(elected)} outranks holder ${label(holder)} and has been eligible for at least ${group.preemptDelaySeconds}s`,
    },
    false,
  );
}

/** An ineligible holder moves to the elected member: a planned move when only draining, else a failover. */
function ineligibleHolder(s: Situation, holder: Member): Decision {
  const { elected } = s;
  const reasons = s.healthOf(holder.id).reasons;
  if (elected === undefined) {
    return {
      kind: 'alert',
      alert: 'no-eligible-member',
      holder: holder.id,
      reason: `holder ${holder.id} is not eligible (${s.why(holder.id)}) and no other member is eligible; keeping it attached`,
    };
  }
  if (reasons.every((r) => r.kind === 'draining')) {
    return {
      kind: 'move',
      from: holder.id,
      to: elected.id,
      cause: 'drain',
      forced: false,
      reason: `planned move: holder ${holder.id} is ${s.why(holder.id)}; ${label(elected)} is the elected member`,
    };
  }
  return flapGuard(
    s,
    {
      kind: 'move',
      from: holder.id,
      to: elected.id,
      cause: 'failover',
      forced: false,
      reason: `failover: holder ${holder.id} is not eligible (${s.why(holder.id)}); ${label(elected)} is the elected member`,
    },
    reasons.some(isHardDown),
  );
}

/** Blocks a soft move after `maxMoves` moves in the window. A move away from a hard-down holder is never blocked. */
function flapGuard(s: Situation, move: Extract<Decision, { kind: 'move' }>, hardDown: boolean): Decision {
  if (hardDown) return move;
  const { group } = s;
  const moves = movesInWindow(s);
  if (moves < group.flapGuard.maxMoves) return move;
  return {
    kind: 'alert',
    alert: 'flap-guard',
    holder: move.from,
    reason: `flap guard: ${moves} moves in the last ${group.flapGuard.windowSeconds}s (limit ${group.flapGuard.maxMoves}); not moving to ${move.to} (${move.reason})`,
    blocked: { to: move.to, cause: move.cause },
  };
}
