/**
 * One call of the adapter (`caller.ts`, `openapi-http.ts`) against a canned-JSON HTTP server: every
 * error answer and transport failure mapped to a stable code after exactly one request (no hidden
 * retries), lost responses of mutations, and credentials resolved per call and never logged.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAlibabaCloudApi } from '../../../../shared/adapters/alibaba/index.js';
import { CloudError, CloudResponseLostError } from '../../../../shared/core/errors.js';
import type { CloudApi, LogFields, Logger } from '../../../../shared/core/ports.js';
import { AK, api, canned, closeCannedServers, ok, region, SECRET, TOKEN } from '../../../support/alibaba.js';

afterEach(closeCannedServers);

describe('errors over HTTP, without retries', () => {
  const mutate = (a: CloudApi) =>
    a.associateHaVip({
      regionId: region,
      haVipId: 'havip-1',
      instanceId: 'i-1',
      instanceType: 'EcsInstance',
      clientToken: 't',
    });
  const describe1 = (a: CloudApi) => a.describeHaVips({ regionId: region, haVipIds: ['havip-1'] });

  const table: Array<[status: number, code: string, expected: string, retryable: boolean]> = [
    [400, 'Throttling.User', 'cloud.throttled', true],
    [503, 'ServiceUnavailable', 'cloud.unavailable', true],
    [500, 'InternalError', 'cloud.unavailable', true],
    [400, 'IncorrectHaVipStatus', 'cloud.conflict', true],
    [404, 'InvalidHaVipId.NotFound', 'cloud.not-found', false],
    [400, 'Forbidden.UnassociateMaster', 'cloud.forbidden', false],
    [400, 'CountLimitExceeded.HaVipOnECSInstance', 'cloud.quota', false],
    [400, 'InvalidParameter', 'cloud.invalid-request', false],
  ];
  it.each(table)(
    'HTTP %i %s → %s (retryable %s) after exactly one request',
    async (status, code, expected, retryable) => {
      const srv = await canned(() => ({
        status,
        body: { Code: code, Message: `msg for ${code}`, RequestId: 'req-err' },
      }));
      const err = await mutate(api(srv)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CloudError);
      const c = err as CloudError;
      expect([c.code, c.retryable, c.alibabaCode, c.requestId, c.statusCode]).toEqual([
        expected,
        retryable,
        code,
        'req-err',
        status,
      ]);
      expect(c.message).toContain(`msg for ${code}`);
      expect(srv.requests).toHaveLength(1);
    },
  );

  it('a dropped connection after a mutation was received is a lost response, sent once', async () => {
    const srv = await canned(() => 'drop');
    const err = await mutate(api(srv)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudResponseLostError);
    expect((err as CloudResponseLostError).action).toBe('AssociateHaVip');
    expect(srv.requests).toHaveLength(1);
  });

  it('a dropped connection on a read is retryable unavailability', async () => {
    const srv = await canned(() => 'drop');
    const err = await describe1(api(srv)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudError);
    expect((err as CloudError).code).toBe('cloud.unavailable');
    expect((err as CloudError).retryable).toBe(true);
  });

  it('a mutation that gets no answer within readTimeoutMs is a lost response', async () => {
    const srv = await canned(() => 'hang');
    const err = await mutate(api(srv, { readTimeoutMs: 150 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudResponseLostError);
    expect(srv.requests).toHaveLength(1);
  });

  it('a gateway error page (not JSON) on a mutation is a lost response; on a read retryable', async () => {
    const srv = await canned(() => ({ status: 502, body: '<html>Bad Gateway</html>', raw: true }));
    expect(await mutate(api(srv)).catch((e: unknown) => e)).toBeInstanceOf(CloudResponseLostError);
    const onRead = (await describe1(api(srv)).catch((e: unknown) => e)) as CloudError;
    expect(onRead.code).toBe('cloud.unavailable');
    expect(onRead.retryable).toBe(true);
  });

  it('nothing listening is retryable unavailability, even for a mutation', async () => {
    const srv = await canned(() => ok);
    const endpoint = srv.endpoint;
    await srv.close();
    const a = createAlibabaCloudApi({
      credentials: { accessKeyId: AK, accessKeySecret: SECRET },
      endpoints: { override: endpoint },
      protocol: 'http',
    });
    const err = (await mutate(a).catch((e: unknown) => e)) as CloudError;
    expect(err).toBeInstanceOf(CloudError);
    expect(err.alibabaCode).toBe('Network.ECONNREFUSED');
    expect(err.retryable).toBe(true);
  });
});

describe('credentials', () => {
  it('calls a credentials function for every call and signs with what it returns', async () => {
    const srv = await canned(() => ok);
    let n = 0;
    const a = api(srv, {
      credentials: () => {
        n++;
        return { accessKeyId: `AK-${n}`, accessKeySecret: `S-${n}`, securityToken: `T-${n}` };
      },
    });
    await a.stopInstance({ regionId: region, instanceId: 'i-1', forceStop: false });
    await a.stopInstance({ regionId: region, instanceId: 'i-1', forceStop: false });
    expect(n).toBe(2);
    expect(srv.requests.map((r) => r.headers['x-acs-security-token'])).toEqual(['T-1', 'T-2']);
    expect(String(srv.requests[1]?.headers.authorization)).toContain('Credential=AK-2,');
  });

  it('fails without sending anything when the function returns unusable credentials', async () => {
    const srv = await canned(() => ok);
    const a = api(srv, { credentials: async () => ({ accessKeyId: '', accessKeySecret: SECRET }) });
    const err = (await a
      .describeHaVips({ regionId: region, haVipIds: ['havip-1'] })
      .catch((e: unknown) => e)) as CloudError;
    expect(err).toBeInstanceOf(CloudError);
    expect([err.code, err.alibabaCode, err.retryable]).toEqual([
      'cloud.forbidden',
      'InvalidCredentials',
      false,
    ]);
    expect(err.message).toContain('accessKeyId');
    expect(err.message).not.toContain(SECRET);
    expect(srv.requests).toHaveLength(0);
  });

  it("'default' uses the official chain, which reads ALIBABA_CLOUD_* environment variables", async () => {
    const srv = await canned(() => ok);
    const keys = [
      'ALIBABA_CLOUD_ACCESS_KEY_ID',
      'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
      'ALIBABA_CLOUD_SECURITY_TOKEN',
    ] as const;
    const saved = keys.map((k) => process.env[k]);
    process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = 'AK-from-env';
    process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = 'secret-from-env';
    process.env.ALIBABA_CLOUD_SECURITY_TOKEN = 'token-from-env';
    try {
      await api(srv, { credentials: 'default' }).stopInstance({
        regionId: region,
        instanceId: 'i-1',
        forceStop: false,
      });
    } finally {
      keys.forEach((k, i) => {
        const v = saved[i];
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      });
    }
    expect(String(srv.requests[0]?.headers.authorization)).toContain('Credential=AK-from-env,');
    expect(srv.requests[0]?.headers['x-acs-security-token']).toBe('token-from-env');
  });

  it('never logs credentials', async () => {
    const lines: string[] = [];
    const logger: Logger = {
      debug: (f: LogFields, m: string) => lines.push(JSON.stringify({ f, m })),
      info: (f: LogFields, m: string) => lines.push(JSON.stringify({ f, m })),
      warn: (f: LogFields, m: string) => lines.push(JSON.stringify({ f, m })),
      error: (f: LogFields, m: string) => lines.push(JSON.stringify({ f, m })),
      child: () => logger,
    };
    const srv = await canned((_r, n) =>
      n === 1 ? ok : n === 2 ? 'drop' : { status: 403, body: { Code: 'Forbidden' } },
    );
    const a = api(srv, {
      logger,
      signatureAlgorithm: 'v2',
      credentials: { accessKeyId: AK, accessKeySecret: SECRET, securityToken: TOKEN },
    });
    await a.stopInstance({ regionId: region, instanceId: 'i-1', forceStop: false });
    await a.stopInstance({ regionId: region, instanceId: 'i-1', forceStop: false }).catch(() => undefined);
    await a.describeHaVips({ regionId: region, haVipIds: ['havip-1'] }).catch(() => undefined);
    expect(lines).toHaveLength(3);
    const all = lines.join('\n');
    for (const secret of [SECRET, TOKEN, AK]) expect(all).not.toContain(secret);
    expect(all).toContain('StopInstance');
  });
});
