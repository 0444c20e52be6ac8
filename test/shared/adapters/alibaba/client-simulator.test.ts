/**
 * Our Alibaba adapter against the simulator's HTTP server (signature verification on): every port
 * operation with both signature styles, error mapping for each fault kind, pagination beyond one page,
 * no hidden retries (the simulator counts calls), and live validation of a topology-seeded world.
 * Time is a manual clock; nothing depends on real time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAlibabaCloudApi } from '../../../../shared/adapters/alibaba/index.js';
import {
  ManualClock,
  type SimSeed,
  SimulatedCloud,
  type SimulatorServer,
  seedFromTopology,
  startSimulatorServer,
} from '../../../../shared/adapters/simulator/index.js';
import { parseTopology } from '../../../../shared/core/config.js';
import { CloudError, CloudResponseLostError } from '../../../../shared/core/errors.js';
import type { CloudApi } from '../../../../shared/core/ports.js';
import { validateLive } from '../../../../shared/core/validate-live.js';

const R = 'cn-hangzhou';
const AK = { id: 'LTAI-adapter-test', secret: 'adapter-test-secret' };

function seed(extra: Partial<SimSeed['regions'][number]> = {}): SimSeed {
  return {
    accessKey: AK,
    regions: [
      {
        regionId: R,
        vpcs: [{ vpcId: 'vpc-1', vSwitches: [{ vSwitchId: 'vsw-a' }, { vSwitchId: 'vsw-b' }] }],
        instances: [
          { instanceId: 'i-a1', vSwitchId: 'vsw-a', privateIp: '10.0.1.11' },
          { instanceId: 'i-a2', vSwitchId: 'vsw-a', privateIp: '10.0.1.12' },
          { instanceId: 'i-a3', vSwitchId: 'vsw-a', privateIp: '10.0.1.13', status: 'Stopped' },
          { instanceId: 'i-host', vSwitchId: 'vsw-a', privateIp: '10.0.1.20', operationLocks: ['financial'] },
        ],
        enis: [
          { networkInterfaceId: 'eni-1', vSwitchId: 'vsw-a', privateIp: '10.0.1.31', instanceId: 'i-host' },
          { networkInterfaceId: 'eni-free', vSwitchId: 'vsw-a', privateIp: '10.0.1.32' },
        ],
        haVips: [
          // i-a1 holds havip-1 and has announced it (it is the master).
          {
            haVipId: 'havip-1',
            vSwitchId: 'vsw-a',
            ipAddress: '10.0.1.100',
            associatedInstances: ['i-a1'],
            masterInstanceId: 'i-a1',
          },
          { haVipId: 'havip-2', vSwitchId: 'vsw-a', ipAddress: '10.0.1.101' },
        ],
        eips: [
          { allocationId: 'eip-1', ipAddress: '203.0.113.1', instanceId: 'havip-1' },
          { allocationId: 'eip-2', ipAddress: '203.0.113.2' },
        ],
        ...extra,
      },
    ],
  };
}

interface World {
  cloud: SimulatedCloud;
  server: SimulatorServer;
  clock: ManualClock;
  api: CloudApi;
}
const open: SimulatorServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function world(
  opts: {
    seed?: SimSeed;
    signatureAlgorithm?: 'v3' | 'v2';
    secret?: string;
    transitionDelayMs?: number;
  } = {},
): Promise<World> {
  const clock = new ManualClock();
  const cloud = new SimulatedCloud(opts.seed ?? seed(), {
    clock,
    ...(opts.transitionDelayMs !== undefined ? { transitionDelayMs: opts.transitionDelayMs } : {}),
  });
  const server = await startSimulatorServer({ cloud });
  open.push(server);
  const api = createAlibabaCloudApi({
    credentials: { accessKeyId: AK.id, accessKeySecret: opts.secret ?? AK.secret },
    endpoints: { override: server.endpoint },
    protocol: 'http',
    ...(opts.signatureAlgorithm ? { signatureAlgorithm: opts.signatureAlgorithm } : {}),
  });
  return { cloud, server, clock, api };
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail');
}

describe.each(['v3', 'v2'] as const)('every port operation (%s signature)', (signatureAlgorithm) => {
  it('reads HaVips with their bindings and EIPs (the lowercase list keys)', async () => {
    const { api } = await world({ signatureAlgorithm });
    const [h1] = await api.describeHaVips({ regionId: R, haVipIds: ['havip-1'] });
    expect(h1).toMatchObject({
      haVipId: 'havip-1',
      regionId: R,
      ipAddress: '10.0.1.100',
      status: 'InUse',
      vpcId: 'vpc-1',
      vSwitchId: 'vsw-a',
      associatedInstanceType: 'EcsInstance',
      associatedInstances: ['i-a1'],
      associatedEipAddresses: ['203.0.113.1'],
    });
    const all = await api.listHaVips({ regionId: R });
    expect(all.map((h) => h.haVipId).sort()).toEqual(['havip-1', 'havip-2']);
    expect(await api.listHaVips({ regionId: R, vpcId: 'vpc-other' })).toEqual([]);
  });

  it('reads instances, ENIs and EIPs; missing ids are absent', async () => {
    const { api } = await world({ signatureAlgorithm });
    const instances = await api.describeInstances({
      regionId: R,
      instanceIds: ['i-a1', 'i-a3', 'i-host', 'i-gone'],
    });
    expect(
      instances.map((i) => [i.instanceId, i.status, i.vSwitchId, i.privateIpAddresses, i.operationLocks]),
    ).toEqual(
      expect.arrayContaining([
        ['i-a1', 'Running', 'vsw-a', ['10.0.1.11'], []],
        ['i-a3', 'Stopped', 'vsw-a', ['10.0.1.13'], []],
        ['i-host', 'Running', 'vsw-a', ['10.0.1.20'], ['financial']],
      ]),
    );
    expect(instances).toHaveLength(3);
    const enis = await api.describeNetworkInterfaces({
      regionId: R,
      networkInterfaceIds: ['eni-1', 'eni-free', 'eni-gone'],
    });
    expect(
      Object.fromEntries(
        enis.map((e) => [e.networkInterfaceId, [e.instanceId, e.privateIpAddress, e.vpcId]]),
      ),
    ).toEqual({
      'eni-1': ['i-host', '10.0.1.31', 'vpc-1'],
      'eni-free': [undefined, '10.0.1.32', 'vpc-1'],
    });
    const eips = await api.describeEipAddresses({
      regionId: R,
      allocationIds: ['eip-1', 'eip-2', 'eip-gone'],
    });
    expect(
      Object.fromEntries(eips.map((e) => [e.allocationId, [e.status, e.instanceId, e.instanceType]])),
    ).toEqual({
      'eip-1': ['InUse', 'havip-1', 'HaVip'],
      'eip-2': ['Available', undefined, undefined],
    });
  });

  it('moves a HaVip and an EIP, and stops an instance', async () => {
    const { api, cloud } = await world({ signatureAlgorithm });
    const attach = await api.associateHaVip({
      regionId: R,
      haVipId: 'havip-1',
      instanceId: 'i-a2',
      instanceType: 'EcsInstance',
      clientToken: `attach-${signatureAlgorithm}`,
    });
    expect(attach.requestId).toMatch(/\S/);
    await cloud.settle();
    expect(cloud.haVip('havip-1')?.associatedInstances).toEqual(['i-a1', 'i-a2']);
    await api.unassociateHaVip({
      regionId: R,
      haVipId: 'havip-1',
      instanceId: 'i-a1',
      instanceType: 'EcsInstance',
      force: true,
      clientToken: `detach-${signatureAlgorithm}`,
    });
    await cloud.settle();
    const [h] = await api.describeHaVips({ regionId: R, haVipIds: ['havip-1'] });
    expect(h?.associatedInstances).toEqual(['i-a2']);

    await api.associateEipAddress({
      regionId: R,
      allocationId: 'eip-2',
      instanceId: 'i-a3',
      instanceType: 'EcsInstance',
      clientToken: `eip-on-${signatureAlgorithm}`,
    });
    await cloud.settle();
    expect(cloud.eip('eip-2')).toMatchObject({ status: 'InUse', instanceId: 'i-a3' });
    await api.unassociateEipAddress({
      regionId: R,
      allocationId: 'eip-2',
      instanceId: 'i-a3',
      instanceType: 'EcsInstance',
      clientToken: `eip-off-${signatureAlgorithm}`,
    });
    await cloud.settle();
    expect(cloud.eip('eip-2')?.status).toBe('Available');

    await api.stopInstance({ regionId: R, instanceId: 'i-a2', forceStop: true });
    await cloud.settle();
    expect(cloud.instance('i-a2')?.status).toBe('Stopped');
  });
});

describe('errors from the simulator', () => {
  it('a wrong secret fails signature verification: forbidden, not retryable', async () => {
    const { api } = await world({ secret: 'not-the-secret' });
    const e = (await failure(api.listHaVips({ regionId: R }))) as CloudError;
    expect(e).toBeInstanceOf(CloudError);
    expect([e.code, e.retryable, e.alibabaCode]).toEqual(['cloud.forbidden', false, 'SignatureDoesNotMatch']);
  });

  it('throttling → retryable cloud.throttled, each call made exactly once', async () => {
    const { api, cloud } = await world();
    cloud.faults.setThrottle({ ratePerSecond: 1, burst: 1 });
    await api.listHaVips({ regionId: R });
    const e = (await failure(api.listHaVips({ regionId: R }))) as CloudError;
    expect([e.code, e.retryable, e.alibabaCode]).toEqual(['cloud.throttled', true, 'Throttling.User']);
    expect(e.requestId).toBeTruthy();
    expect(cloud.stats().calls.DescribeHaVips).toBe(2);
    expect(cloud.stats().throttled).toBe(1);
  });

  it.each([
    ['ServiceUnavailable', 503],
    ['InternalError', 500],
  ] as const)(
    '%s (%i) on a mutation → retryable cloud.unavailable, no effect, no retry',
    async (code, status) => {
      const { api, cloud } = await world();
      cloud.faults.failNext({ action: 'AssociateHaVip', code });
      const e = (await failure(
        api.associateHaVip({
          regionId: R,
          haVipId: 'havip-2',
          instanceId: 'i-a2',
          instanceType: 'EcsInstance',
          clientToken: 't5',
        }),
      )) as CloudError;
      expect([e.code, e.retryable, e.alibabaCode, e.statusCode]).toEqual([
        'cloud.unavailable',
        true,
        code,
        status,
      ]);
      expect(cloud.stats().calls.AssociateHaVip).toBe(1);
      await cloud.settle();
      expect(cloud.haVip('havip-2')?.associatedInstances).toEqual([]);
    },
  );

  it('a dropped response after a committed mutation → CloudResponseLostError, and the change is real', async () => {
    const { api, cloud } = await world();
    cloud.faults.dropNextResponse({ action: 'AssociateHaVip' });
    const e = await failure(
      api.associateHaVip({
        regionId: R,
        haVipId: 'havip-2',
        instanceId: 'i-a2',
        instanceType: 'EcsInstance',
        clientToken: 'td',
      }),
    );
    expect(e).toBeInstanceOf(CloudResponseLostError);
    expect((e as CloudResponseLostError).retryable).toBe(true);
    expect(cloud.stats().calls.AssociateHaVip).toBe(1);
    await cloud.settle();
    expect(cloud.haVip('havip-2')?.associatedInstances).toEqual(['i-a2']);
  });

  it('a stale describe shows the past until the staleness window has passed', async () => {
    const { api, cloud, clock } = await world();
    await clock.advance(60_000);
    await api.associateHaVip({
      regionId: R,
      haVipId: 'havip-2',
      instanceId: 'i-a2',
      instanceType: 'EcsInstance',
      clientToken: 'ts',
    });
    await cloud.settle();
    cloud.faults.setStaleness(5_000);
    const [stale] = await api.describeHaVips({ regionId: R, haVipIds: ['havip-2'] });
    expect(stale?.associatedInstances).toEqual([]);
    await clock.advance(5_001);
    const [fresh] = await api.describeHaVips({ regionId: R, haVipIds: ['havip-2'] });
    expect(fresh?.associatedInstances).toEqual(['i-a2']);
  });

  it('rule violations map to stable codes', async () => {
    const { api, cloud } = await world({ transitionDelayMs: 10_000 });
    const detachMaster = (await failure(
      api.unassociateHaVip({
        regionId: R,
        haVipId: 'havip-1',
        instanceId: 'i-a1',
        instanceType: 'EcsInstance',
        force: false,
        clientToken: 'r1',
      }),
    )) as CloudError;
    expect([detachMaster.code, detachMaster.retryable, detachMaster.alibabaCode]).toEqual([
      'cloud.forbidden',
      false,
      'Forbidden.UnassociateMaster',
    ]);
    const missing = (await failure(
      api.associateHaVip({
        regionId: R,
        haVipId: 'havip-nope',
        instanceId: 'i-a2',
        instanceType: 'EcsInstance',
        clientToken: 'r2',
      }),
    )) as CloudError;
    expect([missing.code, missing.retryable, missing.alibabaCode]).toEqual([
      'cloud.not-found',
      false,
      'InvalidHaVipId.NotFound',
    ]);
    // A change in flight: the next change on the same HaVip must wait until it settles.
    await api.associateHaVip({
      regionId: R,
      haVipId: 'havip-2',
      instanceId: 'i-a2',
      instanceType: 'EcsInstance',
      clientToken: 'r3',
    });
    const busy = (await failure(
      api.associateHaVip({
        regionId: R,
        haVipId: 'havip-2',
        instanceId: 'i-a1',
        instanceType: 'EcsInstance',
        clientToken: 'r4',
      }),
    )) as CloudError;
    expect([busy.code, busy.retryable, busy.alibabaCode]).toEqual([
      'cloud.conflict',
      true,
      'IncorrectHaVipStatus',
    ]);
    await cloud.settle();
    const notBound = (await failure(
      api.unassociateHaVip({
        regionId: R,
        haVipId: 'havip-2',
        instanceId: 'i-a3',
        instanceType: 'EcsInstance',
        force: true,
        clientToken: 'r5',
      }),
    )) as CloudError;
    expect([notBound.code, notBound.alibabaCode]).toEqual(['cloud.not-found', 'ResourceNotAssociated']);
  });
});

/** A host-side announce script in the shape the engine sends: configure the address, then gratuitous ARP. */
const announce = (address: string) =>
  [
    '#!/bin/sh',
    'set -eu',
    `ADDR=${address}`,
    'ip addr add "$ADDR/32" dev eth0 2>/dev/null || true',
    'arping -U -c 5 -I eth0 "$ADDR" >/dev/null',
    'echo "announced $ADDR on eth0"',
  ].join('\n');

