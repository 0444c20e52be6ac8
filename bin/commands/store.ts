/**
 * `havip store init`: creates the state store — the five Tablestore tables (idempotent: existing
 * tables are left as they are), a local SQLite file with `--sqlite <path>`, or the PostgreSQL schema
 * with `--postgres` (created, or migrated in place to this build's version).
 * Exit 0 on success, 1 when the store rejected the operation, 2 for missing or invalid settings.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { TablestoreAdminClientLike } from '../../shared/adapters/tablestore/tables.js';
import { asEnvError, postgresEnvSchema, postgresOptionsFromEnv } from '../../shared/app/postgres-settings.js';
import { isHavipError } from '../../shared/core/errors.js';
import { ExitCode, type ExitCodeSink, printJson, printTable, type Sink } from '../output.js';

/** Options of `havip store init`. */
export interface StoreInitOptions {
  readonly sqlite?: string;
  readonly postgres?: boolean;
  readonly schema?: string;
  readonly endpoint?: string;
  readonly instance?: string;
  readonly prefix?: string;
  readonly dedupeTtlDays?: string;
  readonly historyTtlDays?: string;
  readonly json?: boolean;
}

/** Where the command reads settings and writes output; tests substitute these. */
export interface StoreIo {
  readonly out: Sink;
  readonly err: Sink;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Builds the Tablestore client; the default creates a real SDK client. */
  readonly createClient?: (o: {
    endpoint: string;
    instanceName: string;
    credentials: { accessKeyId: string; accessKeySecret: string; securityToken?: string };
  }) => Promise<TablestoreAdminClientLike>;
}

/** Same shape as the other commands' usage errors; the caller sets the exit code. */
function usage(io: StoreIo, message: string, hint?: string): ExitCode {
  io.err.write(`havip store init: ${message}\n${hint ? `hint: ${hint}\n` : ''}`);
  return ExitCode.USAGE;
}

function parseTtlDays(flag: string, value: string | undefined, fallbackSeconds: number): number | string {
  if (value === undefined) return fallbackSeconds;
  if (value.trim() === '-1') return -1;
  const days = Number(value);
  if (!Number.isInteger(days) || days < 1) {
    return `${flag} must be a whole number of days ≥ 1, or -1 to never expire (got ${JSON.stringify(value)})`;
  }
  return days * 86_400;
}

function ttlText(seconds: number | undefined): string {
  if (seconds === undefined) return '(unchanged)';
  return seconds === -1 ? 'never' : `${seconds / 86_400}d`;
}

