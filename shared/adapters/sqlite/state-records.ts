/**
 * Rules and record codecs shared by both StateStore adapters (SQLite and Tablestore), so that the
 * semantics the contract suite checks live in one place: argument validation, the "is this signal
 * newer" order, the lease verdict used by `assertEpoch` and by stale-epoch diagnostics, and the JSON
 * codecs for journal and history records read back from storage.
 */
import { z } from 'zod';
import { type InputIssue, InvalidInputError, StaleEpochError, StoreError } from '../../core/errors.js';
import type { Decision, GroupName, MemberId } from '../../core/model.js';
import type {
  HistoryRecord,
  JournalEntry,
  JournalPhase,
  Lease,
  MemberHealthState,
  SignalKind,
  SignalRecord,
} from '../../core/ports.js';

// ---------------------------------------------------------------------------------------------
// Argument validation (the store API is an edge: callers are other layers and persisted data)

const epochMs = z.int().min(0);
const name = z.string().min(1).max(255);
const detailSchema = z.record(z.string(), z.unknown());

/** Every journal phase, in saga order. */
export const JOURNAL_PHASES = [
  'PLANNED',
  'DETACHING',
  'ATTACHING',
  'ANNOUNCING',
  'VERIFYING',
  'EIP',
  'FENCING',
  'DONE',
  'FAILED',
] as const satisfies readonly JournalPhase[];

/** Every signal kind the store accepts. */
export const SIGNAL_KINDS = [
  'heartbeat',
  'heartbeat-timeout',
  'instance-state',
  'drain',
  'undrain',
] as const satisfies readonly SignalKind[];

const HISTORY_OUTCOMES = ['done', 'failed', 'switch-incomplete', 'unverified', 'blocked', 'planned'] as const;

/** Structural check only: the decision model is owned by the core; the store just round-trips it. */
const decisionSchema = z.looseObject({
  kind: z.enum(['noop', 'attach', 'move', 'repair-split-brain', 'alert']),
  reason: z.string(),
});

const journalSchema = z.object({
  group: name,
  epoch: z.int().min(1),
  phase: z.enum(JOURNAL_PHASES),
  decision: decisionSchema,
  step: z.string().optional(),
  updatedAt: epochMs,
  detail: detailSchema.optional(),
});

const signalSchema = z.object({
  memberId: name,
  kind: z.enum(SIGNAL_KINDS),
  receivedAt: epochMs,
  sequence: z.int().min(0).optional(),
  value: z.string(),
  eventId: z.string().optional(),
});

const healthSchema = z.object({
  memberId: name,
  probeHealthy: z.boolean(),
  consecutiveFailures: z.int().min(0),
  consecutiveSuccesses: z.int().min(0),
  eligibleSince: epochMs.optional(),
  updatedAt: epochMs,
});

const historySchema = z.object({
  group: name,
  epoch: z.int().min(0),
  at: epochMs,
  decision: decisionSchema,
  outcome: z.enum(HISTORY_OUTCOMES),
  actor: z.string().optional(),
  durationMs: z.number().min(0).optional(),
  detail: detailSchema.optional(),
});

const historyQuerySchema = z.object({
  group: name.optional(),
  since: epochMs.optional(),
  limit: z.int().min(1).max(10_000),
});

function issuesOf(prefix: string, error: z.ZodError): InputIssue[] {
  return error.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].join('.'),
    message: i.message,
  }));
}

function check<T>(operation: string, prefix: string, schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    throw new InvalidInputError(
      'store.invalid-argument',
      `${operation}: invalid ${prefix}`,
      issuesOf(prefix, r.error),
    );
  }
  return r.data;
}

// The check* functions validate one port call's arguments and throw `InvalidInputError`
// (`store.invalid-argument`) whose issue paths name the argument, e.g. `signal.sequence`.

const leaseArgs = z.object({
  group: name,
  holder: z.string().max(1024),
  ttlMs: z.int().min(1),
  now: epochMs,
});
const epochArgs = z.object({ group: name, epoch: z.int().min(0), now: epochMs.optional() });

export function checkAcquire(group: string, holder: string, ttlMs: number, now: number): void {
  check('acquireLease', 'args', leaseArgs, { group, holder, ttlMs, now });
}
export function checkRenew(group: string, epoch: number, ttlMs: number, now: number): void {
  check('renewLease', 'args', epochArgs.extend({ ttlMs: z.int().min(1), now: epochMs }), {
    group,
    epoch,
    ttlMs,
    now,
  });
}
export function checkEpochArgs(operation: string, group: string, epoch: number, now?: number): void {
  check(operation, 'args', epochArgs, { group, epoch, now });
}
export function checkGroup(operation: string, group: string): void {
  check(operation, 'group', name, group);
}
export function checkJournal(entry: JournalEntry, now: number): void {
  check('writeJournal', 'entry', journalSchema, entry);
  check('writeJournal', 'now', epochMs, now);
}
export function checkSignal(signal: SignalRecord): void {
  check('recordSignal', 'signal', signalSchema, signal);
}
export function checkHealth(state: Omit<MemberHealthState, 'version'>, expectedVersion: number): void {
  check('putHealth', 'state', healthSchema, state);
  check('putHealth', 'expectedVersion', z.int().min(0), expectedVersion);
}
export function checkDedupe(eventId: string, ttlMs: number, now: number): void {
  check('markEventSeen', 'args', z.object({ eventId: name, ttlMs: z.int().min(1), now: epochMs }), {
    eventId,
    ttlMs,
    now,
  });
}
export function checkHistory(record: HistoryRecord): void {
  check('appendHistory', 'record', historySchema, record);
}
export function checkHistoryQuery(query: { group?: string; since?: number; limit: number }): void {
  check('listHistory', 'query', historyQuerySchema, query);
}
export function checkMemberIds(operation: string, ids: readonly string[]): void {
  check(operation, 'memberIds', z.array(name), ids);
}

