/**
 * Host agent reports in the campaign: the signed `havip-report/1` messages an agent publishes to the MNS
 * topic, built exactly as the agent builds them (shared/events/agent-report.ts), and what each can count
 * for in the knowledge mirror. Reports are random like every other command: a reporter that calls a
 * live, healthy peer silent is the false report of a reporter cut off from it, and the invariants
 * decide whether the engine may act on it (knowledge.ts). Delivery faults (loss, duplicates, delay,
 * reordering) come from the outbox like any other message's.
 */
import { type AgentReport, encodeReport, signReport } from '../../shared/events/agent-report.js';
import { agentKeyOf } from './topology.js';
import type { MemberInfo, OutboxItem } from './world.js';

export interface ReportFault {
  /** `peer-silent` about the suspect, or the reporter's own `checks-failed`, or `recovered`. */
  readonly reason: 'peer-silent' | 'checks-failed' | 'recovered';
  readonly reporterChecks: 'ok' | 'failing';
  /** Signed with a key that is not the group's. */
  readonly forged: boolean;
}

const FORGER_KEY = 'not-the-group-key-but-long-enough';

/** The message body, a label for traces, and what the report can count for once verified. */
export function reportMessage(
  reporter: MemberInfo,
  suspect: MemberInfo,
  fault: ReportFault,
  at: { readonly sequence: number; readonly now: number },
): { body: string; label: string; counts: OutboxItem['signal'] } {
  const aboutSelf = fault.reason === 'checks-failed' || suspect.id === reporter.id;
  const about = aboutSelf ? reporter : suspect;
  // A peer-silent report names a peer: about itself, the reporter says its checks fail.
  const reason = fault.reason === 'peer-silent' && aboutSelf ? 'checks-failed' : fault.reason;
  const report: AgentReport = {
    type: reason === 'recovered' ? 'heartbeat.ok' : 'heartbeat.timeout',
    instanceId: about.id,
    group: reporter.group.name,
    reporter: reporter.id,
    sequence: at.sequence,
    reason,
    reporterChecks:
      reason === 'checks-failed'
        ? 'failing'
        : reason === 'recovered' && aboutSelf
          ? 'ok'
          : fault.reporterChecks,
    ...(reason === 'peer-silent' ? { lastSeenAt: new Date(at.now - 3_000).toISOString() } : {}),
    sentAt: new Date(at.now).toISOString(),
  };
  const key = fault.forged ? FORGER_KEY : agentKeyOf(reporter.group.name);
  const counts: OutboxItem['signal'] =
    report.reason === 'checks-failed'
      ? { kind: 'report', member: reporter.id, reporter: 'self' }
      : report.reason === 'peer-silent'
        ? { kind: 'report', member: about.id, reporter: reporter.id }
        : undefined;
  return {
    body: encodeReport(signReport(report, key)),
    label: `report ${report.reason} ${about.id} by ${reporter.id}${fault.forged ? ' (forged)' : ''}`,
    counts,
  };
}
