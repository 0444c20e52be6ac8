import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { linuxDataPlane, simulatorDataPlane } from '../../../shared/agent/dataplane.js';
import {
  startTencentSimulatorOnWire,
  type TencentSimulatorOnWire,
} from '../../../shared/app/simulated-runtime.js';
import { loadTopology } from '../../../shared/core/config.js';
import { type FakeNetwork, fakeNetwork } from '../../support/recorders/index.js';
import { createWorld, HAVIP, PRIMARY, type World } from '../../support/world.js';

describe('linux data plane (on the ip/arping recorders)', () => {
  let dir: string;
  let net: FakeNetwork;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'havip-dp-'));
    net = await fakeNetwork(dir);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reads the default-route interface, and none without a default route', async () => {
    expect(await linuxDataPlane({ env: net.env() }).defaultInterface()).toBe('eth0');
    expect(
      await linuxDataPlane({ env: net.env({ HAVIP_SHIM_DEFAULT_DEV: 'none' }) }).defaultInterface(),
    ).toBeUndefined();
  });

  it('compares addresses exactly: 10.0.0.1 is not 10.0.0.10', async () => {
    await net.configure('eth0', '10.0.0.10/32');
    const dp = linuxDataPlane({ env: net.env() });
    expect(await dp.isConfigured('10.0.0.1', 'eth0')).toBe(false);
    expect(await dp.isConfigured('10.0.0.10', 'eth0')).toBe(true);
  });

  it('adds and removes /32 addresses, and says what the tool said when it fails', async () => {
    const dp = linuxDataPlane({ env: net.env() });
    await dp.add('10.0.0.5', 'eth0');
    expect(await net.addresses()).toEqual(['eth0 10.0.0.5/32']);
    await expect(dp.add('10.0.0.5', 'eth0')).rejects.toThrow(
      /ip addr add 10\.0\.0\.5\/32 dev eth0: RTNETLINK answers: File exists/,
    );
    await dp.remove('10.0.0.5', 'eth0');
    expect(await net.addresses()).toEqual([]);
  });
});

describe('simulator data plane', () => {
  let world: World;
  beforeEach(async () => {
    world = await createWorld();
  });
  afterEach(() => world.close());

  it('keeps addresses in memory and announces to the simulator, which names the announcer master', async () => {
    const address = world.sim.haVip(HAVIP)!.ipAddress!;
    const dp = simulatorDataPlane(world.server.url, PRIMARY);
    expect(await dp.defaultInterface()).toBe('eth0');
    await dp.add(address, 'eth0');
    expect(await dp.isConfigured(address, 'eth0')).toBe(true);
    expect(dp.addresses()).toEqual([`eth0 ${address}/32`]);
    expect(await dp.announce(address, 'eth0', 5)).toBe('announced to the simulator');
    expect(world.sim.haVip(HAVIP)?.masterInstanceId).toBe(PRIMARY);
    await dp.remove(address, 'eth0');
    expect(dp.addresses()).toEqual([]);
  });
});

describe('simulator data plane on the Tencent simulator', () => {
  const [A, B, HAVIP_ID] = ['ins-demoweb1', 'ins-demoweb2', 'havip-demoweb1'];
  let wire: TencentSimulatorOnWire;
  beforeEach(async () => {
    const file = new URL('../../../examples/tencent/topology.yaml', import.meta.url);
    const { topology } = loadTopology(readFileSync(file, 'utf8'), { source: 'example' });
    wire = await startTencentSimulatorOnWire(topology, { attach: 'highest', transitionDelayMs: 0 });
  });
  afterEach(() => wire?.close());

  it('an agent’s announcement moves InstanceId only from inside the drift scope', async () => {
    const { sim, server, api } = wire;
    const vip = sim.haVip(HAVIP_ID)!.vip;
    const agentB = simulatorDataPlane(server.url, B);
    await agentB.announce(vip, 'eth0', 1);
    expect(sim.haVip(HAVIP_ID)?.holder?.instanceId).toBe(A); // B is outside the scope: ignored

    await api.associateHaVipInstances({
      regionId: 'ap-guangzhou',
      associations: [{ haVipId: HAVIP_ID, instanceId: B, instanceType: 'CVM' }],
    });
    await agentB.announce(vip, 'eth0', 1);
    expect(sim.haVip(HAVIP_ID)?.holder?.instanceId).toBe(B);
    expect(sim.servingInstance(HAVIP_ID)).toBe(B);
  });
});
