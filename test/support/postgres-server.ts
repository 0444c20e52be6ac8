/**
 * A PostgreSQL server for the tests (and the store benchmark), as vitest's global setup:
 *
 * - `HAVIP_TEST_POSTGRES_URL` set (CI starts a cluster in `.ci/run`): use that server;
 * - otherwise start a throwaway cluster with `scripts/postgres-test-server.sh` (Debian's `postgresql`
 *   server binaries) for this run, and stop it afterwards;
 * - neither: the PostgreSQL tests fail with {@link NO_POSTGRES} — they never skip; with `CI=true` the
 *   setup itself fails, so the whole run stops at once with the reason instead of a page of failures.
 *
 * Tests read the outcome with `postgresTestUrl()` (test/support/postgres.ts).
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The server's URL, or why there is none. */
    postgres: { readonly url: string } | { readonly problem: string };
  }
}

const run = promisify(execFile);
const SCRIPT = resolve(import.meta.dirname, '..', '..', 'scripts', 'postgres-test-server.sh');

export const NO_POSTGRES =
  'the PostgreSQL store tests need a server: install the server binaries (Debian: apt-get install postgresql; ' +
  'the tests then start a throwaway cluster themselves), or set HAVIP_TEST_POSTGRES_URL=postgres://user:password@host:port/database ' +
  '(a database the tests may create and drop schemas in)';

export interface ThrowawayPostgres {
  readonly url: string;
  /** The cluster's directory, for {@link stopThrowawayPostgres}. */
  readonly dir: string;
}

/** Starts an unprivileged cluster on a loopback port (scripts/postgres-test-server.sh). */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const { stdout } = await run('bash', [SCRIPT], { timeout: 120_000 });
  const value = (name: string) => new RegExp(`^${name}=(.+)$`, 'm').exec(stdout)?.[1];
  const url = value('HAVIP_TEST_POSTGRES_URL');
  const dir = value('HAVIP_TEST_POSTGRES_DIR');
  if (url === undefined || dir === undefined)
    throw new Error(`postgres-test-server.sh printed no URL: ${stdout}`);
  return { url, dir };
}

export async function stopThrowawayPostgres(server: ThrowawayPostgres): Promise<void> {
  await run('bash', [SCRIPT, 'stop', server.dir], { timeout: 60_000 });
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const given = process.env.HAVIP_TEST_POSTGRES_URL;
  if (given !== undefined && given !== '') {
    project.provide('postgres', { url: given });
    return undefined;
  }
  let server: ThrowawayPostgres;
  try {
    server = await startThrowawayPostgres();
  } catch (e) {
    const why = (e as { stderr?: string }).stderr?.trim() || (e instanceof Error ? e.message : String(e));
    const problem = `${NO_POSTGRES}. Starting a throwaway cluster failed: ${why}`;
    if (process.env.CI === 'true') throw new Error(`CI=true and no PostgreSQL server: ${problem}`);
    project.provide('postgres', { problem });
    return undefined;
  }
  project.provide('postgres', { url: server.url });
  return () => stopThrowawayPostgres(server);
}