/** Runs `havip store init` and returns the exit code. Never throws. */
export async function runStoreInit(opts: StoreInitOptions, io: StoreIo): Promise<ExitCode> {
  if (opts.sqlite !== undefined) return initSqlite(opts.sqlite, opts, io);
  if (opts.postgres === true || io.env.HAVIP_STORE === 'postgres') return initPostgres(opts, io);

  const endpoint = opts.endpoint ?? io.env.HAVIP_TABLESTORE_ENDPOINT;
  const instanceName = opts.instance ?? io.env.HAVIP_TABLESTORE_INSTANCE;
  const accessKeyId = io.env.ALIBABA_CLOUD_ACCESS_KEY_ID;
  const accessKeySecret = io.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
  const securityToken = io.env.ALIBABA_CLOUD_SECURITY_TOKEN;
  const missing = [
    endpoint ? undefined : '--endpoint (or HAVIP_TABLESTORE_ENDPOINT)',
    instanceName ? undefined : '--instance (or HAVIP_TABLESTORE_INSTANCE)',
    accessKeyId ? undefined : 'ALIBABA_CLOUD_ACCESS_KEY_ID',
    accessKeySecret ? undefined : 'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  ].filter((m): m is string => m !== undefined);
  if (missing.length > 0) {
    return usage(
      io,
      `missing ${missing.join(', ')}`,
      'set them, or pass --sqlite <path> to initialise a local SQLite store instead',
    );
  }
  const { DEFAULT_DEDUPE_TTL_SECONDS, DEFAULT_HISTORY_TTL_SECONDS } = await import(
    '../../shared/adapters/tablestore/tables.js'
  );
  const dedupeTtl = parseTtlDays('--dedupe-ttl-days', opts.dedupeTtlDays, DEFAULT_DEDUPE_TTL_SECONDS);
  const historyTtl = parseTtlDays('--history-ttl-days', opts.historyTtlDays, DEFAULT_HISTORY_TTL_SECONDS);
  for (const problem of [dedupeTtl, historyTtl]) {
    if (typeof problem === 'string') {
      return usage(io, problem, 'Tablestore table TTLs are -1 or at least one day');
    }
  }

  try {
    // Loaded on demand: the Tablestore SDK is heavy and the SQLite path does not need it.
    const ts = await import('../../shared/adapters/tablestore/index.js');
    const credentials = {
      accessKeyId: accessKeyId as string,
      accessKeySecret: accessKeySecret as string,
      ...(securityToken ? { securityToken } : {}),
    };
    const client = io.createClient
      ? await io.createClient({
          endpoint: endpoint as string,
          instanceName: instanceName as string,
          credentials,
        })
      : ts.createTablestoreClient({
          endpoint: endpoint as string,
          instanceName: instanceName as string,
          credentials,
        });
    const prefix = opts.prefix ?? io.env.HAVIP_TABLESTORE_PREFIX;
    const results = await ts.ensureTablestoreTables(client, {
      ...(prefix !== undefined ? { tables: ts.tablestoreTableNames(prefix) } : {}),
      dedupeTtlSeconds: dedupeTtl as number,
      historyTtlSeconds: historyTtl as number,
    });
    if (opts.json) {
      printJson({ store: 'tablestore', endpoint, instance: instanceName, tables: results }, io.out);
      return ExitCode.OK;
    }
    printTable(
      results,
      ['role', 'table', 'status', { header: 'ttl', value: (r) => ttlText(r.timeToLive) }],
      io.out,
    );
    const created = results.filter((r) => r.status === 'created').length;
    io.out.write(
      `\nTablestore instance ${instanceName}: ${created} table(s) created, ${results.length - created} already existed.\n`,
    );
    if (created > 0) io.out.write('New tables can take a few seconds before they accept reads and writes.\n');
    return ExitCode.OK;
  } catch (e) {
    return reportFailure(e, io);
  }
}

async function initSqlite(path: string, opts: StoreInitOptions, io: StoreIo): Promise<ExitCode> {
  const existed = path !== ':memory:' && existsSync(path);
  try {
    const { createSqliteStore, SQLITE_SCHEMA_VERSION } = await import(
      '../../shared/adapters/sqlite/index.js'
    );
    // Opening creates (or checks) the schema; nothing else is written.
    await createSqliteStore({ path }).close();
    if (opts.json) {
      printJson(
        {
          store: 'sqlite',
          path,
          status: existed ? 'exists' : 'created',
          schemaVersion: SQLITE_SCHEMA_VERSION,
        },
        io.out,
      );
    } else {
      io.out.write(
        `SQLite store ${existed ? 'already initialised' : 'created'} at ${path} (schema version ${SQLITE_SCHEMA_VERSION}, WAL journal).\n`,
      );
    }
    return ExitCode.OK;
  } catch (e) {
    return reportFailure(e, io);
  }
}

/** Creates or migrates the PostgreSQL schema named by HAVIP_POSTGRES_* (or `--schema`). */
async function initPostgres(opts: StoreInitOptions, io: StoreIo): Promise<ExitCode> {
  const settings = postgresEnvSchema.safeParse(io.env);
  if (!settings.success) {
    const issue = settings.error.issues[0];
    return usage(
      io,
      `${String(issue?.path[0])}: ${issue?.message}`,
      'see docs/state-store.md, "PostgreSQL adapter"',
    );
  }
  try {
    const options = postgresOptionsFromEnv(settings.data, 1);
    const pg = await import('../../shared/adapters/postgres/index.js');
    const result = await pg
      .initPostgresStore({ ...options, ...(opts.schema !== undefined ? { schema: opts.schema } : {}) })
      .catch((e: unknown) => Promise.reject(asEnvError(e)));
    const { target } = result;
    if (opts.json) {
      printJson({ store: 'postgres', ...result }, io.out);
      return ExitCode.OK;
    }
    const applied = new Set(result.applied.map((a) => a.version));
    printTable(
      pg.MIGRATIONS.map((m) => ({
        ...m,
        status: applied.has(m.version) ? 'applied now' : 'already applied',
      })),
      ['version', 'description', 'status'],
      io.out,
    );
    io.out.write(
      applied.size > 0
        ? `\nPostgreSQL schema "${result.schema}" at ${target}: version ${result.from} → ${result.to} (${applied.size} step(s) applied).\n`
        : `\nPostgreSQL schema "${result.schema}" at ${target}: already at version ${result.to}.\n`,
    );
    return ExitCode.OK;
  } catch (e) {
    return reportFailure(e, io);
  }
}

function reportFailure(e: unknown, io: StoreIo): ExitCode {
  if (isHavipError(e) && (e.code === 'store.invalid-argument' || e.code === 'env.invalid')) {
    return usage(io, e.message);
  }
  const message = e instanceof Error ? e.message : String(e);
  const retry = isHavipError(e) && e.retryable ? ' (temporary: retry in a moment)' : '';
  io.err.write(`havip store init: ${message}${retry}\n`);
  return ExitCode.FINDINGS;
}

/** Registers `havip store` (with its `init` subcommand) on the program. */
export function registerStore(program: Command, io: StoreIo & ExitCodeSink): void {
  const store = program
    .command('store')
    .description('manage the state store (leases, journal, signals, history)');
  store
    .command('init')
    .description(
      'create the Tablestore tables (idempotent), a local SQLite store with --sqlite, or the PostgreSQL schema with --postgres',
    )
    .option('--sqlite <path>', 'initialise a local SQLite store file instead of Tablestore')
    .option(
      '--postgres',
      'create or migrate the PostgreSQL schema at $HAVIP_POSTGRES_URL (also when HAVIP_STORE=postgres)',
    )
    .option('--schema <name>', 'PostgreSQL schema (default: $HAVIP_POSTGRES_SCHEMA or havip)')
    .option('--endpoint <url>', 'Tablestore endpoint (default: $HAVIP_TABLESTORE_ENDPOINT)')
    .option('--instance <name>', 'Tablestore instance name (default: $HAVIP_TABLESTORE_INSTANCE)')
    .option('--prefix <prefix>', 'table name prefix (default: $HAVIP_TABLESTORE_PREFIX or havip_)')
    .option('--dedupe-ttl-days <days>', 'table TTL of the event dedupe table (default 7)')
    .option('--history-ttl-days <days>', 'table TTL of the history table, -1 to keep forever (default -1)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nCredentials come from ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET and, for STS,\n' +
        'ALIBABA_CLOUD_SECURITY_TOKEN. Existing tables are never modified.\n' +
        'PostgreSQL: HAVIP_POSTGRES_URL (the password there or in PGPASSWORD), HAVIP_POSTGRES_SSL,\n' +
        'HAVIP_POSTGRES_CA_FILE, HAVIP_POSTGRES_SCHEMA. Safe to run again and from several replicas at once.\n',
    )
    .action(async (opts: StoreInitOptions) => {
      const code = await runStoreInit(opts, io);
      io.setExitCode(code);
    });
}
