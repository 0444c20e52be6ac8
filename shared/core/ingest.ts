/**
 * Signal ingestion: the one way a signal reaches the store, whatever path it came in on (ECS events, MNS
 * messages, agent heartbeats, operator drains). Two named phases:
 *
 * 1. **record**: stamp the receiver's time ({@link receive}, which also distrusts a sequence from the
 *    future), drop duplicates by event id, keep the signal unless the store holds a newer one;
 * 2. **reconcile** every group a recorded signal affects (the engine's `reconcile`, one group at a time).
 *
 * Signals about members outside the topology are normal (an event for another instance of the account)
 * and are ignored. A host agent's report that is a replay or not newer than the last one recorded from
 * its reporter about the same member is refused: recorded nowhere, reported in `refused` with the reason.
 */
import { failedResult, type ReconcileRequest, type ReconcileResult, type Trigger } from './engine.js';
import type { Group, GroupName, Topology } from './model.js';
import type { Clock, Logger, StateStore } from './ports.js';
import { receive, type Signal } from './signals.js';

/** A host agent report the record phase refused, with the reason. */
export interface RefusedReport {
  readonly eventId: string | undefined;
  readonly reason: string;
}

/** Event de-duplication window (≥ 24 h: EventBridge and MNS redeliver). */
export const DEFAULT_DEDUPE_TTL_MS = 24 * 3600_000;

export interface IngestDeps {
  readonly topology: Topology;
  readonly store: StateStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Reconciles one group: the engine's `reconcile`. */
  readonly reconcile: (req: ReconcileRequest) => Promise<ReconcileResult>;
  readonly dedupeTtlMs?: number | undefined;
}

export interface IngestRequest {
  readonly trigger: Trigger;
  readonly invocationId: string;
  /** The absolute deadline of each reconcile, read when it starts. */
  readonly deadline: () => number;
  /** Who caused this (an operator's drain); recorded in the history. */
  readonly actor?: string | undefined;
}

export interface Recorded {
  /** Groups with a member whose signal was applied. */
  readonly groups: GroupName[];
  readonly applied: number;
  readonly duplicates: number;
  /** Member ids outside the topology. */
  readonly unknown: string[];
  /** Agent reports that were replays or older than what is recorded. */
  readonly refused: RefusedReport[];
}

export interface IngestResult {
  readonly groups: GroupName[];
  readonly results: ReconcileResult[];
  readonly refused: readonly RefusedReport[];
}

/** Groups a member belongs to (a member may be in up to five HaVips). */
export function groupsOf(topology: Topology, memberId: string): Group[] {
  return topology.groups.filter((g) => g.members.some((m) => m.id === memberId));
}

/** Records the signals, then reconciles every group they affect: the one call every trigger makes. */
export async function ingestSignals(
  deps: IngestDeps,
  signals: readonly Signal[],
  req: IngestRequest,
): Promise<IngestResult> {
  const { groups, unknown, duplicates, refused } = await recordSignals(deps, signals);
  if (unknown.length > 0)
    deps.logger.info({ unknown, trigger: req.trigger }, 'ignored signals for instances outside the topology');
  if (duplicates > 0) deps.logger.info({ duplicates, trigger: req.trigger }, 'ignored duplicate events');
  if (refused.length > 0)
    deps.logger.warn({ refused, trigger: req.trigger }, 'refused agent reports: replayed or not newer');
  const results: ReconcileResult[] = [];
  for (const group of groups) {
    results.push(
      await deps
        .reconcile({
          group,
          trigger: req.trigger,
          invocationId: req.invocationId,
          deadline: req.deadline(),
          actor: req.actor,
        })
        .catch((e: unknown) => failedResult(group, req.trigger, e)),
    );
  }
  return { groups, results, refused };
}

/**
 * The record phase alone, for a caller that answers before any reconcile (an agent's heartbeat):
 * receiver time, the sequence rule and de-duplication exactly as {@link ingestSignals} applies them.
 */
export async function recordSignals(
  deps: Omit<IngestDeps, 'reconcile' | 'logger'>,
  signals: readonly Signal[],
): Promise<Recorded> {
  const { store, clock } = deps;
  const now = clock.now();
  const affected = new Set<GroupName>();
  const unknown: string[] = [];
  let applied = 0;
  let duplicates = 0;
  const refused: RefusedReport[] = [];
  for (const signal of signals) {
    const groups = groupsOf(deps.topology, signal.memberId);
    if (groups.length === 0) {
      unknown.push(signal.memberId);
      continue;
    }
    if (signal.eventId !== undefined) {
      const first = await store.markEventSeen(
        `${signal.kind}:${signal.eventId}:${signal.memberId}`,
        deps.dedupeTtlMs ?? DEFAULT_DEDUPE_TTL_MS,
        clock.now(),
      );
      if (!first) {
        duplicates++;
        if (isReport(signal)) refused.push({ eventId: signal.eventId, reason: 'a replay: already received' });
        continue;
      }
    }
    if (await store.recordSignal(receive(signal, now))) {
      applied++;
      for (const g of groups) affected.add(g.name);
    } else if (signal.kind === 'peer-report' || signal.kind === 'self-report') {
      const from = signal.kind === 'peer-report' ? signal.reporter : signal.memberId;
      refused.push({
        eventId: signal.eventId,
        reason: `sequence ${signal.sequence} is not above the last recorded from ${from} about ${signal.memberId}`,
      });
    }
  }
  return { groups: [...affected], applied, duplicates, unknown, refused };
}

/** A signal that came from a host agent report (see shared/events/report-signals.ts). */
const isReport = (s: Signal): boolean =>
  s.kind === 'peer-report' || s.kind === 'self-report' || s.eventId?.startsWith('report:') === true;
