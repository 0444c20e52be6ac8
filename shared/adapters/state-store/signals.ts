/**
 * A signal as every adapter lays it out: the key (member, slot), the two columns that order it
 * (`receivedAt`, `sequence`), the event id, and the kind's own fields as one JSON `payload` (with the
 * `source`). The slot is the kind, or `peer-report:<reporter>` for a peer report (one row per reporter,
 * see `signalSlot`); it is kept in the key column named `kind`. Ordering needs no payload, so a store
 * compares a stored row without decoding it.
 */
import { z } from 'zod';
import { StoreError } from '../../core/errors.js';
import { DRAIN_CAUSES, kindOfSlot, type SignalRecord, sequenceOf, signalSlot } from '../../core/signals.js';
import { checkStored, parseStoredJson } from './codecs.js';
import { signalSchema } from './schemas.js';

/** What orders two signals of one member and kind. */
export interface SignalOrder {
  readonly receivedAt: number;
  readonly sequence: number | undefined;
}

export interface StoredSignal extends SignalOrder {
  readonly memberId: string;
  /** The slot (`signalSlot`): the kind, or `peer-report:<reporter>`. The key column `kind` holds it. */
  readonly kind: string;
  readonly eventId: string | undefined;
  /** JSON object: `source` and the kind's fields (`status`, `cause`, `lastSeenAt`, …). */
  readonly payload: string;
}

/**
 * Whether `candidate` supersedes `existing` (same member and slot). Sequence numbers order signals
 * from one sender when both carry one; otherwise the receiver's clock decides. Ties are not newer,
 * so replaying a signal is a no-op.
 */
export function isNewerSignal(candidate: SignalOrder, existing: SignalOrder): boolean {
  if (candidate.sequence !== undefined && existing.sequence !== undefined) {
    return candidate.sequence > existing.sequence;
  }
  return candidate.receivedAt > existing.receivedAt;
}

export function encodeSignal(signal: SignalRecord): StoredSignal {
  const { memberId, kind, receivedAt, eventId, ...fields } = signal;
  const { sequence: _ordered, ...payload } = fields as typeof fields & { sequence?: number };
  return {
    memberId,
    kind: signalSlot(signal),
    receivedAt,
    sequence: sequenceOf(signal),
    eventId,
    payload: JSON.stringify(payload),
  };
}

const payloadObject = z.record(z.string(), z.unknown());

/** Rebuilds and validates a stored signal; `what` names the row in error messages. */
export function decodeSignal(what: string, row: StoredSignal): SignalRecord {
  const payload = parseStoredJson(`${what} payload`, payloadObject, row.payload);
  const { memberId, receivedAt, sequence, eventId } = row;
  const signal = { ...payload, memberId, kind: kindOfSlot(row.kind), receivedAt, sequence, eventId };
  const record = checkStored(what, signalSchema, signal) as SignalRecord;
  if (signalSlot(record) !== row.kind)
    throw new StoreError(
      `${what} is kept under ${JSON.stringify(row.kind)} but its payload belongs under ${JSON.stringify(signalSlot(record))}; it was written by something else`,
    );
  return record;
}

// -- version 1 rows --------------------------------------------------------------------------------

/**
 * A signal row as version 1 wrote it (SQLite schema 1, Tablestore rows without `payload`): the same key
 * and order columns, and the kind's meaning in one free-form `value` string.
 */
export interface LegacySignalRow extends SignalOrder {
  readonly memberId: string;
  readonly kind: string;
  readonly eventId: string | undefined;
  readonly value: string;
}

/** The ECS states version 1 recorded as down (`Running` was its one up state). */
const LEGACY_DOWN_STATES = new Set(['Stopping', 'Stopped', 'Deleted']);
/** `manual: <reason> (<actor>)`, the operator drain of version 1 (the last parentheses hold the actor). */
const LEGACY_MANUAL_DRAIN_RE = /^manual: ([\s\S]*) \(([^()]*)\)$/;

/**
 * Rebuilds a version-1 row as the signal version 1 meant, exactly as its writers spelled `value`:
 *
 * - `instance-state`: the ECS status (`Running` is up; `Stopping`, `Stopped`, `Deleted` are down);
 * - `drain`: `<cause>: <eventType>` from an ECS event, `manual: <reason> (<actor>)` from an operator,
 *   `scenario` from `havip simulate --engine`;
 * - `undrain`: `manual` (operator) or `scenario`;
 * - `heartbeat-timeout`: the sender's `lastSeenAt` (empty when it gave none);
 * - `heartbeat`: `ok` (an agent's API heartbeat) or `alarm-ok` (an MNS `heartbeat.ok` or an alarm back
 *   to OK).
 *
 * Version 1 kept no source: it is the path those writers came in on. A drain is never lost: a value no
 * version-1 writer produced still reads as an operator drain, its value as the reason, so the member
 * stays drained until someone lifts it. Anything else that cannot be read is a `StoreError` naming the
 * row (`what`), never a guess.
 */
export function decodeLegacySignal(what: string, row: LegacySignalRow): SignalRecord {
  const { value } = row;
  const base = {
    memberId: row.memberId,
    receivedAt: row.receivedAt,
    eventId: row.eventId ?? undefined,
  };
  const unreadable = (): never => {
    throw new StoreError(
      `${what} is a version-1 ${JSON.stringify(row.kind)} row whose value ${JSON.stringify(value)} no version-1 writer produced; delete the row (the next event or sweep restores the member's state)`,
    );
  };
  const signal = ((): unknown => {
    switch (row.kind) {
      case 'instance-state': {
        const effect = value === 'Running' ? 'up' : LEGACY_DOWN_STATES.has(value) ? 'down' : unreadable();
        return {
          ...base,
          kind: 'instance-state',
          source: 'eventbridge',
          status: value,
          effect,
          sequence: row.sequence ?? undefined,
        };
      }
      case 'drain':
        return { ...base, kind: 'drain', ...legacyDrain(value) };
      case 'undrain':
        return value === 'scenario'
          ? { ...base, kind: 'undrain', source: 'scenario', reason: 'scenario' }
          : { ...base, kind: 'undrain', source: 'http', reason: value };
      case 'heartbeat-timeout':
        return {
          ...base,
          kind: 'heartbeat-timeout',
          source: 'mns',
          lastSeenAt: value === '' ? undefined : value,
        };
      case 'heartbeat':
        if (value === 'ok')
          return { ...base, kind: 'heartbeat', source: 'http', sequence: row.sequence ?? undefined };
        return value === 'alarm-ok' ? { ...base, kind: 'heartbeat', source: 'mns' } : unreadable();
      default:
        throw new StoreError(
          `${what} is a version-1 row of kind ${JSON.stringify(row.kind)}, which version 1 never wrote; delete the row`,
        );
    }
  })();
  return checkStored(what, signalSchema, signal) as SignalRecord;
}

function legacyDrain(value: string): Record<string, unknown> {
  if (value === 'scenario') return { source: 'scenario', cause: 'manual', reason: 'scenario' };
  const manual = LEGACY_MANUAL_DRAIN_RE.exec(value);
  if (manual !== null) return { source: 'http', cause: 'manual', reason: manual[1], actor: manual[2] };
  const colon = value.indexOf(': ');
  const cause = colon < 0 ? '' : value.slice(0, colon);
  if ((DRAIN_CAUSES as readonly string[]).includes(cause))
    return { source: 'eventbridge', cause, eventType: value.slice(colon + 2) };
  const reason = value.startsWith('manual: ') ? value.slice('manual: '.length) : value;
  return { source: 'http', cause: 'manual', reason };
}
