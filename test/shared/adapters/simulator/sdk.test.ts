/**
 * Every operation the orchestrator uses, driven through the OFFICIAL v7 SDK clients against the
 * simulator server: the SDK must parse each answer into the fields we rely on (including the
 * lowercase `associatedInstance` / `associatedEipAddresse` lists), and signing must be checked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../shared/adapters/simulator/index.js';
import {
  $Ecs,
  $Vpc,
  expectAliError,
  type Harness,
  startHarness,
  testSeed,
} from '../../../support/simulator.js';

let h: Harness;
beforeAll(async () => {
  // A manual clock: transitions complete only on settle(), so "in flight" states are observable.
  h = await startHarness({ clock: new ManualClock() });
});
afterAll(async () => {
  await h.close();
});

const REGION = 'cn-hangzhou';
const filter = (key: string, ...value: string[]) => new $Vpc.DescribeHaVipsRequestFilter({ key, value });

describe('VPC operations through the official SDK', () => {
  it('DescribeHaVips parses ids, status, master and the lowercase nested lists', async () => {
    const r = await h.vpc.describeHaVips(
      new $Vpc.DescribeHaVipsRequest({ regionId: REGION, filter: [filter('HaVipId', 'havip-1')] }),
    );
    expect(r.statusCode).toBe(200);
    expect(r.body?.totalCount).toBe(1);
    expect(r.body?.requestId).toMatch(/^[0-9A-F-]{36}$/);
    const v = r.body?.haVips?.haVip?.[0];
    expect(v).toMatchObject({
      haVipId: 'havip-1',
      ipAddress: '10.0.1.100',
      status: 'InUse',
      vpcId: 'vpc-t1',
      vSwitchId: 'vsw-a',
      masterInstanceId: 'i-a1',
      associatedInstanceType: 'EcsInstance',
    });
    expect(v?.associatedInstances?.associatedInstance).toEqual(['i-a1']);
    expect(v?.associatedEipAddresses?.associatedEipAddresse).toEqual(['203.0.113.1']);
  });

  it('DescribeHaVips filters by every supported key and pages', async () => {
    const cases: [string, string[], string[]][] = [
      ['VpcId', ['vpc-t1'], ['havip-1', 'havip-2', 'havip-eni', 'havip-creating']],
      ['VSwitchId', ['vsw-b'], []],
      ['Status', ['Available', 'Creating'], ['havip-2', 'havip-creating']],
      ['HaVipAddress', ['10.0.1.102'], ['havip-eni']],
      ['HaVipId', ['havip-2', 'havip-eni', 'havip-missing'], ['havip-2', 'havip-eni']],
    ];
    for (const [key, values, expected] of cases) {
      const r = await h.vpc.describeHaVips(
        new $Vpc.DescribeHaVipsRequest({ regionId: REGION, filter: [filter(key, ...values)], pageSize: 50 }),
      );
      expect(
        r.body?.haVips?.haVip?.map((x) => x.haVipId),
        key,
      ).toEqual(expected);
    }
    const page2 = await h.vpc.describeHaVips(
      new $Vpc.DescribeHaVipsRequest({ regionId: REGION, pageSize: 3, pageNumber: 2 }),
    );
    expect(page2.body).toMatchObject({ totalCount: 4, pageNumber: 2, pageSize: 3 });
    expect(page2.body?.haVips?.haVip?.map((x) => x.haVipId)).toEqual(['havip-creating']);
    const eniBound = await h.vpc.describeHaVips(
      new $Vpc.DescribeHaVipsRequest({ regionId: REGION, filter: [filter('HaVipId', 'havip-eni')] }),
    );
    expect(eniBound.body?.haVips?.haVip?.[0]).toMatchObject({
      associatedInstanceType: 'NetworkInterface',
      masterInstanceId: 'eni-1',
    });
  });

  it('DescribeEipAddresses by comma-separated ids, status and associated instance', async () => {
    const r = await h.vpc.describeEipAddresses(
      new $Vpc.DescribeEipAddressesRequest({ regionId: REGION, allocationId: 'eip-1,eip-3' }),
    );
    expect(r.body?.totalCount).toBe(2);
    expect(
      r.body?.eipAddresses?.eipAddress?.map((e) => [
        e.allocationId,
        e.ipAddress,
        e.status,
        e.instanceId,
        e.instanceType,
      ]),
    ).toEqual([
      ['eip-1', '203.0.113.1', 'InUse', 'havip-1', 'HaVip'],
      ['eip-3', '203.0.113.3', 'InUse', 'i-a2', 'EcsInstance'],
    ]);
    const free = await h.vpc.describeEipAddresses(
      new $Vpc.DescribeEipAddressesRequest({ regionId: REGION, status: 'Available' }),
    );
    expect(free.body?.eipAddresses?.eipAddress?.map((e) => e.allocationId)).toEqual(['eip-2']);
    const byTarget = await h.vpc.describeEipAddresses(
      new $Vpc.DescribeEipAddressesRequest({
        regionId: REGION,
        associatedInstanceId: 'havip-1',
        associatedInstanceType: 'HaVip',
      }),
    );
    expect(byTarget.body?.eipAddresses?.eipAddress?.map((e) => e.allocationId)).toEqual(['eip-1']);
  });

  it('Associate/UnassociateHaVip and Associate/UnassociateEipAddress round trip', async () => {
    const a = await h.vpc.associateHaVip(
      new $Vpc.AssociateHaVipRequest({
        regionId: REGION,
        haVipId: 'havip-2',
        instanceId: 'i-a2',
        instanceType: 'EcsInstance',
        clientToken: 'rt-1',
      }),
    );
    expect(a.body?.requestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(h.cloud.haVip('havip-2')?.status).toBe('Associating');
    await h.cloud.settle();
    // Bound, but nobody has announced the address yet: no master.
    expect(h.cloud.haVip('havip-2')).toMatchObject({
      status: 'InUse',
      associatedInstances: ['i-a2'],
      masterInstanceId: undefined,
    });
    h.cloud.announce('i-a2', '10.0.1.101');
    const described = await h.vpc.describeHaVips(
      new $Vpc.DescribeHaVipsRequest({
        regionId: REGION,
        filter: [new $Vpc.DescribeHaVipsRequestFilter({ key: 'HaVipId', value: ['havip-2'] })],
      }),
    );
    expect(described.body?.haVips?.haVip?.[0]?.masterInstanceId).toBe('i-a2');

    await h.vpc.associateEipAddress(
      new $Vpc.AssociateEipAddressRequest({
        regionId: REGION,
        allocationId: 'eip-2',
        instanceId: 'havip-2',
        instanceType: 'HaVip',
      }),
    );
    expect(h.cloud.eip('eip-2')?.status).toBe('Associating');
    await h.cloud.settle();
    expect(h.cloud.eip('eip-2')).toMatchObject({
      status: 'InUse',
      instanceId: 'havip-2',
      instanceType: 'HaVip',
    });
    expect(h.cloud.haVip('havip-2')?.associatedEipAddresses).toEqual(['203.0.113.2']);

    await h.vpc.unassociateEipAddress(
      new $Vpc.UnassociateEipAddressRequest({
        regionId: REGION,
        allocationId: 'eip-2',
        instanceId: 'havip-2',
        instanceType: 'HaVip',
      }),
    );
    expect(h.cloud.eip('eip-2')?.status).toBe('Unassociating');
    await h.cloud.settle();
    expect(h.cloud.eip('eip-2')).toMatchObject({ status: 'Available', instanceId: undefined });

    await h.vpc.unassociateHaVip(
      new $Vpc.UnassociateHaVipRequest({
        regionId: REGION,
        haVipId: 'havip-2',
        instanceId: 'i-a2',
        instanceType: 'EcsInstance',
        force: 'True',
      }),
    );
    expect(h.cloud.haVip('havip-2')?.status).toBe('Unassociating');
    await h.cloud.settle();
    expect(h.cloud.haVip('havip-2')).toMatchObject({
      status: 'Available',
      associatedInstances: [],
      masterInstanceId: undefined,
    });
  });
});

describe('ECS operations through the official SDK', () => {
  it('DescribeInstances takes InstanceIds as a JSON array and parses VpcAttributes and OperationLocks', async () => {
    const r = await h.ecs.describeInstances(
      new $Ecs.DescribeInstancesRequest({
        regionId: REGION,
        instanceIds: JSON.stringify(['i-a1', 'i-e2', 'i-nope']),
        pageSize: 100,
      }),
    );
    expect(r.body?.totalCount).toBe(2);
    const [a1, e2] = r.body?.instances?.instance ?? [];
    expect(a1).toMatchObject({
      instanceId: 'i-a1',
      instanceName: 'web-1',
      status: 'Running',
      regionId: REGION,
      zoneId: 'cn-hangzhou-h',
    });
    expect(a1?.vpcAttributes).toMatchObject({ vpcId: 'vpc-t1', vSwitchId: 'vsw-a' });
    expect(a1?.vpcAttributes?.privateIpAddress?.ipAddress).toEqual(['10.0.1.11']);
    expect(a1?.operationLocks?.lockReason).toEqual([]);
    expect(e2?.operationLocks?.lockReason?.map((l) => l.lockReason)).toEqual(['financial']);
    expect(
      e2?.networkInterfaces?.networkInterface?.map((n) => [n.networkInterfaceId, n.primaryIpAddress]),
    ).toEqual([['eni-2', '10.0.1.32']]);
  });

  it('DescribeInstanceStatus takes InstanceId.N', async () => {
    const r = await h.ecs.describeInstanceStatus(
      new $Ecs.DescribeInstanceStatusRequest({
        regionId: REGION,
        instanceId: ['i-a3', 'i-a1'],
        pageSize: 50,
      }),
    );
    expect(r.body?.instanceStatuses?.instanceStatus?.map((s) => [s.instanceId, s.status])).toEqual([
      ['i-a1', 'Running'],
      ['i-a3', 'Stopped'],
    ]);
    expect(r.body).toMatchObject({ totalCount: 2, pageNumber: 1, pageSize: 50 });
  });

  it('DescribeNetworkInterfaces takes NetworkInterfaceId.N and reports attachment', async () => {
    const r = await h.ecs.describeNetworkInterfaces(
      new $Ecs.DescribeNetworkInterfacesRequest({
        regionId: REGION,
        networkInterfaceId: ['eni-1', 'eni-free'],
      }),
    );
    expect(
      r.body?.networkInterfaceSets?.networkInterfaceSet?.map((n) => [
        n.networkInterfaceId,
        n.status,
        n.instanceId,
        n.vSwitchId,
        n.privateIpAddress,
      ]),
    ).toEqual([
      ['eni-1', 'InUse', 'i-e1', 'vsw-a', '10.0.1.31'],
      ['eni-free', 'Available', '', 'vsw-a', '10.0.1.33'],
    ]);
  });

  it('StopInstance (no RegionId) and StartInstance move through the transitional states', async () => {
    await h.ecs.stopInstance(new $Ecs.StopInstanceRequest({ instanceId: 'i-b1', forceStop: true }));
    expect(h.cloud.instance('i-b1')?.status).toBe('Stopping');
    await h.cloud.settle();
    expect(h.cloud.instance('i-b1')?.status).toBe('Stopped');
    await h.ecs.startInstance(new $Ecs.StartInstanceRequest({ instanceId: 'i-b1' }));
    expect(h.cloud.instance('i-b1')?.status).toBe('Starting');
    await h.cloud.settle();
    expect(h.cloud.instance('i-b1')?.status).toBe('Running');
  });
});

describe('signing', () => {
  it('a v2-signed client (signatureAlgorithm: "v2") round-trips a describe and a mutation', async () => {
    const v2 = h.clients({ signatureAlgorithm: 'v2' });
    const r = await v2.vpc.describeHaVips(
      new $Vpc.DescribeHaVipsRequest({ regionId: REGION, filter: [filter('HaVipId', 'havip-1')] }),
    );
    expect(r.body?.haVips?.haVip?.[0]?.associatedInstances?.associatedInstance).toEqual(['i-a1']);
    const s = await v2.ecs.describeInstanceStatus(
      new $Ecs.DescribeInstanceStatusRequest({ regionId: REGION, instanceId: ['i-a1'] }),
    );
    expect(s.body?.instanceStatuses?.instanceStatus?.[0]?.status).toBe('Running');
    const before = h.cloud.stats().calls.AssociateHaVip ?? 0;
    await v2.vpc.associateHaVip(
      new $Vpc.AssociateHaVipRequest({ regionId: REGION, haVipId: 'havip-1', instanceId: 'i-a2' }),
    );
    expect(h.cloud.stats().calls.AssociateHaVip).toBe(before + 1);
    await h.cloud.settle();
    expect(h.cloud.haVip('havip-1')?.associatedInstances).toEqual(['i-a1', 'i-a2']);
  });

  it.each([
    ['ACS3, wrong secret', { accessKeySecret: 'nope' }, 'SignatureDoesNotMatch'],
    ['ACS3, unknown key', { accessKeyId: 'LTAI-other' }, 'InvalidAccessKeyId.NotFound'],
    [
      'v2, wrong secret',
      { accessKeySecret: 'nope', signatureAlgorithm: 'v2' as const },
      'SignatureDoesNotMatch',
    ],
    [
      'v2, unknown key',
      { accessKeyId: 'LTAI-other', signatureAlgorithm: 'v2' as const },
      'InvalidAccessKeyId.NotFound',
    ],
  ])('rejects %s with %s and no effect', async (_name, creds, code) => {
    const c = h.clients(creds);
    await expectAliError(
      c.vpc.describeHaVips(new $Vpc.DescribeHaVipsRequest({ regionId: REGION })),
      code,
      400,
    );
    await expectAliError(c.ecs.stopInstance(new $Ecs.StopInstanceRequest({ instanceId: 'i-a2' })), code, 400);
    expect(h.cloud.instance('i-a2')?.status).toBe('Running');
  });

  it('without a configured AccessKey accepts any signer but still requires a signature', async () => {
    const open = await startHarness({ seed: testSeed({ accessKey: undefined }) });
    try {
      const anyKey = open.clients({ accessKeyId: 'LTAI-anyone', accessKeySecret: 'whatever' });
      const r = await anyKey.vpc.describeHaVips(new $Vpc.DescribeHaVipsRequest({ regionId: REGION }));
      expect(r.body?.totalCount).toBe(4);
      const unsigned = await fetch(`${open.server.url}/?RegionId=${REGION}`, {
        method: 'POST',
        headers: { 'x-acs-action': 'DescribeHaVips', 'x-acs-version': '2016-04-28' },
      });
      expect(unsigned.status).toBe(400);
      expect(await unsigned.json()).toMatchObject({ Code: 'IncompleteSignature' });
    } finally {
      await open.close();
    }
  });

  it('accepts the v2 style with Action, Version and parameters in a form body', async () => {
    const open = await startHarness({ seed: testSeed({ accessKey: undefined }) });
    try {
      const form = new URLSearchParams({
        Action: 'DescribeInstanceStatus',
        Version: '2014-05-26',
        Format: 'json',
        AccessKeyId: 'LTAI-form',
        SignatureMethod: 'HMAC-SHA1',
        SignatureVersion: '1.0',
        Signature: 'not-checked-without-a-configured-key',
        RegionId: REGION,
        'InstanceId.1': 'i-a3',
      });
      const res = await fetch(`${open.server.url}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        TotalCount: 1,
        InstanceStatuses: { InstanceStatus: [{ InstanceId: 'i-a3', Status: 'Stopped' }] },
      });
    } finally {
      await open.close();
    }
  });

  it('answers InvalidAction.NotFound for an operation it does not model', async () => {
    const r = await h.cloud.handle({
      version: '2016-04-28',
      action: 'CreateHaVip',
      params: { RegionId: REGION },
    });
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({
      Code: 'InvalidAction.NotFound',
      RequestId: r.requestId,
      HostId: 'vpc.aliyuncs.com',
    });
  });
});
