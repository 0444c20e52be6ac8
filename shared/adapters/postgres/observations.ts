/**
 * Each group's last verified observation (what heartbeat replies are answered from). One conditional
 * upsert: a row is replaced only by a later read, so concurrent invocations never move it back in time.
 * When the answer is lost, the row is read back: our own write shows there exactly.
 */
import type { GroupName } from '../../core/model.js';
import type { ObservationRecord } from '../../core/ports.js';
import {
  decodeObservation,
  encodeObservation,
  fromObservationRow,
  type ObservationRow,
} from '../state-store/index.js';
import type { PgDatabase } from './database.js';
import { contention, isOutcomeUnknown } from './group-row.js';

async function readRows(db: PgDatabase, groups: readonly string[]): Promise<ObservationRow[]> {
  return db.query<ObservationRow>(
    'latestObservations',
    `SELECT group_name, observed_at, payload FROM ${db.tables.observations} WHERE group_name = ANY($1)`,
    [groups],
    { idempotent: true },
  );
}

export async function recordObservation(
  db: PgDatabase,
  maxAttempts: number,
  observation: ObservationRecord,
): Promise<boolean> {
  const o = encodeObservation(observation);
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    try {
      const rows = await db.query(
        'recordObservation',
        `INSERT INTO ${db.tables.observations} AS o (group_name, observed_at, payload) VALUES ($1, $2, $3)
         ON CONFLICT (group_name) DO UPDATE SET observed_at = excluded.observed_at, payload = excluded.payload
         WHERE o.observed_at < excluded.observed_at RETURNING 1`,
        [o.group, o.observedAt, o.payload],
        { idempotent: false },
      );
      return rows.length === 1;
    } catch (e) {
      if (!isOutcomeUnknown(e)) throw e;
      const [row] = await readRows(db, [o.group]);
      if (row !== undefined && row.observed_at === o.observedAt && row.payload === o.payload) return true;
      if (row !== undefined && row.observed_at >= o.observedAt) return false;
    }
  }
  throw contention(db, 'recordObservation', `observation ${o.group}`);
}

export async function latestObservations(
  db: PgDatabase,
  groups: readonly GroupName[],
): Promise<Map<GroupName, ObservationRecord>> {
  const out = new Map<GroupName, ObservationRecord>();
  if (groups.length === 0) return out;
  for (const row of await readRows(db, groups)) {
    out.set(
      row.group_name as GroupName,
      decodeObservation(`observation ${row.group_name} in PostgreSQL`, fromObservationRow(row)),
    );
  }
  return out;
}
