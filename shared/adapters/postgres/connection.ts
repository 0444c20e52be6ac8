/**
 * How the PostgreSQL store connects: the URL, TLS and the pool, checked up front (nothing connects here).
 * A problem is an `InvalidInputError` naming the option and the fix; no message ever contains the URL
 * itself, because the URL may carry the password.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { PoolConfig } from 'pg';
import { type InputIssue, InvalidInputError } from '../../core/errors.js';

/** TLS modes, named and meant as libpq's `sslmode` (without `prefer`/`allow`: node-postgres cannot fall back). */
export const SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** Schema (namespace) names the store accepts: plain lower-case identifiers, never quoted differently. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
export const DEFAULT_SCHEMA = 'havip';

export interface PostgresConnectionOptions {
  /** `postgres://user:password@host:5432/database`; without a password, PGPASSWORD or ~/.pgpass is used. */
  readonly url: string;
  /** TLS mode; default: the URL's `sslmode`, else `disable` for a loopback host or socket (required otherwise). */
  readonly ssl?: SslMode | undefined;
  /** PEM certificate(s) of the CA that signed the server's certificate (`verify-ca`, `verify-full`). */
  readonly ca?: string | undefined;
  /** The same, read from a file. */
  readonly caFile?: string | undefined;
  /** Connections at most: 1–2 for a function instance, more for a long-running process (default 10). */
  readonly poolMax?: number | undefined;
  /** An idle connection is closed after this long (default 30 s). */
  readonly idleTimeoutMs?: number | undefined;
  /** Connecting, or waiting for a free pooled connection, gives up after this long (default 5 s). */
  readonly connectTimeoutMs?: number | undefined;
  /** The server cancels a statement running longer than this (default 10 s). */
  readonly statementTimeoutMs?: number | undefined;
}

export interface ResolvedConnection {
  readonly config: PoolConfig;
  /** `host:port/database`, for messages (never the user or password). */
  readonly target: string;
  readonly ssl: SslMode;
}

/** URL parameters that carry TLS files: refused, so that one option (`caFile`) says what is trusted. */
const TLS_FILE_PARAMS = ['sslrootcert', 'sslcert', 'sslkey', 'sslcrl', 'ssl'];
const URL_EXAMPLE = 'e.g. postgres://havip:secret@db.internal:5432/havip';

function invalid(issues: InputIssue[]): InvalidInputError {
  return new InvalidInputError('store.invalid-argument', 'invalid PostgreSQL store options', issues);
}

function parseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid([{ path: 'url', message: 'is not a URL', hint: URL_EXAMPLE }]);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    throw invalid([
      { path: 'url', message: `has the scheme ${url.protocol} instead of postgres:`, hint: URL_EXAMPLE },
    ]);
  if (url.hostname === '' && !url.searchParams.has('host'))
    throw invalid([{ path: 'url', message: 'names no host', hint: URL_EXAMPLE }]);
  return url;
}

function isLocal(url: URL): boolean {
  const host = url.searchParams.get('host') ?? url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host.startsWith('/') || host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

function sslModeOf(url: URL, requested: SslMode | undefined): SslMode {
  const fromUrl = url.searchParams.get('sslmode');
  if (fromUrl !== null && !(SSL_MODES as readonly string[]).includes(fromUrl))
    throw invalid([
      {
        path: 'url',
        message: `sslmode=${fromUrl} is not supported`,
        hint: `use one of ${SSL_MODES.join(', ')} (node-postgres cannot fall back between TLS and plain connections)`,
      },
    ]);
  const mode = requested ?? (fromUrl as SslMode | null) ?? (isLocal(url) ? 'disable' : undefined);
  if (mode === undefined)
    throw invalid([
      {
        path: 'ssl',
        message: `is not set, and the connection to ${url.hostname} leaves this machine`,
        hint: 'choose verify-full (recommended; a private CA via the CA file), verify-ca, require, or disable for a trusted network',
      },
    ]);
  return mode;
}

function caOf(opts: PostgresConnectionOptions): string | undefined {
  if (opts.ca !== undefined) return opts.ca;
  if (opts.caFile === undefined) return undefined;
  try {
    return readFileSync(opts.caFile, 'utf8');
  } catch (e) {
    throw invalid([
      {
        path: 'caFile',
        message: `cannot be read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
        hint: 'point it at a PEM file with the CA certificate(s) of the server',
      },
    ]);
  }
}

function tlsOf(mode: SslMode, ca: string | undefined): PoolConfig['ssl'] {
  switch (mode) {
    case 'disable':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-ca':
      if (ca === undefined)
        throw invalid([
          {
            path: 'caFile',
            message: 'is required with ssl verify-ca',
            hint: 'give the CA certificate, or use verify-full to check the host name against public CAs',
          },
        ]);
      // The chain is checked; the host name is not (libpq's verify-ca).
      return { ca, rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      return ca === undefined ? { rejectUnauthorized: true } : { ca, rejectUnauthorized: true };
  }
}

function checkNumbers(opts: PostgresConnectionOptions): void {
  const issues: InputIssue[] = [];
  const bounds = [
    ['poolMax', opts.poolMax, 1, 100],
    ['idleTimeoutMs', opts.idleTimeoutMs, 1, 3_600_000],
    ['connectTimeoutMs', opts.connectTimeoutMs, 1, 600_000],
    ['statementTimeoutMs', opts.statementTimeoutMs, 1, 3_600_000],
  ] as const;
  for (const [path, value, min, max] of bounds) {
    if (value !== undefined && !(Number.isInteger(value) && value >= min && value <= max))
      issues.push({ path, message: `must be a whole number from ${min} to ${max}, got ${value}` });
  }
  if (issues.length > 0) throw invalid(issues);
}

/** The node-postgres pool configuration for `opts`, and the target as messages name it. */
export function resolveConnection(opts: PostgresConnectionOptions): ResolvedConnection {
  checkNumbers(opts);
  const url = parseUrl(opts.url);
  const refused = TLS_FILE_PARAMS.filter((p) => url.searchParams.has(p));
  if (refused.length > 0)
    throw invalid([
      {
        path: 'url',
        message: `has ${refused.join(', ')}`,
        hint: 'give TLS settings as options (ssl mode and CA file), not as URL parameters',
      },
    ]);
  const ssl = sslModeOf(url, opts.ssl);
  url.searchParams.delete('sslmode');
  const database = decodeURIComponent(url.pathname.slice(1)) || decodeURIComponent(url.username);
  const host = url.searchParams.get('host') ?? url.hostname;
  return {
    config: {
      connectionString: url.toString(),
      ssl: tlsOf(ssl, caOf(opts)),
      max: opts.poolMax ?? 10,
      idleTimeoutMillis: opts.idleTimeoutMs ?? 30_000,
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 5_000,
      statement_timeout: opts.statementTimeoutMs ?? 10_000,
      application_name: 'havip-failover',
      keepAlive: true,
      // A command-line process may end without closing the store.
      allowExitOnIdle: true,
    },
    target: `${host}:${url.port || '5432'}/${database}`,
    ssl,
  };
}
