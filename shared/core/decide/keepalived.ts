/**
 * keepalived coexistence: keepalived on the hosts elects and announces; the HaVip stays bound to every
 * member and `MasterInstanceId` is whoever keepalived made master. The orchestrator only watches: an
 * unhealthy master that keepalived has not replaced within `announceDeadlineSeconds` is alerted
 * (`keepalived-stuck`) or, with `keepalivedForceMove`, unbound so a healthy peer's keepalived takes over.
 *
 * Rules, first match wins: something foreign bound → alert; a manual request → refused (keepalived
 * elects); no master → wait for keepalived, then alert; an eligible master → no action; an ineligible
 * master → give keepalived its deadline, then alert or unbind it.
 */
import { elect } from '../election.js';
import { type Decision, isHardDown, type Member, type MemberHealth, type MemberId } from '../model.js';
import {
  type DecideInput,
  describeReason,
  foreignAssociation,
  movesInWindow,
  type Situation,
  situationOf,
} from './situation.js';

export function decideKeepalived(input: DecideInput): Decision {
  const s = situationOf(input);
  const foreign = foreignAssociation(s, undefined);
  if (foreign !== undefined) return foreign;
  if (input.manual !== undefined) {
    return {
      kind: 'alert',
      alert: 'manual-refused',
      holder: input.master as MemberId | undefined,
      reason:
        'manual failover refused: keepalived elects the master in this group; drain the member or stop keepalived on it instead',
    };
  }
  const master = input.master === undefined || input.master === '' ? undefined : s.member(input.master);
  if (master === undefined) return noMaster(s);
  if (s.isEligible(master.id))
    return { kind: 'noop', holder: master.id, reason: `keepalived master ${master.id} is eligible` };
  return ineligibleMaster(s, master);
}

/** Nobody announces: keepalived gets its deadline from the last bound member's failure, then an alert. */
function noMaster(s: Situation): Decision {
  const { group, now } = s;
  const electedBound = elect(s.boundMembers, s.isEligible);
  if (electedBound === undefined) {
    return {
      kind: 'alert',
      alert: 'no-eligible-member',
      holder: undefined,
      reason: 'no master and no bound member is eligible',
    };
  }
  const deadlineMs = group.announceDeadlineSeconds * 1000;
  // The likely previous master is the most recently failed bound member.
  const since = Math.max(
    ...s.boundMembers.map((m) => s.input.health.get(m.id)?.ineligibleSince ?? Number.NEGATIVE_INFINITY),
  );
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

/** An unhealthy master: keepalived gets `announceDeadlineSeconds` to move it before the orchestrator acts. */
function ineligibleMaster(s: Situation, master: Member): Decision {
  const { group, now } = s;
  const h = s.input.health.get(master.id);
  const why = (h?.reasons ?? [{ kind: 'missing' as const }]).map(describeReason).join(', ');
  const since = h?.ineligibleSince ?? now;
  if (now - since > group.announceDeadlineSeconds * 1000) return stuckMaster(s, master, h, why, since);
  return {
    kind: 'noop',
    holder: master.id,
    reason: `keepalived master ${master.id} is not eligible (${why}); giving keepalived ${group.announceDeadlineSeconds}s to move (${Math.floor((now - since) / 1000)}s so far)`,
    recheckAt: since + group.announceDeadlineSeconds * 1000 + 1,
  };
}

/** keepalived did not move an unhealthy master in time: alert, or unbind it when opted in. */
function stuckMaster(
  s: Situation,
  master: Member,
  h: MemberHealth | undefined,
  why: string,
  since: number,
): Decision {
  const { group, now } = s;
  const target = elect(
    s.boundMembers.filter((m) => m.id !== master.id),
    s.isEligible,
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
  const recent = movesInWindow(s);
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
