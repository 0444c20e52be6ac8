/**
 * The host agent's data-plane takeover: examples/agent/havip-agent.sh against the real HTTP API over the
 * simulator, with `ip` and `arping` replaced by recorders that keep a fake address table per host.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpApp, type HttpEnv } from '../../../shared/app/http/app.js';
import { AUTH, TOKEN } from '../../support/http.js';
import { type AgentHost, agentHost, RECORDERS } from '../../support/recorders/index.js';
import { BACKUP, createWorld, HAVIP, PRIMARY, type World } from '../../support/world.js';

let world: World;
let app: Hono<HttpEnv>;
let endpoint: string;
let dir: string;
let primary: AgentHost;
let backup: AgentHost;
let address: string;
const server = createAdaptorServer({ fetch: (req: Request) => app.fetch(req) });

/** A stand-in API that answers every request with whatever the test sets. */
let stubReply: { status: number; body: string } = { status: 503, body: '' };
const stub: Server = createServer((req, res) => {
  req.resume();
  req.on('end', () =>
    res.writeHead(stubReply.status, { 'content-type': 'application/json' }).end(stubReply.body),
  );
});
let stubEndpoint: string;

const listen = async (s: Server) => {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
};
const close = (s: Server) => new Promise<void>((resolve) => s.close(() => resolve()));

beforeAll(async () => {
  endpoint = await listen(server as unknown as Server);
  stubEndpoint = await listen(stub);
});
afterAll(async () => {
  await close(server as unknown as Server);
  await close(stub);
});
beforeEach(async () => {
  world = await createWorld();
  app = createHttpApp({ service: world.service, auth: AUTH, logger: world.logger, clock: world.clock });
  dir = await mkdtemp(join(tmpdir(), 'havip-takeover-'));
  primary = await agentHost(join(dir, 'primary'), {
    HAVIP_ENDPOINT: endpoint,
    HAVIP_API_TOKEN: TOKEN,
    INSTANCE_ID: PRIMARY,
  });
  backup = await agentHost(join(dir, 'backup'), {
    HAVIP_ENDPOINT: endpoint,
    HAVIP_API_TOKEN: TOKEN,
    INSTANCE_ID: BACKUP,
  });
  const ip = world.sim.haVip(HAVIP)?.ipAddress;
  if (ip === undefined) throw new Error('the seeded HaVip has no address');
  address = ip;
});
afterEach(async () => {
  await world.close();
  await rm(dir, { recursive: true, force: true });
});

const added = (a: string, dev = 'eth0') => `ip addr add ${a}/32 dev ${dev}`;
const removed = (a: string, dev = 'eth0') => `ip addr del ${a}/32 dev ${dev}`;
const garp = (a: string, dev = 'eth0') => `arping -U -c 5 -I ${dev} ${a}`;
const mutations = (commands: readonly string[]) =>
  commands.filter((c) => c.startsWith('ip addr ') || c.startsWith('arping '));

async function moveTo(to: string) {
  const r = await world.service.failover('web', {
    to,
    reason: 'test',
    actor: 'ops',
    invocationId: `test-${to}`,
  });
  expect(r.decision?.kind).toBe('move');
  expect(world.sim.haVip(HAVIP)?.associatedInstances).toEqual([to]);
}

