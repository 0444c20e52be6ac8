/**
 * Signals: what the orchestrator learns about one member, whichever path it came in on. The trigger
 * parsers (`shared/events`) emit them, the app adds agent heartbeats and operator drains, and the store
 * keeps the latest of each kind per member — and, for a host agent's report about a peer, the latest per
 * reporter ({@link signalSlot}). Every kind carries its own typed payload.
 *
 * A signal carries no receiver time: {@link receive} stamps it from the receiver's clock, because the
 * sender's clock is never trusted for ordering. Sender timestamps (`eventTime`, `lastSeenAt`,
 * `notBefore`) are kept verbatim for operators. The one sender-side order a signal may carry is its
 * `sequence` (an agent's heartbeat counter; the time Alibaba's event service stamped on an ECS state
 * change), and even that is distrusted when it runs ahead of the receiver's clock.
 */
import type { MemberId } from './model.js';

export type SignalKind = Signal['kind'];

/** Which path a signal came in on (`cmq`: Tencent's queue; `scenario`: injected by `havip simulate --engine`). */
export const SIGNAL_SOURCES = [
  'eventbridge',
  'cloudmonitor-event',
  'mns',
  'cmq',
  'cloudmonitor-alarm',
  'http',
  'scenario',
] as const;
export type SignalSource = (typeof SIGNAL_SOURCES)[number];

/** Drain causes announced by ECS system events. */
export const DRAIN_CAUSES = ['spot-interruption', 'maintenance', 'system-failure'] as const;
export type DrainCause = (typeof DRAIN_CAUSES)[number];

interface SignalBase {
  readonly memberId: MemberId;
  /** The sender's id (CloudEvent `id`, MNS `MessageId`), used to drop duplicates; absent for direct calls. */
  readonly eventId?: string | undefined;
  readonly source: SignalSource;
}

/** An ECS lifecycle change (`Instance:StateChange`). */
export interface InstanceStateSignal extends SignalBase {
  readonly kind: 'instance-state';
  /** ECS state as sent: `Stopping`, `Stopped`, `Deleted`, `Running`. */
  readonly status: string;
  /**
   * `down` for Stopping/Stopped/Deleted, `up` for Running — and for Tencent's `Starting` (a successful
   * StartInstances call, the only word of a restart there). `up` never makes a member eligible by itself:
   * the describe must still say Running.
   */
  readonly effect: 'down' | 'up';
  /** The event's time, verbatim. */
  readonly eventTime?: string | undefined;
  /**
   * `eventTime` in epoch ms. Alibaba's event service stamps it (not the member), so it orders two state
   * changes of one instance: a late `Stopped` cannot override a newer `Running`.
   */
  readonly sequence?: number | undefined;
}

/** A planned or imminent loss announced by ECS: move away while a peer can still take over. */
export interface EcsDrainSignal extends SignalBase {
  readonly kind: 'drain';
  readonly cause: DrainCause;
  /** ECS event code without status, e.g. `SystemMaintenance.Reboot`, `PreemptibleInstanceInterruption`. */
  readonly eventType: string;
  /** When the maintenance may start at the earliest (sender's clock, verbatim). */
  readonly notBefore?: string | undefined;
}

/** An operator's drain (the HTTP API), or a what-if scenario's (no actor). */
export interface ManualDrainSignal extends SignalBase {
  readonly kind: 'drain';
  readonly cause: 'manual';
  readonly reason: string;
  readonly actor?: string | undefined;
}

export type DrainSignal = EcsDrainSignal | ManualDrainSignal;

/** An operator lifts a drain. */
export interface UndrainSignal extends SignalBase {
  readonly kind: 'undrain';
  readonly reason: string;
  readonly actor?: string | undefined;
}

/** The member is alive: an agent's heartbeat, or a heartbeat alarm back to OK. */
export interface HeartbeatSignal extends SignalBase {
  readonly kind: 'heartbeat';
  /** The agent's increasing sequence; orders the heartbeats of one member. Absent for alarms. */
  readonly sequence?: number | undefined;
}

/** A heartbeat watcher (or a CloudMonitor alarm) reports the member silent. */
export interface HeartbeatTimeoutSignal extends SignalBase {
  readonly kind: 'heartbeat-timeout';
  /** The sender's idea of the last heartbeat, verbatim. */
  readonly lastSeenAt?: string | undefined;
}

/** What a host agent reports about a peer it watches (docs/agent.md, `havip-report/1`). */
export const PEER_REPORT_REASONS = ['peer-silent', 'recovered'] as const;
/** What a host agent reports about itself (a spot notice becomes a {@link EcsDrainSignal} instead). */
export const SELF_REPORT_REASONS = ['checks-failed', 'recovered'] as const;
export type AgentCheckState = 'ok' | 'failing';