describe.each(['v3', 'v2'] as const)(
  'Cloud Assistant through the adapter (%s signature)',
  (signatureAlgorithm) => {
    it('a bound holder becomes master only once the announce command has run', async () => {
      const { api, cloud, clock } = await world({ signatureAlgorithm });
      await api.associateHaVip({
        regionId: R,
        haVipId: 'havip-2',
        instanceId: 'i-a2',
        instanceType: 'EcsInstance',
        clientToken: `bind-${signatureAlgorithm}`,
      });
      await clock.advance(0);
      const [bound] = await api.describeHaVips({ regionId: R, haVipIds: ['havip-2'] });
      expect([bound?.associatedInstances, bound?.masterInstanceId]).toEqual([['i-a2'], undefined]);

      const run = await api.runCommand({
        regionId: R,
        instanceId: 'i-a2',
        commandContent: announce('10.0.1.101'),
        timeoutSeconds: 30,
        clientToken: `announce-${signatureAlgorithm}`,
        name: 'havip-announce',
      });
      expect(run.invokeId).toMatch(/^t-/);
      expect(run.requestId).toMatch(/\S/);
      const describe = () =>
        api.describeInvocationResult({ regionId: R, invokeId: run.invokeId, instanceId: 'i-a2' });
      expect(await describe()).toMatchObject({ status: 'Running', exitCode: undefined, output: undefined });
      expect(cloud.servingInstance('havip-2')).toBeUndefined();

      await clock.advance(300);
      expect(await describe()).toEqual({
        invokeId: run.invokeId,
        instanceId: 'i-a2',
        status: 'Success',
        exitCode: 0,
        output: 'announced 10.0.1.101\n',
        errorCode: undefined,
      });
      const [served] = await api.describeHaVips({ regionId: R, haVipIds: ['havip-2'] });
      expect(served?.masterInstanceId).toBe('i-a2');
      expect(cloud.servingInstance('havip-2')).toBe('i-a2');
      expect(cloud.invocation(run.invokeId)?.commandContent).toBe(announce('10.0.1.101'));
    });

    it('the same script on an unbound instance runs fine, but the VPC does not switch', async () => {
      const { api, cloud, clock } = await world({ signatureAlgorithm });
      const run = await api.runCommand({
        regionId: R,
        instanceId: 'i-a2',
        commandContent: announce('10.0.1.100'),
        timeoutSeconds: 30,
        clientToken: 'unbound',
        name: 'havip-announce',
      });
      await clock.advance(300);
      expect(
        await api.describeInvocationResult({ regionId: R, invokeId: run.invokeId, instanceId: 'i-a2' }),
      ).toMatchObject({ status: 'Success', exitCode: 0 });
      expect(cloud.haVip('havip-1')?.masterInstanceId).toBe('i-a1');
      expect(cloud.stats().announcements).toEqual({ accepted: 0, ignored: 1 });
    });
  },
);

