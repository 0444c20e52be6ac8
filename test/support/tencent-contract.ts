/**
 * The contract of the Tencent Cloud port against the Tencent simulator, as one suite run twice: with
 * the port implemented over the OFFICIAL SDK clients (test/support/tencent-sdk-api.ts) and with our
 * adapter. Whatever the SDK sees, the adapter must see: the same answers, the same error codes and
 * retryability, the same effects (the switch: drift scope, TAT announcement, `InstanceId`, EIP task).
 */
import { describe, expect, it } from 'vitest';
import { CloudError, CloudResponseLostError } from '../../shared/core/errors.js';
import type { TencentCloudApi } from '../../shared/core/tencent-ports.js';
import { REGION, type TencentSimHarness, tencentTestSeed, useTencentSimulator } from './tencent-simulator.js';

const r = REGION;

/** The error a call failed with (it must fail). */
export async function failure(call: Promise<unknown>): Promise<unknown> {
  try {
    await call;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

export async function cloudFailure(call: Promise<unknown>): Promise<CloudError> {
  const e = await failure(call);
  expect(e).toBeInstanceOf(CloudError);
  return e as CloudError;
}

const ANNOUNCE = 'arping -U -c 3 -I eth0 10.0.1.100';

export function tencentPortContract(label: string, pick: (h: TencentSimHarness) => TencentCloudApi): void {
  describe(`the Tencent port over ${label}, against the simulator`, () => {
    const start = useTencentSimulator();
    const withApi = async () => {
      const h = await start();
      return { ...h, api: pick(h) };
    };

    it('describes HAVIPs by id: holder, drift scope, scope check, EIP; unknown ids are absent', async () => {
      const { api } = await withApi();
      const found = await api.describeHaVips({
        regionId: r,
        haVipIds: ['havip-web', 'havip-nope', 'havip-free'],
      });
      const web = found.find((h) => h.haVipId === 'havip-web');
      expect(found.map((h) => h.haVipId).sort()).toEqual(['havip-free', 'havip-web']);
      expect(web).toMatchObject({
        vip: '10.0.1.100',
        vpcId: 'vpc-t1',
        subnetId: 'subnet-a',
        instanceId: 'ins-web1',
        networkInterfaceId: 'eni-web1',
        addressIp: '203.0.113.10',
        state: 'AVAILABLE',
        checkAssociate: true,
        associations: [{ haVipId: 'havip-web', instanceId: 'ins-web1', instanceType: 'CVM' }],
      });
      const free = found.find((h) => h.haVipId === 'havip-free');
      expect(free).toMatchObject({
        instanceId: undefined,
        addressIp: undefined,
        associations: [],
        state: 'UNBIND',
      });
      expect(free?.flushedTime).toBeUndefined();
    });

    it('reads CVM states and facts; missing ids are absent, other regions are not consulted', async () => {
      const { api } = await withApi();
      const states = await api.describeInstancesStatus({
        regionId: r,
        instanceIds: ['ins-web1', 'ins-db1', 'ins-sh1', 'ins-nope'],
      });
      expect(new Map(states.map((s) => [s.instanceId, s.state]))).toEqual(
        new Map([
          ['ins-web1', 'RUNNING'],
          ['ins-db1', 'STOPPED'],
        ]),
      );
      const [web3] = await api.describeInstances({ regionId: r, instanceIds: ['ins-web3'] });
      expect(web3).toMatchObject({
        instanceId: 'ins-web3',
        state: 'RUNNING',
        instanceType: 'SA2.MEDIUM4',
        vpcId: 'vpc-t1',
        subnetId: 'subnet-b',
        zone: 'ap-guangzhou-4',
      });
      expect(web3?.privateIpAddresses).toContain('10.0.2.5');
    });

    it('reads ENIs (primary or not, attached or not) and the HAVIP quota', async () => {
      const { api } = await withApi();
      const enis = await api.describeNetworkInterfaces({
        regionId: r,
        networkInterfaceIds: ['eni-second3', 'eni-loose', 'eni-web1'],
      });
      const by = new Map(enis.map((n) => [n.networkInterfaceId, n]));
      expect(by.get('eni-second3')).toMatchObject({
        primary: false,
        instanceId: 'ins-web3',
        subnetId: 'subnet-b',
      });
      expect(by.get('eni-loose')).toMatchObject({ primary: false, instanceId: undefined });
      expect(by.get('eni-web1')).toMatchObject({ primary: true, instanceId: 'ins-web1' });
      expect(by.get('eni-second3')?.privateIpAddresses).toContainEqual({
        address: '10.0.2.6',
        primary: true,
      });
      const limits = await api.describeVpcLimits({ regionId: r, limitTypes: ['vpc-max-havips'] });
      expect(limits.get('vpc-max-havips')).toBe(10);
    });

    it('switches a HAVIP: widen the scope, announce by TAT, see InstanceId follow, narrow the scope', async () => {
      const { api, cloud } = await withApi();
      const scope = (instanceId: string) => [
        { haVipId: 'havip-web', instanceId, instanceType: 'CVM' as const },
      ];
      await api.associateHaVipInstances({ regionId: r, associations: scope('ins-web2') });
      const run = await api.runCommand({
        regionId: r,
        instanceId: 'ins-web2',
        content: ANNOUNCE,
        timeoutSeconds: 30,
        commandName: 'havip-announce',
      });
      expect(run.invocationId).toMatch(/^inv-/);
      await cloud.settle();
      const task = await api.describeInvocationTask({
        regionId: r,
        invocationId: run.invocationId,
        instanceId: 'ins-web2',
      });
      expect(task).toMatchObject({ status: 'SUCCESS', exitCode: 0, instanceId: 'ins-web2' });
      expect(task?.output).toContain('10.0.1.100');
      const [moved] = await api.describeHaVips({ regionId: r, haVipIds: ['havip-web'] });
      expect(moved).toMatchObject({ instanceId: 'ins-web2', networkInterfaceId: 'eni-web2' });
      expect(moved?.flushedTime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      await api.disassociateHaVipInstances({ regionId: r, associations: scope('ins-web1') });
      const [after] = await api.describeHaVips({ regionId: r, haVipIds: ['havip-web'] });
      expect(after?.associations?.map((a) => a.instanceId)).toEqual(['ins-web2']);
      expect(after?.instanceId).toBe('ins-web2');
    });

    it('ignores an announcement from outside a checked drift scope', async () => {
      const { api, cloud } = await withApi();
      const run = await api.runCommand({
        regionId: r,
        instanceId: 'ins-web2',
        content: ANNOUNCE,
        timeoutSeconds: 30,
        commandName: 'havip-announce',
      });
      await cloud.settle();
      expect(
        await api.describeInvocationTask({
          regionId: r,
          invocationId: run.invocationId,
          instanceId: 'ins-web2',
        }),
      ).toMatchObject({ status: 'SUCCESS' });
      const [h] = await api.describeHaVips({ regionId: r, haVipIds: ['havip-web'] });
      expect(h?.instanceId).toBe('ins-web1');
    });

    it("moves a HAVIP's EIP by asynchronous tasks; a second change while one runs is a retryable mutex", async () => {
      const { api, cloud } = await withApi();
      cloud.faults.setTransitionDelay('task', 60_000);
      const off = await api.disassociateHaVipEip({ regionId: r, haVipId: 'havip-web' });
      expect(await api.describeVpcTask({ regionId: r, taskId: off.taskId })).toMatchObject({
        status: 'RUNNING',
      });
      const busy = await cloudFailure(
        api.associateHaVipEip({ regionId: r, haVipId: 'havip-web', addressIp: '203.0.113.11' }),
      );
      expect(busy).toMatchObject({
        providerCode: 'UnsupportedOperation.MutexOperationTaskRunning',
        retryable: true,
      });
      cloud.faults.setTransitionDelay('task', 0);
      await cloud.settle();
      expect(await api.describeVpcTask({ regionId: r, taskId: off.taskId })).toMatchObject({
        status: 'SUCCESS',
      });
      const on = await api.associateHaVipEip({
        regionId: r,
        haVipId: 'havip-web',
        addressIp: '203.0.113.11',
      });
      await cloud.settle();
      expect(await api.describeVpcTask({ regionId: r, taskId: on.taskId })).toMatchObject({
        status: 'SUCCESS',
      });
      const [h] = await api.describeHaVips({ regionId: r, haVipIds: ['havip-web'] });
      expect(h?.addressIp).toBe('203.0.113.11');
    });

    it('reports a task that ends FAILED, and changes nothing', async () => {
      const { api, cloud } = await withApi();
      cloud.faults.failNextTasks(1);
      const off = await api.disassociateHaVipEip({ regionId: r, haVipId: 'havip-web' });
      await cloud.settle();
      expect(await api.describeVpcTask({ regionId: r, taskId: off.taskId })).toMatchObject({
        status: 'FAILED',
      });
      expect(cloud.haVip('havip-web')?.addressIp).toBe('203.0.113.10');
    });

    it.each([
      [
        'an unknown HAVIP',
        { haVipId: 'havip-nope', instanceId: 'ins-web2' },
        'ResourceNotFound',
        'cloud.not-found',
      ],
      [
        'a target already in scope',
        { haVipId: 'havip-web', instanceId: 'ins-web1' },
        'InvalidParameterValue.DuplicatedHaVipAssociations',
        'cloud.conflict',
      ],
    ])('refuses a drift-scope change naming %s, not retryable', async (_what, target, providerCode, code) => {
      const { api } = await withApi();
      const e = await cloudFailure(
        api.associateHaVipInstances({ regionId: r, associations: [{ ...target, instanceType: 'CVM' }] }),
      );
      expect(e).toMatchObject({ providerCode, code, retryable: false, provider: 'tencent' });
    });

    it('refuses TAT on a stopped instance with the API code', async () => {
      const { api } = await withApi();
      const e = await cloudFailure(
        api.runCommand({
          regionId: r,
          instanceId: 'ins-db1',
          content: ANNOUNCE,
          timeoutSeconds: 30,
          commandName: 'x',
        }),
      );
      expect(e).toMatchObject({
        providerCode: 'ResourceUnavailable.InstanceStateNotRunning',
        retryable: false,
      });
    });

    it.each([
      ['InternalError', 'InternalError'],
      ['UnsupportedOperation.MutexOperationTaskRunning', 'UnsupportedOperation.MutexOperationTaskRunning'],
    ] as const)('an injected %s is retryable and has no effect', async (code, providerCode) => {
      const { api, cloud } = await withApi();
      cloud.faults.failNext({ action: 'AssociateHaVipInstance', code });
      const e = await cloudFailure(
        api.associateHaVipInstances({
          regionId: r,
          associations: [{ haVipId: 'havip-web', instanceId: 'ins-web2', instanceType: 'CVM' }],
        }),
      );
      expect(e).toMatchObject({ providerCode, retryable: true });
      expect(cloud.haVip('havip-web')?.scope.map((s) => s.instanceId)).toEqual(['ins-web1']);
    });

    it('throttling answers RequestLimitExceeded, retryable', async () => {
      const { api, cloud } = await withApi();
      cloud.faults.setThrottle({ ratePerSecond: 0, burst: 1 });
      await api.describeHaVips({ regionId: r, haVipIds: ['havip-web'] });
      const e = await cloudFailure(api.describeHaVips({ regionId: r, haVipIds: ['havip-web'] }));
      expect(e).toMatchObject({
        providerCode: 'RequestLimitExceeded',
        code: 'cloud.throttled',
        retryable: true,
      });
    });

    it('a dropped answer to a mutation is a lost response, and the change was applied', async () => {
      const { api, cloud } = await withApi();
      cloud.faults.dropNextResponse({ action: 'AssociateHaVipInstance' });
      const e = await failure(
        api.associateHaVipInstances({
          regionId: r,
          associations: [{ haVipId: 'havip-web', instanceId: 'ins-web2', instanceType: 'CVM' }],
        }),
      );
      expect(e).toBeInstanceOf(CloudResponseLostError);
      expect(cloud.haVip('havip-web')?.scope.map((s) => s.instanceId)).toEqual(['ins-web1', 'ins-web2']);
    });
  });

  describe(`paging over ${label}`, () => {
    const start = useTencentSimulator(() => tencentTestSeed({ extraHaVips: 130, extraInstances: 0 }));
    it('lists every HAVIP of a VPC across pages of 100', async () => {
      const h = await start();
      const all = await pick(h).listHaVips({ regionId: r, vpcId: 'vpc-t1' });
      expect(all).toHaveLength(132);
      expect(new Set(all.map((x) => x.haVipId)).size).toBe(132);
    });
  });
}
