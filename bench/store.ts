/**
 * State store round trips: one failover's bookkeeping — acquire the group lease, write a journal entry
 * under it, release it — against SQLite (a local file, WAL, as a single process uses it) and PostgreSQL
 * (node-postgres over loopback, the pool a function instance gets), side by side in one run with the
 * rounds interleaved so a slow moment of the shared machine lands on both.
 *
 * The PostgreSQL server is `HAVIP_TEST_POSTGRES_URL` when set, else a throwaway cluster started for the
 * run (scripts/postgres-test-server.sh, Debian's `postgresql` binaries). Loopback has no network latency:
 * against a managed database add the round-trip time three times per round.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createPostgresStore, initPostgresStore } from '../shared/adapters/postgres/index.js';
import { createSqliteStore } from '../shared/adapters/sqlite/index.js';
import { groupName } from '../shared/core/model.js';
import type { JournalEntry, StateStore } from '../shared/core/ports.js';
import { startThrowawayPostgres, stopThrowawayPostgres } from '../test/support/postgres-server.js';
import { type Summary, summarize } from './lib/stats.js';

export interface StoreBenchOptions {
  /** Measured rounds per store. */
  readonly rounds: number;
  /** Rounds per store before measuring (connections, statement plans, page cache). */
  readonly warmup: number;
  /** PostgreSQL connections at most (2: a function instance's pool). */
  readonly poolMax: number;
  /** A PostgreSQL server to use; default `HAVIP_TEST_POSTGRES_URL`, else a throwaway cluster. */
  readonly postgresUrl?: string | undefined;
  readonly progress?: (line: string) => void;
}

export const DEFAULT_STORE: StoreBenchOptions = { rounds: 300, warmup: 30, poolMax: 2 };

export type StoreKind = 'sqlite' | 'postgres';

export interface StoreFigures {
  readonly store: StoreKind;
  /** acquire + journal + release, ms. */
  readonly roundTripMs: Summary;
  readonly acquireMs: Summary;
  readonly journalMs: Summary;
  readonly releaseMs: Summary;
  /** Leases taken, read back from the epoch counter: warm-up + rounds when every round took and released one. */
  readonly leasesTaken: number;
}

export interface StoreBenchReport {
  readonly options: Omit<StoreBenchOptions, 'progress' | 'postgresUrl'>;
  /** Where the PostgreSQL server came from. */
  readonly server: 'HAVIP_TEST_POSTGRES_URL' | 'given URL' | 'throwaway cluster';
  readonly stores: readonly [StoreFigures, StoreFigures];
  /** PostgreSQL median round trip ÷ SQLite median round trip. */
  readonly ratio: number;
}

const GROUP = groupName('bench');
const TTL_MS = 30_000;

interface Samples {
  readonly acquire: number[];
  readonly journal: number[];
  readonly release: number[];
  readonly total: number[];
}

/** One round at logical time `now`; its timings go to `into` when given. */
async function round(store: StoreKind, s: StateStore, now: number, into?: Samples): Promise<void> {
  const t0 = performance.now();
  const r = await s.acquireLease(GROUP, `bench-${store}`, TTL_MS, now);
  if (!r.acquired) throw new Error(`${store}: the lease was not free at round ${now}`);
  const t1 = performance.now();
  const entry: JournalEntry = {
    group: GROUP,
    epoch: r.lease.epoch,
    phase: 'PLANNED',
    decision: { kind: 'noop', holder: undefined, reason: 'benchmark' },
    step: undefined,
    updatedAt: now,
    detail: { round: now },
  };
  await s.writeJournal(entry, now);
  const t2 = performance.now();
  await s.releaseLease(GROUP, r.lease.epoch);
  const t3 = performance.now();
  if (into === undefined) return;
  into.acquire.push(t1 - t0);
  into.journal.push(t2 - t1);
  into.release.push(t3 - t2);
  into.total.push(t3 - t0);
}

async function figures(
  store: StoreKind,
  s: StateStore,
  samples: Samples,
  now: number,
): Promise<StoreFigures> {
  // The next acquire gets the epoch after the last one taken (a released lease keeps its counter).
  const next = await s.acquireLease(GROUP, 'bench-check', TTL_MS, now);
  return {
    store,
    roundTripMs: summarize(samples.total),
    acquireMs: summarize(samples.acquire),
    journalMs: summarize(samples.journal),
    releaseMs: summarize(samples.release),
    leasesTaken: next.acquired ? next.lease.epoch - 1 : Number.NaN,
  };
}

/** Opens a PostgreSQL server for the run and a fresh schema on it; `close` drops both again. */
async function postgresForBench(opts: StoreBenchOptions) {
  const given = opts.postgresUrl ?? process.env.HAVIP_TEST_POSTGRES_URL;
  const server = given ? undefined : await startThrowawayPostgres();
  const url = given || (server?.url as string);
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  try {
    await initPostgresStore({ url, schema, poolMax: 1 });
  } catch (e) {
    if (server) await stopThrowawayPostgres(server);
    throw e;
  }
  const store = createPostgresStore({ url, schema, poolMax: opts.poolMax });
  return {
    store,
    source: (opts.postgresUrl
      ? 'given URL'
      : given
        ? 'HAVIP_TEST_POSTGRES_URL'
        : 'throwaway cluster') as StoreBenchReport['server'],
    close: async () => {
      await store.close();
      if (server) return stopThrowawayPostgres(server);
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => admin.end());
    },
  };
}

export async function runStoreBench(opts: StoreBenchOptions = DEFAULT_STORE): Promise<StoreBenchReport> {
  const dir = mkdtempSync(path.join(tmpdir(), 'havip-bench-store-'));
  const sqlite = createSqliteStore({ path: path.join(dir, 'bench.sqlite') });
  opts.progress?.('store: starting PostgreSQL');
  const postgres = await postgresForBench(opts).catch(async (e: unknown) => {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  });
  const stores: [StoreKind, StateStore][] = [
    ['sqlite', sqlite],
    ['postgres', postgres.store],
  ];
  const samples = new Map<StoreKind, Samples>(
    stores.map(([k]) => [k, { acquire: [], journal: [], release: [], total: [] }]),
  );
  try {
    const t = Date.UTC(2026, 0, 1);
    for (let i = 0; i < opts.warmup + opts.rounds; i++) {
      if (i === opts.warmup) opts.progress?.(`store: ${opts.rounds} measured rounds per store`);
      // Alternate which store goes first, so neither always follows the other's work.
      const order = i % 2 === 0 ? stores : [...stores].reverse();
      for (const [kind, s] of order)
        await round(kind, s, t + i, i < opts.warmup ? undefined : samples.get(kind));
    }
    const [a, b] = await Promise.all(
      stores.map(([k, s]) => figures(k, s, samples.get(k) as Samples, t + opts.warmup + opts.rounds)),
    );
    const pair = [a, b] as [StoreFigures, StoreFigures];
    return {
      options: { rounds: opts.rounds, warmup: opts.warmup, poolMax: opts.poolMax },
      server: postgres.source,
      stores: pair,
      ratio: pair[1].roundTripMs.median / pair[0].roundTripMs.median,
    };
  } finally {
    await sqlite.close();
    await postgres.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
