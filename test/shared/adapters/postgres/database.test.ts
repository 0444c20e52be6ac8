/**
 * Connection failures against a real server, through a TCP proxy that breaks connections on request:
 * a server that is down is a clear, retryable error after a bounded number of tries (and not noticed when
 * it comes back within them); an answer lost after the statement ran is recognised or repeated, so every
 * operation ends as if nothing had broken; a connection the server ended (idle, or mid-statement with
 * 57P01) is replaced; 40001/40P01 are tried again; settings problems (password, database, permission,
 * TLS) are not retried and say the fix.
 */

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPostgresStore,
  openPostgresDatabase,
  type PostgresStoreOptions,
} from '../../../../shared/adapters/postgres/index.js';
import { StoreError } from '../../../../shared/core/errors.js';
import { groupName, memberId } from '../../../../shared/core/model.js';
import type { StateStore } from '../../../../shared/core/ports.js';
import { PostgresSchemas, postgresTestUrl, sql } from '../../../support/postgres.js';
import { errorOf } from '../../../support/rejection.js';
import { TcpFaultProxy } from '../../../support/tcp-fault-proxy.js';

const T0 = 1_700_000_000_000;
const TTL = 30_000;
const g = groupName('g');
const schemas = new PostgresSchemas();
let proxy: TcpFaultProxy;
let base: PostgresStoreOptions & { schema: string };

beforeAll(async () => {
  const url = new URL(postgresTestUrl());
  proxy = await TcpFaultProxy.start({ host: url.hostname, port: Number(url.port) });
  base = await schemas.fresh();
});
afterAll(async () => {
  await proxy?.close();
  await schemas.dropAll();
});

/** A store through the proxy with one connection and fast retries, its schema check already done. */
async function storeViaProxy(over: Partial<PostgresStoreOptions> = {}): Promise<StateStore> {
  const store = createPostgresStore({
    ...base,
    url: proxy.urlFor(base.url),
    poolMax: 1,
    retry: { baseDelayMs: 1 },
    ...over,
  });
  await store.getLease(groupName('warm-up'));
  return store;
}

/** Runs `op` with the answer to its statement containing `marker` lost; checks the connection was cut. */
async function withLostAnswer<T>(marker: string, op: () => Promise<T>): Promise<T> {
  const cuts = proxy.cuts;
  proxy.loseAnswerTo(marker);
  const result = await op();
  expect(proxy.cuts).toBe(cuts + 1);
  return result;
}

describe('a lost answer (the statement ran, the connection broke before its result came back)', () => {
  it('every operation ends as if nothing had broken: writes counted once, none lost or repeated', async () => {
    const store = await storeViaProxy();
    try {
      const acquired = await withLostAnswer('INSERT', () => store.acquireLease(g, 'inv-a', TTL, T0));
      expect(acquired).toEqual({
        acquired: true,
        lease: { group: g, epoch: 1, holder: 'inv-a', expiresAt: T0 + TTL },
      });
      const renewed = await withLostAnswer('UPDATE', () => store.renewLease(g, 1, TTL, T0 + 1));
      expect(renewed.expiresAt).toBe(T0 + 1 + TTL);
      const entry = {
        group: g,
        epoch: 1,
        phase: 'PLANNED' as const,
        decision: { kind: 'noop' as const, holder: undefined, reason: 'x' },
        step: undefined,
        updatedAt: T0,
        detail: undefined,
      };
      await withLostAnswer('UPDATE', () => store.writeJournal(entry, T0 + 2));
      expect(await store.readJournal(g)).toEqual(entry);

      const hb = {
        memberId: memberId('i-a'),
        kind: 'heartbeat' as const,
        source: 'http' as const,
        sequence: 4,
        receivedAt: T0,
      };
      expect(await withLostAnswer('INSERT', () => store.recordSignal(hb))).toBe(true);
      expect(await store.recordSignal(hb)).toBe(false);

      const health = {
        memberId: memberId('i-a'),
        probeHealthy: true,
        consecutiveFailures: 0,
        consecutiveSuccesses: 2,
        eligibleSince: T0,
        updatedAt: T0,
      };
      expect(await withLostAnswer('INSERT', () => store.putHealth(health, 0))).toBe(true);
      expect(
        await withLostAnswer('UPDATE', () => store.putHealth({ ...health, consecutiveSuccesses: 3 }, 1)),
      ).toBe(true);
      expect((await store.getHealth([memberId('i-a')])).get(memberId('i-a'))).toMatchObject({
        version: 2,
        consecutiveSuccesses: 3,
      });

      expect(await withLostAnswer('INSERT', () => store.markEventSeen('ev-1', 60_000, T0))).toBe(true);
      expect(await store.markEventSeen('ev-1', 60_000, T0 + 1)).toBe(false);

      const record = {
        group: g,
        epoch: 1,
        at: T0,
        decision: entry.decision,
        outcome: 'done' as const,
        actor: undefined,
        durationMs: 5,
        detail: undefined,
      };
      await withLostAnswer('INSERT', () => store.appendHistory(record));
      expect(await store.listHistory({ limit: 10 })).toEqual([record]);

      await withLostAnswer('UPDATE', () => store.releaseLease(g, 1));
      expect(await store.getLease(g)).toBeUndefined();
      expect(await store.acquireLease(g, 'inv-b', TTL, T0 + 3)).toMatchObject({ lease: { epoch: 2 } });
    } finally {
      await store.close();
    }
  });

  it('a lost answer to an acquire that lost the race reports the winner', async () => {
    const store = await storeViaProxy();
    const other = createPostgresStore(base);
    try {
      const race = groupName('race-lost');
      await other.acquireLease(race, 'winner', TTL, T0);
      const r = await withLostAnswer('INSERT', () => store.acquireLease(race, 'loser', TTL, T0 + 1));
      expect(r).toEqual({
        acquired: false,
        current: { group: race, epoch: 1, holder: 'winner', expiresAt: T0 + TTL },
      });
    } finally {
      await Promise.all([store.close(), other.close()]);
    }
  });
});

