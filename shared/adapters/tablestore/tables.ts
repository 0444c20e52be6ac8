/**
 * Tablestore table layout of the state store, and idempotent creation (`havip store init`).
 */
import type TableStore from 'tablestore';
import { InvalidInputError } from '../../core/errors.js';
import { otsErrorCode, toStoreError } from './errors.js';

/** Physical table names; override them to run several deployments in one instance. */
export interface TablestoreTableNames {
  /** pk `group`; columns epoch, holder, expiresAt, released, journal. One row per failover group. */
  readonly groups: string;
  /** pk (`memberId`, `kind`); the latest signal per member and slot (the kind, or one per reporter). */
  readonly signals: string;
  /** pk `group`; `observedAt`, `payload` JSON. The engine's last observation of each group's HaVip. */
  readonly observations: string;
  /** pk `memberId`; probe counters, CAS-updated by `version`. */
  readonly health: string;
  /** pk `eventId`; `expiresAt`. Carries a table TTL so old ids are garbage-collected. */
  readonly dedupe: string;
  /** pk (`group`, `at`, `epoch`, `seq`); `record` JSON. Read backwards for newest first. */
  readonly history: string;
}

/** Prefix of the default table names (`havip_groups`, …). */
export const DEFAULT_TABLE_PREFIX = 'havip_';

/** The six table names for a prefix, e.g. `tablestoreTableNames('prod_').groups === 'prod_groups'`. */
export function tablestoreTableNames(prefix: string = DEFAULT_TABLE_PREFIX): TablestoreTableNames {
  return {
    groups: `${prefix}groups`,
    signals: `${prefix}signals`,
    observations: `${prefix}observations`,
    health: `${prefix}health`,
    dedupe: `${prefix}dedupe`,
    history: `${prefix}history`,
  };
}

type PkType = 'STRING' | 'INTEGER';
/** Primary key columns (name, type) of each table, in key order. Changing them needs new tables. */
export const TABLE_PRIMARY_KEYS: Readonly<
  Record<keyof TablestoreTableNames, ReadonlyArray<readonly [string, PkType]>>
> = {
  groups: [['group', 'STRING']],
  signals: [
    ['memberId', 'STRING'],
    ['kind', 'STRING'],
  ],
  observations: [['group', 'STRING']],
  health: [['memberId', 'STRING']],
  dedupe: [['eventId', 'STRING']],
  history: [
    ['group', 'STRING'],
    ['at', 'INTEGER'],
    ['epoch', 'INTEGER'],
    ['seq', 'STRING'],
  ],
};

/** Tablestore accepts -1 (keep forever) or at least one day. */
export const MIN_TABLE_TTL_SECONDS = 86_400;
/** Dedupe table TTL created by `havip store init`: a week, well above the engine's ≥ 24 h window. */
export const DEFAULT_DEDUPE_TTL_SECONDS = 7 * 86_400;
/** History is kept forever unless a retention is chosen. */
export const DEFAULT_HISTORY_TTL_SECONDS = -1;

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;

export interface EnsureTablesOptions {
  readonly tables?: Partial<TablestoreTableNames>;
  /** Table TTL of the dedupe table, seconds. Must exceed the longest dedupe TTL the engine uses. */
  readonly dedupeTtlSeconds?: number;
  /** Table TTL of the history table, seconds; -1 keeps history forever. */
  readonly historyTtlSeconds?: number;
}

export interface TableInitResult {
  readonly role: keyof TablestoreTableNames;
  readonly table: string;
  readonly status: 'created' | 'exists';
  /** The TTL the table was created with; undefined for a table that already existed (left as is). */
  readonly timeToLive: number | undefined;
}

/** The admin calls `ensureTablestoreTables` needs; a real `TableStore.Client` satisfies it. */
export interface TablestoreAdminClientLike {
  listTable(params: Record<string, never>): Promise<TableStore.ListTableResponse>;
  createTable(params: TableStore.CreateTableParams): Promise<unknown>;
}

/** Defaults overlaid with `tables`; throws `InvalidInputError` naming any invalid table name. */
export function resolveTableNames(tables: Partial<TablestoreTableNames> | undefined): TablestoreTableNames {
  const names = { ...tablestoreTableNames(), ...(tables ?? {}) };
  const issues = Object.entries(names)
    .filter(([, n]) => !TABLE_NAME.test(n))
    .map(([role, n]) => ({
      path: `tables.${role}`,
      message: `${JSON.stringify(n)} is not a valid Tablestore table name`,
      hint: 'use letters, digits and underscores, starting with a letter or underscore (at most 255 characters)',
    }));
  if (issues.length > 0)
    throw new InvalidInputError('store.invalid-argument', 'invalid Tablestore table names', issues);
  return names;
}

function checkTtl(path: string, ttl: number): void {
  if (ttl !== -1 && !(Number.isInteger(ttl) && ttl >= MIN_TABLE_TTL_SECONDS)) {
    throw new InvalidInputError('store.invalid-argument', 'invalid table TTL', [
      {
        path,
        message: `${ttl} is not a valid Tablestore TTL`,
        hint: `use -1 (never expire) or a whole number of seconds ≥ ${MIN_TABLE_TTL_SECONDS}`,
      },
    ]);
  }
}

/**
 * Creates every state-store table that does not exist yet. Existing tables are left untouched
 * (their TTL is not changed), so running it twice is safe, including concurrently.
 * A freshly created table may take a few seconds before it accepts reads and writes.
 */
export async function ensureTablestoreTables(
  client: TablestoreAdminClientLike,
  opts: EnsureTablesOptions = {},
): Promise<TableInitResult[]> {
  const names = resolveTableNames(opts.tables);
  const dedupeTtl = opts.dedupeTtlSeconds ?? DEFAULT_DEDUPE_TTL_SECONDS;
  const historyTtl = opts.historyTtlSeconds ?? DEFAULT_HISTORY_TTL_SECONDS;
  checkTtl('dedupeTtlSeconds', dedupeTtl);
  checkTtl('historyTtlSeconds', historyTtl);

  let existing: Set<string>;
  try {
    existing = new Set((await client.listTable({})).tableNames ?? []);
  } catch (e) {
    throw toStoreError('listTable', '*', e);
  }

  const results: TableInitResult[] = [];
  for (const role of Object.keys(TABLE_PRIMARY_KEYS) as Array<keyof TablestoreTableNames>) {
    const table = names[role];
    const timeToLive = role === 'dedupe' ? dedupeTtl : role === 'history' ? historyTtl : -1;
    if (existing.has(table)) {
      results.push({ role, table, status: 'exists', timeToLive: undefined });
      continue;
    }
    try {
      await client.createTable({
        tableMeta: {
          tableName: table,
          primaryKey: TABLE_PRIMARY_KEYS[role].map(([name, type]) => ({ name, type })),
        },
        // Reserved throughput 0 = pay per request (required field for CreateTable).
        reservedThroughput: { capacityUnit: { read: 0, write: 0 } },
        // One version per column: conditions and reads only ever look at the latest value.
        tableOptions: { timeToLive, maxVersions: 1 },
      });
      results.push({ role, table, status: 'created', timeToLive });
    } catch (e) {
      // Another `init` may have created it between our list and create.
      if (otsErrorCode(e) === 'OTSObjectAlreadyExist') {
        results.push({ role, table, status: 'exists', timeToLive: undefined });
        continue;
      }
      throw toStoreError('createTable', table, e);
    }
  }
  return results;
}
