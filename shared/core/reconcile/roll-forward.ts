/**
 * What an earlier run left behind: a journal it did not finish (the next lease holder rolls it forward
 * from actual cloud state), a switch it left incomplete, a change it left in flight on the address.
 */
import type { Decision, Group, MemberHealth, MemberId } from '../model.js';
import { boundOf, type GroupObservation } from '../observe.js';
import type { JournalEntry } from '../ports.js';

/** Journal phases of a run that ended (any other phase is an unfinished run). */
export const FINISHED: ReadonlySet<string> = new Set(['DONE', 'FAILED']);

/** A journal of an earlier epoch that did not finish: the current lease holder rolls it forward. */
export function unfinishedJournal(
  journal: JournalEntry | undefined,
  epoch: number,
): JournalEntry | undefined {
  return journal !== undefined && !FINISHED.has(journal.phase) && journal.epoch < epoch ? journal : undefined;
}

/**
 * Roll-forward: a new lease holder finding an unfinished journal continues toward its target from the
 * actual cloud state, if the target is still eligible (or the move was forced); otherwise it re-decides.
 */
export function resumeDecision(
  group: Group,
  journal: JournalEntry,
  obs: GroupObservation,
  health: ReadonlyMap<MemberId, MemberHealth>,
): Decision | undefined {
  const d = journal.decision;
  const target =
    d.kind === 'attach'
      ? d.target
      : d.kind === 'move'
        ? d.to
        : d.kind === 'repair-split-brain'
          ? d.keep
          : undefined;
  if (target === undefined) return undefined;
  const forced = isForced(d);
  if (!forced && health.get(target)?.eligible !== true) return undefined;
  const { bound } = boundOf(group, obs);
  const members = new Set<string>(group.members.map((m) => m.id));
  if (bound.some((id) => !members.has(id))) return undefined; // foreign: let decide() alert
  const others = bound.filter((id) => id !== target) as MemberId[];
  const why = `rolling forward epoch ${journal.epoch} (${journal.phase}${journal.step ? ` ${journal.step}` : ''}) toward ${target}`;
  if (bound.includes(target)) {
    if (others.length === 0) return undefined; // already there: decide() confirms (and drift steps still run)
    return {
      kind: 'repair-split-brain',
      keep: target,
      detach: others,
      reason: `${why}: detaching ${others.join(', ')}`,
    };
  }
  const from = others[0];
  if (from === undefined) return { kind: 'attach', target, forced, reason: `${why}: nothing bound` };
  const cause = d.kind === 'move' ? d.cause : 'failover';
  // Nothing of the move shows in the cloud yet (the target is not bound and no change is in flight that
  // could be binding it): its reason may be gone (the holder recovered), so an automatic move is decided
  // afresh rather than replayed. An operator's move is carried out.
  if (!forced && cause !== 'manual' && !addressChanging(group, obs)) return undefined;
  return { kind: 'move', from, to: target, cause, forced, reason: `${why}: moving from ${from}` };
}

/** Whether the group's address (its HaVip, or the EIP of a `direct` group) has a change in flight. */
export function addressChanging(group: Group, obs: GroupObservation): boolean {
  const status = group.haVipId !== undefined ? obs.haVip?.status : obs.eip?.status;
  return status === 'Associating' || status === 'Unassociating';
}

/** The last run bound the holder but could not see it announce: the next runs keep checking. */
export function awaitsAnnouncement(journal: JournalEntry): boolean {
  return journal.phase === 'DONE' && journal.detail?.outcome === 'switch-incomplete';
}

export function isForced(d: Decision): boolean {
  return (d.kind === 'move' || d.kind === 'attach') && d.forced;
}