describe('havip-agent.sh takeover, as holder', () => {
  it('configures the held address as /32 on the default-route interface and announces it', async () => {
    const r = await primary.run();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(mutations(r.commands)).toEqual([added(address), garp(address)]);
    expect(r.commands).toContain('ip -4 route show default');
    expect(await primary.addresses()).toEqual([`eth0 ${address}/32`]);
    expect(r.stdout).toContain(`configured ${address}/32 on eth0\n`);
    expect(r.stdout).toContain(`announced ${address} on eth0 (gratuitous ARP x5)\n`);
    expect(await readFile(join(primary.stateDir, 'owned'), 'utf8')).toBe(`${address} eth0\n`);
  });

  it('does nothing on the network as a non-holder that never held anything', async () => {
    const r = await backup.run();
    expect(r.code).toBe(0);
    expect(r.commands).toEqual([]);
    expect(await backup.addresses()).toEqual([]);
  });

  it('neither configures nor announces again within the refresh interval', async () => {
    await primary.run();
    const again = await primary.run();
    expect(again.code).toBe(0);
    expect(mutations(again.commands)).toEqual([]);
    expect(again.commands).toEqual([`ip -4 -o addr show dev eth0`]);
    expect(again.stdout).not.toMatch(/configured|announced/);
    expect(await primary.addresses()).toEqual([`eth0 ${address}/32`]);
  });

  it.each<{ name: string; env: Record<string, string>; age: number }>([
    {
      name: 'a refresh interval of 0 announces on every beat',
      env: { HAVIP_GARP_REFRESH_SECONDS: '0' },
      age: 0,
    },
    { name: 'the default 60 s interval has passed', env: {}, age: 61 },
    { name: 'a custom interval has passed', env: { HAVIP_GARP_REFRESH_SECONDS: '5' }, age: 5 },
  ])('re-announces, without configuring again, when $name', async ({ env, age }) => {
    await primary.run(env);
    const stamp = join(primary.stateDir, `announced.${address}`);
    const last = Number((await readFile(stamp, 'utf8')).trim());
    // Ageing the recorded announcement stands in for waiting.
    await writeFile(stamp, `${last - age}\n`);
    const r = await primary.run(env);
    expect(r.code).toBe(0);
    expect(mutations(r.commands)).toEqual([garp(address)]);
    expect(Number((await readFile(stamp, 'utf8')).trim())).toBeGreaterThanOrEqual(last);
  });

  it('re-announces when the recorded announcement lies in the future (the clock stepped back)', async () => {
    await primary.run();
    const stamp = join(primary.stateDir, `announced.${address}`);
    await writeFile(stamp, `${Number((await readFile(stamp, 'utf8')).trim()) + 3600}\n`);
    expect(mutations((await primary.run()).commands)).toEqual([garp(address)]);
  });

  it('puts the address back and announces when someone removed it while held', async () => {
    await primary.run();
    await writeFile(join(primary.shimDir, 'addrs'), '');
    const r = await primary.run();
    expect(mutations(r.commands)).toEqual([added(address), garp(address)]);
    expect(await primary.addresses()).toEqual([`eth0 ${address}/32`]);
  });

  it('uses HAVIP_INTERFACE instead of the default route', async () => {
    const r = await primary.run({ HAVIP_INTERFACE: 'eth1' });
    expect(r.code).toBe(0);
    expect(r.commands).not.toContain('ip -4 route show default');
    expect(mutations(r.commands)).toEqual([added(address, 'eth1'), garp(address, 'eth1')]);
    expect(r.stdout).toContain(`configured ${address}/32 on eth1`);
  });

  it('falls back to ARP replies (arping -A) when arping -U fails', async () => {
    const r = await primary.run({ HAVIP_SHIM_ARPING_NO_U: '1', HAVIP_GARP_COUNT: '3' });
    expect(r.code).toBe(0);
    expect(mutations(r.commands)).toEqual([
      added(address),
      `arping -U -c 3 -I eth0 ${address}`,
      `arping -A -c 3 -I eth0 ${address}`,
    ]);
    expect(r.stdout).toContain(`announced ${address} on eth0 (ARP reply x3, arping -U failed)`);
  });

  it('announces, but never adds or removes, an address configured by someone else', async () => {
    await primary.configure('eth0', `${address}/32`);
    const held = await primary.run();
    expect(held.code).toBe(0);
    expect(mutations(held.commands)).toEqual([garp(address)]);
    expect(held.stdout).not.toContain('configured');

    await moveTo(BACKUP);
    const demoted = await primary.run();
    expect(demoted.code).toBe(0);
    expect(mutations(demoted.commands)).toEqual([]);
    expect(demoted.stdout).toContain(
      `no longer holds ${address}; left it on eth0 (not configured by havip-agent)`,
    );
    expect(await primary.addresses()).toEqual([`eth0 ${address}/32`]);
  });
});

