/**
 * The member and event records: the latest signal per (member, slot), the latest observation per
 * group, probe health with its CAS version, and event de-duplication. Signals and dedupe rows are read, compared, then written under a
 * condition on what was read, retried while another writer got in between.
 */
import TableStore from 'tablestore';
import type { GroupName, MemberId } from '../../core/model.js';
import type { MemberHealthState, ObservationRecord } from '../../core/ports.js';
import { type LatestSignals, latestOf, type SignalRecord } from '../../core/signals.js';
import {
  decodeLegacySignal,
  decodeObservation,
  decodeSignal,
  encodeObservation,
  encodeSignal,
  isNewerSignal,
  type StoredSignal,
} from '../state-store/index.js';
import { Cmp, Columns, col, long, pkString, rowMustExist, rowMustNotExist } from './encoding.js';
import type { Requests } from './requests.js';

const { INF_MIN, INF_MAX, Direction } = TableStore;

// -- signals ---------------------------------------------------------------------------------------

function signalColumns(s: StoredSignal, rev: number): TableStore.AttributeColumnsInput {
  const cols: TableStore.AttributeColumnsInput = [
    { receivedAt: long(s.receivedAt) },
    { payload: s.payload },
    { rev: long(rev) },
  ];
  if (s.sequence !== undefined) cols.push({ sequence: long(s.sequence) });
  if (s.eventId !== undefined) cols.push({ eventId: s.eventId });
  return cols;
}

/**
 * Reads a signal row back. A row without `payload` was written by version 1 (its meaning in `value`):
 * it is read through the legacy decoder, and the next signal of its slot rewrites it in the new layout.
 */
function signalOfRow(where: string, memberId: string, kind: string, c: Columns): SignalRecord {
  const order = { memberId, kind, receivedAt: c.reqInt('receivedAt'), sequence: c.int('sequence') };
  const payload = c.str('payload');
  if (payload === undefined)
    return decodeLegacySignal(`${where} (version 1)`, {
      ...order,
      eventId: c.str('eventId'),
      value: c.reqStr('value'),
    });
  return decodeSignal(where, { ...order, eventId: c.str('eventId'), payload });
}

export async function recordSignal(r: Requests, signal: SignalRecord): Promise<boolean> {
  const s = encodeSignal(signal);
  const table = r.tables.signals;
  const primaryKey: TableStore.PrimaryKeyInput = [{ memberId: s.memberId }, { kind: s.kind }];
  const key = r.where(table, `${s.memberId}/${s.kind}`);
  for (let attempt = 0; attempt < r.maxAttempts; attempt++) {
    const res = await r.call('recordSignal', table, () =>
      r.client.getRow({ tableName: table, primaryKey, maxVersions: 1 }),
    );
    const c = Columns.of(key, res.row);
    let condition: TableStore.Condition;
    let rev: number;
    if (c === undefined) {
      condition = rowMustNotExist();
      rev = 1;
    } else {
      // Only the order is read: a row this version cannot decode is still replaced by a newer signal.
      if (!isNewerSignal(s, { receivedAt: c.reqInt('receivedAt'), sequence: c.int('sequence') }))
        return false;
      // `rev` changes on every write: the put applies only if nobody wrote since our read.
      const seen = c.reqInt('rev');
      condition = rowMustExist(col('rev', Cmp.EQUAL, long(seen)));
      rev = seen + 1;
    }
    const applied = await r.conditional('recordSignal', table, () =>
      r.client.putRow({ tableName: table, condition, primaryKey, attributeColumns: signalColumns(s, rev) }),
    );
    if (applied) return true;
  }
  throw r.contention('recordSignal', key);
}

export async function latestSignals(
  r: Requests,
  memberIds: readonly MemberId[],
): Promise<Map<MemberId, LatestSignals>> {
  const table = r.tables.signals;
  const entries = await Promise.all(
    memberIds.map(async (id) => {
      const records: SignalRecord[] = [];
      const rows = await r.scan('latestSignals', {
        tableName: table,
        direction: Direction.FORWARD,
        inclusiveStartPrimaryKey: [{ memberId: id }, { kind: INF_MIN }],
        exclusiveEndPrimaryKey: [{ memberId: id }, { kind: INF_MAX }],
      });
      for (const row of rows) {
        const kind = pkString(row, 1);
        const where = r.where(table, `${id}/${kind}`);
        const c = Columns.of(where, row);
        if (kind === undefined || c === undefined) continue;
        records.push(signalOfRow(where, id, kind, c));
      }
      return [id, latestOf(records)] as const;
    }),
  );
  return new Map(entries);
}

// -- observations ----------------------------------------------------------------------------------

/**
 * One conditional put replaces an older row (`observedAt` less than ours; the column must exist);
 * failing that, another creates the row if there is none. Both failing means a row as new or newer is
 * stored — unless one appeared between the two puts, hence the loop.
 */
