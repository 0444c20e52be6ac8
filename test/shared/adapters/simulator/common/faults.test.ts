/**
 * Fault injection (`common/faults.ts`, applied to every call by `common/fault-gate.ts`), each kind
 * observed through the official SDK against the Alibaba simulator (or the raw API for the statistical
 * ones), switched on through the admin endpoint or the programmatic API. All on a manual clock and a
 * seeded generator, so nothing depends on real time or luck.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock, SimulatedCloud } from '../../../../../shared/adapters/simulator/index.js';
import {
  $Ecs,
  $Vpc,
  admin,
  expectAliError,
  type Harness,
  harnessPerTest,
  REGION,
  testSeed,
} from '../../../../support/simulator.js';

const { harness: start } = harnessPerTest();

async function harness(opts: { accessKey?: boolean } = {}): Promise<{ x: Harness; clock: ManualClock }> {
  const clock = new ManualClock();
  const seed = opts.accessKey === false ? testSeed({ accessKey: undefined }) : testSeed();
  return { x: await start(seed, clock), clock };
}

const describeHaVips = (x: Harness | { vpc: Harness['vpc'] }) =>
  x.vpc.describeHaVips(new $Vpc.DescribeHaVipsRequest({ regionId: REGION }));

/** Let the event loop run until `cond` holds (bounded); never a timed wait. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setImmediate(r));
  expect(cond()).toBe(true);
}

describe('latency', () => {
  it('holds the answer until the simulator clock has moved by the configured delay, per action', async () => {
    const { x, clock } = await harness();
    expect((await admin(x, 'POST', '/faults/latency', { ms: 5000, action: 'DescribeHaVips' })).status).toBe(
      200,
    );
    let done = false;
    const call = describeHaVips(x).then((r) => {
      done = true;
      return r;
    });
    await until(() => x.cloud.stats().calls.DescribeHaVips === 1);
    // Other actions are not delayed.
    const eips = await x.vpc.describeEipAddresses(new $Vpc.DescribeEipAddressesRequest({ regionId: REGION }));
    expect(eips.body?.totalCount).toBe(3);
    expect(done).toBe(false);
    await clock.advance(4999);
    expect(done).toBe(false);
    await clock.advance(1);
    expect((await call).body?.totalCount).toBe(4);
    expect(x.cloud.stats().faults.latency).toBe(1);
  });
});

describe('throttling', () => {
  it('a storm beyond the burst answers Throttling.User (HTTP 400) until tokens refill', async () => {
    const { x, clock } = await harness();
    await admin(x, 'POST', '/faults/throttle', { ratePerSecond: 2, burst: 3 });
    const storm = await Promise.allSettled(Array.from({ length: 10 }, () => describeHaVips(x)));
    const ok = storm.filter((r) => r.status === 'fulfilled').length;
    const errors = storm.flatMap((r) =>
      r.status === 'rejected' ? [r.reason as { name: string; code: string; statusCode: number }] : [],
    );
    expect(ok).toBe(3);
    expect(errors.map((e) => [e.name, e.code, e.statusCode])).toEqual(
      Array(7).fill(['ThrottlingError', 'Throttling.User', 400]),
    );
    expect(x.cloud.stats()).toMatchObject({ throttled: 7, faults: { throttle: 7 } });
    // A throttled mutation has no effect.
    await expectAliError(
      x.ecs.stopInstance(new $Ecs.StopInstanceRequest({ instanceId: 'i-a2' })),
      'Throttling.User',
      400,
    );
    expect(x.cloud.instance('i-a2')?.status).toBe('Running');
    await clock.advance(1000);
    const after = await Promise.allSettled(Array.from({ length: 3 }, () => describeHaVips(x)));
    expect(after.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
  });

  it('keeps one bucket per AccessKey and can answer 429', async () => {
    const { x } = await harness({ accessKey: false });
    x.cloud.faults.setThrottle({ ratePerSecond: 0, burst: 1, status: 429 });
    const a = x.clients({ accessKeyId: 'LTAI-a', accessKeySecret: 's' });
    const b = x.clients({ accessKeyId: 'LTAI-b', accessKeySecret: 's' });
    await describeHaVips(a);
    await describeHaVips(b);
    await expectAliError(describeHaVips(a), 'Throttling.User', 429);
    x.cloud.faults.setThrottle(null);
    await describeHaVips(a);
  });
});

describe('injected server errors', () => {
  it('failNext: the next N calls of an action answer a 5xx and have no effect', async () => {
    const { x } = await harness();
    await admin(x, 'POST', '/faults/fail-next', {
      action: 'AssociateHaVip',
      count: 2,
      code: 'InternalError',
    });
    const attach = () =>
      x.vpc.associateHaVip(
        new $Vpc.AssociateHaVipRequest({ regionId: REGION, haVipId: 'havip-2', instanceId: 'i-a2' }),
      );
    const e1 = await expectAliError(attach(), 'InternalError', 500);
    expect(e1.name).toBe('ServerError');
    await expectAliError(attach(), 'InternalError', 500);
    expect(x.cloud.haVip('havip-2')?.status).toBe('Available');
    // Other actions were not affected meanwhile.
    await describeHaVips(x);
    await attach();
    expect(x.cloud.haVip('havip-2')?.status).toBe('Associating');
    x.cloud.faults.failNext();
    await expectAliError(describeHaVips(x), 'ServiceUnavailable', 503);
    expect(x.cloud.stats().faults.error).toBe(3);
  });

  it('a failure probability draws from the seeded generator: the same seed fails the same calls', async () => {
    const pattern = async (randomSeed: number) => {
      const cloud = new SimulatedCloud(testSeed(), { clock: new ManualClock(), randomSeed });
      cloud.faults.setFailureRate({ probability: 0.3, action: 'DescribeInstanceStatus' });
      const out: number[] = [];
      for (let i = 0; i < 60; i++) {
        const r = await cloud.handle({
          version: '2014-05-26',
          action: 'DescribeInstanceStatus',
          params: { RegionId: REGION },
        });
        out.push(r.status);
        const other = await cloud.handle({
          version: '2016-04-28',
          action: 'DescribeHaVips',
          params: { RegionId: REGION },
        });
        expect(other.status).toBe(200);
      }
      return out;
    };
    const a = await pattern(42);
    expect(await pattern(42)).toEqual(a);
    expect(await pattern(7)).not.toEqual(a);
    expect(new Set(a)).toEqual(new Set([200, 503]));
  });
});

describe('dropped responses', () => {
  it('applies the mutation, then resets the connection; a retry with the same ClientToken is answered', async () => {
    const { x } = await harness();
    await admin(x, 'POST', '/faults/drop-next', { action: 'AssociateHaVip' });
    const req = () =>
      x.vpc.associateHaVip(
        new $Vpc.AssociateHaVipRequest({
          regionId: REGION,
          haVipId: 'havip-2',
          instanceId: 'i-a2',
          clientToken: 'g:3:attach',
        }),
      );
    let lost: unknown;
    await req().catch((e: unknown) => {
      lost = e;
    });
    // A transport error, not an API answer: no HTTP status, the connection was reset.
    expect(lost).toBeInstanceOf(Error);
    expect((lost as { statusCode?: number }).statusCode).toBeUndefined();
    expect(`${(lost as { code?: string }).code} ${(lost as Error).message}`).toMatch(
      /ECONNRESET|socket hang up/,
    );
    expect(x.cloud.haVip('havip-2')?.status).toBe('Associating');
    expect(x.cloud.stats().faults.drop).toBe(1);
    const retried = await req();
    expect(retried.statusCode).toBe(200);
    await x.cloud.settle();
    expect(x.cloud.haVip('havip-2')?.associatedInstances).toEqual(['i-a2']);
  });

  it('without an action, drops the next mutation only (describes pass)', async () => {
    const { x } = await harness();
    x.cloud.faults.dropNextResponse();
    await describeHaVips(x);
    await expect(
      x.ecs.stopInstance(new $Ecs.StopInstanceRequest({ instanceId: 'i-b1' })),
    ).rejects.toBeInstanceOf(Error);
    expect(x.cloud.instance('i-b1')?.status).toBe('Stopping');
    await x.ecs.startInstance(new $Ecs.StartInstanceRequest({ instanceId: 'i-a3' }));
    expect(x.cloud.instance('i-a3')?.status).toBe('Starting');
  });
});

describe('stale describes', () => {
  it('DescribeHaVips and DescribeInstances answer the world as it was N ms ago; ground truth is live', async () => {
    const { x, clock } = await harness();
    await admin(x, 'POST', '/faults/staleness', { ms: 5000 });
    await clock.advance(10_000);
    await x.vpc.associateHaVip(
      new $Vpc.AssociateHaVipRequest({ regionId: REGION, haVipId: 'havip-2', instanceId: 'i-a2' }),
    );
    x.cloud.stopInstance('i-b1');
    await x.cloud.settle();
    await clock.advance(4000);
    const haVip = async () =>
      (
        await x.vpc.describeHaVips(
          new $Vpc.DescribeHaVipsRequest({
            regionId: REGION,
            filter: [new $Vpc.DescribeHaVipsRequestFilter({ key: 'HaVipId', value: ['havip-2'] })],
          }),
        )
      ).body?.haVips?.haVip?.[0]?.status;
    const inst = async () =>
      (
        await x.ecs.describeInstances(
          new $Ecs.DescribeInstancesRequest({ regionId: REGION, instanceIds: '["i-b1"]' }),
        )
      ).body?.instances?.instance?.[0]?.status;
    expect([await haVip(), await inst()]).toEqual(['Available', 'Running']);
    expect([x.cloud.haVip('havip-2')?.status, x.cloud.instance('i-b1')?.status]).toEqual([
      'InUse',
      'Stopped',
    ]);
    await clock.advance(1000);
    expect([await haVip(), await inst()]).toEqual(['InUse', 'Stopped']);
    expect(x.cloud.stats().faults.stale).toBe(4);
  });

  it('can be limited to some actions', async () => {
    const { x, clock } = await harness();
    x.cloud.faults.setStaleness(5000, { actions: ['DescribeInstances'] });
    x.cloud.stopInstance('i-b1');
    await x.cloud.settle();
    await clock.advance(1000);
    const s = await x.ecs.describeInstanceStatus(
      new $Ecs.DescribeInstanceStatusRequest({ regionId: REGION, instanceId: ['i-b1'] }),
    );
    expect(s.body?.instanceStatuses?.instanceStatus?.[0]?.status).toBe('Stopped');
    const d = await x.ecs.describeInstances(
      new $Ecs.DescribeInstancesRequest({ regionId: REGION, instanceIds: '["i-b1"]' }),
    );
    expect(d.body?.instances?.instance?.[0]?.status).toBe('Running');
  });
  it('looks back no further than historyMs (older changes show as the state at the window start)', async () => {
    const clock = new ManualClock();
    const cloud = new SimulatedCloud(testSeed(), {
      clock,
      historyMs: 1000,
      transitionDelays: { instance: 60_000 },
    });
    cloud.faults.setStaleness(5000);
    const status = async () =>
      (
        (
          await cloud.handle({
            version: '2014-05-26',
            action: 'DescribeInstanceStatus',
            params: { RegionId: REGION, 'InstanceId.1': 'i-b1' },
          })
        ).body as { InstanceStatuses: { InstanceStatus: { Status: string }[] } }
      ).InstanceStatuses.InstanceStatus[0]?.Status;
    cloud.stopInstance('i-b1');
    await cloud.settle();
    await clock.advance(1000);
    cloud.startInstance('i-b1');
    await clock.advance(2000);
    // 5 s ago is before the 1 s window: the answer is the state at the window start (Starting).
    expect(await status()).toBe('Starting');
    expect(cloud.instance('i-b1')?.status).toBe('Starting');
    await cloud.settle();
    expect(await status()).toBe('Starting');
  });
});

describe('slow transitions', () => {
  it('per resource kind, set through the admin endpoint', async () => {
    const { x, clock } = await harness();
    await admin(x, 'POST', '/faults/transition-delay', { kind: 'haVip', ms: 30_000 });
    await x.vpc.associateHaVip(
      new $Vpc.AssociateHaVipRequest({ regionId: REGION, haVipId: 'havip-2', instanceId: 'i-a2' }),
    );
    await x.vpc.associateEipAddress(
      new $Vpc.AssociateEipAddressRequest({
        regionId: REGION,
        allocationId: 'eip-2',
        instanceId: 'i-a1',
        instanceType: 'EcsInstance',
      }),
    );
    await clock.advance(0);
    expect(x.cloud.eip('eip-2')?.status).toBe('InUse');
    await clock.advance(29_999);
    expect(x.cloud.haVip('havip-2')?.status).toBe('Associating');
    await clock.advance(1);
    expect(x.cloud.haVip('havip-2')?.status).toBe('InUse');
  });
});