describe('havip-agent.sh takeover, across a failover', () => {
  it('the old holder withdraws the address and the new holder configures and announces it', async () => {
    await primary.run();
    await backup.run();
    expect(await backup.addresses()).toEqual([]);

    await moveTo(BACKUP);

    const old = await primary.run();
    expect(old.code).toBe(0);
    expect(mutations(old.commands)).toEqual([removed(address)]);
    expect(old.stdout).toContain(`withdrew ${address}/32 from eth0\n`);
    expect(await primary.addresses()).toEqual([]);
    expect(await readFile(join(primary.stateDir, 'owned'), 'utf8')).toBe('');
    expect(await readdir(primary.stateDir)).not.toContain(`announced.${address}`);

    const next = await backup.run();
    expect(next.code).toBe(0);
    expect(mutations(next.commands)).toEqual([added(address), garp(address)]);
    expect(await backup.addresses()).toEqual([`eth0 ${address}/32`]);

    // Moving back makes the old holder a fresh holder again: it configures and announces at once.
    await moveTo(PRIMARY);
    expect(mutations((await backup.run()).commands)).toEqual([removed(address)]);
    expect(mutations((await primary.run()).commands)).toEqual([added(address), garp(address)]);
  });

  it('removes the address from the interface it was added on, even if the default route moved', async () => {
    await primary.run();
    await moveTo(BACKUP);
    const r = await primary.run({ HAVIP_SHIM_DEFAULT_DEV: 'eth1' });
    expect(mutations(r.commands)).toEqual([removed(address, 'eth0')]);
  });

  it('keeps the address and retries when removing it fails', async () => {
    await primary.run();
    await moveTo(BACKUP);
    const failed = await primary.run({ HAVIP_SHIM_FAIL: 'del' });
    expect(failed.code).toBe(3);
    expect(failed.stderr).toContain(`cannot remove ${address}/32 from eth0; will retry on the next beat`);
    expect(await primary.addresses()).toEqual([`eth0 ${address}/32`]);

    const retried = await primary.run();
    expect(retried.code).toBe(0);
    expect(mutations(retried.commands)).toEqual([removed(address)]);
    expect(await primary.addresses()).toEqual([]);
  });
});

