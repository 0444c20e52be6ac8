/**
 * Who a host agent on Tencent Cloud is told it holds, in the heartbeat reply (`Service.heartbeat`).
 *
 * On Alibaba an API binds the HaVip to the new holder first, so the stored observation already names it
 * when its agent beats. On Tencent no API moves a HAVIP: with `announce: agent` the saga narrows the
 * drift scope and then waits (its `verify` step) until `DescribeHaVips` → `InstanceId` names the new
 * member — which happens only once that member's agent announces the address, and the agent announces
 * only once a heartbeat reply says it holds it. The stored observation still names the old holder then.
 * So while a move is verifying the member it moves to, that member is the holder the reply goes by (and
 * the old one is told it no longer holds the address, so it withdraws it). Once the move is verified,
 * or the run that made it ends or loses its lease, the observation decides again.
 *
 * Costs no cloud call: two store reads per Tencent group with `announce: agent`, none for other groups.
 */
import type { Group, GroupName, MemberId } from '../core/model.js';
import type { JournalEntry, Lease, ObservationRecord, StateStore } from '../core/ports.js';

const VERIFY_STEP = 'verify:';

/**
 * The member a move in flight is verifying, if any: the journal of the group's current, unexpired lease
 * is at its `verify:<member>` step, and that member is one of the group's. Pure.
 */
export function tencentMemberBeingVerified(
  group: Group,
  lease: Lease | undefined,
  journal: JournalEntry | undefined,
  now: number,
): MemberId | undefined {
  if (group.cloud !== 'tencent' || group.announce !== 'agent') return undefined;
  if (lease === undefined || lease.expiresAt <= now || journal === undefined) return undefined;
  if (journal.epoch !== lease.epoch || journal.phase !== 'VERIFYING') return undefined;
  if (journal.step === undefined || !journal.step.startsWith(VERIFY_STEP)) return undefined;
  const target = journal.step.slice(VERIFY_STEP.length);
  return group.members.find((m) => m.id === target)?.id;
}

/**
 * The observations a heartbeat reply is built from, with each Tencent group that is verifying a move
 * (see {@link tencentMemberBeingVerified}) showing the member it moves to as the one holder. Other
 * groups, and groups never observed (their address is not known yet), are returned as they are.
 */
export async function withTencentMovesInFlight(
  store: Pick<StateStore, 'getLease' | 'readJournal'>,
  groups: readonly Group[],
  observed: ReadonlyMap<GroupName, ObservationRecord>,
  now: number,
): Promise<Map<GroupName, ObservationRecord>> {
  const out = new Map(observed);
  for (const g of groups) {
    const record = observed.get(g.name);
    if (record?.haVip === undefined || g.cloud !== 'tencent' || g.announce !== 'agent') continue;
    const [lease, journal] = await Promise.all([store.getLease(g.name), store.readJournal(g.name)]);
    const target = tencentMemberBeingVerified(g, lease, journal, now);
    if (target !== undefined)
      out.set(g.name, { ...record, haVip: { ...record.haVip, associatedInstances: [target] } });
  }
  return out;
}
