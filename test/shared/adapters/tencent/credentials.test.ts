/**
 * Where the adapter's credentials come from: the SDK's environment names first, SCF's second, a pair
 * never mixed across the two; checked before any call, never echoed.
 */
import { describe, expect, it } from 'vitest';
import {
  createTencentCloudApi,
  credentialsFromEnvironment,
} from '../../../../shared/adapters/tencent/index.js';
import { InvalidInputError } from '../../../../shared/core/errors.js';
import { cloudFailure } from '../../../support/tencent-contract.js';

describe('credentialsFromEnvironment', () => {
  it.each([
    [
      { TENCENTCLOUD_SECRET_ID: 'a', TENCENTCLOUD_SECRET_KEY: 'b' },
      { secretId: 'a', secretKey: 'b' },
    ],
    [
      { TENCENTCLOUD_SECRETID: 'a', TENCENTCLOUD_SECRETKEY: 'b', TENCENTCLOUD_SESSIONTOKEN: 't' },
      { secretId: 'a', secretKey: 'b', token: 't' },
    ],
    [
      {
        TENCENTCLOUD_SECRET_ID: 'sdk',
        TENCENTCLOUD_SECRET_KEY: 'k',
        TENCENTCLOUD_SECRETID: 'scf',
        TENCENTCLOUD_SECRETKEY: 'x',
      },
      { secretId: 'sdk', secretKey: 'k' },
    ],
    [{ TENCENTCLOUD_SECRET_ID: 'half', TENCENTCLOUD_SECRETKEY: 'other-family' }, undefined],
    [{ TENCENTCLOUD_SECRET_ID: ' ', TENCENTCLOUD_SECRET_KEY: 'b' }, undefined],
  ])('%j → %j', (env, expected) => {
    expect(credentialsFromEnvironment(env)).toEqual(expected);
  });
});

describe('the adapter options', () => {
  it('refuses malformed options naming each field, without echoing the key', () => {
    const e = (() => {
      try {
        createTencentCloudApi({
          credentials: { secretId: '', secretKey: 'very-secret' },
          protocol: 'ftp' as 'http',
          endpoints: { override: 'http://x/' },
        });
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(InvalidInputError);
    const issues = (e as InvalidInputError).issues;
    expect(issues.map((i) => i.path)).toEqual(['credentials', 'protocol', 'endpoints.override']);
    expect(JSON.stringify(issues)).not.toContain('very-secret');
  });

  it('fails a call cleanly when the environment holds no credentials, before sending anything', async () => {
    let sent = 0;
    const api = createTencentCloudApi({
      credentials: 'environment',
      env: () => ({}),
      transport: async () => {
        sent++;
        return { status: 200, body: { Response: { RequestId: 'x' } } };
      },
    });
    const e = await cloudFailure(api.describeVpcTask({ regionId: 'ap-guangzhou', taskId: 't' }));
    expect(e).toMatchObject({ code: 'cloud.forbidden', retryable: false });
    expect(e.message).toMatch(/TENCENTCLOUD_SECRET_ID/);
    expect(sent).toBe(0);
  });
});
