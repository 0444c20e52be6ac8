/**
 * The group row (`leases` table): the lease with its fencing epoch, and the saga journal that shares the
 * row. Each conditional operation is one `BEGIN IMMEDIATE` transaction, so its read-check-write never
 * interleaves with another connection's.
 *
 * Renewing our own lease after it expired is allowed as long as nobody acquired the group in between
 * (the epoch is still ours and the lease was not released), exactly like the Tablestore adapter.
 */
import type Database from 'better-sqlite3';
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
import type { SyncPart } from './database.js';

type GroupRow = LeaseRow<number> & { group_name: string; journal: string | null };

export type GroupRowOps = SyncPart<
  'acquireLease' | 'renewLease' | 'releaseLease' | 'assertEpoch' | 'getLease' | 'writeJournal' | 'readJournal'
>;

function statements(db: Database.Database) {
  return {
    lease: db.prepare<[string], GroupRow>('SELECT * FROM leases WHERE group_name = ?'),
    insertLease: db.prepare(
      'INSERT INTO leases (group_name, epoch, holder, expires_at, released) VALUES (?, ?, ?, ?, 0)',
    ),
    takeLease: db.prepare(
      'UPDATE leases SET epoch = ?, holder = ?, expires_at = ?, released = 0 WHERE group_name = ? AND epoch = ?',
    ),
    renewLease: db.prepare(
      'UPDATE leases SET expires_at = ? WHERE group_name = ? AND epoch = ? AND released = 0',
    ),
    releaseLease: db.prepare(
      'UPDATE leases SET released = 1 WHERE group_name = ? AND epoch = ? AND released = 0',
    ),
    writeJournal: db.prepare(
      'UPDATE leases SET journal = ? WHERE group_name = ? AND epoch = ? AND released = 0 AND expires_at > ?',
    ),
  };
}

export function groupRows(db: Database.Database): GroupRowOps {
  const q = statements(db);

  const readLease = (group: string): (StoredLease & { journal: string | null }) | undefined => {
    const r = q.lease.get(group);
    return r === undefined ? undefined : { ...fromLeaseRow(r.group_name, r), journal: r.journal };
  };

  const acquire = db.transaction(
    (group: GroupName, holder: string, ttlMs: number, now: number): AcquireResult => {
      const row = readLease(group);
      const expiresAt = now + ttlMs;
      if (row === undefined) {
        q.insertLease.run(group, 1, holder, expiresAt);
        return { acquired: true, lease: { group, epoch: 1, holder, expiresAt } };
      }
      if (!isLeaseFree(row, now)) return { acquired: false, current: toLease(row) };
      const epoch = row.epoch + 1;
      q.takeLease.run(epoch, holder, expiresAt, group, row.epoch);
      return { acquired: true, lease: { group, epoch, holder, expiresAt } };
    },
  );

  const renew = db.transaction((group: string, epoch: number, ttlMs: number, now: number): Lease => {
    if (q.renewLease.run(now + ttlMs, group, epoch).changes !== 1)
      throw staleEpoch(group, epoch, readLease(group));
    return toLease(readLease(group)!);
  });

  const journal = db.transaction((entry: JournalEntry, now: number): void => {
    const r = q.writeJournal.run(encodeJournal(entry), entry.group, entry.epoch, now);
    if (r.changes !== 1) throw staleEpoch(entry.group, entry.epoch, readLease(entry.group), now);
  });

  return {
    acquireLease: (group, holder, ttlMs, now) => acquire.immediate(group, holder, ttlMs, now),
    renewLease: (group, epoch, ttlMs, now) => renew.immediate(group, epoch, ttlMs, now),
    releaseLease: (group, epoch) => {
      q.releaseLease.run(group, epoch);
    },
    assertEpoch: (group, epoch, now) => {
      const row = readLease(group);
      if (leaseVerdict(row, epoch, now) !== 'current') throw staleEpoch(group, epoch, row, now);
    },
    getLease: (group) => {
      const row = readLease(group);
      return row === undefined || row.released ? undefined : toLease(row);
    },
    writeJournal: (entry, now) => journal.immediate(entry, now),
    readJournal: (group) => {
      const json = readLease(group)?.journal;
      return json == null ? undefined : decodeJournal(`journal of group ${JSON.stringify(group)}`, json);
    },
  };
}
