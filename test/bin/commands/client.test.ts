/**
 * The client verbs as a user runs them (`havip <verb> …`, in-process through the CLI's I/O seam), against
 * the real HTTP API served by @hono/node-server on 127.0.0.1 (an ephemeral port) over a simulated cloud.
 */
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpApp, type HttpEnv } from '../../../shared/app/http/app.js';
import { type CliRun, havip as runHavip } from '../../support/cli.js';
import { AUTH, HMAC_ID, HMAC_SECRET, TOKEN } from '../../support/http.js';
import { BACKUP, createWorld, HAVIP, PRIMARY, type World } from '../../support/world.js';

let world: World;
let app: Hono<HttpEnv>;
let endpoint: string;
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
});
afterEach(async () => {
  await world.close();
});

/** Runs the CLI with only the variables given (nothing inherited that could carry credentials). */
function havip(args: string[], env: Record<string, string> = { HAVIP_API_TOKEN: TOKEN }): Promise<CliRun> {
  return runHavip(args, { env });
}

const bound = () => [...(world.sim.haVip(HAVIP)?.associatedInstances ?? [])];

describe('havip status', () => {
  it('lists the groups', async () => {
    const r = await havip(['status', '--endpoint', endpoint]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^NAME\s+REGION\s+HAVIP\s+MEMBERS\nweb\s+cn-hangzhou\s+havip-bp1test0000000000001\s+2\n/,
    );
  });

  it('shows one line per member with eligibility, reasons, binding and serving; endpoint from HAVIP_ENDPOINT', async () => {
    world.sim.stopInstance(BACKUP);
    await world.sim.settle();
    const r = await havip(['status', 'web'], { HAVIP_API_TOKEN: TOKEN, HAVIP_ENDPOINT: endpoint });
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^group web \(cn-hangzhou\) — havip havip-bp1test0000000000001 \S+ \(InUse\)$/);
    expect(lines[1]).toMatch(/^holder: i-bp1test0000000000001\s+serving: /);
    const header = lines.findIndex((l) => l.startsWith('ID'));
    expect(lines[header]).toMatch(/^ID\s+PRIORITY\s+IP\s+ELIGIBLE\s+REASONS\s+BOUND\s+SERVING$/);
    expect(lines[header + 1]).toMatch(
      new RegExp(`^${PRIMARY}\\s+100\\s+192\\.168\\.0\\.11\\s+yes\\s+-\\s+yes\\s+(yes|no)$`),
    );
    expect(lines[header + 2]).toMatch(
      new RegExp(`^${BACKUP}\\s+10\\s+192\\.168\\.0\\.12\\s+no\\s+stopped:Stopped\\s+no\\s+no$`),
    );
    expect(r.stdout).toMatch(/^plan: noop \(holder i-bp1test0000000000001\)/m);
  });

  it('prints the API answer with --json', async () => {
    const r = await havip(['status', 'web', '--json', '--endpoint', endpoint]);
    expect(r.code).toBe(0);
    const body = JSON.parse(r.stdout);
    expect(body).toMatchObject({ name: 'web', holders: [PRIMARY] });
  });

  it('exits 2 with the server message for an unknown group', async () => {
    const r = await havip(['status', 'nope', '--endpoint', endpoint]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('havip status: group "nope" is not in the topology');
    expect(r.stderr).toContain('[group.not-found, HTTP 404]');
  });
});

