/** What a reconcile is asked to do and what it answers: the engine's request and result types. */
import { type ErrorCode, HavipError } from '../errors.js';
import type { Decision, GroupName, ManualRequest, MemberHealth } from '../model.js';
import type { GroupObservation } from '../observe.js';
import type { StepReport } from '../saga.js';

/**
 * What caused a reconcile. `plan` is the dry run: it observes, decides and plans like any other trigger,
 * and changes nothing (no lease, no journal, no history, no cloud mutation).
 */
export type Trigger = 'event' | 'heartbeat' | 'sweep' | 'manual' | 'plan' | 'drain';

export type ReconcileStatus =
  | 'noop'
  | 'done'
  | 'unverified'
  | 'switch-incomplete'
  | 'alert'
  | 'busy'
  | 'fenced'
  | 'failed'
  | 'planned';

export interface ResumedFrom {
  readonly epoch: number;
  readonly phase: string;
  readonly step: string | undefined;
}

export interface ReconcileResult {
  readonly group: GroupName;
  readonly trigger: Trigger;
  readonly status: ReconcileStatus;
  readonly decision: Decision | undefined;
  readonly steps: readonly StepReport[];
  readonly epoch: number | undefined;
  readonly holderBefore: string | undefined;
  readonly health: readonly MemberHealth[];
  /** Set when an unfinished journal of an earlier epoch was rolled forward. */
  readonly resumedFrom?: ResumedFrom;
  readonly error?: { readonly code: ErrorCode; readonly message: string };
  readonly durationMs: number;
}

export interface ReconcileRequest {
  readonly group: GroupName;
  readonly trigger: Trigger;
  readonly invocationId: string;
  /** Absolute epoch-ms deadline (the invocation's remaining time minus a margin). */
  readonly deadline: number;
  readonly manual?: ManualRequest | undefined;
  readonly runProbes?: boolean | undefined;
  /** Who caused this run (an operator's drain, a manual failover); recorded in the history. */
  readonly actor?: string | undefined;
  /**
   * An observation the caller already made (a sweep's batched describes, a status request's read). The
   * dry run (`plan`) decides on it without describing again; a run that may act uses it for the
   * lease-free pre-check only and reads afresh under the lease.
   */
  readonly observation?: GroupObservation | undefined;
}

/** The result of a reconcile that could not even start (the error is in `error`). */
export function failedResult(group: GroupName, trigger: Trigger, e: unknown): ReconcileResult {
  return {
    group,
    trigger,
    status: 'failed',
    decision: undefined,
    steps: [],
    epoch: undefined,
    holderBefore: undefined,
    health: [],
    error: errorOf(e),
    durationMs: 0,
  };
}

export function errorOf(e: unknown): { code: ErrorCode; message: string } {
  if (e instanceof HavipError) return { code: e.code, message: e.message };
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}
