/**
 * The pool and the one way every statement runs: a connection from the pool, the statement, and the
 * retries a failure allows (errors.ts says which). Connection failures are retried with full-jitter
 * backoff; a statement whose answer was lost is repeated only when the caller says repeating it is
 * harmless, otherwise the `StoreError` says `outcomeUnknown` and the operation recovers its own way.
 */
import pg from 'pg';
import { HavipError, type StoreError } from '../../core/errors.js';
import type { ResolvedConnection } from './connection.js';
import { classify, type Failure, toStoreError } from './errors.js';

export interface RetryPolicy {
  /** Tries per statement, the first included (default 3). */
  readonly attempts: number;
  /** Backoff before try n + 1: a random delay up to `baseDelayMs × 2^(n−1)`, capped at 2 s (default 100). */
  readonly baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 100 };

/** Schema-qualified table names. */
export interface Tables {
  readonly schema: string;
  readonly version: string;
  readonly groups: string;
  readonly signals: string;
  readonly health: string;
  readonly dedupe: string;
  readonly history: string;
  readonly observations: string;
}

export function tablesIn(schema: string): Tables {
  const q = (table: string) => `"${schema}"."${table}"`;
  return {
    schema: `"${schema}"`,
    version: q('schema_version'),
    groups: q('groups'),
    signals: q('signals'),
    health: q('health'),
    dedupe: q('dedupe'),
    history: q('history'),
    observations: q('observations'),
  };
}

export interface StatementOptions {
  /** Repeating the statement after a lost answer is harmless (reads, and writes that repeat to the same state). */
  readonly idempotent: boolean;
}

const INT8_OID = 20;
/** BIGINT columns hold epoch milliseconds, epochs and counters: all safe integers, so plain numbers. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format ?? 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

export class PgDatabase {
  readonly tables: Tables;
  private readonly pool: pg.Pool;

  constructor(
    readonly connection: ResolvedConnection,
    readonly schema: string,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {
    this.tables = tablesIn(schema);
    this.pool = new pg.Pool({ ...connection.config, types });
    // An idle connection that breaks (server restart, idle timeout, a frozen function instance) is
    // removed by the pool; without a listener the error would crash the process.
    this.pool.on('error', ignore);
  }

  get target(): string {
    return this.connection.target;
  }

  /** Runs one statement (autocommit) and returns its rows. */
  async query<R>(
    operation: string,
    text: string,
    values: readonly unknown[],
    opts: StatementOptions,
  ): Promise<R[]> {
    return this.withClient(operation, async (client, attempt) => {
      try {
        return (await client.query(text, values as unknown[])).rows as R[];
      } catch (e) {
        const failure = classify(e, 'statement');
        const again = failure.kind === 'outcome-unknown' ? opts.idempotent : failure.retryable;
        throw new Attempt(e, failure, again && attempt < this.retry.attempts);
      }
    });
  }

  /**
   * Runs `fn` on one connection (e.g. a transaction). Connecting is retried; a failure inside `fn` is
   * not (it may have done part of its work), except as `fn` itself says by throwing an {@link Attempt}.
   */
  async withClient<T>(
    operation: string,
    fn: (client: pg.PoolClient, attempt: number) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await this.pool.connect();
      } catch (e) {
        const failure = classify(e, 'connect');
        if (failure.kind === 'not-applied' && failure.retryable && attempt < this.retry.attempts) {
          await this.backoff(attempt);
          continue;
        }
        throw this.error(e, operation, failure, attempt);
      }
      // A connection that breaks while checked out also emits 'error'; the statement reports it.
      client.on('error', ignore);
      const release = (broken?: Error) => {
        client.removeListener('error', ignore);
        client.release(broken);
      };
      try {
        const result = await fn(client, attempt);
        release();
        return result;
      } catch (e) {
        if (e instanceof HavipError) {
          release();
          throw e;
        }
        const a = e instanceof Attempt ? e : new Attempt(e, classify(e, 'statement'), false);
        // A connection that lost a statement's answer is not reused.
        release(a.failure.kind === 'outcome-unknown' ? toError(a.cause) : undefined);
        if (a.again) {
          await this.backoff(attempt);
          continue;
        }
        throw this.error(a.cause, operation, a.failure, attempt);
      }
    }
  }

  async end(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }

  private error(e: unknown, operation: string, failure: Failure, attempts: number): StoreError {
    return toStoreError(e, { operation, target: this.target, schema: this.schema, failure, attempts });
  }

  private backoff(attempt: number): Promise<void> {
    const ceiling = Math.min(2_000, this.retry.baseDelayMs * 2 ** (attempt - 1));
    return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
  }
}

/** A failed try inside {@link PgDatabase.withClient}: what failed, and whether to try again. */
export class Attempt extends Error {
  constructor(
    override readonly cause: unknown,
    readonly failure: Failure,
    readonly again: boolean,
  ) {
    super('attempt failed');
  }
}

function ignore(): void {}

function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
