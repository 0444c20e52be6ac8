/**
 * Request signing (`signature.ts`) through the official SDK clients against the simulator server:
 * ACS3-HMAC-SHA256 and the v2 query or form signature are verified against the configured AccessKey;
 * a wrong secret or an unknown key is refused with no effect; without a configured key any signer is
 * accepted but a signature is still required.
 */
import { describe, expect, it } from 'vitest';
import {
  $Ecs,
  $Vpc,
  expectAliError,
  harnessPerTest,
  REGION,
  startHarness,
  testSeed,
} from '../../../support/simulator.js';

const { harness } = harnessPerTest();
const filter = (key: string, ...value: string[]) => new $Vpc.DescribeHaVipsRequestFilter({ key, value });

describe('signing', () => {
  it('a v2-signed client (signatureAlgorithm: "v2") round-trips a describe and a mutation', async () => {
    const h = await harness();
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
    const h = await harness();
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
});
