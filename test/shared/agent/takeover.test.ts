/**
 * The data-plane duty: heartbeats to the real HTTP API over the simulator, and the takeover they drive,
 * with the `linux` data plane running the `ip`/`arping` recorders of test/support/recorders (a fake
 * address table per host) — the rules of the former shell agent, kept.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../../shared/adapters/logger/index.js';
import { type DataPlane, linuxDataPlane } from '../../../shared/agent/dataplane.js';
import { type ApiCredentials, HeartbeatLoop } from '../../../shared/agent/heartbeat.js';
import { Takeover } from '../../../shared/agent/takeover.js';
import { createHttpApp, type HttpEnv } from '../../../shared/app/http/app.js';
import { FakeTimers } from '../../support/fake-timers.js';
import { AUTH, HMAC_ID, HMAC_SECRET, TOKEN } from '../../support/http.js';
import { type FakeNetwork, fakeNetwork } from '../../support/recorders/index.js';
import { BACKUP, createWorld, HAVIP, PRIMARY, type World } from '../../support/world.js';

let world: World;
let app: Hono<HttpEnv>;
let endpoint: string;
let dir: string;
let address: string;
const server = createAdaptorServer({ fetch: (req: Request) => app.fetch(req) });

let stubReply = { status: 503, body: '' };
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
  address = world.sim.haVip(HAVIP)!.ipAddress!;
});
afterEach(async () => {
  await world.close();
  await rm(dir, { recursive: true, force: true });
});

interface Host {
  readonly net: FakeNetwork;
  readonly timers: FakeTimers;
  readonly logger: ReturnType<typeof createMemoryLogger>;
  /** One beat and the takeover it calls for; resolves with the ip/arping calls it made. */
  beat(opts?: {
    endpoint?: string;
    env?: Record<string, string>;
    credentials?: ApiCredentials;
    instanceId?: string;
  }): Promise<string[]>;
  /** A new agent process on the same host (same state directory). */
  restart(): Host;
}

/** The linux data plane with the recorder settings of the current beat. */
const perBeat = (current: () => DataPlane): DataPlane => ({
  defaultInterface: () => current().defaultInterface(),
  isConfigured: (a, d) => current().isConfigured(a, d),
  add: (a, d) => current().add(a, d),
  remove: (a, d) => current().remove(a, d),
  announce: (a, d, n) => current().announce(a, d, n),
});

let seq = Date.now();
async function host(
  name: string,
  instanceId: string,
  takeoverOpts: { interface?: string; refreshMs?: number; garpCount?: number } = {},
): Promise<Host> {
  const net = await fakeNetwork(join(dir, name, 'net'));
  const make = (): Host => {
    const timers = new FakeTimers(Date.now());
    const logger = createMemoryLogger();
    let env: Record<string, string> = {};
    const takeover = new Takeover({
      dataPlane: perBeat(() => linuxDataPlane({ env: net.env(env) })),
      interface: takeoverOpts.interface,
      garpCount: takeoverOpts.garpCount ?? 5,
      refreshMs: takeoverOpts.refreshMs ?? 60_000,
      stateDirectory: join(dir, name, 'state'),
      timers,
      logger,
    });
    return {
      net,
      timers,
      logger,
      restart: make,
      async beat(o = {}) {
        env = o.env ?? {};
        const before = (await net.commands()).length;
        const loop = new HeartbeatLoop({
          instanceId: o.instanceId ?? instanceId,
          api: {
            endpoint: o.endpoint ?? endpoint,
            credentials: o.credentials ?? { kind: 'bearer', token: TOKEN },
            timeoutMs: 5_000,
            now: Date.now,
          },
          normalMs: 5_000,
          fastMs: 500,
          fastForMs: 20_000,
          nextSequence: () => ++seq,
          timers,
          logger,
          takeover,
        });
        await loop.beatOnce();
        await takeover.settled();
        return (await net.commands()).slice(before);
      },
    };
  };
  return make();
}

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

