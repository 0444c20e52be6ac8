/**
 * The SQLite adapter: the StateStore contract (in memory, and on a file shared by two stores), then what
 * is specific to it — files, WAL, the schema and its migrations, and separate processes on one file.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteStore, SQLITE_SCHEMA_VERSION } from '../../../../shared/adapters/sqlite/index.js';
import { StoreError } from '../../../../shared/core/errors.js';
import { groupName, memberId } from '../../../../shared/core/model.js';
import { runStateStoreContract } from '../../../support/state-store-contract.js';

const T0 = 1_700_000_000_000;
const TTL = 30_000;
const repo = fileURLToPath(new URL('../../../..', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'havip-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

runStateStoreContract('sqlite (memory)', async () => ({ store: createSqliteStore({ path: ':memory:' }) }));

runStateStoreContract(
  'sqlite (file, WAL)',
  async () => {
    const path = join(dir, `store-${++files}.db`);
    return { store: createSqliteStore({ path }), openPeer: async () => createSqliteStore({ path }) };
  },
  { sharedStorage: true },
);

describe('SQLite adapter', () => {
  it('a file store runs in WAL mode and records its schema version', async () => {
    const path = join(dir, 'wal.db');
    const store = createSqliteStore({ path });
    await store.acquireLease(groupName('g'), 'h', TTL, T0);
    const raw = new Database(path, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(raw.prepare('SELECT version FROM schema_version').all()).toEqual([
        { version: SQLITE_SCHEMA_VERSION },
      ]);
    } finally {
      raw.close();
      await store.close();
    }
  });

  it('state survives closing and reopening the file, and missing directories are created', async () => {
    const path = join(dir, 'nested', 'deeper', 'state.db');
    const first = createSqliteStore({ path });
    await first.acquireLease(groupName('g'), 'inv-a', TTL, T0);
    await first.writeJournal(
      {
        group: groupName('g'),
        epoch: 1,
        phase: 'PLANNED',
        decision: { kind: 'noop', holder: undefined, reason: 'x' },
        step: undefined,
        updatedAt: T0,
        detail: undefined,
      },
      T0,
    );
    await first.close();
    const second = createSqliteStore({ path });
    expect(await second.getLease(groupName('g'))).toMatchObject({ epoch: 1, holder: 'inv-a' });
    expect(await second.readJournal(groupName('g'))).toMatchObject({ phase: 'PLANNED' });
    expect(await second.acquireLease(groupName('g'), 'inv-b', TTL, T0 + TTL)).toMatchObject({
      lease: { epoch: 2 },
    });
    await second.close();
  });

  /** A file in the version-1 layout as released: signals kept a free-form `value`. */
  function writeV1File(name: string, signalRows: string): string {
    const path = join(dir, name);
    const v1 = new Database(path);
    v1.exec(`
      CREATE TABLE schema_version (version INTEGER NOT NULL) STRICT;
      INSERT INTO schema_version (version) VALUES (1);
      CREATE TABLE leases (group_name TEXT PRIMARY KEY, epoch INTEGER NOT NULL, holder TEXT NOT NULL,
        expires_at INTEGER NOT NULL, released INTEGER NOT NULL DEFAULT 0, journal TEXT) STRICT;
      CREATE TABLE signals (member_id TEXT NOT NULL, kind TEXT NOT NULL, received_at INTEGER NOT NULL,
        sequence INTEGER, value TEXT NOT NULL, event_id TEXT, PRIMARY KEY (member_id, kind)) STRICT;
      CREATE TABLE health (member_id TEXT PRIMARY KEY, probe_healthy INTEGER NOT NULL,
        consecutive_failures INTEGER NOT NULL, consecutive_successes INTEGER NOT NULL, eligible_since INTEGER,
        ineligible_since INTEGER, updated_at INTEGER NOT NULL, version INTEGER NOT NULL) STRICT;
      CREATE TABLE dedupe (event_id TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) STRICT;
      CREATE TABLE history (id INTEGER PRIMARY KEY AUTOINCREMENT, group_name TEXT NOT NULL,
        epoch INTEGER NOT NULL, at INTEGER NOT NULL, record TEXT NOT NULL) STRICT;
      INSERT INTO leases VALUES ('g', 4, 'inv-4', ${T0 + TTL}, 0, NULL);
      ${signalRows}
    `);
    v1.close();
    return path;
  }

  it('migrates a version-1 file: leases stay, and every signal row is converted (an operator drain above all)', async () => {
    const path = writeV1File(
      'v1.db',
      `INSERT INTO signals VALUES ('i-a', 'drain', ${T0}, NULL, 'manual: swap (ops)', NULL);
       INSERT INTO signals VALUES ('i-a', 'heartbeat', ${T0}, 41, 'ok', NULL);
       INSERT INTO signals VALUES ('i-b', 'instance-state', ${T0}, ${T0 - 7}, 'Stopped', 'ev-1');
       INSERT INTO signals VALUES ('i-b', 'drain', ${T0}, NULL, 'maintenance: SystemMaintenance.Reboot', 'ev-2');
       INSERT INTO signals VALUES ('i-b', 'heartbeat-timeout', ${T0}, NULL, '', 'MSG-1');`,
    );
    const store = createSqliteStore({ path });
    const [a, b] = [memberId('i-a'), memberId('i-b')];
    try {
      expect(await store.getLease(groupName('g'))).toMatchObject({ epoch: 4, holder: 'inv-4' });
      const drain = {
        memberId: a,
        kind: 'drain',
        source: 'http',
        cause: 'manual',
        reason: 'swap',
        actor: 'ops',
        receivedAt: T0,
      } as const;
      const signals = await store.latestSignals([a, b]);
      expect(signals.get(a)).toEqual({
        drain: { ...drain, eventId: undefined },
        heartbeat: {
          memberId: a,
          kind: 'heartbeat',
          source: 'http',
          sequence: 41,
          receivedAt: T0,
          eventId: undefined,
        },
      });
      expect(signals.get(b)).toMatchObject({
        'instance-state': { status: 'Stopped', effect: 'down', sequence: T0 - 7, eventId: 'ev-1' },
        drain: { cause: 'maintenance', eventType: 'SystemMaintenance.Reboot', eventId: 'ev-2' },
        'heartbeat-timeout': { source: 'mns', eventId: 'MSG-1' },
      });
      // Converted rows order like any other: an older drain does not replace it, a newer one does.
      expect(await store.recordSignal({ ...drain, reason: 'older', receivedAt: T0 - 1 })).toBe(false);
      expect(await store.recordSignal({ ...drain, receivedAt: T0 + 1 })).toBe(true);
      const raw = new Database(path, { readonly: true });
      expect(raw.prepare('SELECT version FROM schema_version').all()).toEqual([
        { version: SQLITE_SCHEMA_VERSION },
      ]);
      raw.close();
    } finally {
      await store.close();
    }
  });

  it('refuses to migrate a version-1 row it cannot read, naming it, and leaves the file as it was', () => {
    const path = writeV1File(
      'v1-odd.db',
      `INSERT INTO signals VALUES ('i-a', 'drain', ${T0}, NULL, 'manual: swap (ops)', NULL);
       INSERT INTO signals VALUES ('i-a', 'heartbeat', ${T0}, NULL, 'maybe', NULL);`,
    );
    expect(() => createSqliteStore({ path })).toThrow(
      /signal i-a\/heartbeat \(schema 1\) is a version-1 "heartbeat" row whose value "maybe"/,
    );
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare('SELECT version FROM schema_version').all()).toEqual([{ version: 1 }]);
    expect(raw.prepare('SELECT value FROM signals ORDER BY kind').all()).toEqual([
      { value: 'manual: swap (ops)' },
      { value: 'maybe' },
    ]);
    raw.close();
  });

  it('refuses a file written by a newer schema version', () => {
    const path = join(dir, 'future.db');
    createSqliteStore({ path }).close();
    const raw = new Database(path);
    raw.prepare('INSERT INTO schema_version (version) VALUES (?)').run(SQLITE_SCHEMA_VERSION + 1);
    raw.close();
    expect(() => createSqliteStore({ path })).toThrow(/newer than this build supports/);
    try {
      createSqliteStore({ path });
    } catch (e) {
      expect(e).toBeInstanceOf(StoreError);
    }
  });

  it.each([
    { label: 'under a regular file', path: () => join(writeFile('plain.txt', 'x'), 'store.db') },
    {
      label: 'that is not a SQLite database',
      path: () => writeFile('not-a-db.db', 'definitely not sqlite '.repeat(50)),
    },
  ])('reports a StoreError naming the path for a location $label', ({ path }) => {
    const p = path();
    let caught: unknown;
    try {
      createSqliteStore({ path: p });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(StoreError);
    expect((caught as StoreError).message).toContain(JSON.stringify(p));
  });

  it('purges expired dedupe rows lazily', async () => {
    const path = join(dir, 'dedupe.db');
    const store = createSqliteStore({ path });
    for (let i = 0; i < 200; i++) await store.markEventSeen(`old-${i}`, 10, T0);
    const count = () => {
      const raw = new Database(path, { readonly: true });
      try {
        return (raw.prepare('SELECT count(*) AS n FROM dedupe').get() as { n: number }).n;
      } finally {
        raw.close();
      }
    };
    expect(count()).toBe(200);
    // Enough later calls to trigger a purge; the 200 old ids expired long ago.
    for (let i = 0; i < 300; i++) await store.markEventSeen(`new-${i}`, 60_000, T0 + 1000);
    expect(count()).toBeLessThan(500);
    expect(await store.markEventSeen('old-7', 10, T0 + 1000)).toBe(true);
    await store.close();
  });

  it('separate processes on one file fence each other: every epoch is issued exactly once', async () => {
    const path = join(dir, 'processes.db');
    createSqliteStore({ path }).close();
    const script = writeFile(
      'contender.mjs',
      `const { createSqliteStore } = await import(process.env.STORE_MODULE);
const store = createSqliteStore({ path: process.env.DB });
process.stdin.once('data', async () => {
  const won = [];
  for (let step = 0; step < 40; step++) {
    // Leases last 10 ms of store time and steps are 100 ms apart: each step's lease is free again.
    const r = await store.acquireLease('race', process.env.HOLDER, 10, 1000 + step * 100);
    if (r.acquired) won.push({ step, epoch: r.lease.epoch });
  }
  await store.close();
  process.stdout.write(JSON.stringify(won));
});
process.stdout.write('ready\\n');
`,
    );
    const storeModule = fileURLToPath(
      new URL('../../../../shared/adapters/sqlite/index.ts', import.meta.url),
    );
    const children = Array.from({ length: 4 }, (_, i) =>
      spawn(process.execPath, ['--import', 'tsx', script], {
        cwd: repo,
        env: { ...process.env, STORE_MODULE: storeModule, DB: path, HOLDER: `proc-${i}` },
        stdio: ['pipe', 'pipe', 'pipe'],
      }),
    );
    const outputs = children.map(
      (child) =>
        new Promise<string>((resolve, reject) => {
          let out = '';
          let err = '';
          child.stdout.on('data', (d: Buffer) => {
            out += d.toString();
          });
          child.stderr.on('data', (d: Buffer) => {
            err += d.toString();
          });
          child.on('error', reject);
          child.on('close', (code) =>
            code === 0 ? resolve(out) : reject(new Error(`contender exited ${code}: ${err}`)),
          );
        }),
    );
    // Start them together once all are ready.
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            const onData = (d: Buffer) => {
              if (d.toString().includes('ready')) {
                child.stdout.off('data', onData);
                resolve();
              }
            };
            child.stdout.on('data', onData);
          }),
      ),
    );
    for (const child of children) child.stdin.end('go\n');
    const wins = (await Promise.all(outputs)).flatMap(
      (o) => JSON.parse(o.slice(o.indexOf('\n') + 1)) as Array<{ step: number; epoch: number }>,
    );
    const epochs = wins.map((w) => w.epoch).sort((a, b) => a - b);
    // No epoch issued twice, none skipped, and at most one winner per step.
    expect(epochs).toEqual(Array.from({ length: epochs.length }, (_, i) => i + 1));
    expect(new Set(wins.map((w) => w.step)).size).toBe(wins.length);
    // The first contender to reach a step always finds the previous lease expired, so every step has one.
    expect(wins.length).toBe(40);
  }, 30_000);
});

function writeFile(name: string, content: string): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}