describe('havip plan and failover', () => {
  it('plan shows the decision and the steps without touching the cloud', async () => {
    const r = await havip(['plan', 'web', '--to', BACKUP, '--endpoint', endpoint]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`web: planned — move ${PRIMARY} → ${BACKUP} (manual)`);
    expect(r.stdout).toMatch(/^OP\s+TARGET\s+OUTCOME/m);
    expect(bound()).toEqual([PRIMARY]);
  });

  it('failover moves the HaVip and journals the token name as the actor', async () => {
    const r = await havip(['failover', 'web', '--reason', 'kernel update', '--endpoint', endpoint]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`web: unverified — move ${PRIMARY} → ${BACKUP} (manual)`);
    expect(r.stdout).toContain('requested by ops: kernel update');
    expect(bound()).toEqual([BACKUP]);
  });

  it('a refused failover exits 1 and changes nothing', async () => {
    world.sim.stopInstance(BACKUP);
    await world.sim.settle();
    const r = await havip(['failover', 'web', '--reason', 'try', '--to', BACKUP, '--endpoint', endpoint]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('web: alert — alert manual-refused');
    expect(r.stdout).toContain('pass force to override');
    expect(bound()).toEqual([PRIMARY]);
  });

  it('failover without --reason is a usage error (exit 2) and sends nothing', async () => {
    const r = await havip(['failover', 'web', '--endpoint', endpoint]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("required option '--reason <text>' not specified");
    expect(bound()).toEqual([PRIMARY]);
  });

  it('a bad target id is reported field by field (exit 2)', async () => {
    const r = await havip(['failover', 'web', '--reason', 'x', '--to', 'backup-1', '--endpoint', endpoint]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/- to: must be an ECS instance id/);
  });
});

describe('havip drain, undrain, history, heartbeat', () => {
  it('drain moves the address away from the holder; undrain returns the member to service', async () => {
    const drained = await havip(['drain', PRIMARY, '--reason', 'disk swap', '--endpoint', endpoint]);
    expect(drained.code).toBe(0);
    expect(drained.stdout).toContain(`${PRIMARY}: draining (groups: web)`);
    expect(drained.stdout).toContain(`move ${PRIMARY} → ${BACKUP} (drain)`);
    expect(bound()).toEqual([BACKUP]);

    const undrained = await havip(['undrain', PRIMARY, '--endpoint', endpoint]);
    expect(undrained.code).toBe(0);
    expect(undrained.stdout).toContain(`${PRIMARY}: no longer draining`);
    expect(bound()).toEqual([BACKUP]);
  });

  it('history lists the moves; a bad --limit is refused before any request', async () => {
    await havip(['failover', 'web', '--reason', 'first', '--endpoint', endpoint]);
    const r = await havip(['history', '--group', 'web', '--limit', '5', '--endpoint', endpoint]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^AT\s+GROUP\s+KIND\s+OUTCOME\s+FROM\s+TO\s+ACTOR\s+REASON$/m);
    expect(r.stdout).toMatch(
      new RegExp(`web\\s+move\\s+unverified\\s+${PRIMARY}\\s+${BACKUP}\\s+ops\\s+manual failover`),
    );

    const bad = await havip(['history', '--limit', '0', '--endpoint', endpoint]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--limit must be a whole number from 1 to 500');
  });

  it('heartbeat shows what the instance holds', async () => {
    const holder = await havip(['heartbeat', PRIMARY, '--sequence', '7', '--endpoint', endpoint]);
    expect(holder.code).toBe(0);
    expect(holder.stdout).toContain(`${PRIMARY}: heartbeat accepted (groups: web)`);
    expect(holder.stdout).toMatch(new RegExp(`^holds: web ${HAVIP} \\d+\\.\\d+\\.\\d+\\.\\d+$`, 'm'));
    const backup = await havip(['heartbeat', BACKUP, '--endpoint', endpoint]);
    expect(backup.stdout).toContain('holds: nothing');
  });
});

describe('credentials and connectivity', () => {
  it('exits 2 without a token, saying which variable to set', async () => {
    const r = await havip(['status', '--endpoint', endpoint], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[auth.missing, HTTP 401]');
    expect(r.stderr).toContain('hint: set HAVIP_API_TOKEN');
  });

  it('exits 2 with a wrong token', async () => {
    const r = await havip(['failover', 'web', '--reason', 'x', '--endpoint', endpoint], {
      HAVIP_API_TOKEN: 'not-the-token-0123456789',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[auth.invalid-token, HTTP 401]');
    expect(r.stderr).not.toContain('not-the-token');
    expect(bound()).toEqual([PRIMARY]);
  });

  it('signs with HMAC when HAVIP_HMAC_KEY_ID and HAVIP_HMAC_SECRET are set', async () => {
    const r = await havip(['failover', 'web', '--reason', 'signed', '--endpoint', endpoint], {
      HAVIP_HMAC_KEY_ID: HMAC_ID,
      HAVIP_HMAC_SECRET: HMAC_SECRET,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`requested by ${HMAC_ID}: signed`);
    expect(bound()).toEqual([BACKUP]);
  });

  it('a viewer credential reads the status but a failover exits 2 with the role named and a hint', async () => {
    const VIEWER = 'viewer-token-0123456789abc';
    app = createHttpApp({
      service: world.service,
      auth: { tokens: [{ name: 'dash', token: VIEWER, role: 'viewer' }], hmacKeys: [] },
      logger: world.logger,
      clock: world.clock,
    });
    expect((await havip(['status', 'web', '--endpoint', endpoint], { HAVIP_API_TOKEN: VIEWER })).code).toBe(
      0,
    );
    const r = await havip(['failover', 'web', '--reason', 'x', '--endpoint', endpoint], {
      HAVIP_API_TOKEN: VIEWER,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('has the viewer role, which may not use POST /v1/groups/:name/failover');
    expect(r.stderr).toContain('[auth.forbidden, HTTP 403]');
    expect(r.stderr).toContain('hint: this credential');
    expect(bound()).toEqual([PRIMARY]);
  });

  it('exits 2 with "connection refused" and a hint when nothing listens', async () => {
    const closed = createAdaptorServer({ fetch: () => new Response('') });
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const r = await havip(['status', '--endpoint', `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `cannot reach http://127.0.0.1:${port}: connection refused — is \`npm start\` running?`,
    );
  });

  it('exits 2 for an endpoint that is not an http URL', async () => {
    const r = await havip(['status', '--endpoint', 'ftp://127.0.0.1:21']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('must start with http:// or https://');
  });
});
