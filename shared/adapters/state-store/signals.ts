/**
 * A signal as every adapter lays it out: the key (member, slot), the two columns that order it
 * (`receivedAt`, `sequence`), the event id, and the kind's own fields as one JSON `payload` (with the
 * `source`). The slot is the kind, or `peer-report:<reporter>` for a peer report (one row per reporter,
 * see `signalSlot`); it is kept in the key column named `kind`. Ordering needs no payload, so a store
 * compares a stored row without decoding it.
 */
import { z } from 'zod';
import { StoreError } from '../../core/errors.js';
import { kindOfSlot, type SignalRecord, sequenceOf, signalSlot } from '../../core/signals.js';
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
