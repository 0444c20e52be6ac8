/**
 * ECS (`ecs.ts`), through the official SDK against the simulator server: DescribeInstances,
 * DescribeInstanceStatus and DescribeNetworkInterfaces with their parameter formats; refused calls
 * with the real error codes; StopInstance / StartInstance through the transitional states on the
 * clock; releasing an instance; and the `Instance:StateChange` events in EventBridge format.
 */
import { describe, expect, it } from 'vitest';
import type { SimEcsStateChangeEvent } from '../../../../shared/adapters/simulator/index.js';
import {
  $Ecs,
  type Harness,
  harnessPerTest,
  REGION,
  type RuleCase,
  refusedCalls,
} from '../../../support/simulator.js';

const { harness, delayed } = harnessPerTest();

const CASES: readonly RuleCase[] = [
  {
    name: 'stop a Stopped instance',
    code: 'IncorrectInstanceStatus',
    status: 403,
    call: (_v, e) => e.stopInstance(new $Ecs.StopInstanceRequest({ instanceId: 'i-a3' })),
  },
  {
    name: 'start a Running instance',
    code: 'IncorrectInstanceStatus',
    status: 403,
    call: (_v, e) => e.startInstance(new $Ecs.StartInstanceRequest({ instanceId: 'i-a1' })),
  },
  {
    name: 'stop an unknown instance',
    code: 'InvalidInstanceId.NotFound',
    status: 404,
    call: (_v, e) => e.stopInstance(new $Ecs.StopInstanceRequest({ instanceId: 'i-nope' })),
  },
  {
    name: 'InstanceIds that is not a JSON array',
    code: 'InvalidInstanceIds.Malformed',
    status: 400,
    call: (_v, e) =>
      e.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: REGION, instanceIds: 'i-a1,i-a2' })),
  },
  {
    name: 'more than 100 InstanceIds',
    code: 'InvalidInstanceIds.Malformed',
    status: 400,
    call: (_v, e) =>
      e.describeInstances(
        new $Ecs.DescribeInstancesRequest({
          regionId: REGION,
          instanceIds: JSON.stringify(Array.from({ length: 101 }, (_, i) => `i-${i}`)),
        }),
      ),
  },
  {
    name: 'DescribeInstances PageSize over 100',
    code: 'InvalidParameter',
    status: 400,
    call: (_v, e) =>
      e.describeInstances(new $Ecs.DescribeInstancesRequest({ regionId: REGION, pageSize: 101 })),
  },
  {
    name: 'more than 100 InstanceId.N',
    code: 'InvalidParameter',
    status: 400,
    call: (_v, e) =>
      e.describeInstanceStatus(
        new $Ecs.DescribeInstanceStatusRequest({
          regionId: REGION,
          instanceId: Array.from({ length: 101 }, (_, i) => `i-${i}`),
        }),
      ),
  },
  {
    name: 'DescribeInstanceStatus PageSize over 50',
    code: 'InvalidParameter',
    status: 400,
    call: (_v, e) =>
      e.describeInstanceStatus(new $Ecs.DescribeInstanceStatusRequest({ regionId: REGION, pageSize: 51 })),
  },
];

refusedCalls(CASES, harness);