describe('takeover, as holder', () => {
  it('configures the held address as /32 on the default-route interface, announces it, and remembers it added it', async () => {
    const primary = await host('primary', PRIMARY);
    const commands = await primary.beat();
    expect(mutations(commands)).toEqual([added(address), garp(address)]);
    expect(commands).toContain('ip -4 route show default');
    expect(await primary.net.addresses()).toEqual([`eth0 ${address}/32`]);
    expect(primary.logger.find(`configured ${address}/32 on eth0`)).toHaveLength(1);
    expect(primary.logger.find(`announced ${address} on eth0 (gratuitous ARP x5)`)).toHaveLength(1);
    expect(JSON.parse(await readFile(join(dir, 'primary', 'state', 'owned.json'), 'utf8'))).toEqual([
      { address, dev: 'eth0' },
    ]);
  });

  it('does nothing on the network as a non-holder that never held anything', async () => {
    const backup = await host('backup', BACKUP);
    expect(await backup.beat()).toEqual([]);
  });

  it('neither configures nor announces again within the refresh interval, and re-announces after it', async () => {
    const primary = await host('primary', PRIMARY);
    await primary.beat();
    await primary.timers.advance(59_000);
    expect(await primary.beat()).toEqual(['ip -4 -o addr show dev eth0']);
    await primary.timers.advance(1_000);
    expect(mutations(await primary.beat())).toEqual([garp(address)]);
  });

  it('puts the address back and announces when someone removed it while held', async () => {
    const primary = await host('primary', PRIMARY);
    await primary.beat();
    await primary.net.clearAddresses();
    expect(mutations(await primary.beat())).toEqual([added(address), garp(address)]);
  });

  it('uses the configured interface instead of the default route', async () => {
    const primary = await host('primary', PRIMARY, { interface: 'eth1' });
    const commands = await primary.beat();
    expect(commands).not.toContain('ip -4 route show default');
    expect(mutations(commands)).toEqual([added(address, 'eth1'), garp(address, 'eth1')]);
  });

  it('falls back to ARP replies (arping -A) when arping -U fails', async () => {
    const primary = await host('primary', PRIMARY, { garpCount: 3 });
    const commands = await primary.beat({ env: { HAVIP_SHIM_ARPING_NO_U: '1' } });
    expect(mutations(commands)).toEqual([
      added(address),
      `arping -U -c 3 -I eth0 ${address}`,
      `arping -A -c 3 -I eth0 ${address}`,
    ]);
    expect(primary.logger.find(`announced ${address} on eth0 (ARP reply x3, arping -U failed)`)).toHaveLength(
      1,
    );
  });

  it('announces, but never adds or removes, an address configured by someone else', async () => {
    const primary = await host('primary', PRIMARY);
    await primary.net.configure('eth0', `${address}/32`);
    expect(mutations(await primary.beat())).toEqual([garp(address)]);
    await moveTo(BACKUP);
    expect(mutations(await primary.beat())).toEqual([]);
    expect(
      primary.logger.find(`no longer holds ${address}; left it on eth0 (not configured by havip-agent)`),
    ).toHaveLength(1);
    expect(await primary.net.addresses()).toEqual([`eth0 ${address}/32`]);
  });
});