describe('havip-agent.sh takeover, when the heartbeat does not give an answer to act on', () => {
  const unreachable = async () => {
    const s = createServer();
    const url = await listen(s);
    await close(s);
    return url;
  };

  it.each<{ name: string; env: () => Promise<Record<string, string>>; code: number; says: RegExp }>([
    {
      name: 'the API answers 503',
      env: async () => {
        stubReply = { status: 503, body: '{"error":{"code":"unavailable"}}' };
        return { HAVIP_ENDPOINT: stubEndpoint };
      },
      code: 1,
      says: /no usable heartbeat reply \(http=503\): left the addresses as they are/,
    },
    {
      name: 'the cloud fails behind the API',
      env: async () => {
        world.sim.faults.setFailureRate({ probability: 1, action: 'DescribeHaVips' });
        return {};
      },
      code: 1,
      says: /no usable heartbeat reply \(http=5\d\d\): left the addresses as they are/,
    },
    {
      name: 'the API is unreachable',
      env: async () => ({ HAVIP_ENDPOINT: await unreachable() }),
      code: 2,
      says: /cannot reach/,
    },
    {
      name: 'the token is refused',
      env: async () => ({ HAVIP_API_TOKEN: 'wrong-token-0123456789abc' }),
      code: 1,
      says: /no usable heartbeat reply \(http=401\)/,
    },
    {
      name: 'the instance is not in the topology (404)',
      env: async () => ({ INSTANCE_ID: 'i-bp1test0000000000099' }),
      code: 1,
      says: /i-bp1test0000000000099 is not in the topology \(http=404\): holds nothing; left the addresses as they are/,
    },
    {
      name: 'a 200 without a "holds" array',
      env: async () => {
        stubReply = { status: 200, body: '{"accepted":true}' };
        return { HAVIP_ENDPOINT: stubEndpoint };
      },
      code: 3,
      says: /unusable heartbeat reply \(no "holds" array\); left the addresses as they are/,
    },
    {
      name: 'a 200 holding something that is not an IPv4 address',
      env: async () => {
        stubReply = {
          status: 200,
          body: '{"accepted":true,"holds":[{"group":"web","haVipId":"h","address":"1.2.3.4/0 dev lo"}],"groups":["web"]}',
        };
        return { HAVIP_ENDPOINT: stubEndpoint };
      },
      code: 3,
      says: /"1\.2\.3\.4\/0 dev lo" in "holds" is not an IPv4 address/,
    },
    {
      name: 'a 200 holding an address with a leading zero',
      env: async () => {
        stubReply = {
          status: 200,
          body: '{"accepted":true,"holds":[{"group":"web","haVipId":"h","address":"192.168.0.010"}],"groups":["web"]}',
        };
        return { HAVIP_ENDPOINT: stubEndpoint };
      },
      code: 3,
      says: /not an IPv4 address/,
    },
  ])('changes nothing when $name', async ({ env, code, says }) => {
    await primary.run();
    const state = await readFile(join(primary.stateDir, 'owned'), 'utf8');
    const r = await primary.run(await env());
    expect(r.code).toBe(code);
    expect(r.stdout + r.stderr).toMatch(says);
    expect(mutations(r.commands)).toEqual([]);
    expect(await primary.addresses()).toEqual([`eth0 ${address}/32`]);
    expect(await readFile(join(primary.stateDir, 'owned'), 'utf8')).toBe(state);
  });

  it('acts on a pretty-printed reply from a server that spaces its JSON', async () => {
    stubReply = {
      status: 200,
      body: JSON.stringify(
        {
          accepted: true,
          holds: [
            { group: 'web', haVipId: 'havip-a', address: '192.168.0.200' },
            { group: 'db', haVipId: 'havip-b', address: '192.168.0.201' },
            { group: 'dup', haVipId: 'havip-a', address: '192.168.0.200' },
          ],
          groups: ['web', 'db'],
        },
        null,
        2,
      ),
    };
    const r = await primary.run({ HAVIP_ENDPOINT: stubEndpoint });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await primary.addresses()).toEqual(['eth0 192.168.0.200/32', 'eth0 192.168.0.201/32']);
    // Announcements run in parallel: compare as sets.
    expect(mutations(r.commands).sort()).toEqual(
      [added('192.168.0.200'), added('192.168.0.201'), garp('192.168.0.200'), garp('192.168.0.201')].sort(),
    );

    // Losing one of the two withdraws only that one.
    stubReply = {
      status: 200,
      body: '{"accepted":true,"holds":[{"group":"db","haVipId":"havip-b","address":"192.168.0.201"}],"groups":["web","db"]}',
    };
    const after = await primary.run({ HAVIP_ENDPOINT: stubEndpoint });
    expect(mutations(after.commands)).toEqual([removed('192.168.0.200')]);
    expect(await primary.addresses()).toEqual(['eth0 192.168.0.201/32']);
  });
});

