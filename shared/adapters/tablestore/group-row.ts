/**
 * The group row (`havip_groups`): the lease with its fencing epoch, and the saga journal that shares the
 * row. Every fenced operation is ONE conditional row write, so the check and the write are atomic on the
 * server; `writeJournal` is an UpdateRow whose condition is "epoch == mine AND not released AND
 * expiresAt > now". Reads before a write are only optimisations or diagnostics.
 *
 * Lease semantics shared with every adapter: a lease is free when absent, released or expired
 * (`expiresAt <= now`); acquiring bumps the epoch by one; the lease is not re-entrant; renewing our own
 * expired lease is allowed while nobody has acquired the group since.
 */
import type TableStore from 'tablestore';
import { StoreError } from '../../core/errors.js';
import type { GroupName } from '../../core/model.js';
import type { AcquireResult, JournalEntry, Lease } from '../../core/ports.js';
import {
  decodeJournal,
  encodeJournal,
  isLeaseFree,
  leaseVerdict,
  type StoredLease,
  staleEpoch,
  toLease,
} from '../state-store/index.js';
import { allOf, anyOf, Cmp, Columns, col, long, rowMustExist, rowMustNotExist } from './encoding.js';
import { isConditionCheckFailure, isOutcomeUnknown, toStoreError } from './errors.js';
import type { Requests } from './requests.js';

const groupKey = (group: string): TableStore.PrimaryKeyInput => [{ group }];

async function getGroupRow(
  r: Requests,
  operation: string,
  group: string,
  columnsToGet?: string[],
): Promise<Columns | undefined> {
  const table = r.tables.groups;
  const res = await r.call(operation, table, () =>
    r.client.getRow({ tableName: table, primaryKey: groupKey(group), maxVersions: 1, columnsToGet }),
  );
  return Columns.of(r.where(table, group), res.row);
}

function parseLease(group: string, c: Columns): StoredLease {
  return {
    group: group as GroupName,
    epoch: c.reqInt('epoch'),
    holder: c.reqStr('holder'),
    expiresAt: c.reqInt('expiresAt'),
    released: c.reqBool('released'),
  };
}

/** Strict: a malformed row is an error the operator must see. */
async function readLease(r: Requests, operation: string, group: string): Promise<StoredLease | undefined> {
  const c = await getGroupRow(r, operation, group);
  return c === undefined ? undefined : parseLease(group, c);
}

/** Lenient, for fencing checks and diagnostics: a malformed row counts as "no valid lease". */
async function readLeaseLenient(
  r: Requests,
  operation: string,
  group: string,
): Promise<{ exists: boolean; lease: StoredLease | undefined; holder: string | undefined }> {
  const c = await getGroupRow(r, operation, group);
  if (c === undefined) return { exists: false, lease: undefined, holder: undefined };
  let holder: string | undefined;
  try {
    holder = c.str('holder');
  } catch {
    holder = undefined;
  }
  try {
    return { exists: true, lease: parseLease(group, c), holder };
  } catch (e) {
    if (e instanceof StoreError) return { exists: true, lease: undefined, holder };
    throw e;
  }
}

function leaseColumns(epoch: number, holder: string, expiresAt: number): TableStore.AttributeColumnsInput {
  return [{ epoch: long(epoch) }, { holder }, { expiresAt: long(expiresAt) }, { released: false }];
}

/** The write that takes the lease over `row` (as read): create the row, or bump a free lease's epoch. */
function takeLease(
  r: Requests,
  group: GroupName,
  row: StoredLease | undefined,
  lease: Lease,
  now: number,
): Promise<unknown> {
  const tableName = r.tables.groups;
  const attributeColumns = leaseColumns(lease.epoch, lease.holder, lease.expiresAt);
  if (row === undefined) {
    return r.client.putRow({
      tableName,
      condition: rowMustNotExist(),
      primaryKey: groupKey(group),
      attributeColumns,
    });
  }
  return r.client.updateRow({
    tableName,
    // Still the epoch we read, and still free: released, or expired at `now`.
    condition: rowMustExist(
      allOf(
        col('epoch', Cmp.EQUAL, long(row.epoch)),
        anyOf(col('released', Cmp.EQUAL, true), col('expiresAt', Cmp.LESS_EQUAL, long(now))),
      ),
    ),
    primaryKey: groupKey(group),
    updateOfAttributeColumns: [{ PUT: attributeColumns }],
  });
}

