/**
 * The Tencent simulator on the wire, driven by the OFFICIAL tencentcloud-sdk-nodejs clients: the port
 * contract over the SDK (the adapter runs the same suite in test/shared/adapters/tencent/client.test.ts),
 * the TC3 signature checks, Tencent's envelopes and the CVM lifecycle actions.
 */
import { describe, expect, it } from 'vitest';
import { tencentPortContract } from '../../../support/tencent-contract.js';
import { sdkCloudApi } from '../../../support/tencent-sdk-api.js';
import {
  sdkClients,
  sdkFailure,
  TENCENT_TEST_CREDENTIALS,
  useTencentSimulator,
} from '../../../support/tencent-simulator.js';

tencentPortContract('the official SDK', (h) => sdkCloudApi(h.sdk));

describe('the simulator checks TC3 signatures as the SDK makes them', () => {
  const start = useTencentSimulator();

  it('accepts the configured key pair and answers anything else with AuthFailure.SignatureFailure', async () => {
    const { server, sdk } = await start();
    expect((await sdk.vpc.DescribeHaVips({ HaVipIds: ['havip-web'] })).TotalCount).toBe(1);
    for (const creds of [
      { ...TENCENT_TEST_CREDENTIALS, secretKey: 'wrong-key' },
      { ...TENCENT_TEST_CREDENTIALS, secretId: 'AKIDother' },
    ]) {
      const other = sdkClients(server.endpoint, creds);
      for (const call of [
        other.vpc.DescribeHaVips({}),
        other.cvm.DescribeInstancesStatus({}),
        other.tat.DescribeInvocationTasks({}),
      ])
        expect((await sdkFailure(call)).code).toBe('AuthFailure.SignatureFailure');
    }
  });

  it('answers unknown actions, regions and versions in the error envelope with a RequestId', async () => {
    const { server } = await start();
    const elsewhere = sdkClients(server.endpoint, TENCENT_TEST_CREDENTIALS, 'eu-frankfurt');
    const e = await sdkFailure(elsewhere.vpc.DescribeHaVips({}));
    expect(e.code).toBe('UnsupportedRegion');
    expect(e.requestId).toMatch(/\S/);
    const { sdk } = await start();
    expect((await sdkFailure(sdk.vpc.DescribeVpcs({}))).code).toBe('InvalidAction');
  });
});

describe('temporary credentials', () => {
  const token = 'session-token-for-tests';
  const start = useTencentSimulator(undefined, { credentials: { ...TENCENT_TEST_CREDENTIALS, token } });

  it('require their session token as X-TC-Token', async () => {
    const { server } = await start();
    const withToken = sdkClients(server.endpoint, { ...TENCENT_TEST_CREDENTIALS, token });
    expect((await withToken.cvm.DescribeInstancesStatus({ InstanceIds: ['ins-web1'] })).TotalCount).toBe(1);
    const without = sdkClients(server.endpoint, TENCENT_TEST_CREDENTIALS);
    expect((await sdkFailure(without.cvm.DescribeInstancesStatus({}))).code).toBe('AuthFailure.TokenFailure');
  });
});

describe('CVM StopInstances / StartInstances through the SDK', () => {
  const start = useTencentSimulator(undefined, { transitionDelays: { instance: 60_000 } });

  it('stops and starts instances through the transitional states', async () => {
    const { sdk, cloud } = await start();
    await sdk.cvm.StopInstances({ InstanceIds: ['ins-web1'], StopType: 'SOFT' });
    const state = async (id: string) =>
      (await sdk.cvm.DescribeInstancesStatus({ InstanceIds: [id] })).InstanceStatusSet?.[0]?.InstanceState;
    expect(await state('ins-web1')).toBe('STOPPING');
    cloud.faults.setTransitionDelay('instance', 0);
    await cloud.settle();
    expect(await state('ins-web1')).toBe('STOPPED');
    expect(cloud.servingInstance('havip-web')).toBeUndefined();
    await sdk.cvm.StartInstances({ InstanceIds: ['ins-web1'] });
    await cloud.settle();
    expect(await state('ins-web1')).toBe('RUNNING');
    expect(cloud.servingInstance('havip-web')).toBe('ins-web1');
  });

  it('refuses the whole call when one instance is in the wrong state or unknown', async () => {
    const { sdk, cloud } = await start();
    expect((await sdkFailure(sdk.cvm.StopInstances({ InstanceIds: ['ins-web1', 'ins-db1'] }))).code).toBe(
      'UnsupportedOperation.InstanceStateStopped',
    );
    expect((await sdkFailure(sdk.cvm.StartInstances({ InstanceIds: ['ins-nope'] }))).code).toBe(
      'InvalidInstanceId.NotFound',
    );
    expect(cloud.instance('ins-web1')?.state).toBe('RUNNING');
  });
});
