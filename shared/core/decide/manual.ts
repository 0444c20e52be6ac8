/**
 * Manual failover (`POST …/failover`): overrides `nopreempt` and the flap guard, not eligibility — unless
 * `force`, which is journaled with the caller's identity and reason.
 */
import { elect } from '../election.js';
import type { Decision, ManualRequest, Member } from '../model.js';
import type { Situation } from './situation.js';

export function manualFailover(s: Situation, req: ManualRequest, current: Member | undefined): Decision {
  const { target, decision } = manualTarget(s, req, current);
  if (target === undefined) return decision;
  const forced = !s.isEligible(target.id);
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

type Target = { target: Member; decision?: undefined } | { target?: undefined; decision: Decision };

/** The member asked for (or elected among the others), or the decision that ends the request here. */
function manualTarget(s: Situation, req: ManualRequest, current: Member | undefined): Target {
  const refuse = (reason: string): Target => ({
    decision: {
      kind: 'alert',
      alert: 'manual-refused',
      holder: current?.id,
      reason: `manual failover refused: ${reason}`,
    },
  });
  if (req.to === undefined) {
    const other = elect(
      s.group.members.filter((m) => m.id !== current?.id),
      s.isEligible,
    );
    if (other === undefined)
      return refuse(`no eligible member other than ${current?.id ?? 'the (absent) holder'}`);
    return { target: other };
  }
  const target = s.member(req.to);
  if (target === undefined) return refuse(`${req.to} is not a member of group ${s.group.name}`);
  if (current !== undefined && target.id === current.id) {
    const reason = `manual failover: ${target.id} already holds the address`;
    return { decision: { kind: 'noop', holder: current.id, reason } };
  }
  if (!s.isEligible(target.id) && !req.force)
    return refuse(`${target.id} is not eligible (${s.why(target.id)}); pass force to override`);
  return { target };
}
