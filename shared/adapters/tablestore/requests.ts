/**
 * The requests every part of the store makes, with their failure handling: a plain call (any failure
 * is a `StoreError`), a conditional write (a failed condition is an answer, not an error — trap 2: it
 * arrives as `err.code === 403` with `OTSConditionCheckFail` in the message), and a paged range read.
 */
import type TableStore from 'tablestore';
import { StoreError } from '../../core/errors.js';
import { isConditionCheckFailure, toStoreError } from './errors.js';
import type { TablestoreTableNames } from './tables.js';

/** The data-plane calls the store makes; a real `TableStore.Client` satisfies it. */
export interface TablestoreClientLike {
  getRow(params: TableStore.GetRowParams): Promise<TableStore.RowResponse>;
  putRow(params: TableStore.PutRowParams): Promise<TableStore.RowResponse>;
  updateRow(params: TableStore.UpdateRowParams): Promise<TableStore.RowResponse>;
  getRange(params: TableStore.GetRangeParams): Promise<TableStore.GetRangeResponse>;
}

export class Requests {
  constructor(
    readonly client: TablestoreClientLike,
    readonly tables: TablestoreTableNames,
    /** Bound on optimistic-concurrency rounds (read, then conditional write) per call. */
    readonly maxAttempts: number,
  ) {}

  /** How a row is named in errors. */
  where(table: string, key: string): string {
    return `table ${table} row ${JSON.stringify(key)}`;
  }

  /** A plain call: any failure becomes a StoreError. */
  async call<R>(operation: string, table: string, fn: () => Promise<R>): Promise<R> {
    try {
      return await fn();
    } catch (e) {
      throw toStoreError(operation, table, e);
    }
  }

  /** A conditional write: true when applied, false when the server rejected the condition. */
  async conditional(operation: string, table: string, fn: () => Promise<unknown>): Promise<boolean> {
    try {
      await fn();
      return true;
    } catch (e) {
      if (isConditionCheckFailure(e)) return false;
      throw toStoreError(operation, table, e);
    }
  }

  /** Reads a key range, following `nextStartPrimaryKey` until done or `limit` rows were read. */
  async scan(
    operation: string,
    params: TableStore.GetRangeParams,
    limit = Number.POSITIVE_INFINITY,
  ): Promise<TableStore.Row[]> {
    const out: TableStore.Row[] = [];
    let start = params.inclusiveStartPrimaryKey;
    while (out.length < limit) {
      const remaining = limit - out.length;
      const res = await this.call(operation, params.tableName, () =>
        this.client.getRange({
          ...params,
          inclusiveStartPrimaryKey: start,
          maxVersions: 1,
          ...(Number.isFinite(remaining) ? { limit: Math.min(remaining, 5000) } : {}),
        }),
      );
      out.push(...res.rows);
      if (res.nextStartPrimaryKey === null || res.nextStartPrimaryKey === undefined) break;
      start = res.nextStartPrimaryKey.map((k) => ({ [k.name]: k.value }));
    }
    return out.slice(0, Number.isFinite(limit) ? limit : undefined);
  }

  /** Every optimistic round lost to another writer: retryable. */
  contention(operation: string, key: string): StoreError {
    return new StoreError(
      `Tablestore ${operation} on ${key}: still conflicting after ${this.maxAttempts} optimistic attempts; retry later`,
      { retryable: true, details: { operation, key, attempts: this.maxAttempts } },
    );
  }
}
