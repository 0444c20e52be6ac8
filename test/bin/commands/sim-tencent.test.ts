/**
 * `havip sim --cloud tencent`: the world it serves (demo, the example topology, a seed file), the key
 * pair it prints and accepts, and that the official SDK reaches it with what it prints.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningTencentSim, SIM_CMQ_TOPIC, startTencentSim } from '../../../bin/commands/sim-tencent.js';
import { InvalidInputError } from '../../../shared/core/errors.js';
import { sdkClients, sdkFailure, tencentTestSeed } from '../../support/tencent-simulator.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'havip-sim-tencent-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(
  opts: {
    seedFile?: string;
    attach?: 'highest' | 'none';
    credentials?: { secretId: string; secretKey: string };
  } = {},
): Promise<{ sim: RunningTencentSim; lines: string[] }> {
  const lines: string[] = [];
  const sim = await startTencentSim({ port: 0, transitionMs: 0, attach: 'highest', ...opts }, (l) =>
    lines.push(l),
  );
  return { sim, lines };
}

describe('havip sim --cloud tencent', () => {
  it('serves the demo world, prints the key pair it accepts, and the SDK reaches it with that config', async () => {
    const { sim, lines } = await run();
    try {
      const text = lines.join('\n');
      expect(lines[0]).toContain(sim.server.url);
      expect(text).toContain(`SecretId ${sim.credentials.secretId}  SecretKey ${sim.credentials.secretKey}`);
      expect(text).toContain(`endpoint: '${sim.server.endpoint}', protocol: 'http://'`);
      const sdk = sdkClients(sim.server.endpoint, sim.credentials);
      const answer = await sdk.vpc.DescribeHaVips({ HaVipIds: ['havip-demoweb'] });
      expect(answer.HaVipSet?.[0]?.InstanceId).toBe('ins-demoweb1');
      const other = sdkClients(sim.server.endpoint, { ...sim.credentials, secretKey: 'guess' });
      expect((await sdkFailure(other.vpc.DescribeHaVips({}))).code).toBe('AuthFailure.SignatureFailure');
      sim.cloud.stopInstance('ins-demoweb2');
      expect(lines.at(-1)).toMatch(/^event \S+ ins-demoweb2 STOPPING$/);
    } finally {
      await sim.close();
    }
  });

  it("serves the agents' CMQ topic in its region and prints each message published to it", async () => {
    const { sim, lines } = await run();
    try {
      expect(lines.join('\n')).toContain(
        `CMQ topic (PublishCmqMsg, tdmq 2020-02-17): ${SIM_CMQ_TOPIC} in ap-`,
      );
      const sdk = sdkClients(sim.server.endpoint, sim.credentials);
      const answer = await sdk.tdmq.PublishCmqMsg({ TopicName: SIM_CMQ_TOPIC, MsgContent: '{"hello":1}' });
      await sim.cloud.cmq.drain();
      expect(lines.at(-1)).toBe(`cmq ${SIM_CMQ_TOPIC} ${answer.MsgId}: {"hello":1}`);
      const unknown = sdk.tdmq.PublishCmqMsg({ TopicName: 'nobody-listens', MsgContent: 'x' });
      expect((await sdkFailure(unknown)).code).toBe('ResourceNotFound');
    } finally {
      await sim.close();
    }
  });

  it('makes up a different key pair each run, and takes one given', async () => {
    const a = await run();
    const b = await run({ credentials: { secretId: 'AKIDmine', secretKey: 'my-key' } });
    try {
      expect(a.sim.credentials.secretId).toMatch(/^AKIDsim[0-9a-f]{24}$/);
      expect(b.sim.credentials).toEqual({ secretId: 'AKIDmine', secretKey: 'my-key' });
      const sdk = sdkClients(b.sim.server.endpoint, { secretId: 'AKIDmine', secretKey: 'my-key' });
      expect((await sdk.cvm.DescribeInstancesStatus({})).TotalCount).toBe(2);
    } finally {
      await a.sim.close();
      await b.sim.close();
    }
  });

  it('builds the world of the Tencent example topology', async () => {
    const { sim } = await run({ seedFile: 'examples/tencent/topology.yaml' });
    try {
      expect(sim.cloud.haVip('havip-demoweb1')).toMatchObject({
        vpcId: 'vpc-demo0001',
        subnetId: 'subnet-demo0001',
        addressIp: '203.0.113.10',
        checkAssociate: true,
        scope: [{ instanceId: 'ins-demoweb1', type: 'CVM' }],
      });
      expect(sim.cloud.servingInstance('havip-demoweb1')).toBe('ins-demoweb1');
      expect(sim.cloud.instance('ins-demoweb2')).toMatchObject({ privateIp: '10.0.1.12', state: 'RUNNING' });
    } finally {
      await sim.close();
    }
  });

  it('serves a Tencent seed JSON as is', async () => {
    const file = join(dir, 'seed.json');
    await writeFile(file, JSON.stringify(tencentTestSeed()));
    const { sim } = await run({ seedFile: file });
    try {
      expect(sim.cloud.instance('ins-sh1')?.regionId).toBe('ap-shanghai');
    } finally {
      await sim.close();
    }
  });

  it('refuses a topology without Tencent groups, naming the fix', async () => {
    const file = join(dir, 'alibaba.yaml');
    await writeFile(
      file,
      'region: cn-hangzhou\ngroups:\n  - { name: web, vSwitchId: vsw-a, haVipId: havip-a, members: [{ id: i-a, ip: 10.0.0.1 }] }\n',
    );
    await expect(run({ seedFile: file })).rejects.toThrow(/no Tencent group/);
  });

  it('refuses a Tencent group without what a world needs, naming the field', async () => {
    const file = join(dir, 'broken.yaml');
    await writeFile(
      file,
      'cloud: tencent\nregion: ap-guangzhou\ngroups:\n  - { name: web, haVipId: havip-a, subnetId: subnet-a, members: [{ id: ins-a, ip: 10.0.0.1 }] }\n',
    );
    const e = await run({ seedFile: file }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InvalidInputError);
    expect((e as InvalidInputError).issues.map((i) => i.path)).toContain('vpcId');
  });
});