export async function recordObservation(r: Requests, observation: ObservationRecord): Promise<boolean> {
  const o = encodeObservation(observation);
  const table = r.tables.observations;
  const primaryKey: TableStore.PrimaryKeyInput = [{ group: o.group }];
  const attributeColumns: TableStore.AttributeColumnsInput = [
    { observedAt: long(o.observedAt) },
    { payload: o.payload },
  ];
  const put = (condition: TableStore.Condition) =>
    r.conditional('recordObservation', table, () =>
      r.client.putRow({ tableName: table, condition, primaryKey, attributeColumns }),
    );
  for (let attempt = 0; attempt < r.maxAttempts; attempt++) {
    if (await put(rowMustExist(col('observedAt', Cmp.LESS_THAN, long(o.observedAt))))) return true;
    if (await put(rowMustNotExist())) return true;
    const res = await r.call('recordObservation', table, () =>
      r.client.getRow({ tableName: table, primaryKey, maxVersions: 1 }),
    );
    const c = Columns.of(r.where(table, o.group), res.row);
    if (c !== undefined && c.reqInt('observedAt') >= o.observedAt) return false;
  }
  throw r.contention('recordObservation', r.where(table, o.group));
}

export async function latestObservations(
  r: Requests,
  groups: readonly GroupName[],
): Promise<Map<GroupName, ObservationRecord>> {
  const table = r.tables.observations;
  const rows = await Promise.all(
    groups.map(async (group) => {
      const res = await r.call('latestObservations', table, () =>
        r.client.getRow({ tableName: table, primaryKey: [{ group }], maxVersions: 1 }),
      );
      const where = r.where(table, group);
      const c = Columns.of(where, res.row);
      if (c === undefined) return undefined;
      return decodeObservation(where, {
        group,
        observedAt: c.reqInt('observedAt'),
        payload: c.reqStr('payload'),
      });
    }),
  );
  const out = new Map<GroupName, ObservationRecord>();
  for (const o of rows) if (o !== undefined) out.set(o.group, o);
  return out;
}

// -- health ----------------------------------------------------------------------------------------

export async function getHealth(
  r: Requests,
  memberIds: readonly MemberId[],
): Promise<Map<MemberId, MemberHealthState>> {
  const table = r.tables.health;
  const rows = await Promise.all(
    memberIds.map(async (id) => {
      const res = await r.call('getHealth', table, () =>
        r.client.getRow({ tableName: table, primaryKey: [{ memberId: id }], maxVersions: 1 }),
      );
      const c = Columns.of(r.where(table, id), res.row);
      if (c === undefined) return undefined;
      const state: MemberHealthState = {
        memberId: id,
        probeHealthy: c.reqBool('probeHealthy'),
        consecutiveFailures: c.reqInt('consecutiveFailures'),
        consecutiveSuccesses: c.reqInt('consecutiveSuccesses'),
        eligibleSince: c.int('eligibleSince'),
        ineligibleSince: c.int('ineligibleSince'),
        updatedAt: c.reqInt('updatedAt'),
        version: c.reqInt('version'),
      };
      return state;
    }),
  );
  const out = new Map<MemberId, MemberHealthState>();
  for (const s of rows) if (s !== undefined) out.set(s.memberId, s);
  return out;
}

export function putHealth(
  r: Requests,
  state: Omit<MemberHealthState, 'version'>,
  expectedVersion: number,
): Promise<boolean> {
  const attributeColumns: TableStore.AttributeColumnsInput = [
    { probeHealthy: state.probeHealthy },
    { consecutiveFailures: long(state.consecutiveFailures) },
    { consecutiveSuccesses: long(state.consecutiveSuccesses) },
    { updatedAt: long(state.updatedAt) },
    { version: long(expectedVersion + 1) },
  ];
  if (state.eligibleSince !== undefined) attributeColumns.push({ eligibleSince: long(state.eligibleSince) });
  if (state.ineligibleSince !== undefined)
    attributeColumns.push({ ineligibleSince: long(state.ineligibleSince) });
  const condition =
    expectedVersion === 0
      ? rowMustNotExist()
      : rowMustExist(col('version', Cmp.EQUAL, long(expectedVersion)));
  return r.conditional('putHealth', r.tables.health, () =>
    r.client.putRow({
      tableName: r.tables.health,
      condition,
      primaryKey: [{ memberId: state.memberId }],
      attributeColumns,
    }),
  );
}

// -- dedupe ----------------------------------------------------------------------------------------

export async function markEventSeen(
  r: Requests,
  eventId: string,
  ttlMs: number,
  now: number,
): Promise<boolean> {
  const table = r.tables.dedupe;
  const primaryKey: TableStore.PrimaryKeyInput = [{ eventId }];
  const expiresAt = long(now + ttlMs);
  for (let attempt = 0; attempt < r.maxAttempts; attempt++) {
    const inserted = await r.conditional('markEventSeen', table, () =>
      r.client.putRow({
        tableName: table,
        condition: rowMustNotExist(),
        primaryKey,
        attributeColumns: [{ expiresAt }],
      }),
    );
    if (inserted) return true;
    // The row exists. Table TTL deletes lazily, so an expired row may still be there: its
    // `expiresAt` is the truth.
    const res = await r.call('markEventSeen', table, () =>
      r.client.getRow({ tableName: table, primaryKey, maxVersions: 1 }),
    );
    const c = Columns.of(r.where(table, eventId), res.row);
    if (c === undefined) continue; // deleted by TTL since our put: insert again
    const stored = c.reqInt('expiresAt');
    if (stored > now) return false;
    const refreshed = await r.conditional('markEventSeen', table, () =>
      r.client.updateRow({
        tableName: table,
        condition: rowMustExist(col('expiresAt', Cmp.EQUAL, long(stored))),
        primaryKey,
        updateOfAttributeColumns: [{ PUT: [{ expiresAt }] }],
      }),
    );
    if (refreshed) return true;
  }
  throw r.contention('markEventSeen', r.where(table, eventId));
}
