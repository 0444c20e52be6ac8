/**
 * The append-only history. Each record carries a random `uid`, so an append whose answer was lost can be
 * repeated without writing the record twice; `id` (an identity column) orders records of the same
 * (at, epoch) by insertion.
 */
import { randomUUID } from 'node:crypto';
import type { GroupName } from '../../core/model.js';
import type { HistoryRecord } from '../../core/ports.js';
import { decodeHistory, encodeHistory } from '../state-store/index.js';
import type { PgDatabase } from './database.js';

export interface HistoryQuery {
  readonly group?: GroupName;
  readonly since?: number;
  readonly limit: number;
}

export async function appendHistory(db: PgDatabase, record: HistoryRecord): Promise<void> {
  await db.query(
    'appendHistory',
    `INSERT INTO ${db.tables.history} (uid, group_name, epoch, at, record) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (uid) DO NOTHING`,
    [randomUUID(), record.group, record.epoch, record.at, encodeHistory(record)],
    { idempotent: true },
  );
}

export async function listHistory(db: PgDatabase, query: HistoryQuery): Promise<HistoryRecord[]> {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (query.group !== undefined) {
    params.push(query.group);
    where.push(`group_name = $${params.length}`);
  }
  if (query.since !== undefined) {
    params.push(query.since);
    where.push(`at >= $${params.length}`);
  }
  params.push(query.limit);
  const rows = await db.query<{ id: number; record: string }>(
    'listHistory',
    `SELECT id, record FROM ${db.tables.history} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY at DESC, epoch DESC, id DESC LIMIT $${params.length}`,
    params,
    { idempotent: true },
  );
  return rows.map((r) => decodeHistory(`history row ${r.id} in PostgreSQL`, r.record));
}