// ---------------------------------------------------------------------------------------------
// Semantics

/**
 * Whether `candidate` supersedes `existing` (same member and kind). Sequence numbers order signals
 * from one sender when both carry one; otherwise the receiver's clock decides. Ties are not newer,
 * so replaying a signal is a no-op.
 */
export function isNewerSignal(candidate: SignalRecord, existing: SignalRecord): boolean {
  if (candidate.sequence !== undefined && existing.sequence !== undefined) {
    return candidate.sequence > existing.sequence;
  }
  return candidate.receivedAt > existing.receivedAt;
}

/** A lease row as both adapters store it. `released` leases keep their epoch for the counter. */
export interface StoredLease {
  readonly group: GroupName;
  readonly epoch: number;
  readonly holder: string;
  readonly expiresAt: number;
  readonly released: boolean;
}

export type LeaseVerdict = 'current' | 'no-lease' | 'superseded' | 'not-issued' | 'released' | 'expired';

/** Why `epoch` may or may not act for the group at `now` (a lease is live while `now < expiresAt`). */
export function leaseVerdict(row: StoredLease | undefined, epoch: number, now: number): LeaseVerdict {
  if (row === undefined) return 'no-lease';
  if (row.epoch > epoch) return 'superseded';
  if (row.epoch < epoch) return 'not-issued';
  if (row.released) return 'released';
  if (row.expiresAt <= now) return 'expired';
  return 'current';
}

/** Whether a new acquirer may take the lease at `now`. */
export function isLeaseFree(row: StoredLease, now: number): boolean {
  return row.released || row.expiresAt <= now;
}

/** The port's view of a stored lease (without the `released` flag). */
export function toLease(row: StoredLease): Lease {
  return { group: row.group, epoch: row.epoch, holder: row.holder, expiresAt: row.expiresAt };
}

/**
 * The error for a fenced operation that did not apply, with the reason derived from the row as read
 * afterwards. Without `now`, expiry is ignored (renewal may revive our own expired lease).
 */
export function staleEpoch(
  group: string,
  epoch: number,
  row: StoredLease | undefined,
  now?: number,
): StaleEpochError {
  const verdict = now === undefined ? leaseVerdictIgnoringTime(row, epoch) : leaseVerdict(row, epoch, now);
  return new StaleEpochError(group, epoch, {
    reason: verdict === 'current' ? 'changed-concurrently' : verdict,
    currentEpoch: row?.epoch,
    currentExpiresAt: row?.expiresAt,
  });
}

function leaseVerdictIgnoringTime(row: StoredLease | undefined, epoch: number): LeaseVerdict {
  return leaseVerdict(row, epoch, Number.NEGATIVE_INFINITY);
}

// ---------------------------------------------------------------------------------------------
// Codecs for JSON kept in storage (journal, history records)

const storedJournal = journalSchema;
const storedHistory = historySchema;

function parseStoredJson<T>(what: string, schema: z.ZodType<T>, json: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (cause) {
    throw new StoreError(
      `${what} is not valid JSON; the stored value was written by something else or truncated`,
      {
        cause,
      },
    );
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new StoreError(
      `${what} does not match the expected shape (${first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'unknown'}); it was written by an incompatible version`,
    );
  }
  return r.data;
}

/** Journal entries and history records are stored as JSON text (timestamps stay epoch-ms numbers). */
export function encodeJournal(entry: JournalEntry): string {
  return JSON.stringify(entry);
}

/** Parses and validates a stored journal entry; `what` names the row in error messages. */
export function decodeJournal(what: string, json: string): JournalEntry {
  const j = parseStoredJson(what, storedJournal, json);
  return {
    group: j.group as GroupName,
    epoch: j.epoch,
    phase: j.phase,
    decision: j.decision as unknown as Decision,
    step: j.step,
    updatedAt: j.updatedAt,
    detail: j.detail,
  };
}

export function encodeHistory(record: HistoryRecord): string {
  return JSON.stringify(record);
}

/** Parses and validates a stored history record; `what` names the row in error messages. */
export function decodeHistory(what: string, json: string): HistoryRecord {
  const h = parseStoredJson(what, storedHistory, json);
  return {
    group: h.group as GroupName,
    epoch: h.epoch,
    at: h.at,
    decision: h.decision as unknown as Decision,
    outcome: h.outcome,
    actor: h.actor,
    durationMs: h.durationMs,
    detail: h.detail,
  };
}

/** Newest first: later `at`, then higher epoch; the caller breaks remaining ties by insertion order. */
export function compareHistoryNewestFirst(a: HistoryRecord, b: HistoryRecord): number {
  return b.at - a.at || b.epoch - a.epoch;
}

/** Builds a `SignalRecord` from stored fields (absent optional fields become `undefined`). */
export function signalOf(fields: {
  memberId: string;
  kind: string;
  receivedAt: number;
  sequence: number | undefined;
  value: string;
  eventId: string | undefined;
}): SignalRecord {
  return {
    memberId: fields.memberId as MemberId,
    kind: fields.kind as SignalKind,
    receivedAt: fields.receivedAt,
    sequence: fields.sequence,
    value: fields.value,
    eventId: fields.eventId,
  };
}
