/**
 * Our Tencent adapter against the Tencent simulator: the port contract the official SDK passes
 * (test/shared/adapters/tencent-simulator/server.test.ts runs the same suite over the SDK), over HTTP
 * with TC3 signatures and over the in-process transport.
 */
import { describe, expect, it } from 'vitest';
import { createTencentCloudApi } from '../../../../shared/adapters/tencent/index.js';
import { inProcessTransport } from '../../../../shared/adapters/tencent-simulator/index.js';
import { CloudResponseLostError } from '../../../../shared/core/errors.js';
import { cloudFailure, failure, tencentPortContract } from '../../../support/tencent-contract.js';
import {
  REGION,
  TENCENT_TEST_CREDENTIALS,
  tencentTestSeed,
  useTencentSimulator,
} from '../../../support/tencent-simulator.js';

tencentPortContract('our adapter (HTTP, TC3)', (h) => h.adapter);

tencentPortContract('our adapter (in-process transport)', (h) =>
  createTencentCloudApi({ credentials: TENCENT_TEST_CREDENTIALS, transport: inProcessTransport(h.cloud) }),
);

describe('the adapter against the simulator: chunking and signatures', () => {
  const start = useTencentSimulator(() => tencentTestSeed({ extraInstances: 230 }));

  it('chunks more than 100 instance ids into calls of 100 and keeps every answer', async () => {
    const { adapter, cloud } = await start();
    const ids = Array.from({ length: 230 }, (_, i) => `ins-bulk${String(i).padStart(4, '0')}`);
    cloud.resetStats();
    const states = await adapter.describeInstancesStatus({
      regionId: REGION,
      instanceIds: [...ids, ids[0] as string],
    });
    expect(states).toHaveLength(230);
    expect(states.every((s) => s.state === 'RUNNING')).toBe(true);
    expect(cloud.stats().calls.DescribeInstancesStatus).toBe(3);
    const facts = await adapter.describeInstances({ regionId: REGION, instanceIds: ids });
    expect(new Set(facts.map((f) => f.instanceId))).toEqual(new Set(ids));
  });

  it('is refused with AuthFailure.SignatureFailure when it signs with another key, not retryable', async () => {
    const { server } = await start();
    for (const credentials of [
      { ...TENCENT_TEST_CREDENTIALS, secretKey: 'not-the-key' },
      { ...TENCENT_TEST_CREDENTIALS, secretId: 'AKIDsomebodyelse' },
    ]) {
      const wrong = createTencentCloudApi({
        credentials,
        endpoints: { override: server.endpoint },
        protocol: 'http',
      });
      const e = await cloudFailure(wrong.describeHaVips({ regionId: REGION, haVipIds: ['havip-web'] }));
      expect(e).toMatchObject({
        providerCode: 'AuthFailure.SignatureFailure',
        code: 'cloud.forbidden',
        retryable: false,
      });
    }
  });

  it('is refused with AuthFailure.SignatureExpire when its clock is 6 minutes off, with a hint', async () => {
    const { server } = await start();
    const skewed = createTencentCloudApi({
      credentials: TENCENT_TEST_CREDENTIALS,
      endpoints: { override: server.endpoint },
      protocol: 'http',
      now: () => Date.now() - 6 * 60_000,
    });
    const e = await cloudFailure(skewed.describeHaVips({ regionId: REGION, haVipIds: ['havip-web'] }));
    expect(e.providerCode).toBe('AuthFailure.SignatureExpire');
    expect(e.message).toMatch(/clock/);
  });

  it('an injected gateway 503 (no envelope) is retryable', async () => {
    const { adapter, cloud } = await start();
    cloud.faults.failNext({ action: 'DescribeHaVips', code: 'ServiceUnavailable' });
    const e = await cloudFailure(adapter.describeHaVips({ regionId: REGION, haVipIds: ['havip-web'] }));
    expect(e).toMatchObject({ statusCode: 503, code: 'cloud.unavailable', retryable: true });
  });

  it('a read that times out is a retryable unavailable error, not a lost mutation', async () => {
    const { server, cloud } = await start();
    cloud.faults.setLatency(2_000, { action: 'DescribeVpcTaskResult' });
    const impatient = createTencentCloudApi({
      credentials: TENCENT_TEST_CREDENTIALS,
      endpoints: { override: server.endpoint },
      protocol: 'http',
      timeoutMs: 100,
    });
    const e = await cloudFailure(impatient.describeVpcTask({ regionId: REGION, taskId: 'x' }));
    expect(e).toMatchObject({ providerCode: 'RequestTimeout', code: 'cloud.unavailable', retryable: true });
  });

  it('a mutation that times out is a lost response (it may have been applied)', async () => {
    const { server, cloud } = await start();
    cloud.faults.setLatency(2_000, { action: 'AssociateHaVipInstance' });
    const impatient = createTencentCloudApi({
      credentials: TENCENT_TEST_CREDENTIALS,
      endpoints: { override: server.endpoint },
      protocol: 'http',
      timeoutMs: 100,
    });
    const e = await failure(
      impatient.associateHaVipInstances({
        regionId: REGION,
        associations: [{ haVipId: 'havip-web', instanceId: 'ins-web2', instanceType: 'CVM' }],
      }),
    );
    expect(e).toBeInstanceOf(CloudResponseLostError);
  });
});
