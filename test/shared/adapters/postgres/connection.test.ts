/**
 * The connection settings of the PostgreSQL store, checked without a server: URL forms, TLS modes and
 * their defaults, pool bounds, and that no message ever repeats the password.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type PostgresConnectionOptions,
  resolveConnection,
} from '../../../../shared/adapters/postgres/connection.js';
import { InvalidInputError } from '../../../../shared/core/errors.js';

const SECRET = 's3cret-p4ss';
const dir = mkdtempSync(join(tmpdir(), 'havip-pg-conn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function refusal(opts: PostgresConnectionOptions): InvalidInputError {
  try {
    resolveConnection(opts);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputError);
    expect((e as InvalidInputError).code).toBe('store.invalid-argument');
    expect((e as Error).message).not.toContain(SECRET);
    return e as InvalidInputError;
  }
  throw new Error('expected the options to be refused');
}

describe('resolveConnection', () => {
  it.each([
    {
      url: `postgres://havip:${SECRET}@127.0.0.1:5433/state`,
      target: '127.0.0.1:5433/state',
      ssl: 'disable',
    },
    { url: `postgresql://havip:${SECRET}@localhost/state`, target: 'localhost:5432/state', ssl: 'disable' },
    { url: `postgres://havip:${SECRET}@[::1]:5432/state`, target: '[::1]:5432/state', ssl: 'disable' },
    {
      url: 'postgres:///state?host=/var/run/postgresql&user=havip',
      target: '/var/run/postgresql:5432/state',
      ssl: 'disable',
    },
    {
      url: `postgres://havip:${SECRET}@db.internal/state?sslmode=verify-full`,
      target: 'db.internal:5432/state',
      ssl: 'verify-full',
    },
    {
      url: `postgres://havip:${SECRET}@db.internal`,
      target: 'db.internal:5432/havip',
      ssl: 'require',
      given: 'require',
    },
  ] as const)('$url → $target, TLS $ssl', ({ url, target, ssl, ...rest }) => {
    const given = 'given' in rest ? rest.given : undefined;
    const r = resolveConnection({ url, ssl: given });
    expect(r.target).toBe(target);
    expect(r.ssl).toBe(ssl);
    expect(r.target).not.toContain(SECRET);
    // sslmode is taken out of the URL: node-postgres would otherwise override the TLS settings with it.
    expect(r.config.connectionString).not.toContain('sslmode');
  });

  it.each([
    { mode: 'disable', ssl: false },
    { mode: 'require', ssl: { rejectUnauthorized: false } },
    { mode: 'verify-full', ssl: { rejectUnauthorized: true } },
  ] as const)('TLS $mode → the node-postgres ssl setting', ({ mode, ssl }) => {
    expect(resolveConnection({ url: 'postgres://u@db.internal/d', ssl: mode }).config.ssl).toEqual(ssl);
  });

  it('verify-ca checks the chain against the CA file but not the host name; verify-full checks both', () => {
    const caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const ca = resolveConnection({ url: 'postgres://u@db.internal/d', ssl: 'verify-ca', caFile }).config.ssl;
    expect(ca).toMatchObject({ rejectUnauthorized: true, ca: expect.stringContaining('BEGIN CERTIFICATE') });
    expect((ca as { checkServerIdentity: () => unknown }).checkServerIdentity()).toBeUndefined();
    const full = resolveConnection({ url: 'postgres://u@db.internal/d', ssl: 'verify-full', caFile }).config
      .ssl;
    expect(full).toEqual({ rejectUnauthorized: true, ca: expect.stringContaining('BEGIN CERTIFICATE') });
  });

  it('sizes the pool and sets the timeouts, defaults for a long-running process', () => {
    const d = resolveConnection({ url: 'postgres://u@127.0.0.1/d' }).config;
    expect(d).toMatchObject({
      max: 10,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 5_000,
      statement_timeout: 10_000,
    });
    const fn = resolveConnection({
      url: 'postgres://u@127.0.0.1/d',
      poolMax: 1,
      connectTimeoutMs: 2_000,
    }).config;
    expect(fn).toMatchObject({ max: 1, connectionTimeoutMillis: 2_000 });
  });

  it.each([
    { label: 'not a URL', opts: { url: `//havip:${SECRET}@db/state` }, path: 'url', text: 'is not a URL' },
    { label: 'another scheme', opts: { url: `mysql://u:${SECRET}@db/d` }, path: 'url', text: 'mysql:' },
    {
      label: 'sslmode=prefer (no fallback in node-postgres)',
      opts: { url: `postgres://u:${SECRET}@db/d?sslmode=prefer` },
      path: 'url',
      text: 'sslmode=prefer is not supported',
    },
    {
      label: 'TLS files as URL parameters',
      opts: { url: `postgres://u:${SECRET}@db/d?sslrootcert=/ca.pem`, ssl: 'verify-full' as const },
      path: 'url',
      text: 'has sslrootcert',
    },
    {
      label: 'a remote host without a TLS choice',
      opts: { url: `postgres://u:${SECRET}@db.internal/d` },
      path: 'ssl',
      text: 'leaves this machine',
    },
    {
      label: 'verify-ca without a CA',
      opts: { url: `postgres://u:${SECRET}@db.internal/d`, ssl: 'verify-ca' as const },
      path: 'caFile',
      text: 'is required with ssl verify-ca',
    },
    {
      label: 'an unreadable CA file',
      opts: {
        url: `postgres://u:${SECRET}@db/d`,
        ssl: 'verify-full' as const,
        caFile: join(dir, 'missing.pem'),
      },
      path: 'caFile',
      text: 'ENOENT',
    },
    {
      label: 'a pool of 0',
      opts: { url: 'postgres://u@127.0.0.1/d', poolMax: 0 },
      path: 'poolMax',
      text: '1 to 100',
    },
    {
      label: 'a fractional timeout',
      opts: { url: 'postgres://u@127.0.0.1/d', connectTimeoutMs: 1.5 },
      path: 'connectTimeoutMs',
      text: 'whole number',
    },
  ])('refuses $label, naming $path', ({ opts, path, text }) => {
    const e = refusal(opts);
    expect(e.issues.map((i) => i.path)).toEqual([path]);
    expect(e.message).toContain(text);
  });
});
