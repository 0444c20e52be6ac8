import { describe, expect, it } from 'vitest';
import {
  formatSpotTermination,
  parseSpotTermination,
  readRoleCredentials,
  writeRoleCredentials,
} from '../../../../shared/adapters/metadata/layout.js';

const AT = Date.UTC(2018, 3, 7, 17, 3, 0);

describe('spot termination time', () => {
  it("is written as each cloud documents it (Alibaba UTC 'Z', Tencent UTC+8 without zone)", () => {
    expect(formatSpotTermination('alibaba', AT)).toBe('2018-04-07T17:03:00Z');
    expect(formatSpotTermination('tencent', AT)).toBe('2018-04-08 01:03:00');
  });

  it.each([
    ['alibaba', '2015-01-05T18:02:00Z', Date.UTC(2015, 0, 5, 18, 2)],
    ['alibaba', '2015-01-05T18:02:00+08:00', Date.UTC(2015, 0, 5, 10, 2)],
    ['tencent', '2018-08-18 12:05:33', Date.UTC(2018, 7, 18, 4, 5, 33)],
    ['tencent', '2018-08-18 12:05:33\n', Date.UTC(2018, 7, 18, 4, 5, 33)],
  ] as const)('%s reads %j', (cloud, text, epoch) => {
    expect(parseSpotTermination(cloud, text)).toBe(epoch);
  });

  it.each([
    ['alibaba', '2018-08-18 12:05:33'], // no zone: ambiguous on Alibaba
    ['alibaba', 'soon'],
    ['tencent', '18-08-2018'],
  ] as const)('%s refuses %j', (cloud, text) => {
    expect(parseSpotTermination(cloud, text)).toBeUndefined();
  });
});

describe('role credentials documents', () => {
  const fields = { accessKeyId: 'STS.a', accessKeySecret: 's', securityToken: 't', expiresAt: AT };

  it('Alibaba: the documented field names, round trip', () => {
    const doc = writeRoleCredentials('alibaba', fields, AT - 6 * 3_600_000);
    expect(doc).toEqual({
      AccessKeyId: 'STS.a',
      AccessKeySecret: 's',
      Expiration: '2018-04-07T17:03:00Z',
      SecurityToken: 't',
      LastUpdated: '2018-04-07T11:03:00Z',
      Code: 'Success',
    });
    expect(readRoleCredentials('alibaba', doc)).toEqual(fields);
  });

  it('Tencent: the documented field names, round trip', () => {
    const doc = writeRoleCredentials('tencent', fields, AT);
    expect(doc).toMatchObject({
      TmpSecretId: 'STS.a',
      TmpSecretKey: 's',
      Token: 't',
      ExpiredTime: AT / 1000,
      Code: 'Success',
    });
    expect(readRoleCredentials('tencent', doc)).toEqual(fields);
  });

  it.each([
    [
      'alibaba',
      { AccessKeyId: 'a', AccessKeySecret: 's', SecurityToken: 't', Expiration: 'later', Code: 'Success' },
    ],
    [
      'alibaba',
      {
        AccessKeyId: 'a',
        AccessKeySecret: 's',
        SecurityToken: 't',
        Expiration: '2018-04-07T17:03:00Z',
        Code: 'Failed',
      },
    ],
    ['tencent', { TmpSecretId: 'a', TmpSecretKey: 's', Token: 't', ExpiredTime: '123', Code: 'Success' }],
    ['tencent', null],
  ] as const)('%s refuses %j', (cloud, json) => {
    expect(readRoleCredentials(cloud, json)).toBeUndefined();
  });
});