describe('Cloud Assistant failures through the adapter', () => {
  const runOn = (api: CloudApi, instanceId: string, clientToken = `t-${instanceId}`) =>
    api.runCommand({
      regionId: R,
      instanceId,
      commandContent: announce('10.0.1.100'),
      timeoutSeconds: 30,
      clientToken,
      name: 'havip-announce',
    });

  it('a dropped RunCommand answer is a lost response; the same ClientToken then returns the same invocation', async () => {
    const { api, cloud, clock } = await world();
    cloud.faults.dropNextResponse({ action: 'RunCommand' });
    const e = await failure(runOn(api, 'i-a1', 'tok-lost'));
    expect(e).toBeInstanceOf(CloudResponseLostError);
    expect((e as CloudResponseLostError).action).toBe('RunCommand');
    const again = await runOn(api, 'i-a1', 'tok-lost');
    expect(cloud.snapshot().invocations.map((i) => i.invokeId)).toEqual([again.invokeId]);
    expect(cloud.stats().calls.RunCommand).toBe(2);
    await clock.advance(300);
    expect(cloud.invocation(again.invokeId)?.status).toBe('Success');
  });

  it('refusals: an unknown instance is not-found, a stopped one a non-retryable conflict', async () => {
    const { api } = await world();
    const missing = (await failure(runOn(api, 'i-gone'))) as CloudError;
    expect([missing.code, missing.retryable, missing.alibabaCode, missing.statusCode]).toEqual([
      'cloud.not-found',
      false,
      'InvalidInstance.NotFound',
      404,
    ]);
    const stopped = (await failure(runOn(api, 'i-a3'))) as CloudError;
    expect([stopped.code, stopped.retryable, stopped.alibabaCode]).toEqual([
      'cloud.conflict',
      false,
      'InvalidInstanceStatus',
    ]);
    expect(stopped.message).toContain('only on Running instances');
  });

  it('an offline agent aborts with ClientNotRunning; a failing script reports exit 1 and its output', async () => {
    const { api, cloud, clock } = await world();
    cloud.faults.setCloudAssistant('i-a1', 'offline');
    cloud.faults.setCloudAssistant('i-a2', 'fail');
    const offline = await runOn(api, 'i-a1');
    const failing = await runOn(api, 'i-a2');
    await clock.advance(300);
    expect(
      await api.describeInvocationResult({ regionId: R, invokeId: offline.invokeId, instanceId: 'i-a1' }),
    ).toMatchObject({ status: 'Aborted', exitCode: undefined, errorCode: 'ClientNotRunning' });
    expect(
      await api.describeInvocationResult({ regionId: R, invokeId: failing.invokeId, instanceId: 'i-a2' }),
    ).toMatchObject({
      status: 'Failed',
      exitCode: 1,
      errorCode: 'ExitCodeNonzero',
      output: 'simulated failure: the script exited with status 1\n',
    });
    expect(cloud.stats().announcements).toEqual({ accepted: 0, ignored: 0 });
  });

  it('an invocation the cloud does not know is undefined', async () => {
    const { api } = await world();
    expect(
      await api.describeInvocationResult({ regionId: R, invokeId: 't-unknown', instanceId: 'i-a1' }),
    ).toBe(undefined);
  });
});

