/**
 * The group row (`groups`): the lease with its fencing epoch, and the saga journal that shares the row.
 * Every fenced operation is ONE conditional statement, so PostgreSQL checks and writes atomically: under
 * READ COMMITTED an UPDATE (or the update arm of INSERT … ON CONFLICT) waits for a concurrent writer of the
 * row and re-checks its WHERE clause on the row that writer left. Reads before or after a write are only
 * diagnostics (which `StaleEpochError` reason) or recovery (a lost answer).
 *
 * The lease rules are the store-neutral ones (`state-store/lease.ts`); the acquire statement's WHERE
 * clause is `isLeaseFree` (released, or `expires_at <= now`) as the condition of one write.
 */
import { StoreError } from '../../core/errors.js';
import type { GroupName } from '../../core/model.js';
import type { AcquireResult, JournalEntry, Lease } from '../../core/ports.js';
import {
  decodeJournal,
  encodeJournal,
  fromLeaseRow,
  isLeaseFree,
  type LeaseRow,
  leaseVerdict,
  type StoredLease,
  staleEpoch,
  toLease,
} from '../state-store/index.js';
import type { PgDatabase } from './database.js';

const READ = { idempotent: true } as const;

export function isOutcomeUnknown(e: unknown): boolean {
  return e instanceof StoreError && e.details.outcomeUnknown === true;
}

export function contention(db: PgDatabase, operation: string, key: string): StoreError {
  return new StoreError(
    `PostgreSQL ${operation} on ${key} did not settle after repeated concurrent changes; try again`,
    { retryable: true, details: { operation, target: db.target, key } },
  );
}

async function readLease(db: PgDatabase, operation: string, group: string): Promise<StoredLease | undefined> {
  const rows = await db.query<LeaseRow<boolean>>(
    operation,
    `SELECT epoch, holder, expires_at, released FROM ${db.tables.groups} WHERE group_name = $1`,
    [group],
    READ,
  );
  const r = rows[0];
  return r === undefined ? undefined : fromLeaseRow(group, r);
}

/** Creates the row at epoch 1, or takes a free lease at epoch + 1; no row back when the lease is held. */
function takeStatement(db: PgDatabase): string {
  return `INSERT INTO ${db.tables.groups} AS g (group_name, epoch, holder, expires_at, released)
    VALUES ($1, 1, $2, $3, false)
    ON CONFLICT (group_name) DO UPDATE
      SET epoch = g.epoch + 1, holder = excluded.holder, expires_at = excluded.expires_at, released = false
      WHERE g.released OR g.expires_at <= $4
    RETURNING epoch`;
}

export async function acquireLease(
  db: PgDatabase,
  maxAttempts: number,
  group: GroupName,
  holder: string,
  ttlMs: number,
  now: number,
): Promise<AcquireResult> {
  const expiresAt = now + ttlMs;
  const mine = (row: StoredLease) => !row.released && row.holder === holder && row.expiresAt === expiresAt;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    let taken: { epoch: number }[];
    try {
      taken = await db.query('acquireLease', takeStatement(db), [group, holder, expiresAt, now], {
        idempotent: false,
      });
    } catch (e) {
      if (!isOutcomeUnknown(e)) throw e;
      // The answer was lost: if the row shows exactly our write, the lease is ours.
      const row = await readLease(db, 'acquireLease', group);
      if (row !== undefined && mine(row)) return { acquired: true, lease: toLease(row) };
      if (row !== undefined && !isLeaseFree(row, now)) return { acquired: false, current: toLease(row) };
      continue;
    }
    if (taken[0] !== undefined)
      return { acquired: true, lease: { group, epoch: taken[0].epoch, holder, expiresAt } };
    const row = await readLease(db, 'acquireLease', group);
    if (row !== undefined && !isLeaseFree(row, now)) return { acquired: false, current: toLease(row) };
    // Released or expired between the two statements: try again.
  }
  throw contention(db, 'acquireLease', `group ${JSON.stringify(group)}`);
}

export async function renewLease(
  db: PgDatabase,
  group: GroupName,
  epoch: number,
  ttlMs: number,
  now: number,
): Promise<Lease> {
  const expiresAt = now + ttlMs;
  // No expiry check: our own expired lease may be renewed while the epoch is still ours.
  const rows = await db.query<{ holder: string }>(
    'renewLease',
    `UPDATE ${db.tables.groups} SET expires_at = $3
      WHERE group_name = $1 AND epoch = $2 AND NOT released RETURNING holder`,
    [group, epoch, expiresAt],
    { idempotent: true },
  );
  const renewed = rows[0];
  if (renewed === undefined) throw staleEpoch(group, epoch, await readLease(db, 'renewLease', group));
  return { group, epoch, holder: renewed.holder, expiresAt };
}

export async function releaseLease(db: PgDatabase, group: GroupName, epoch: number): Promise<void> {
  // No row updated means the epoch is stale or already released: nothing to do.
  await db.query(
    'releaseLease',
    `UPDATE ${db.tables.groups} SET released = true WHERE group_name = $1 AND epoch = $2 AND NOT released`,
    [group, epoch],
    { idempotent: true },
  );
}

export async function assertEpoch(
  db: PgDatabase,
  group: GroupName,
  epoch: number,
  now: number,
): Promise<void> {
  const row = await readLease(db, 'assertEpoch', group);
  if (leaseVerdict(row, epoch, now) !== 'current') throw staleEpoch(group, epoch, row, now);
}

export async function getLease(db: PgDatabase, group: GroupName): Promise<Lease | undefined> {
  const row = await readLease(db, 'getLease', group);
  return row === undefined || row.released ? undefined : toLease(row);
}

export async function writeJournal(db: PgDatabase, entry: JournalEntry, now: number): Promise<void> {
  const rows = await db.query(
    'writeJournal',
    `UPDATE ${db.tables.groups} SET journal = $4
      WHERE group_name = $1 AND epoch = $2 AND NOT released AND expires_at > $3 RETURNING epoch`,
    [entry.group, entry.epoch, now, encodeJournal(entry)],
    // Writing the same entry again changes nothing; if the lease was lost meanwhile, the repeat is refused.
    { idempotent: true },
  );
  if (rows.length === 0)
    throw staleEpoch(entry.group, entry.epoch, await readLease(db, 'writeJournal', entry.group), now);
}

export async function readJournal(db: PgDatabase, group: GroupName): Promise<JournalEntry | undefined> {
  const rows = await db.query<{ journal: string | null }>(
    'readJournal',
    `SELECT journal FROM ${db.tables.groups} WHERE group_name = $1`,
    [group],
    READ,
  );
  const json = rows[0]?.journal;
  return json == null
    ? undefined
    : decodeJournal(`journal of group ${JSON.stringify(group)} in PostgreSQL`, json);
}