export async function acquireLease(
  r: Requests,
  group: GroupName,
  holder: string,
  ttlMs: number,
  now: number,
): Promise<AcquireResult> {
  const expiresAt = now + ttlMs;
  // A write whose response was lost may have been applied; if the row later shows exactly that
  // write, it was ours and we hold the lease.
  let pending: { epoch: number } | undefined;
  for (let attempt = 0; attempt < r.maxAttempts; attempt++) {
    const row = await readLease(r, 'acquireLease', group);
    if (
      pending !== undefined &&
      row !== undefined &&
      row.epoch === pending.epoch &&
      row.holder === holder &&
      row.expiresAt === expiresAt &&
      !row.released
    ) {
      return { acquired: true, lease: toLease(row) };
    }
    pending = undefined;
    if (row !== undefined && !isLeaseFree(row, now)) return { acquired: false, current: toLease(row) };
    const lease: Lease = { group, epoch: row === undefined ? 1 : row.epoch + 1, holder, expiresAt };
    try {
      await takeLease(r, group, row, lease, now);
      return { acquired: true, lease };
    } catch (e) {
      if (isConditionCheckFailure(e)) continue;
      if (isOutcomeUnknown(e)) {
        pending = { epoch: lease.epoch };
        continue;
      }
      throw toStoreError('acquireLease', r.tables.groups, e);
    }
  }
  throw r.contention('acquireLease', r.where(r.tables.groups, group));
}

export async function renewLease(
  r: Requests,
  group: GroupName,
  epoch: number,
  ttlMs: number,
  now: number,
): Promise<Lease> {
  const before = await readLeaseLenient(r, 'renewLease', group);
  if (!before.exists) throw staleEpoch(group, epoch, undefined);
  const expiresAt = now + ttlMs;
  const applied = await r.conditional('renewLease', r.tables.groups, () =>
    r.client.updateRow({
      tableName: r.tables.groups,
      // No expiry check: our own expired lease may be renewed while the epoch is still ours.
      condition: rowMustExist(allOf(col('epoch', Cmp.EQUAL, long(epoch)), col('released', Cmp.EQUAL, false))),
      primaryKey: groupKey(group),
      updateOfAttributeColumns: [{ PUT: [{ expiresAt: long(expiresAt) }] }],
    }),
  );
  if (!applied) throw staleEpoch(group, epoch, (await readLeaseLenient(r, 'renewLease', group)).lease);
  // The holder cannot change without the epoch changing, so the value read before is still right.
  return { group, epoch, holder: before.lease?.holder ?? before.holder ?? '', expiresAt };
}

export async function releaseLease(r: Requests, group: GroupName, epoch: number): Promise<void> {
  // A failed condition means the epoch is stale or already released: nothing to do.
  await r.conditional('releaseLease', r.tables.groups, () =>
    r.client.updateRow({
      tableName: r.tables.groups,
      condition: rowMustExist(allOf(col('epoch', Cmp.EQUAL, long(epoch)), col('released', Cmp.EQUAL, false))),
      primaryKey: groupKey(group),
      updateOfAttributeColumns: [{ PUT: [{ released: true }] }],
    }),
  );
}

export async function assertEpoch(r: Requests, group: GroupName, epoch: number, now: number): Promise<void> {
  const { lease } = await readLeaseLenient(r, 'assertEpoch', group);
  if (leaseVerdict(lease, epoch, now) !== 'current') throw staleEpoch(group, epoch, lease, now);
}

export async function getLease(r: Requests, group: GroupName): Promise<Lease | undefined> {
  const row = await readLease(r, 'getLease', group);
  return row === undefined || row.released ? undefined : toLease(row);
}

export async function writeJournal(r: Requests, entry: JournalEntry, now: number): Promise<void> {
  const applied = await r.conditional('writeJournal', r.tables.groups, () =>
    r.client.updateRow({
      tableName: r.tables.groups,
      condition: rowMustExist(
        allOf(
          col('epoch', Cmp.EQUAL, long(entry.epoch)),
          col('released', Cmp.EQUAL, false),
          col('expiresAt', Cmp.GREATER_THAN, long(now)),
        ),
      ),
      primaryKey: groupKey(entry.group),
      updateOfAttributeColumns: [{ PUT: [{ journal: encodeJournal(entry) }] }],
    }),
  );
  if (!applied) {
    const { lease } = await readLeaseLenient(r, 'writeJournal', entry.group);
    throw staleEpoch(entry.group, entry.epoch, lease, now);
  }
}

export async function readJournal(r: Requests, group: GroupName): Promise<JournalEntry | undefined> {
  const c = await getGroupRow(r, 'readJournal', group, ['journal']);
  const json = c?.str('journal');
  return json === undefined ? undefined : decodeJournal(r.where(r.tables.groups, group), json);
}