describe('takeover, across a failover', () => {
  it('the old holder withdraws the address and the new holder configures and announces it', async () => {
    const primary = await host('primary', PRIMARY);
    const backup = await host('backup', BACKUP);
    await primary.beat();
    await backup.beat();
    await moveTo(BACKUP);
    expect(mutations(await primary.beat())).toEqual([removed(address)]);
    expect(await primary.net.addresses()).toEqual([]);
    expect(mutations(await backup.beat())).toEqual([added(address), garp(address)]);
    await moveTo(PRIMARY);
    expect(mutations(await backup.beat())).toEqual([removed(address)]);
    expect(mutations(await primary.beat())).toEqual([added(address), garp(address)]);
  });

  it('a restarted agent still withdraws the address it added before the restart', async () => {
    const primary = await host('primary', PRIMARY);
    await primary.beat();
    await moveTo(BACKUP);
    expect(mutations(await primary.restart().beat())).toEqual([removed(address)]);
  });

  it('removes the address from the interface it was added on, even if the default route moved', async () => {
    const primary = await host('primary', PRIMARY);
    await primary.beat();
    await moveTo(BACKUP);
    expect(mutations(await primary.beat({ env: { HAVIP_SHIM_DEFAULT_DEV: 'eth1' } }))).toEqual([
      removed(address, 'eth0'),
    ]);
  });

  it('keeps the address and retries on the next beat when removing it fails', async () => {
    const primary = await host('primary', PRIMARY);
    await primary.beat();
    await moveTo(BACKUP);
    expect(mutations(await primary.beat({ env: { HAVIP_SHIM_FAIL: 'del' } }))).toEqual([removed(address)]);
    expect(
      primary.logger.find(`cannot remove ${address}/32 from eth0; will retry on the next beat`),
    ).toHaveLength(1);
    expect(await primary.net.addresses()).toEqual([`eth0 ${address}/32`]);
    expect(mutations(await primary.beat())).toEqual([removed(address)]);
    expect(await primary.net.addresses()).toEqual([]);
  });

  it('signs heartbeats with HMAC as well', async () => {
    const primary = await host('primary', PRIMARY);
    const commands = await primary.beat({
      credentials: { kind: 'hmac', keyId: HMAC_ID, secret: HMAC_SECRET },
    });
    expect(mutations(commands)).toEqual([added(address), garp(address)]);
    const access = world.logger.entries.find(
      (e) => e.msg === 'http request' && e.fields.path === '/v1/heartbeats',
    );
    expect(access?.fields).toMatchObject({ principal: HMAC_ID, scheme: 'hmac', status: 200 });
  });
});

