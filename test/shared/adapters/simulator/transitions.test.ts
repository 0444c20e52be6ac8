/**
 * Asynchronous transitions on an injected clock, observed through the official SDK, and the ECS
 * state-change events (EventBridge CloudEvents format) emitted for instance state changes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, type SimEcsStateChangeEvent } from '../../../../shared/adapters/simulator/index.js';
import { $Ecs, $Vpc, type Harness, startHarness } from '../../../support/simulator.js';

const REGION = 'cn-hangzhou';
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function harness(delayMs: number): Promise<{ x: Harness; clock: ManualClock }> {
  const clock = new ManualClock(Date.UTC(2026, 10, 20, 8, 15, 0));
  h = await startHarness({ clock, cloud: { transitionDelayMs: delayMs } });
  return { x: h, clock };
}

async function haVipStatus(x: Harness, id: string): Promise<[string | undefined, string[] | undefined]> {
  const r = await x.vpc.describeHaVips(
    new $Vpc.DescribeHaVipsRequest({
      regionId: REGION,
      filter: [new $Vpc.DescribeHaVipsRequestFilter({ key: 'HaVipId', value: [id] })],
    }),
  );
  const v = r.body?.haVips?.haVip?.[0];
  return [v?.status, v?.associatedInstances?.associatedInstance];
}

async function eipStatus(x: Harness, id: string): Promise<[string | undefined, string | undefined]> {
  const r = await x.vpc.describeEipAddresses(
    new $Vpc.DescribeEipAddressesRequest({ regionId: REGION, allocationId: id }),
  );
  const e = r.body?.eipAddresses?.eipAddress?.[0];
  return [e?.status, e?.instanceId];
}

async function instanceStatus(x: Harness, id: string): Promise<string | undefined> {
  const r = await x.ecs.describeInstanceStatus(
    new $Ecs.DescribeInstanceStatusRequest({ regionId: REGION, instanceId: [id] }),
  );
  return r.body?.instanceStatuses?.instanceStatus?.[0]?.status;
}

describe('asynchronous transitions follow the clock', () => {
  it('AssociateHaVip: Associating until the delay has passed, then InUse with the new binding', async () => {
    const { x, clock } = await harness(1000);
    await x.vpc.associateHaVip(
      new $Vpc.AssociateHaVipRequest({ regionId: REGION, haVipId: 'havip-1', instanceId: 'i-a2' }),
    );
    expect(await haVipStatus(x, 'havip-1')).toEqual(['Associating', ['i-a1']]);
    await clock.advance(999);
    expect(await haVipStatus(x, 'havip-1')).toEqual(['Associating', ['i-a1']]);
    await clock.advance(1);
    expect(await haVipStatus(x, 'havip-1')).toEqual(['InUse', ['i-a1', 'i-a2']]);
  });

  it('UnassociateHaVip: Unassociating, then InUse while others remain bound, then Available', async () => {
    const { x, clock } = await harness(500);
    await x.vpc.associateHaVip(
      new $Vpc.AssociateHaVipRequest({ regionId: REGION, haVipId: 'havip-1', instanceId: 'i-a2' }),
    );
    await clock.advance(500);
    await x.vpc.unassociateHaVip(
      new $Vpc.UnassociateHaVipRequest({
        regionId: REGION,
        haVipId: 'havip-1',
        instanceId: 'i-a1',
        force: 'True',
      }),
    );
    expect(await haVipStatus(x, 'havip-1')).toEqual(['Unassociating', ['i-a1', 'i-a2']]);
    await clock.advance(500);
    expect(await haVipStatus(x, 'havip-1')).toEqual(['InUse', ['i-a2']]);
    await x.vpc.unassociateHaVip(
      new $Vpc.UnassociateHaVipRequest({
        regionId: REGION,
        haVipId: 'havip-1',
        instanceId: 'i-a2',
        force: 'True',
      }),
    );
    await clock.advance(500);
    expect(await haVipStatus(x, 'havip-1')).toEqual(['Available', []]);
  });

  it('EIPs: Associating → InUse and Unassociating → Available', async () => {
    const { x, clock } = await harness(300);
    await x.vpc.associateEipAddress(
      new $Vpc.AssociateEipAddressRequest({
        regionId: REGION,
        allocationId: 'eip-2',
        instanceId: 'i-a1',
        instanceType: 'EcsInstance',
      }),
    );
    expect(await eipStatus(x, 'eip-2')).toEqual(['Associating', 'i-a1']);
    await clock.advance(300);
    expect(await eipStatus(x, 'eip-2')).toEqual(['InUse', 'i-a1']);
    await x.vpc.unassociateEipAddress(
      new $Vpc.UnassociateEipAddressRequest({
        regionId: REGION,
        allocationId: 'eip-2',
        instanceId: 'i-a1',
        instanceType: 'EcsInstance',
      }),
    );
    expect(await eipStatus(x, 'eip-2')).toEqual(['Unassociating', 'i-a1']);
    await clock.advance(300);
    expect(await eipStatus(x, 'eip-2')).toEqual(['Available', '']);
  });

  it('instances: Running → Stopping → Stopped and Stopped → Starting → Running', async () => {
    const { x, clock } = await harness(2000);
    await x.ecs.stopInstance(new $Ecs.StopInstanceRequest({ instanceId: 'i-a2' }));
    expect(await instanceStatus(x, 'i-a2')).toBe('Stopping');
    await clock.advance(2000);
    expect(await instanceStatus(x, 'i-a2')).toBe('Stopped');
    await x.ecs.startInstance(new $Ecs.StartInstanceRequest({ instanceId: 'i-a2' }));
    expect(await instanceStatus(x, 'i-a2')).toBe('Starting');
    await clock.advance(2000);
    expect(await instanceStatus(x, 'i-a2')).toBe('Running');
  });

  it('a delay of 0 completes on the next timer tick; settle() completes everything at once', async () => {
    const { x, clock } = await harness(0);
    await x.vpc.associateHaVip(
      new $Vpc.AssociateHaVipRequest({ regionId: REGION, haVipId: 'havip-2', instanceId: 'i-a2' }),
    );
    expect(x.cloud.haVip('havip-2')?.status).toBe('Associating');
    await clock.advance(0);
    expect(x.cloud.haVip('havip-2')?.status).toBe('InUse');

    x.cloud.faults.setTransitionDelay('instance', 60_000);
    x.cloud.stopInstance('i-b1');
    x.cloud.stopInstance('i-e2');
    expect(x.cloud.pendingTransitions()).toBe(2);
    await x.cloud.settle();
    expect([x.cloud.instance('i-b1')?.status, x.cloud.instance('i-e2')?.status]).toEqual([
      'Stopped',
      'Stopped',
    ]);
    expect(x.cloud.pendingTransitions()).toBe(0);
    // The cancelled timers must not fire a second time later.
    await clock.advance(60_000);
    expect(x.cloud.instance('i-b1')?.status).toBe('Stopped');
  });
});

describe('ECS state-change events', () => {
  it('StopInstance/StartInstance emit Stopping, Stopped, Starting, Running in EventBridge format', async () => {
    const { x, clock } = await harness(1000);
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
    const { x } = await harness(0);
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
