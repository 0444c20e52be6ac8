/**
 * What a reconcile leaves behind for people and for the next run: the journal of its epoch, the history
 * (one writer, {@link Recorder.history}) and the notification that goes with each history record.
 */
import type { Decision, Group } from '../model.js';
import type {
  Clock,
  HistoryOutcome,
  HistoryRecord,
  JournalEntry,
  Lease,
  Logger,
  Notification,
  NotificationKind,
  Notifier,
  StateStore,
} from '../ports.js';
import type { StepReport } from '../saga.js';
import { errorOf } from './request.js';

export interface RecorderDeps {
  readonly store: StateStore;
  readonly clock: Clock;
  readonly notifier: Notifier;
}

/** A history record as a run knows it (the group and the time are stamped when it is written). */
export type HistoryEntry = Omit<HistoryRecord, 'group' | 'at'>;

/** The notification that goes out with a history record. */
export interface Notice {
  readonly kind: NotificationKind;
  /** The notification's reason when it differs from the decision's. */
  readonly reason?: string;
  /** A failure being reported: a store error writing the record does not stop the notification. */
  readonly failure?: { readonly code: string; readonly message: string };
}

export class Recorder {
  constructor(
    private readonly deps: RecorderDeps,
    private readonly group: Group,
    private readonly log: Logger,
  ) {}

  /** Writes this epoch's journal entry (conditional on the lease: a stale epoch throws). */
  async journal(
    lease: Lease,
    phase: JournalEntry['phase'],
    decision: Decision,
    detail: Record<string, unknown>,
  ): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.store.writeJournal(
      {
        group: this.group.name,
        epoch: lease.epoch,
        phase,
        decision,
        step: undefined,
        updatedAt: now,
        detail,
      },
      now,
    );
  }

  /** The one place history is written: appends the record, then sends its notification. */
  async history(entry: HistoryEntry, notice: Notice): Promise<void> {
    const append = this.deps.store.appendHistory({
      group: this.group.name,
      at: this.deps.clock.now(),
      ...entry,
    });
    await (notice.failure === undefined ? append : append.catch(() => undefined));
    const decision =
      notice.reason === undefined ? entry.decision : { ...entry.decision, reason: notice.reason };
    await this.notify(notice.kind, decision, entry.outcome, notice.failure?.message);
  }

  /** Alerts are recorded and notified when they change, not on every sweep. */
  async alert(decision: Extract<Decision, { kind: 'alert' }>, actor: string | undefined): Promise<void> {
    if (decision.alert === 'manual-refused') return;
    const [last] = await this.deps.store.listHistory({ group: this.group.name, limit: 1 });
    if (
      last !== undefined &&
      last.outcome === 'blocked' &&
      last.decision.kind === 'alert' &&
      last.decision.alert === decision.alert
    )
      return;
    await this.history(
      { epoch: 0, decision, outcome: 'blocked', actor, durationMs: undefined, detail: undefined },
      { kind: 'failover-blocked' },
    );
  }

  /** A sweep re-checking a holder that still has not announced must not re-record and re-notify. */
  async repeatsLast(decision: Decision, outcome: HistoryOutcome): Promise<boolean> {
    const [last] = await this.deps.store.listHistory({ group: this.group.name, limit: 1 });
    return (
      decision.kind === 'noop' && outcome === 'switch-incomplete' && last?.outcome === 'switch-incomplete'
    );
  }

  private async notify(
    kind: NotificationKind,
    decision: Decision,
    outcome: HistoryOutcome,
    error: string | undefined,
  ): Promise<void> {
    const n: Notification = {
      kind,
      severity: severityOf(kind, decision),
      group: this.group.name,
      summary: `${this.group.name}: ${decision.reason}`,
      at: this.deps.clock.now(),
      details: { decision, outcome, ...(error ? { error } : {}) },
    };
    try {
      await this.deps.notifier.notify(n);
    } catch (e) {
      // A failed notification never blocks or fails a failover.
      this.log.warn({ error: errorOf(e), kind }, 'notification failed');
    }
  }
}

function severityOf(kind: NotificationKind, decision: Decision): Notification['severity'] {
  if (
    kind === 'failed' ||
    kind === 'switch-incomplete' ||
    (decision.kind === 'alert' && decision.alert !== 'flap-guard')
  )
    return 'critical';
  return kind === 'failover-blocked' ? 'warning' : 'info';
}

/** What a run that acted recorded as its outcome. */
export function outcomeOf(group: Group, decision: Decision, steps: readonly StepReport[]): HistoryOutcome {
  if (steps.some((s) => s.outcome === 'incomplete')) return 'switch-incomplete';
  const changesHolder =
    decision.kind === 'attach' || decision.kind === 'move' || decision.kind === 'repair-split-brain';
  if (changesHolder && group.haVipId !== undefined && group.announce === 'none') return 'unverified';
  return 'done';
}

export function notificationKind(decision: Decision, outcome: HistoryOutcome): NotificationKind {
  if (outcome === 'switch-incomplete') return 'switch-incomplete';
  if (decision.kind === 'repair-split-brain') return 'split-brain-repaired';
  if (decision.kind === 'attach') return 'recovered';
  if (decision.kind === 'move') return 'failover';
  return 'recovered'; // drift repair on a noop decision
}
