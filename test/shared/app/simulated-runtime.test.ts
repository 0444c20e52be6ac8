/**
 * The one assembly of a simulated runtime: both transports drive the same simulator to the same result, a
 * `fresh` store file starts empty, and close stops what the assembly started while shared parts stay up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../../shared/adapters/logger/index.js';
import { createSqliteStore } from '../../../shared/adapters/sqlite/index.js';
import {
  assembleSimulatedRuntime,
  type SimulatedRuntime,
  type SimulatedRuntimeOptions,
  startSimulatedRuntime,
} from '../../../shared/app/simulated-runtime.js';
import { loadTopology } from '../../../shared/core/config.js';
import { groupName } from '../../../shared/core/model.js';
import { BACKUP, FAST_ENGINE, HAVIP, PAIR_YAML, PRIMARY, RecordingNotifier } from '../../support/world.js';

const dir = mkdtempSync(join(tmpdir(), 'havip-simulated-runtime-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { topology } = loadTopology(PAIR_YAML);

function options(overrides: Partial<SimulatedRuntimeOptions> = {}): SimulatedRuntimeOptions {
  return {
    topology,
    simulator: { attach: 'highest', transitionDelayMs: 0, randomSeed: 7 },
    runtime: {
      notifier: new RecordingNotifier(),
      logger: createMemoryLogger(),
      random: () => 0.5,
      engineOptions: FAST_ENGINE,
    },
    ...overrides,
  };
}

const failover = (world: SimulatedRuntime) =>
  world.runtime.service.failover('web', { reason: 'test', actor: 'ops', invocationId: 'inv-1' });

describe('simulated runtime', () => {
  it('over HTTP and in-process, a manual failover moves the HaVip in the simulator the same way', async () => {
    const http = await startSimulatedRuntime(options());
    const inProcess = assembleSimulatedRuntime(options());
    try {
      for (const world of [http, inProcess]) {
        expect(world.sim.haVip(HAVIP)?.associatedInstances).toEqual([PRIMARY]);
        const r = await failover(world);
        expect(r.status).toBe('unverified');
        await world.sim.settle();
        expect(world.sim.haVip(HAVIP)?.associatedInstances).toEqual([BACKUP]);
      }
      expect(http.server.endpoint).toMatch(/^127\.0\.0\.1:\d+$/);
      // The same mutations reached each simulator (describe polls depend on timing).
      for (const world of [http, inProcess])
        expect(world.sim.stats().calls).toMatchObject({ AssociateHaVip: 1, UnassociateHaVip: 1 });
    } finally {
      await http.close();
      await inProcess.close();
    }
  });

  it('a fresh store file starts empty; without fresh the same file keeps its history', async () => {
    const path = join(dir, 'nested', 'state.sqlite');
    const first = await startSimulatedRuntime(options({ store: { sqlitePath: path, fresh: true } }));
    await failover(first);
    await first.close();

    const kept = await startSimulatedRuntime(options({ store: { sqlitePath: path } }));
    expect(await kept.runtime.service.history({ limit: 10 })).toHaveLength(1);
    await kept.close();

    const fresh = await startSimulatedRuntime(options({ store: { sqlitePath: path, fresh: true } }));
    expect(await fresh.runtime.service.history({ limit: 10 })).toEqual([]);
    await fresh.close();
  });

  it('close stops the simulator server and its own store, but leaves a shared store and simulator running', async () => {
    const shared = createSqliteStore({ path: ':memory:' });
    const owner = await startSimulatedRuntime(options());
    const second = await startSimulatedRuntime(
      options({ simulator: { running: owner.sim }, store: { shared } }),
    );
    expect(second.sim).toBe(owner.sim);
    const endpoint = second.server.url;
    await second.close();

    await expect(fetch(`${endpoint}/__admin/state`)).rejects.toThrow();
    // The shared store still answers, and the simulator still serves its owner.
    expect(await shared.getLease(groupName('web'))).toBeUndefined();
    expect(await failover(owner)).toMatchObject({ status: 'unverified' });
    await owner.close();
    await expect(owner.store.getLease(groupName('web'))).rejects.toThrow();
    await shared.close();
  });
});
