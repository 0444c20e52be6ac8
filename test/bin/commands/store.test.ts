/** `havip store init`: a SQLite file, or the Tablestore tables from the environment. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runStoreInit } from '../../../bin/commands/store.js';
import { FakeTablestoreClient } from '../../support/fake-tablestore.js';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'havip-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('havip store init', () => {
  const sink = () => {
    let text = '';
    return {
      write: (s: string) => {
        text += s;
      },
      get text() {
        return text;
      },
    };
  };

  it('initialises a SQLite file, then reports it as already initialised', async () => {
    const path = join(dir, 'cli', 'local.db');
    for (const expected of ['created', 'already initialised']) {
      const out = sink();
      const err = sink();
      expect(await runStoreInit({ sqlite: path }, { out, err, env: {} })).toBe(0);
      expect(out.text).toContain(`SQLite store ${expected} at ${path}`);
      expect(err.text).toBe('');
    }
  });

  it('creates the Tablestore tables from the environment and prints what it did', async () => {
    const fake = new FakeTablestoreClient({ maxYields: 0 });
    const seen: unknown[] = [];
    const env = {
      HAVIP_TABLESTORE_ENDPOINT: 'https://inst.cn-hangzhou.ots.aliyuncs.com',
      HAVIP_TABLESTORE_INSTANCE: 'inst',
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'id',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'secret',
    };
    const io = (out: ReturnType<typeof sink>) => ({
      out,
      err: sink(),
      env,
      createClient: async (o: unknown) => {
        seen.push(o);
        return fake;
      },
    });
    const out = sink();
    expect(await runStoreInit({ dedupeTtlDays: '2' }, io(out))).toBe(0);
    expect(out.text).toMatch(/havip_dedupe\s+created\s+2d/);
    expect(out.text).toContain('6 table(s) created, 0 already existed');
    expect(seen[0]).toEqual({
      endpoint: env.HAVIP_TABLESTORE_ENDPOINT,
      instanceName: 'inst',
      credentials: { accessKeyId: 'id', accessKeySecret: 'secret' },
    });
    const json = sink();
    expect(await runStoreInit({ json: true }, io(json))).toBe(0);
    expect(JSON.parse(json.text).tables.map((t: { status: string }) => t.status)).toEqual(
      Array(6).fill('exists'),
    );
  });

  it.each([
    {
      label: 'no settings at all',
      opts: {},
      env: {},
      message: 'missing --endpoint (or HAVIP_TABLESTORE_ENDPOINT)',
    },
    {
      label: 'no secret',
      opts: { endpoint: 'https://x.ots.aliyuncs.com', instance: 'x' },
      env: { ALIBABA_CLOUD_ACCESS_KEY_ID: 'id' },
      message: 'missing ALIBABA_CLOUD_ACCESS_KEY_SECRET',
    },
    {
      label: 'a zero-day TTL',
      opts: { endpoint: 'https://x.ots.aliyuncs.com', instance: 'x', historyTtlDays: '0' },
      env: { ALIBABA_CLOUD_ACCESS_KEY_ID: 'id', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 's' },
      message: '--history-ttl-days must be a whole number of days',
    },
  ])('exits 2 on $label without calling the service', async ({ opts, env, message }) => {
    const err = sink();
    let created = false;
    const code = await runStoreInit(opts, {
      out: sink(),
      err,
      env,
      createClient: async () => {
        created = true;
        return new FakeTablestoreClient();
      },
    });
    expect(code).toBe(2);
    expect(err.text).toContain(message);
    expect(created).toBe(false);
  });

  it('exits 1 with the service error when Tablestore refuses', async () => {
    const fake = new FakeTablestoreClient({ maxYields: 0 });
    fake.failNext('listTable', {
      kind: 'ots',
      status: 403,
      code: 'OTSAuthFailed',
      message: 'The AccessKeyID is disabled.',
    });
    const err = sink();
    const code = await runStoreInit(
      { endpoint: 'https://x.ots.aliyuncs.com', instance: 'x' },
      {
        out: sink(),
        err,
        env: { ALIBABA_CLOUD_ACCESS_KEY_ID: 'id', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 's' },
        createClient: async () => fake,
      },
    );
    expect(code).toBe(1);
    expect(err.text).toContain('OTSAuthFailed');
    expect(err.text).toContain('The AccessKeyID is disabled.');
  });

  it('is registered on the havip CLI', async () => {
    const path = join(dir, 'cli', 'spawned.db');
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve, reject) => {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', 'bin/havip.ts', 'store', 'init', '--sqlite', path],
          {
            cwd: repo,
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
        });
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
        });
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`SQLite store created at ${path}`);
  }, 30_000);
});
