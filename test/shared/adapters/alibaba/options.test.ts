/**
 * The adapter's options (`options.ts`) and endpoints (`endpoints.ts`): malformed options refused
 * naming each field without echoing secrets, the SDK endpoint tables, and per-service endpoint
 * functions.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAlibabaCloudApi, defaultEndpoint } from '../../../../shared/adapters/alibaba/index.js';
import { InvalidInputError } from '../../../../shared/core/errors.js';
import { AK, canned, closeCannedServers, SECRET } from '../../../support/alibaba.js';

afterEach(closeCannedServers);

describe('options and endpoints', () => {
  it('rejects malformed options naming the field, without echoing secrets', () => {
    const err = (() => {
      try {
        createAlibabaCloudApi({
          credentials: { accessKeyId: '', accessKeySecret: SECRET },
          endpoints: { override: 'http://127.0.0.1:1/' },
          readTimeoutMs: -1,
        });
      } catch (e) {
        return e;
      }
    })() as InvalidInputError;
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.code).toBe('cloud.options-invalid');
    expect(err.issues.map((i) => i.path).sort()).toEqual([
      'credentials',
      'endpoints.override',
      'readTimeoutMs',
    ]);
    expect(err.message).not.toContain(SECRET);
  });

  it('follows the SDK endpoint tables: shared endpoints for cn-hangzhou, regional elsewhere', () => {
    expect(defaultEndpoint('vpc', 'cn-hangzhou')).toBe('vpc.aliyuncs.com');
    expect(defaultEndpoint('ecs', 'cn-hangzhou')).toBe('ecs-cn-hangzhou.aliyuncs.com');
    expect(defaultEndpoint('vpc', 'cn-shanghai')).toBe('vpc.cn-shanghai.aliyuncs.com');
    expect(defaultEndpoint('ecs', 'ap-southeast-1')).toBe('ecs.ap-southeast-1.aliyuncs.com');
  });

  it('routes VPC and ECS calls through their own endpoint functions', async () => {
    const vpcSrv = await canned(() => ({ body: { HaVips: { HaVip: [] } } }));
    const ecsSrv = await canned(() => ({ body: { Instances: { Instance: [] } } }));
    const regions: string[] = [];
    const a = createAlibabaCloudApi({
      credentials: { accessKeyId: AK, accessKeySecret: SECRET },
      protocol: 'http',
      endpoints: {
        vpc: (r) => {
          regions.push(r);
          return vpcSrv.endpoint;
        },
        ecs: () => ecsSrv.endpoint,
      },
    });
    await a.listHaVips({ regionId: 'eu-central-1' });
    await a.describeInstances({ regionId: 'eu-central-1', instanceIds: ['i-1'] });
    expect(vpcSrv.requests.map((r) => r.action)).toEqual(['DescribeHaVips']);
    expect(ecsSrv.requests.map((r) => r.action)).toEqual(['DescribeInstances']);
    expect(regions).toEqual(['eu-central-1']);
  });
});
