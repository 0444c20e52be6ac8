/**
 * StateStore over Alibaba Cloud Tablestore (OTS): the production store.
 *
 * - `encoding.ts`: conditions that dodge the SDK's traps, typed row columns;
 * - `requests.ts`: calls, conditional writes and range reads, with their error mapping;
 * - `group-row.ts`: the group row (lease and journal), one conditional write per fenced operation;
 * - `records.ts`: signals, observations, health and dedupe; `history.ts`: the history.
 *
 * A failed condition is `err.code === 403` (a number) with `OTSConditionCheckFail` in the message
 * (see errors.ts and the Alibaba docs on conditional update).
 */
import { HavipError, StoreError } from '../../core/errors.js';
import type { StateStore } from '../../core/ports.js';
import { withArgumentChecks } from '../state-store/index.js';
import * as groupRow from './group-row.js';
import { History } from './history.js';
import * as records from './records.js';
import { Requests, type TablestoreClientLike } from './requests.js';
import { resolveTableNames, type TablestoreTableNames } from './tables.js';

export type { TablestoreClientLike } from './requests.js';

export interface TablestoreStoreOptions {
  readonly client: TablestoreClientLike;
  /**
   * Table names (defaults: `havip_groups`, `havip_signals`, `havip_observations`, `havip_health`,
   * `havip_dedupe`, `havip_history`).
   */
  readonly tables?: Partial<TablestoreTableNames>;
  /**
   * Bound on optimistic-concurrency rounds per call (read, then conditional write). Each failed round
   * means another writer succeeded, so the bound only matters under extreme contention. Default 32.
   */
  readonly maxAttempts?: number;
}

/** Creates the Tablestore-backed StateStore. The tables must exist (`havip store init`). */
export function createTablestoreStore(opts: TablestoreStoreOptions): StateStore {
  const r = new Requests(
    opts.client,
    resolveTableNames(opts.tables),
    Math.max(1, Math.trunc(opts.maxAttempts ?? 32)),
  );
  const history = new History(r);
  let closed = false;

  const op = async <R>(operation: string, fn: () => Promise<R>): Promise<R> => {
    if (closed)
      throw new StoreError(`Tablestore ${operation}: the store is closed`, { details: { operation } });
    try {
      return await fn();
    } catch (e) {
      if (e instanceof HavipError) throw e;
      throw new StoreError(`Tablestore ${operation} failed: ${e instanceof Error ? e.message : String(e)}`, {
        cause: e,
        details: { operation },
      });
    }
  };

  return withArgumentChecks({
    acquireLease: (...a) => op('acquireLease', () => groupRow.acquireLease(r, ...a)),
    renewLease: (...a) => op('renewLease', () => groupRow.renewLease(r, ...a)),
    releaseLease: (...a) => op('releaseLease', () => groupRow.releaseLease(r, ...a)),
    assertEpoch: (...a) => op('assertEpoch', () => groupRow.assertEpoch(r, ...a)),
    getLease: (...a) => op('getLease', () => groupRow.getLease(r, ...a)),
    writeJournal: (...a) => op('writeJournal', () => groupRow.writeJournal(r, ...a)),
    readJournal: (...a) => op('readJournal', () => groupRow.readJournal(r, ...a)),
    recordSignal: (...a) => op('recordSignal', () => records.recordSignal(r, ...a)),
    latestSignals: (...a) => op('latestSignals', () => records.latestSignals(r, ...a)),
    recordObservation: (...a) => op('recordObservation', () => records.recordObservation(r, ...a)),
    latestObservations: (...a) => op('latestObservations', () => records.latestObservations(r, ...a)),
    getHealth: (...a) => op('getHealth', () => records.getHealth(r, ...a)),
    putHealth: (...a) => op('putHealth', () => records.putHealth(r, ...a)),
    markEventSeen: (...a) => op('markEventSeen', () => records.markEventSeen(r, ...a)),
    appendHistory: (...a) => op('appendHistory', () => history.append(...a)),
    listHistory: (...a) => op('listHistory', () => history.list(...a)),
    close: async () => {
      closed = true;
    },
  });
}
