/**
 * Combines what we know about a member into eligibility, as SEMANTICS.md "Health" says:
 * Eligible = Running ∧ healthy ∧ not draining. Pure: every input is passed in, time included.
 * {@link assessGroup} adds what host agents report, corroborated across the group.
 */
import { corroborate, type ReportFinding } from './corroborate.js';
import type { Group, IneligibleReason, Member, MemberHealth, MemberId } from './model.js';
import type { InstanceState, MemberHealthState, NetworkInterfaceState } from './ports.js';
import { drainSource, type LatestSignals, type SignalRecord } from './signals.js';

/** ECS states that are an authoritative down (the flap guard never blocks a move away from them). */
export const DOWN_STATES: ReadonlySet<string> = new Set(['Stopping', 'Stopped', 'Deleted', 'Released']);

/**
 * How long a `Running` describe must post-date a down event before it overrides it. Describes are eventually
 * consistent: right after a stop event a describe may still say Running, and trusting it would re-elect a
 * stopping instance. A lost `Running` event is recovered by the describe after this grace.
 */
export const STALE_DESCRIBE_GRACE_MS = 60_000;

export interface MemberObservation {
  readonly member: Member;
  /** From DescribeInstances (ECS members). `undefined` with `found: false` when the cloud does not know it. */
  readonly instance: InstanceState | undefined;
  /** From DescribeNetworkInterfaces (ENI members). */
  readonly eni: NetworkInterfaceState | undefined;
  readonly signals: LatestSignals;
  readonly state: MemberHealthState | undefined;
  /** This round's probe result, when a probe ran. */
  readonly probe: boolean | undefined;
  /** The down that host agent reports establish, once corroborated (corroborate.ts). */
  readonly reported?: IneligibleReason | undefined;
}

export interface Assessment {
  readonly health: MemberHealth;
  /** The bookkeeping to persist (probe counters, eligible-since); `version` is the one read. */
  readonly next: Omit<MemberHealthState, 'version'>;
  readonly changed: boolean;
}

const newer = (a: SignalRecord | undefined, b: SignalRecord | undefined): boolean =>
  a !== undefined && (b === undefined || a.receivedAt > b.receivedAt);

export function assessMember(group: Group, obs: MemberObservation, now: number): Assessment {
  const reasons: IneligibleReason[] = [];
  const { member, signals } = obs;

  // Control plane: the instance (or ENI) itself.
  if (member.kind === 'ecs') {
    const status = obs.instance?.status;
    const event = signals['instance-state'];
    const eventDown = event !== undefined && DOWN_STATES.has(event.status);
    const describeOverridesEvent =
      event !== undefined && status === 'Running' && now - event.receivedAt > STALE_DESCRIBE_GRACE_MS;
    if (obs.instance === undefined) reasons.push({ kind: 'missing' });
    else if (status !== undefined && DOWN_STATES.has(status)) reasons.push({ kind: 'stopped', status });
    else if (eventDown && !describeOverridesEvent) reasons.push({ kind: 'stopped', status: event.status });
    else if (status !== 'Running') reasons.push({ kind: 'not-running', status: status ?? 'unknown' });
  } else if (obs.eni === undefined || obs.eni.instanceId === undefined || obs.eni.status !== 'InUse') {
    reasons.push({ kind: 'missing' });
  }

  // Heartbeats: a queue-reported timeout newer than the last heartbeat, or silence past the timeout.
  const timeoutS = group.health.heartbeatTimeoutSeconds;
  if (timeoutS !== undefined) {
    const beat = signals.heartbeat;
    const timeout = signals['heartbeat-timeout'];
    if (newer(timeout, beat))
      reasons.push({ kind: 'heartbeat-timeout', since: (timeout as SignalRecord).receivedAt });
    else if (beat !== undefined && now - beat.receivedAt > timeoutS * 1000) {
      reasons.push({ kind: 'heartbeat-timeout', since: beat.receivedAt + timeoutS * 1000 });
    }
  }

  // Probes: keepalived vrrp_script fall/rise hysteresis. A member starts healthy.
  const prev = obs.state;
  let failures = prev?.consecutiveFailures ?? 0;
  let successes = prev?.consecutiveSuccesses ?? 0;
  let probeHealthy = prev?.probeHealthy ?? true;
  if (group.health.probe !== undefined && obs.probe !== undefined) {
    if (obs.probe) {
      successes += 1;
      failures = 0;
      if (!probeHealthy && successes >= group.health.rise) probeHealthy = true;
    } else {
      failures += 1;
      successes = 0;
      if (probeHealthy && failures >= group.health.fall) probeHealthy = false;
    }
  }
  if (group.health.probe !== undefined && !probeHealthy) reasons.push({ kind: 'probe-failed', failures });

  // Host agent reports, corroborated across the group (corroborate.ts).
  if (obs.reported !== undefined) reasons.push(obs.reported);

  // Drains: the latest of drain/undrain wins.
  const drain = signals.drain;
  if (drain !== undefined && newer(drain, signals.undrain))
    reasons.push({ kind: 'draining', source: drainSource(drain) });

  const eligible = reasons.length === 0;
  const eligibleSince = eligible ? (prev?.eligibleSince ?? now) : undefined;
  const ineligibleSince = eligible ? undefined : (prev?.ineligibleSince ?? now);
  const next = {
    memberId: member.id,
    probeHealthy,
    consecutiveFailures: failures,
    consecutiveSuccesses: successes,
    eligibleSince,
    ineligibleSince,
    updatedAt: now,
  };
  const changed =
    prev === undefined ||
    prev.probeHealthy !== probeHealthy ||
    prev.consecutiveFailures !== failures ||
    prev.consecutiveSuccesses !== successes ||
    prev.eligibleSince !== eligibleSince ||
    prev.ineligibleSince !== ineligibleSince;
  return { health: { id: member.id, eligible, eligibleSince, ineligibleSince, reasons }, next, changed };
}

export interface GroupAssessment {
  readonly assessments: ReadonlyMap<MemberId, Assessment>;
  /** What the agents' reports say about each member (corroborate.ts). */
  readonly findings: ReadonlyMap<MemberId, ReportFinding>;
}

/**
 * Every member of a group: first each on its own evidence, then what host agents report about it,
 * corroborated against the others (a reporter counts only when it is itself healthy on its own
 * evidence). `witness`: the probes of this round that can confirm a report (true = answered).
 */
export function assessGroup(
  group: Group,
  observations: readonly MemberObservation[],
  now: number,
  witness: ReadonlyMap<MemberId, boolean>,
): GroupAssessment {
  const byId = new Map(observations.map((o) => [o.member.id, o]));
  const base = new Map(observations.map((o) => [o.member.id, assessMember(group, o, now)]));
  const findings = corroborate({
    group,
    now,
    signals: new Map(observations.map((o) => [o.member.id, o.signals])),
    baseEligible: (id) => base.get(id)?.health.eligible ?? false,
    instanceStatus: (id) => byId.get(id)?.instance?.status,
    witness,
  });
  const assessments = new Map<MemberId, Assessment>();
  for (const o of observations) {
    const reported = findings.get(o.member.id)?.reason;
    assessments.set(
      o.member.id,
      reported === undefined
        ? (base.get(o.member.id) as Assessment)
        : assessMember(group, { ...o, reported }, now),
    );
  }
  return { assessments, findings };
}