describe('pagination against the simulator', () => {
  it('lists > 50 HaVips and describes > 100 instances and > 10 ENIs completely', async () => {
    const instances = Array.from({ length: 130 }, (_, i) => ({
      instanceId: `i-p${i}`,
      vSwitchId: 'vsw-b',
      privateIp: `10.0.${2 + Math.floor(i / 200)}.${(i % 200) + 10}`,
    }));
    const haVips = Array.from({ length: 60 }, (_, i) => ({
      haVipId: `havip-p${i}`,
      vSwitchId: 'vsw-b',
      ipAddress: `10.0.9.${i + 10}`,
    }));
    const hosts = Array.from({ length: 25 }, (_, i) => ({
      instanceId: `i-h${i}`,
      vSwitchId: 'vsw-b',
      privateIp: `10.0.7.${i + 10}`,
    }));
    const enis = hosts.map((h, i) => ({
      networkInterfaceId: `eni-p${i}`,
      vSwitchId: 'vsw-b',
      privateIp: `10.0.8.${i + 10}`,
      instanceId: h.instanceId,
    }));
    const { api, cloud } = await world({
      seed: seed({ instances: [...instances, ...hosts], haVips, enis, eips: [] }),
    });

    expect(await api.listHaVips({ regionId: R })).toHaveLength(60);
    expect(cloud.stats().calls.DescribeHaVips).toBe(2);

    const some = haVips.slice(0, 12).map((h) => h.haVipId);
    expect((await api.describeHaVips({ regionId: R, haVipIds: some })).map((h) => h.haVipId).sort()).toEqual(
      [...some].sort(),
    );

    const got = await api.describeInstances({ regionId: R, instanceIds: instances.map((i) => i.instanceId) });
    expect(new Set(got.map((i) => i.instanceId)).size).toBe(130);
    expect(cloud.stats().calls.DescribeInstances).toBe(2);

    const gotEnis = await api.describeNetworkInterfaces({
      regionId: R,
      networkInterfaceIds: enis.map((e) => e.networkInterfaceId),
    });
    expect(new Set(gotEnis.map((e) => e.networkInterfaceId)).size).toBe(25);
  });
});