describe('a server that cannot be reached', () => {
  it('is a retryable StoreError after the configured tries, naming the target and the fix, never the password', async () => {
    const store = createPostgresStore({
      ...base,
      url: proxy.urlFor(base.url),
      retry: { attempts: 3, baseDelayMs: 1 },
    });
    proxy.refusing = true;
    const before = proxy.connections;
    try {
      const e = await errorOf(store.acquireLease(g, 'inv', TTL, T0));
      expect(e).toBeInstanceOf(StoreError);
      expect((e as StoreError).retryable).toBe(true);
      expect(proxy.connections - before).toBe(3);
      expect(e.message).toContain(`127.0.0.1:${proxy.port}/`);
      expect(e.message).toContain('(after 3 attempts)');
      expect(e.message).not.toContain(new URL(base.url).password);
      // Back up: the same store works, its schema check included.
      proxy.refusing = false;
      expect(await store.acquireLease(g, 'inv', TTL, T0 + 10 * TTL)).toMatchObject({ acquired: true });
    } finally {
      proxy.refusing = false;
      await store.close();
    }
  });

  it('that comes back within the tries is not noticed: the operation succeeds', async () => {
    const store = createPostgresStore({
      ...base,
      url: proxy.urlFor(base.url),
      poolMax: 1,
      retry: { attempts: 3, baseDelayMs: 1 },
    });
    try {
      proxy.refuseNext(2);
      const before = proxy.connections;
      expect(await store.acquireLease(g, 'inv-back', TTL, T0 + 20 * TTL)).toMatchObject({ acquired: true });
      // Two refused, the third let through (the schema check and the acquire share it).
      expect(proxy.connections - before).toBe(3);
    } finally {
      await store.close();
    }
  });

  it('a missing database is not retried and says what to fix', async () => {
    const url = new URL(proxy.urlFor(base.url));
    url.pathname = '/no_such_database';
    const store = createPostgresStore({
      ...base,
      url: url.toString(),
      retry: { attempts: 3, baseDelayMs: 1 },
    });
    const before = proxy.connections;
    try {
      const e = await errorOf(store.getLease(g));
      expect((e as StoreError).retryable).toBe(false);
      expect(proxy.connections - before).toBe(1);
      expect(e.message).toContain('3D000');
      expect(e.message).toContain('create the database or fix the database name in the URL');
    } finally {
      await store.close();
    }
  });

  it('a wrong password is not retried and says what to check', async () => {
    const wrong = new URL(proxy.urlFor(base.url));
    wrong.password = 'not-the-password';
    const store = createPostgresStore({
      ...base,
      url: wrong.toString(),
      retry: { attempts: 3, baseDelayMs: 1 },
    });
    const before = proxy.connections;
    try {
      const e = await errorOf(store.getLease(g));
      expect(e).toBeInstanceOf(StoreError);
      expect((e as StoreError).retryable).toBe(false);
      expect(proxy.connections - before).toBe(1);
      expect(e.message).toContain('28P01');
      expect(e.message).toContain('check the user and password');
      expect(e.message).not.toContain('not-the-password');
    } finally {
      await store.close();
    }
  });

  it('TLS asked of a server without it is not retried and says so', async () => {
    const store = createPostgresStore({ ...base, ssl: 'require' });
    try {
      const e = await errorOf(store.getLease(g));
      expect((e as StoreError).retryable).toBe(false);
      expect(e.message).toContain('the server has TLS off');
    } finally {
      await store.close();
    }
  });
});

