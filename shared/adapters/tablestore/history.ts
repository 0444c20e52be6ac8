/**
 * The append-only history (`havip_history`), keyed (group, at, epoch, seq) so that one group's records
 * read backwards are newest first.
 */
import { randomBytes } from 'node:crypto';
import TableStore from 'tablestore';
import type { GroupName } from '../../core/model.js';
import type { HistoryRecord } from '../../core/ports.js';
import { compareHistoryNewestFirst, decodeHistory, encodeHistory } from '../state-store/index.js';
import { Columns, long, pkString, rowMustNotExist } from './encoding.js';
import type { Requests } from './requests.js';

const { INF_MIN, INF_MAX, Direction } = TableStore;

export interface HistoryQuery {
  readonly group?: GroupName;
  readonly since?: number;
  readonly limit: number;
}

export class History {
  private seq = 0;

  constructor(private readonly r: Requests) {}

  private nextSeq(): string {
    this.seq += 1;
    // Increasing within this store instance so same-millisecond records list newest first; the
    // random suffix keeps keys from different processes apart.
    return `${this.seq.toString(36).padStart(10, '0')}-${randomBytes(4).toString('hex')}`;
  }

  async append(record: HistoryRecord): Promise<void> {
    const { r } = this;
    for (let attempt = 0; attempt < r.maxAttempts; attempt++) {
      const applied = await r.conditional('appendHistory', r.tables.history, () =>
        r.client.putRow({
          tableName: r.tables.history,
          condition: rowMustNotExist(),
          primaryKey: [
            { group: record.group },
            { at: long(record.at) },
            { epoch: long(record.epoch) },
            { seq: this.nextSeq() },
          ],
          attributeColumns: [{ record: encodeHistory(record) }],
        }),
      );
      if (applied) return;
    }
    throw r.contention('appendHistory', r.tables.history);
  }

  async list(query: HistoryQuery): Promise<HistoryRecord[]> {
    if (query.group !== undefined) {
      const rows = await this.scanGroup(query.group, query.since, query.limit);
      return rows.map((row) => this.decode(row).record);
    }
    // Across groups the key order is not time order: read the table (bounded by its TTL) and sort.
    const rows = await this.r.scan('listHistory', {
      tableName: this.r.tables.history,
      direction: Direction.FORWARD,
      inclusiveStartPrimaryKey: [{ group: INF_MIN }, { at: INF_MIN }, { epoch: INF_MIN }, { seq: INF_MIN }],
      exclusiveEndPrimaryKey: [{ group: INF_MAX }, { at: INF_MAX }, { epoch: INF_MAX }, { seq: INF_MAX }],
    });
    return rows
      .map((row) => this.decode(row))
      .filter((h) => query.since === undefined || h.record.at >= query.since)
      .sort(
        (a, b) =>
          compareHistoryNewestFirst(a.record, b.record) || (a.seq < b.seq ? 1 : a.seq > b.seq ? -1 : 0),
      )
      .slice(0, query.limit)
      .map((h) => h.record);
  }

  /**
   * Keys sort by (group, at, epoch, seq): reading backwards from the top of the group's range yields
   * newest first and stops at `since`.
   */
  private scanGroup(group: GroupName, since: number | undefined, limit: number): Promise<TableStore.Row[]> {
    return this.r.scan(
      'listHistory',
      {
        tableName: this.r.tables.history,
        direction: Direction.BACKWARD,
        inclusiveStartPrimaryKey: [{ group }, { at: INF_MAX }, { epoch: INF_MAX }, { seq: INF_MAX }],
        exclusiveEndPrimaryKey: [
          { group },
          { at: since === undefined ? INF_MIN : long(since) },
          { epoch: INF_MIN },
          { seq: INF_MIN },
        ],
      },
      limit,
    );
  }

  private decode(row: TableStore.Row): { record: HistoryRecord; seq: string } {
    const seq = pkString(row, 3) ?? '';
    const where = this.r.where(this.r.tables.history, `${pkString(row, 0)}/${seq}`);
    const json = Columns.of(where, row)?.reqStr('record') ?? '';
    return { record: decodeHistory(where, json), seq };
  }
}
