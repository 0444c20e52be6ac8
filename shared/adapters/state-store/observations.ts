/**
 * A group's observation as every adapter lays it out: the key (`group`), the column that orders it
 * (`observedAt`), and the HaVip as one JSON `payload` (`{"haVip": …, "promoted": …}`, `{}` when the cloud
 * did not know it and no move is in flight). Ordering needs no payload, so a store compares a stored row without decoding it.
 */
import type { GroupName, MemberId } from '../../core/model.js';
import type { HaVipState, ObservationRecord } from '../../core/ports.js';
import { checkStored, parseStoredJson } from './codecs.js';
import { observationSchema } from './schemas.js';

export interface StoredObservation {
  readonly group: string;
  readonly observedAt: number;
  readonly payload: string;
}

/** Whether `candidate` supersedes `existing` (same group): a later read. A tie is not newer. */
export function isNewerObservation(
  candidate: Pick<StoredObservation, 'observedAt'>,
  existing: Pick<StoredObservation, 'observedAt'>,
): boolean {
  return candidate.observedAt > existing.observedAt;
}

export function encodeObservation(record: ObservationRecord): StoredObservation {
  return {
    group: record.group,
    observedAt: record.observedAt,
    payload: JSON.stringify({
      ...(record.haVip === undefined ? {} : { haVip: record.haVip }),
      ...(record.promoted === undefined ? {} : { promoted: record.promoted }),
    }),
  };
}

/** Rebuilds and validates a stored observation; `what` names the row in error messages. */
export function decodeObservation(what: string, row: StoredObservation): ObservationRecord {
  const payload = parseStoredJson(
    `${what} payload`,
    observationSchema.pick({ haVip: true, promoted: true }),
    row.payload,
  );
  const o = checkStored(what, observationSchema, {
    ...payload,
    group: row.group,
    observedAt: row.observedAt,
  });
  return {
    group: o.group as GroupName,
    observedAt: o.observedAt,
    haVip:
      o.haVip === undefined
        ? undefined
        : ({
            ...o.haVip,
            masterInstanceId: o.haVip.masterInstanceId,
            associatedInstanceType: o.haVip.associatedInstanceType,
          } as HaVipState),
    ...(o.promoted === undefined ? {} : { promoted: o.promoted as MemberId }),
  };
}