/** What every verified agent report carries besides its reason. */
interface ReportBase extends SignalBase {
  /** The group whose key signed the report. */
  readonly group: string;
  /**
   * The reporter's sequence: one counter per agent, growing across restarts; orders its reports. Absent
   * only when {@link receive} distrusted it (a reporter clock far ahead).
   */
  readonly sequence?: number | undefined;
  /** The reporter's own checks when it sent the report. */
  readonly reporterChecks: AgentCheckState;
  /** The reporter's clock when it sent the report, verbatim (for people; never used for ordering). */
  readonly sentAt?: string | undefined;
}

/**
 * A host agent says a peer fell silent (no valid advert for its dead interval) or came back. `memberId`
 * is the suspect. Evidence, not a verdict: health.ts counts it only when corroborated (corroborate.ts).
 */
export interface PeerReportSignal extends ReportBase {
  readonly kind: 'peer-report';
  readonly reporter: MemberId;
  readonly reason: (typeof PEER_REPORT_REASONS)[number];
  /** When the suspect's last valid advert reached the reporter (the reporter's clock), verbatim. */
  readonly lastSeenAt?: string | undefined;
}

/** A host agent says its own checks failed, or pass again. `memberId` is the reporter. */
export interface SelfReportSignal extends ReportBase {
  readonly kind: 'self-report';
  readonly reason: (typeof SELF_REPORT_REASONS)[number];
}

export type Signal =
  | InstanceStateSignal
  | DrainSignal
  | UndrainSignal
  | HeartbeatSignal
  | HeartbeatTimeoutSignal
  | PeerReportSignal
  | SelfReportSignal;

/** A signal as the store keeps it: the signal plus the receiver's time (epoch ms). */
export type SignalRecord = Signal & { readonly receivedAt: number };
export type SignalRecordOf<K extends SignalKind> = Extract<SignalRecord, { readonly kind: K }>;
export type PeerReportRecord = SignalRecordOf<'peer-report'>;
/**
 * What the store keeps of one member: the latest record of each kind, and of peer reports the latest
 * from each reporter (sorted by reporter id).
 */
export type LatestSignals = { [K in Exclude<SignalKind, 'peer-report'>]?: SignalRecordOf<K> } & {
  readonly 'peer-report'?: readonly PeerReportRecord[];
};

/**
 * Where the store keeps a signal of a member: one slot per kind, except peer reports, which have one slot
 * per reporter (`peer-report:<reporter>`), so one reporter's report never replaces another's.
 */
export function signalSlot(signal: Signal): string {
  return signal.kind === 'peer-report' ? `peer-report:${signal.reporter}` : signal.kind;
}

/** The kind a slot holds (the part before the first `:`). */
export function kindOfSlot(slot: string): string {
  const colon = slot.indexOf(':');
  return colon < 0 ? slot : slot.slice(0, colon);
}

/** Gathers one member's latest records (one per slot, as a store reads them back) into {@link LatestSignals}. */
export function latestOf(records: Iterable<SignalRecord>): LatestSignals {
  const out: Record<string, unknown> = {};
  const reports: PeerReportRecord[] = [];
  for (const r of records) {
    if (r.kind === 'peer-report') reports.push(r);
    else out[r.kind] = r;
  }
  if (reports.length > 0)
    out['peer-report'] = reports.sort((a, b) =>
      a.reporter < b.reporter ? -1 : a.reporter > b.reporter ? 1 : 0,
    );
  return out as LatestSignals;
}

/** How far ahead of the receiver's clock a sequence may be before it is distrusted. */
export const MAX_SEQUENCE_SKEW_MS = 5 * 60_000;

/** The sender-side order of a signal, when its kind has one. */
export function sequenceOf(signal: Signal): number | undefined {
  switch (signal.kind) {
    case 'heartbeat':
    case 'instance-state':
    case 'peer-report':
    case 'self-report':
      return signal.sequence;
    default:
      return undefined;
  }
}

/**
 * Stamps the receiver's time on a signal: the only way a signal becomes a record, whatever path it came
 * in on. A sequence from the future (a wrong clock at the source, or a forged counter) would make every
 * later real signal look older and be dropped: beyond {@link MAX_SEQUENCE_SKEW_MS} the record orders by
 * receiver time instead.
 */
export function receive(signal: Signal, now: number): SignalRecord {
  const sequence = sequenceOf(signal);
  if (sequence !== undefined && sequence > now + MAX_SEQUENCE_SKEW_MS)
    return { ...signal, sequence: undefined, receivedAt: now } as SignalRecord;
  return { ...signal, receivedAt: now };
}

/**
 * How a drain reads in a member's ineligibility: the ECS cause and event code
 * (`spot-interruption: PreemptibleInstanceInterruption`), `manual: <reason> (<actor>)` for an operator,
 * or the bare reason when nobody is named (a what-if scenario).
 */
export function drainSource(drain: DrainSignal): string {
  if (drain.cause !== 'manual') return `${drain.cause}: ${drain.eventType}`;
  return drain.actor === undefined ? drain.reason : `manual: ${drain.reason} (${drain.actor})`;
}