describe('live validation against a world seeded from the topology', () => {
  const yaml = `
region: ${R}
groups:
  - name: web
    vSwitchId: vsw-web
    haVipId: havip-web
    eip: { allocationId: eip-web, mode: havip }
    members: [{ id: i-web1, priority: 100, ip: 192.168.0.11 }, { id: i-web2, priority: 10, ip: 192.168.0.12 }]
  - name: db
    vSwitchId: vsw-web
    haVipId: havip-db
    members: [{ id: eni-db1, priority: 100, ip: 192.168.0.21 }, { id: eni-db2, priority: 50, ip: 192.168.0.22 }]
  - name: nat
    vSwitchId: vsw-nat
    eip: { allocationId: eip-nat, mode: direct }
    members: [{ id: i-nat1, priority: 100, ip: 192.168.1.11 }, { id: i-nat2, priority: 50, ip: 192.168.1.12 }]
`;

  it.each(['highest', 'none'] as const)('is clean with attach: %s', async (attach) => {
    const t = parseTopology(yaml);
    const { api } = await world({ seed: { ...seedFromTopology(t, { attach }), accessKey: AK } });
    expect(await validateLive(api, t)).toEqual([]);
  });

  it('reports a member that the cloud shows stopped', async () => {
    const t = parseTopology(yaml);
    const { api, cloud } = await world({
      seed: { ...seedFromTopology(t, { attach: 'highest' }), accessKey: AK },
    });
    cloud.stopInstance('i-web2');
    await cloud.settle();
    const findings = await validateLive(api, t);
    expect(findings.map((f) => [f.severity, f.code, f.path])).toEqual([
      ['warning', 'live.member.not-running', 'groups[0].members[1].id'],
    ]);
  });
});
