/**
 * Corroboration of host agent reports (docs/detection.md): when a report about a member counts as a
 * down. A report is evidence, not a command — one reporter merely cut off from a live peer must never
 * move the address away from it. Pure: every input is passed in, time included.
 *
 * A member S is **reported silent** when
 *  (a) a fresh `peer-silent` report about S exists from a reporter R that is itself healthy: eligible
 *      before any report counts, its own checks ok (as the report says, and no fresh `checks-failed` of
 *      its own), and not itself reported silent by a newer report; and
 *  (b) a second witness confirms: a `peer-silent` report from another healthy reporter, S's own
 *      `checks-failed` report, a witness probe of S that failed just now, or an ECS state of S that is
 *      not `Running`.
 * S is **reported failing** when its own fresh `checks-failed` report stands (keepalived's track_script
 * FAULT): the host says its service is dead, which needs no second witness.
 *
 * A report counts only while fresh (`agent.reportTtlSeconds`: the agents repeat a lasting condition)
 * and only when it is newer — by receiver time, then by sequence between two messages of one agent —
 * than the suspect's newest sign of life. For a peer-silent report that is any of: an API heartbeat,
 * any report the suspect sent itself (about itself or a peer), a peer's `recovered` report about it, a
 * `Running` state change. For a checks-failed report only the suspect's own `recovered` (which replaces
 * it in the store) and a `Running` state change (a restart) count: a heartbeat proves the host runs,
 * not that its service does. A spot notice is no report here: the parser makes it a drain.
 */
import {
  agentSettingsOf,
  type Group,
  type IneligibleReason,
  type MemberId,
  type ProbeConfig,
} from './model.js';
import type { LatestSignals, PeerReportRecord, SignalRecord, SignalRecordOf } from './signals.js';

export interface ReportEvidence {
  readonly group: Group;
  readonly now: number;
  /** Every member's latest signals. */
  readonly signals: ReadonlyMap<MemberId, LatestSignals>;
  /** Eligibility before any report counts (control plane, heartbeats, probes, drains). */
  readonly baseEligible: (id: MemberId) => boolean;
  /** The ECS status the cloud reports (ECS members); undefined when unknown or not an instance. */
  readonly instanceStatus: (id: MemberId) => string | undefined;
  /** Witness probes of this round: true = the member answered, false = it did not. */
  readonly witness: ReadonlyMap<MemberId, boolean>;
}

/** What the reports say about one member. */
export interface ReportFinding {
  /** The down the reports establish, when they do. */
  readonly reason: IneligibleReason | undefined;
  /** A healthy reporter accuses the member and only a witness probe can confirm it: run one. */
  readonly wantsProbe: boolean;
  /** Why the reports do not (yet) count, for the log; undefined when nothing is pending. */
  readonly unconfirmed: string | undefined;
}

const NOTHING: ReportFinding = { reason: undefined, wantsProbe: false, unconfirmed: undefined };

/** The finding for every member of the group. */
export function corroborate(e: ReportEvidence): Map<MemberId, ReportFinding> {
  const out = new Map<MemberId, ReportFinding>();
  for (const m of e.group.members) out.set(m.id, findingFor(e, m.id));
  return out;
}

function findingFor(e: ReportEvidence, suspect: MemberId): ReportFinding {
  const failing = standingCheckFailure(e, suspect);
  if (failing !== undefined)
    return { ...NOTHING, reason: { kind: 'checks-failed', since: failing.receivedAt } };
  const accusations = liveAccusations(e, suspect);
  if (accusations.length === 0) return NOTHING;
  const healthy = accusations.filter((r) => reporterHealthy(e, r));
  if (healthy.length === 0)
    return {
      ...NOTHING,
      unconfirmed: `${suspect} reported silent by ${reporters(accusations)}, none of them healthy`,
    };
  const by = healthy.map((r) => r.reporter);
  const witness = secondWitness(e, suspect, healthy);
  if (witness !== undefined) return { ...NOTHING, reason: { kind: 'reported-silent', by, witness } };
  const probed = e.witness.get(suspect);
  return {
    reason: undefined,
    wantsProbe: probed === undefined,
    unconfirmed:
      probed === undefined
        ? `${suspect} reported silent by ${reporters(healthy)}; waiting for a witness probe`
        : `${suspect} reported silent by ${reporters(healthy)} but answers the witness probe: no second witness`,
  };
}