describe('a connection the server ended while idle', () => {
  it('is replaced without the caller noticing', async () => {
    const name = `havip_idle_${process.pid}`;
    const url = new URL(base.url);
    url.searchParams.set('application_name', name);
    const store = createPostgresStore({ ...base, url: url.toString(), poolMax: 1 });
    try {
      await store.acquireLease(g, 'inv-idle', TTL, T0 + 100 * TTL);
      const ended = await sql<{ ended: boolean }>(
        'SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = $1',
        [name],
      );
      expect(ended).toEqual([{ ended: true }]);
      expect(await store.getLease(g)).toMatchObject({ holder: 'inv-idle' });
    } finally {
      await store.close();
    }
  });
});

describe('a connection the server ends during a statement (57P01, administrator command)', () => {
  it('is replaced and the statement tried again: the operation succeeds once', async () => {
    const name = `havip_busy_${process.pid}`;
    const url = new URL(base.url);
    url.searchParams.set('application_name', name);
    const store = createPostgresStore({
      ...base,
      url: url.toString(),
      poolMax: 1,
      retry: { baseDelayMs: 1 },
    });
    const locker = new pg.Client({ connectionString: base.url });
    await locker.connect();
    try {
      const busy = groupName('busy');
      await store.acquireLease(busy, 'inv-busy', TTL, T0);
      // Hold the group row so the store's renewal waits on it, then end the store's session.
      await locker.query('BEGIN');
      await locker.query(`SELECT 1 FROM "${base.schema}".groups WHERE group_name = $1 FOR UPDATE`, ['busy']);
      const renewal = store.renewLease(busy, 1, TTL, T0 + 1);
      const waiting = await waitFor(async () => {
        const rows = await sql<{ pid: number }>(
          "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
          [name],
        );
        return rows[0]?.pid;
      });
      expect(await sql('SELECT pg_terminate_backend($1) AS ended', [waiting])).toEqual([{ ended: true }]);
      await locker.query('COMMIT');
      expect(await renewal).toEqual({ group: busy, epoch: 1, holder: 'inv-busy', expiresAt: T0 + 1 + TTL });
      expect(await store.getLease(busy)).toMatchObject({ epoch: 1, expiresAt: T0 + 1 + TTL });
    } finally {
      await locker.end();
      await store.close();
    }
  });
});

describe('a statement the server refuses for now (40001 serialization failure, 40P01 deadlock)', () => {
  /** A function that fails with `state` on its first `failures` calls, counting calls in a sequence. */
  async function flaky(
    state: string,
    failures: number,
  ): Promise<{ call: string; calls: () => Promise<number> }> {
    const fn = `"${base.schema}".flaky_${state.toLowerCase()}_${failures}`;
    const seq = `"${base.schema}".calls_${state.toLowerCase()}_${failures}`;
    await sql(`CREATE SEQUENCE ${seq}`);
    await sql(
      `CREATE FUNCTION ${fn}() RETURNS bigint LANGUAGE plpgsql AS $$
       DECLARE n bigint := nextval('${seq}');
       BEGIN
         IF n <= ${failures} THEN RAISE EXCEPTION 'try again (%)', n USING ERRCODE = '${state}'; END IF;
         RETURN n;
       END $$`,
    );
    return {
      call: `SELECT ${fn}() AS n`,
      calls: async () => (await sql<{ n: number }>(`SELECT last_value::int AS n FROM ${seq}`))[0]?.n ?? 0,
    };
  }

  it.each(['40001', '40P01'])('%s is tried again, and the attempts are bounded', async (state) => {
    const db = openPostgresDatabase({ ...base, retry: { attempts: 3, baseDelayMs: 1 } });
    try {
      const twice = await flaky(state, 2);
      expect(await db.query('flaky', twice.call, [], { idempotent: false })).toEqual([{ n: 3 }]);
      expect(await twice.calls()).toBe(3);

      const always = await flaky(state, 99);
      const e = await errorOf(db.query('flaky', always.call, [], { idempotent: false }));
      expect(e).toBeInstanceOf(StoreError);
      expect((e as StoreError).retryable).toBe(true);
      expect(e.message).toContain(`(after 3 attempts): ${state}: try again (3)`);
      expect(await always.calls()).toBe(3);
    } finally {
      await db.end();
    }
  });

  it('a refusal that will not change (42501 permission denied) is not tried again', async () => {
    const db = openPostgresDatabase({ ...base, retry: { attempts: 3, baseDelayMs: 1 } });
    try {
      const denied = await flaky('42501', 99);
      const e = await errorOf(db.query('flaky', denied.call, [], { idempotent: true }));
      expect((e as StoreError).retryable).toBe(false);
      expect(e.message).toContain('grant the user USAGE');
      expect(await denied.calls()).toBe(1);
    } finally {
      await db.end();
    }
  });
});

/** Polls `probe` until it yields a value (bounded by the test timeout, not by a clock assertion). */
async function waitFor<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
