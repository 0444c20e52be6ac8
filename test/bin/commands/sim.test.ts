/**
 * `havip sim`: what it serves for each kind of seed file, and what it prints.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSim, startSim } from '../../../bin/commands/sim.js';
import { ConfigError, InvalidInputError } from '../../../shared/core/errors.js';
import { $Vpc, expectAliError, sdkClients, TEST_AK, testSeed } from '../../support/simulator.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'havip-sim-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(
  seedFile: string | undefined,
  attach: 'highest' | 'none' = 'highest',
): Promise<{ sim: RunningSim; lines: string[] }> {
  const lines: string[] = [];
  const sim = await startSim(
    { port: 0, transitionMs: 0, attach, ...(seedFile === undefined ? {} : { seedFile }) },
    (l) => lines.push(l),
  );
  return { sim, lines };
}

describe('havip sim', () => {
  it('serves the demo world without --seed and prints the endpoint and an SDK config', async () => {
    const { sim, lines } = await run(undefined);
    try {
      expect(lines[0]).toContain(sim.server.url);
      expect(lines.join('\n')).toContain(
        `endpoint: '${sim.server.endpoint}', protocol: 'http', regionId: 'cn-hangzhou'`,
      );
      expect(sim.cloud.haVip('havip-bp1demoweb')?.masterInstanceId).toBe('i-bp1demo0000000000001');
      sim.cloud.stopInstance('i-bp1demo0000000000002');
      expect(lines.at(-1)).toMatch(/^event \S+ i-bp1demo0000000000002 Stopping$/);
    } finally {
      await sim.close();
    }
  });

  it('turns a topology file into the world that makes it valid (attach highest or none)', async () => {
    const file = join(dir, 'topology.yaml');
    await writeFile(
      file,
      [
        'region: cn-beijing',
        'groups:',
        '  - name: api',
        '    vSwitchId: vsw-api',
        '    haVipId: havip-api',
        '    members:',
        '      - { id: i-api1, priority: 10, ip: 10.9.0.1 }',
        '      - { id: i-api2, priority: 90, ip: 10.9.0.2 }',
      ].join('\n'),
    );
    const bound = await run(file, 'highest');
    try {
      expect(bound.sim.cloud.haVip('havip-api')).toMatchObject({
        associatedInstances: ['i-api2'],
        masterInstanceId: 'i-api2',
      });
      expect(bound.sim.cloud.instance('i-api1')).toMatchObject({
        regionId: 'cn-beijing',
        privateIp: '10.9.0.1',
        status: 'Running',
      });
    } finally {
      await bound.sim.close();
    }
    const unbound = await run(file, 'none');
    try {
      expect(unbound.sim.cloud.haVip('havip-api')?.associatedInstances).toEqual([]);
    } finally {
      await unbound.sim.close();
    }
  });

  it('serves a seed JSON file as is, with its AccessKey enforced', async () => {
    const file = join(dir, 'seed.json');
    await writeFile(file, JSON.stringify(testSeed()));
    const { sim, lines } = await run(file);
    try {
      expect(lines.join('\n')).toContain(`accessKeyId: '${TEST_AK.id}'`);
      expect(lines.join('\n')).not.toContain(TEST_AK.secret);
      const { vpc } = sdkClients(sim.server.endpoint);
      const r = await vpc.describeHaVips(new $Vpc.DescribeHaVipsRequest({ regionId: 'cn-hangzhou' }));
      expect(r.body?.totalCount).toBe(4);
      const wrong = sdkClients(sim.server.endpoint, { accessKeySecret: 'not-the-secret' });
      await expectAliError(
        wrong.vpc.describeHaVips(new $Vpc.DescribeHaVipsRequest({ regionId: 'cn-hangzhou' })),
        'SignatureDoesNotMatch',
      );
    } finally {
      await sim.close();
    }
  });

  it('refuses an invalid topology or seed with the input error', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'region: cn-hangzhou\ngroups: []\n');
    await expect(run(bad)).rejects.toBeInstanceOf(ConfigError);
    const badSeed = join(dir, 'bad-seed.json');
    await writeFile(
      badSeed,
      JSON.stringify({ regions: [{ regionId: 'cn-hangzhou', vpcs: [], instances: [{ instanceId: 'x' }] }] }),
    );
    await expect(run(badSeed)).rejects.toBeInstanceOf(InvalidInputError);
  });
});