/** The second witness of (b), other than a probe still to run: in words, or undefined. */
function secondWitness(
  e: ReportEvidence,
  suspect: MemberId,
  healthy: readonly PeerReportRecord[],
): string | undefined {
  if (new Set(healthy.map((r) => r.reporter)).size > 1) return 'a second reporter';
  const status = e.instanceStatus(suspect);
  if (status !== undefined && status !== 'Running') return `its ECS state ${status}`;
  if (e.witness.get(suspect) === false) return 'the witness probe failed';
  return undefined;
}

/** The suspect's own checks-failed report, when it is fresh and no restart followed it. */
function standingCheckFailure(
  e: ReportEvidence,
  suspect: MemberId,
): SignalRecordOf<'self-report'> | undefined {
  const own = e.signals.get(suspect)?.['self-report'];
  if (own === undefined || own.reason !== 'checks-failed' || !fresh(e, own)) return undefined;
  const state = e.signals.get(suspect)?.['instance-state'];
  if (state !== undefined && state.effect === 'up' && state.receivedAt > own.receivedAt) return undefined;
  return own;
}

/** Fresh peer-silent reports about the suspect that are newer than its newest sign of life. */
function liveAccusations(e: ReportEvidence, suspect: MemberId): PeerReportRecord[] {
  const life = signsOfLife(e, suspect);
  return (e.signals.get(suspect)?.['peer-report'] ?? []).filter(
    (r) =>
      r.reason === 'peer-silent' &&
      fresh(e, r) &&
      e.group.members.some((m) => m.id === r.reporter) &&
      life.every((l) => newer(r, l)),
  );
}

/** (a): the reporter is eligible before reports count, its checks are ok, nobody newer reports it silent. */
function reporterHealthy(e: ReportEvidence, report: PeerReportRecord): boolean {
  const r = report.reporter;
  if (!e.baseEligible(r) || report.reporterChecks !== 'ok') return false;
  if (standingCheckFailure(e, r) !== undefined) return false;
  return !liveAccusations(e, r).some((x) => x.reporter !== r && newer(x, report));
}

/** Everything that shows the member alive (see the file comment). */
function signsOfLife(e: ReportEvidence, id: MemberId): SignalRecord[] {
  const own = e.signals.get(id);
  const out: SignalRecord[] = [];
  if (own?.heartbeat !== undefined) out.push(own.heartbeat);
  if (own?.['self-report'] !== undefined) out.push(own['self-report']);
  if (own?.['instance-state']?.effect === 'up') out.push(own['instance-state']);
  for (const r of own?.['peer-report'] ?? []) if (r.reason === 'recovered') out.push(r);
  for (const other of e.signals.values())
    for (const r of other['peer-report'] ?? []) if (r.reporter === id) out.push(r);
  return out;
}

/**
 * Whether `a` arrived after `b`: by receiver time, and at the same instant by sequence when both came
 * from one agent (its one counter orders all it sends). Otherwise a tie is not newer.
 */
function newer(a: SignalRecord, b: SignalRecord): boolean {
  if (a.receivedAt !== b.receivedAt) return a.receivedAt > b.receivedAt;
  const sa = senderSequence(a);
  const sb = senderSequence(b);
  return sa !== undefined && sb !== undefined && sa.sender === sb.sender && sa.sequence > sb.sequence;
}

function senderSequence(s: SignalRecord): { sender: string; sequence: number } | undefined {
  if (s.kind === 'peer-report' && s.sequence !== undefined)
    return { sender: s.reporter, sequence: s.sequence };
  if ((s.kind === 'self-report' || s.kind === 'heartbeat') && s.sequence !== undefined)
    return { sender: s.memberId, sequence: s.sequence };
  return undefined;
}

function fresh(e: ReportEvidence, r: SignalRecord): boolean {
  return e.now - r.receivedAt <= agentSettingsOf(e.group).reportTtlSeconds * 1000;
}

const reporters = (rs: readonly PeerReportRecord[]): string =>
  [...new Set(rs.map((r) => r.reporter))].join(', ');

/**
 * The witness probe of a member: the group's own probe when it has one, else a GET of the agent's
 * health endpoint (`http://<member ip>:<agent.healthPort>/health`, 200 = alive; anything else, or no
 * answer within `agent.witnessTimeoutMs`, is a failure: a frozen host does not answer at all).
 */
export function witnessProbeOf(group: Group): ProbeConfig {
  return (
    group.health.probe ?? {
      kind: 'http',
      port: agentSettingsOf(group).healthPort,
      path: '/health',
      expectStatus: [200],
      timeoutMs: agentSettingsOf(group).witnessTimeoutMs,
      intervalSeconds: 1,
    }
  );
}
