/**
 * The example heartbeat agent (examples/agent/havip-agent.sh) run by /bin/sh against the real HTTP API on
 * 127.0.0.1. INSTANCE_ID is always set, so the ECS metadata service is never contacted; `ip` and `arping`
 * are the recorders of test/support/recorders (the takeover itself is tested in takeover.test.ts beside this file).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpApp, type HttpEnv } from '../../../shared/app/http/app.js';
import { AUTH, HMAC_ID, HMAC_SECRET, TOKEN } from '../../support/http.js';
import { type AgentHost, agentHost } from '../../support/recorders/index.js';
import { BACKUP, createWorld, HAVIP, PRIMARY, type World } from '../../support/world.js';

let world: World;
let app: Hono<HttpEnv>;
let endpoint: string;
let dir: string;
let host: AgentHost;
const server = createAdaptorServer({ fetch: (req: Request) => app.fetch(req) });

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(async () => {
  world = await createWorld();
  app = createHttpApp({ service: world.service, auth: AUTH, logger: world.logger, clock: world.clock });
  dir = await mkdtemp(join(tmpdir(), 'havip-agent-'));
  host = await agentHost(dir, {});
});
afterEach(async () => {
  await world.close();
  await rm(dir, { recursive: true, force: true });
});

const agent = (env: Record<string, string>) => host.run(env);

// The reply is the rest of the first line (the takeover's own lines follow it).
const replyOf = (stdout: string) => JSON.parse((stdout.split('\n')[0] ?? '').replace(/^[^{]*/, ''));
const sequenceFile = () => readFile(join(dir, 'state', 'sequence'), 'utf8').then((s) => Number(s.trim()));

describe('havip-agent.sh', () => {
  it('posts a heartbeat with a bearer token and prints what the instance holds', async () => {
    const r = await agent({ HAVIP_ENDPOINT: endpoint, HAVIP_API_TOKEN: TOKEN, INSTANCE_ID: PRIMARY });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${PRIMARY} sequence=\\d+ http=200 \\{`));
    expect(replyOf(r.stdout)).toEqual({
      accepted: true,
      holds: [{ group: 'web', haVipId: HAVIP, address: world.sim.haVip(HAVIP)?.ipAddress }],
      groups: ['web'],
    });
    const signals = await world.store.latestSignals([PRIMARY as never]);
    expect(signals.get(PRIMARY as never)?.heartbeat?.sequence).toBe(await sequenceFile());
  });

  it('increases the sequence on every beat, and never reuses one after a clock jump', async () => {
    const env = { HAVIP_ENDPOINT: endpoint, HAVIP_API_TOKEN: TOKEN, INSTANCE_ID: BACKUP };
    expect((await agent(env)).code).toBe(0);
    const first = await sequenceFile();
    expect((await agent(env)).code).toBe(0);
    const second = await sequenceFile();
    expect(second).toBeGreaterThan(first);

    // A sequence ahead of the clock (sent while the clock was wrong) is followed by +1, never reused.
    await writeFile(join(dir, 'state', 'sequence'), `${second + 10_000_000}\n`);
    const third = await agent(env);
    expect(replyOf(third.stdout).accepted).toBe(true);
    expect(await sequenceFile()).toBe(second + 10_000_001);
  });

  it('is accepted after losing its state file: the sequence restarts from the clock, not from 1', async () => {
    // The last beat the server recorded was a minute ago (sequence = the clock in ms then).
    await world.service.heartbeat({ instanceId: BACKUP, sequence: Date.now() - 60_000 });
    const r = await agent({ HAVIP_ENDPOINT: endpoint, HAVIP_API_TOKEN: TOKEN, INSTANCE_ID: BACKUP });
    expect(r.code).toBe(0);
    expect(replyOf(r.stdout)).toMatchObject({ accepted: true, holds: [] });
  });

  it('signs with HMAC, read from an env file with quoted values (never executed)', async () => {
    const envFile = join(dir, 'havip-agent.env');
    await writeFile(
      envFile,
      [
        '# comment',
        `HAVIP_ENDPOINT="${endpoint}/"`,
        `HAVIP_HMAC_KEY_ID='${HMAC_ID}'`,
        `HAVIP_HMAC_SECRET=${HMAC_SECRET}`,
        `INSTANCE_ID=${PRIMARY}`,
        `PATH=/nonexistent`,
        `UNRELATED=$(touch ${join(dir, 'pwned')})`,
      ].join('\n'),
      { mode: 0o600 },
    );
    const r = await agent({ HAVIP_AGENT_ENV: envFile });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(replyOf(r.stdout).holds).toHaveLength(1);
    await expect(readFile(join(dir, 'pwned'))).rejects.toThrow(/ENOENT/);
    const access = world.logger.entries.find(
      (e) => e.msg === 'http request' && e.fields.path === '/v1/heartbeats',
    );
    expect(access?.fields).toMatchObject({ principal: HMAC_ID, scheme: 'hmac', status: 200 });
  });

  it.each<{ name: string; env: Record<string, string>; message: RegExp }>([
    {
      name: 'no endpoint',
      env: { HAVIP_API_TOKEN: TOKEN, INSTANCE_ID: PRIMARY },
      message: /HAVIP_ENDPOINT is not set/,
    },
    {
      name: 'no credentials',
      env: { HAVIP_ENDPOINT: 'http://127.0.0.1:9', INSTANCE_ID: PRIMARY },
      message: /no credentials/,
    },
    {
      name: 'both schemes',
      env: {
        HAVIP_ENDPOINT: 'http://127.0.0.1:9',
        HAVIP_API_TOKEN: TOKEN,
        HAVIP_HMAC_KEY_ID: 'k',
        INSTANCE_ID: PRIMARY,
      },
      message: /not both/,
    },
    {
      name: 'an instance id with a quote',
      env: { HAVIP_ENDPOINT: 'http://127.0.0.1:9', HAVIP_API_TOKEN: TOKEN, INSTANCE_ID: 'i-abc","x":"1' },
      message: /may contain only/,
    },
  ])('exits 2 with $name', async ({ env, message }) => {
    const r = await agent(env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('exits 1 when the API refuses the token, without printing the token', async () => {
    const r = await agent({
      HAVIP_ENDPOINT: endpoint,
      HAVIP_API_TOKEN: 'wrong-token-0123456789abc',
      INSTANCE_ID: PRIMARY,
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('http=401');
    expect(r.stdout + r.stderr).not.toContain('wrong-token');
  });
});