describe('takeover, when the heartbeat does not give an answer to act on', () => {
  const unreachable = async () => {
    const s = createServer();
    const url = await listen(s);
    await close(s);
    return url;
  };
  const stubbed = (status: number, body: string) => async () => {
    stubReply = { status, body };
    return { endpoint: stubEndpoint };
  };

  it.each<{ name: string; beat: () => Promise<Parameters<Host['beat']>[0]>; says: RegExp }>([
    {
      name: 'the API answers 503',
      beat: stubbed(503, '{"error":{"code":"unavailable"}}'),
      says: /no usable heartbeat reply \(http=503\)/,
    },
    {
      name: 'the API is unreachable',
      beat: async () => ({ endpoint: await unreachable() }),
      says: /heartbeat not delivered/,
    },
    {
      name: 'the token is refused',
      beat: async () => ({ credentials: { kind: 'bearer', token: 'wrong-token-0123456789abc' } }),
      says: /no usable heartbeat reply \(http=401\)/,
    },
    {
      name: 'the instance is not in the topology',
      beat: async () => ({ instanceId: 'i-bp1test0000000000099' }),
      says: /is not in the topology: holds nothing/,
    },
    {
      name: 'a 200 without a "holds" array',
      beat: stubbed(200, '{"accepted":true}'),
      says: /unusable heartbeat reply \(holds: /,
    },
    {
      name: 'a 200 holding something that is not an IPv4 address',
      beat: stubbed(
        200,
        '{"accepted":true,"holds":[{"group":"web","haVipId":"h","address":"1.2.3.4/0 dev lo"}]}',
      ),
      says: /unusable heartbeat reply/,
    },
    {
      name: 'a 200 holding an address with a leading zero',
      beat: stubbed(
        200,
        '{"accepted":true,"holds":[{"group":"web","haVipId":"h","address":"192.168.0.010"}]}',
      ),
      says: /unusable heartbeat reply/,
    },
  ])('changes nothing when $name', async ({ beat, says }) => {
    const primary = await host('primary', PRIMARY);
    await primary.beat();
    const owned = await readFile(join(dir, 'primary', 'state', 'owned.json'), 'utf8');
    expect(mutations(await primary.beat(await beat()))).toEqual([]);
    expect(primary.logger.entries.some((e) => says.test(e.msg))).toBe(true);
    expect(await primary.net.addresses()).toEqual([`eth0 ${address}/32`]);
    expect(await readFile(join(dir, 'primary', 'state', 'owned.json'), 'utf8')).toBe(owned);
  });

  it('acts on every distinct held address, and withdraws only the one it lost', async () => {
    const primary = await host('primary', PRIMARY);
    stubReply = {
      status: 200,
      body: JSON.stringify({
        accepted: true,
        holds: [
          { group: 'web', haVipId: 'havip-a', address: '192.168.0.200' },
          { group: 'db', haVipId: 'havip-b', address: '192.168.0.201' },
          { group: 'dup', haVipId: 'havip-a', address: '192.168.0.200' },
        ],
      }),
    };
    const commands = await primary.beat({ endpoint: stubEndpoint });
    expect(mutations(commands).sort()).toEqual(
      [added('192.168.0.200'), added('192.168.0.201'), garp('192.168.0.200'), garp('192.168.0.201')].sort(),
    );
    stubReply = {
      status: 200,
      body: '{"accepted":true,"holds":[{"group":"db","haVipId":"havip-b","address":"192.168.0.201"}]}',
    };
    expect(mutations(await primary.beat({ endpoint: stubEndpoint }))).toEqual([removed('192.168.0.200')]);
  });
});

describe('takeover, failures', () => {
  it('without a default route and interface, configures nothing; takes over once the route is back', async () => {
    const primary = await host('primary', PRIMARY);
    expect(mutations(await primary.beat({ env: { HAVIP_SHIM_DEFAULT_DEV: 'none' } }))).toEqual([]);
    expect(
      primary.logger.find('no default route to pick the interface from: set takeover.interface'),
    ).toHaveLength(1);
    expect(mutations(await primary.beat())).toEqual([added(address), garp(address)]);
  });

  it('retries configuring on the next beat when it fails', async () => {
    const primary = await host('primary', PRIMARY);
    expect(mutations(await primary.beat({ env: { HAVIP_SHIM_FAIL: 'add' } }))).toEqual([added(address)]);
    expect(
      primary.logger.find(`cannot configure ${address}/32 on eth0; will retry on the next beat`),
    ).toHaveLength(1);
    expect(mutations(await primary.beat())).toEqual([added(address), garp(address)]);
  });

  it('announces again on the next beat when an announcement fails', async () => {
    const primary = await host('primary', PRIMARY);
    await primary.beat({ env: { HAVIP_SHIM_ARPING_FAIL: '1' } });
    expect(primary.logger.find(/cannot announce/)).toHaveLength(1);
    expect(mutations(await primary.beat())).toEqual([garp(address)]);
  });
});

describe('takeover, end to end with the simulated VPC', () => {
  it('after a failover the VPC serves the new holder only once its agent has announced', async () => {
    const announcing = (instance: string) => ({
      HAVIP_SHIM_ANNOUNCE_URL: world.server.url,
      HAVIP_SHIM_INSTANCE: instance,
    });
    const master = () => world.sim.haVip(HAVIP)?.masterInstanceId;
    const primary = await host('primary', PRIMARY);
    const backup = await host('backup', BACKUP);
    await primary.beat({ env: announcing(PRIMARY) });
    expect(master()).toBe(PRIMARY);
    await moveTo(BACKUP);
    expect(master()).toBeUndefined();
    expect(mutations(await primary.beat({ env: announcing(PRIMARY) }))).toEqual([removed(address)]);
    expect(master()).toBeUndefined();
    await backup.beat({ env: announcing(BACKUP) });
    expect(master()).toBe(BACKUP);
  });
});