describe('ECS operations through the official SDK', () => {
  it('DescribeInstances takes InstanceIds as a JSON array and parses VpcAttributes and OperationLocks', async () => {
    const h = await harness();
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
    const h = await harness();
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
    const h = await harness();
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
    const h = await harness();
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

describe('rules: accepted calls', () => {
  it('releasing an instance unbinds it from HaVips and EIPs and detaches its ENIs (their bindings stay)', async () => {
    const x = await harness();
    x.cloud.deleteInstance('i-a2');
    expect(x.cloud.instance('i-a2')).toBeUndefined();
    expect(x.cloud.eip('eip-3')).toMatchObject({ status: 'Available', instanceId: undefined });
    x.cloud.deleteInstance('i-a1');
    expect(x.cloud.haVip('havip-1')).toMatchObject({
      status: 'Available',
      associatedInstances: [],
      masterInstanceId: undefined,
    });
    x.cloud.deleteInstance('i-e1');
    expect(x.cloud.eni('eni-1')).toMatchObject({ status: 'Available', instanceId: undefined });
    expect(x.cloud.haVip('havip-eni')).toMatchObject({
      associatedInstances: ['eni-1'],
      masterInstanceId: undefined,
    });
    const r = await x.ecs.describeInstanceStatus(
      new $Ecs.DescribeInstanceStatusRequest({ regionId: REGION, instanceId: ['i-a1', 'i-a2'] }),
    );
    expect(r.body?.totalCount).toBe(0);
  });
});

async function instanceStatus(x: Harness, id: string): Promise<string | undefined> {
  const r = await x.ecs.describeInstanceStatus(
    new $Ecs.DescribeInstanceStatusRequest({ regionId: REGION, instanceId: [id] }),
  );
  return r.body?.instanceStatuses?.instanceStatus?.[0]?.status;
}

describe('asynchronous transitions follow the clock', () => {
  it('instances: Running → Stopping → Stopped and Stopped → Starting → Running', async () => {
    const { x, clock } = await delayed(2000);
    await x.ecs.stopInstance(new $Ecs.StopInstanceRequest({ instanceId: 'i-a2' }));
    expect(await instanceStatus(x, 'i-a2')).toBe('Stopping');
    await clock.advance(2000);
    expect(await instanceStatus(x, 'i-a2')).toBe('Stopped');
    await x.ecs.startInstance(new $Ecs.StartInstanceRequest({ instanceId: 'i-a2' }));
    expect(await instanceStatus(x, 'i-a2')).toBe('Starting');
    await clock.advance(2000);
    expect(await instanceStatus(x, 'i-a2')).toBe('Running');
  });
});

describe('ECS state-change events', () => {
  it('StopInstance/StartInstance emit Stopping, Stopped, Starting, Running in EventBridge format', async () => {
    const { x, clock } = await delayed(1000);
    const events: SimEcsStateChangeEvent[] = [];
    x.cloud.onEvent((e) => events.push(e));
    await x.ecs.stopInstance(new $Ecs.StopInstanceRequest({ instanceId: 'i-a1' }));
    expect(events.map((e) => e.data.state)).toEqual(['Stopping']);
    await clock.advance(1000);
    await x.ecs.startInstance(new $Ecs.StartInstanceRequest({ instanceId: 'i-a1' }));
    await clock.advance(1000);
    expect(events.map((e) => e.data.state)).toEqual(['Stopping', 'Stopped', 'Starting', 'Running']);
    expect(new Set(events.map((e) => e.id)).size).toBe(4);
    expect(events[0]).toEqual({
      id: events[0]!.id,
      source: 'acs.ecs',
      specversion: '1.0',
      type: 'ecs:Instance:StateChange',
      subject: 'acs:ecs:cn-hangzhou:1234567890123456:instance/i-a1',
      time: '2026-11-20T08:15:00.000Z',
      datacontenttype: 'application/json;charset=utf-8',
      aliyunaccountid: '1234567890123456',
      aliyunpublishtime: '2026-11-20T08:15:00.000Z',
      aliyuneventbusname: 'default',
      aliyunregionid: 'cn-hangzhou',
      aliyunpublishaddr: '127.0.0.1',
      data: { resourceId: 'i-a1', resourceType: 'ALIYUN::ECS::Instance', state: 'Stopping' },
    });
    expect(events[1]?.time).toBe('2026-11-20T08:15:01.000Z');
    expect(x.cloud.recentEvents().map((e) => e.id)).toEqual(events.map((e) => e.id));
  });

  it('operator actions emit too; unsubscribing stops delivery; a throwing sink does not affect others', async () => {
    const { x } = await delayed(0);
    const seen: string[] = [];
    x.cloud.onEvent(() => {
      throw new Error('broken subscriber');
    });
    const off = x.cloud.onEvent((e) => seen.push(`${e.data.resourceId}:${e.data.state}`));
    x.cloud.stopInstance('i-b1', { force: true });
    await x.cloud.settle();
    x.cloud.deleteInstance('i-a3');
    off();
    x.cloud.startInstance('i-b1');
    expect(seen).toEqual(['i-b1:Stopping', 'i-b1:Stopped', 'i-a3:Deleted']);
    expect(x.cloud.instance('i-b1')?.status).toBe('Starting');
  });
});