describe('havip-agent.sh takeover, failures and settings', () => {
  it('exits 3 without a default route and HAVIP_INTERFACE, after the heartbeat was recorded', async () => {
    const r = await primary.run({ HAVIP_SHIM_DEFAULT_DEV: 'none' });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('no default route to pick the interface from: set HAVIP_INTERFACE');
    expect(mutations(r.commands)).toEqual([]);
    const signals = await world.store.latestSignals([PRIMARY as never]);
    expect(signals.get(PRIMARY as never)?.heartbeat).toBeDefined();
    // Once the route is back, the next beat takes over as a fresh holder.
    expect(mutations((await primary.run()).commands)).toEqual([added(address), garp(address)]);
  });

  it('exits 3 and retries on the next beat when the address cannot be configured', async () => {
    const r = await primary.run({ HAVIP_SHIM_FAIL: 'add' });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`cannot configure ${address}/32 on eth0; will retry on the next beat`);
    expect(mutations(r.commands)).toEqual([added(address)]);
    expect(await readFile(join(primary.stateDir, 'owned'), 'utf8')).toBe('');

    const retried = await primary.run();
    expect(retried.code).toBe(0);
    expect(mutations(retried.commands)).toEqual([added(address), garp(address)]);
  });

  it('exits 3 when every announcement fails, and announces again on the next beat', async () => {
    const r = await primary.run({ HAVIP_SHIM_ARPING_FAIL: '1' });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`cannot announce ${address} on eth0: arping failed`);
    expect(await primary.addresses()).toEqual([`eth0 ${address}/32`]);
    expect(mutations((await primary.run()).commands)).toEqual([garp(address)]);
  });

  it('exits 3 when arping is not installed, with the address configured', async () => {
    // A PATH with the ip recorder but no arping: a directory holding only a link to it.
    const only = join(dir, 'only-ip');
    await mkdir(only);
    await symlink(join(RECORDERS, 'ip'), join(only, 'ip'));
    const r = await primary.run({ PATH: `${only}:/usr/bin:/bin` });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('arping is not installed');
    expect(await primary.addresses()).toEqual([`eth0 ${address}/32`]);
  });

  it('only sends heartbeats with HAVIP_TAKEOVER=off', async () => {
    const r = await primary.run({ HAVIP_TAKEOVER: 'off' });
    expect(r.code).toBe(0);
    expect(r.commands).toEqual([]);
    expect(await primary.addresses()).toEqual([]);
  });

  it.each<{ name: string; env: Record<string, string>; message: RegExp }>([
    {
      name: 'HAVIP_TAKEOVER=yes',
      env: { HAVIP_TAKEOVER: 'yes' },
      message: /HAVIP_TAKEOVER must be on or off/,
    },
    {
      name: 'a refresh that is not a number',
      env: { HAVIP_GARP_REFRESH_SECONDS: '1m' },
      message: /HAVIP_GARP_REFRESH_SECONDS must be a whole number/,
    },
    {
      name: 'a count of 0',
      env: { HAVIP_GARP_COUNT: '0' },
      message: /HAVIP_GARP_COUNT must be a whole number from 1/,
    },
    {
      name: 'an interface name with a space',
      env: { HAVIP_INTERFACE: 'eth0 x' },
      message: /HAVIP_INTERFACE may contain only/,
    },
  ])('exits 2 before the heartbeat with $name', async ({ env, message }) => {
    const r = await primary.run(env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.commands).toEqual([]);
    const signals = await world.store.latestSignals([PRIMARY as never]);
    expect(signals.get(PRIMARY as never)?.heartbeat).toBeUndefined();
  });

  it('reads the takeover settings from the env file', async () => {
    const envFile = join(dir, 'havip-agent.env');
    await writeFile(
      envFile,
      [
        `HAVIP_ENDPOINT=${endpoint}`,
        `HAVIP_API_TOKEN=${TOKEN}`,
        `INSTANCE_ID=${PRIMARY}`,
        `HAVIP_INTERFACE="eth1"`,
        `HAVIP_GARP_COUNT='2'`,
      ].join('\n'),
      { mode: 0o600 },
    );
    const r = await primary.run({ HAVIP_AGENT_ENV: envFile });
    expect(r.code).toBe(0);
    expect(mutations(r.commands)).toEqual([added(address, 'eth1'), `arping -U -c 2 -I eth1 ${address}`]);
  });
});

describe('havip-agent.sh takeover, end to end with the simulated VPC', () => {
  // The arping recorder reports each announcement to the simulator, which stands in for the VPC: it
  // names the announcer MasterInstanceId only while that instance is bound to the HaVip.
  const announcing = (instance: string) => ({
    HAVIP_SHIM_ANNOUNCE_URL: world.server.url,
    HAVIP_SHIM_INSTANCE: instance,
  });
  const master = () => world.sim.haVip(HAVIP)?.masterInstanceId;

  it('after a failover the VPC serves the new holder only once its agent has announced', async () => {
    expect((await primary.run(announcing(PRIMARY))).code).toBe(0);
    expect(master()).toBe(PRIMARY);

    await moveTo(BACKUP);
    // Bound but not announced: the switch is not complete yet.
    expect(master()).toBeUndefined();

    // The demoted holder withdraws; it does not announce, so it cannot become master again.
    expect(mutations((await primary.run(announcing(PRIMARY))).commands)).toEqual([removed(address)]);
    expect(master()).toBeUndefined();

    const r = await backup.run(announcing(BACKUP));
    expect(r.code).toBe(0);
    expect(mutations(r.commands)).toEqual([added(address), garp(address)]);
    expect(master()).toBe(BACKUP);
  });
});
