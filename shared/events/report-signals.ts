/**
 * Host agent reports (`havip-report/1`, agent-report.ts) → the core's signals, once verified: the group
 * is in the topology and has an agent key, the MAC verifies with that key, and the reporter and the
 * suspect are members of that group. What fails is refused (`report.refused`, naming the field): never
 * a signal, never thrown past the async handler (it acknowledges, so FC does not retry it).
 *
 * Also the rule for the unsigned MNS messages (`heartbeat.timeout`/`heartbeat.ok`, CloudMonitor
 * alarms) about a member of a group with an agent key: refused. Every agent host may publish to the
 * topic, so an unsigned message could be forged by any of them; only a report signed with the group's
 * key speaks for a member of that group. Groups without a key keep the unsigned messages.
 *
 * The keys come from the app ({@link ReportAuthority}); nothing here logs or returns them.
 */
import { InvalidInputError } from '../core/errors.js';
import { memberId } from '../core/model.js';
import type { Signal } from '../core/signals.js';
import { type SignedAgentReport, verifyReport } from './agent-report.js';
import { joinPath } from './decode.js';

/** What verifying a report needs to know, built by the app from the topology and the agent keys. */
export interface ReportAuthority {
  /** Whether the topology has this group. */
  hasGroup(group: string): boolean;
  /** The group's agent key; undefined when it has none. */
  keyOf(group: string): Uint8Array | undefined;
  /** Whether `member` is a member of `group`. */
  isMember(group: string, member: string): boolean;
  /** The groups with an agent key that `member` belongs to. */
  keyedGroupsOf(member: string): readonly string[];
}

/** The de-duplication id of a report: one per (group, reporter, sequence), whatever the transport. */
export function reportEventId(r: Pick<SignedAgentReport, 'group' | 'reporter' | 'sequence'>): string {
  return `report:${r.group}:${r.reporter}:${r.sequence}`;
}

/** How a spot notice reads as a drain (`draining (spot-interruption: havip-report:spot-termination)`). */
export const SPOT_REPORT_EVENT_TYPE = 'havip-report:spot-termination';

const KEY_HINT =
  'give the orchestrator the key the agents of this group sign with: HAVIP_AGENT_KEYS=<group>:env:<VAR> or <group>:file:<path> (docs/agent.md)';

/**
 * The signals a verified report stands for. `at` is the report's path in the message (for issue paths);
 * throws `InvalidInputError` (`report.refused`) when it cannot be verified or does not fit the topology.
 */
export function reportSignals(
  report: SignedAgentReport,
  authority: ReportAuthority | undefined,
  source: 'mns' | 'cmq' | 'http',
  at = '',
): Signal[] {
  const refuse = (field: string, message: string, hint: string): never => {
    throw new InvalidInputError('report.refused', 'refused an agent report', [
      { path: joinPath(at, field), message, hint },
    ]);
  };
  const { group } = report;
  if (authority === undefined || !authority.hasGroup(group))
    refuse('group', `names group ${group}, which is not in the topology`, 'check the agent configuration');
  const key = authority?.keyOf(group);
  if (key === undefined)
    return refuse('group', `group ${group} has no agent key: its reports cannot be verified`, KEY_HINT);
  if (!verifyReport(report, key))
    refuse(
      'mac',
      `does not verify with the key of group ${group}: a forgery, or the agent and the orchestrator hold different keys`,
      'give the agents and the orchestrator the same group key',
    );
  if (!authority?.isMember(group, report.reporter))
    refuse('reporter', `${report.reporter} is not a member of group ${group}`, 'check the topology');
  if (!authority?.isMember(group, report.instanceId))
    refuse('instanceId', `${report.instanceId} is not a member of group ${group}`, 'check the topology');
  return [signalOf(report, source)];
}

function signalOf(r: SignedAgentReport, source: 'mns' | 'cmq' | 'http'): Signal {
  const about = { memberId: memberId(r.instanceId), eventId: reportEventId(r), source } as const;
  const order = { group: r.group, sequence: r.sequence, reporterChecks: r.reporterChecks, sentAt: r.sentAt };
  if (r.reason === 'spot-termination')
    return { ...about, kind: 'drain', cause: 'spot-interruption', eventType: SPOT_REPORT_EVENT_TYPE };
  if (r.instanceId === r.reporter)
    return {
      ...about,
      ...order,
      kind: 'self-report',
      reason: r.reason === 'recovered' ? 'recovered' : 'checks-failed',
    };
  return {
    ...about,
    ...order,
    kind: 'peer-report',
    reporter: memberId(r.reporter),
    reason: r.reason === 'recovered' ? 'recovered' : 'peer-silent',
    ...(r.lastSeenAt === undefined ? {} : { lastSeenAt: r.lastSeenAt }),
  };
}

/**
 * Refuses an unsigned message's signals about a member of a keyed group (see the file comment); `at`
 * is where the message names the member.
 */
export function refuseUnsignedForKeyedMembers(
  signals: readonly Signal[],
  authority: ReportAuthority | undefined,
  at: string,
): void {
  if (authority === undefined) return;
  for (const s of signals) {
    const keyed = authority.keyedGroupsOf(s.memberId);
    if (keyed.length === 0) continue;
    throw new InvalidInputError('report.refused', 'refused an unsigned message about an agent-keyed member', [
      {
        path: at,
        message: `${s.memberId} is in group ${keyed.join(', ')}, which has an agent key: only reports signed with that key count for it`,
        hint: 'any agent host may publish to the topic, so an unsigned message could be forged: publish signed reports (havip agent), or remove the group from HAVIP_AGENT_KEYS',
      },
    ]);
  }
}
