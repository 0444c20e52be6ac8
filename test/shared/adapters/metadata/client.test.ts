/** The metadata client against the metadata simulator over real HTTP, for both clouds' layouts. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMetadataClient } from '../../../../shared/adapters/metadata/client.js';
import {
  type MetadataSimulator,
  startMetadataSimulator,
} from '../../../../shared/adapters/metadata/simulator.js';
import { CloudError, InvalidInputError } from '../../../../shared/core/errors.js';

const T0 = Date.UTC(2026, 10, 20, 8, 0, 0);
let clock: { t: number; now: () => number };
let meta: MetadataSimulator;

beforeEach(async () => {
  clock = { t: T0, now: () => clock.t };
  meta = await startMetadataSimulator({ clock });
});
afterEach(() => meta.close());

const failure = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(CloudError);
  return e as CloudError;
};

describe.each(['alibaba', 'tencent'] as const)('%s layout', (cloud) => {
  const id = cloud === 'alibaba' ? 'i-bp1demo0000000000001' : 'ins-3g445roi';

  it('reads the instance id and the attached role’s credentials', async () => {
    const client = createMetadataClient({
      cloud,
      baseUrl: meta.addInstance({ instanceId: id, cloud, roleName: 'havip-agent' }),
      clock,
    });
    expect(await client.instanceId()).toBe(id);
    expect(await client.roleName()).toBe('havip-agent');
    const c = await client.roleCredentials('havip-agent');
    const issued = meta.issued(id);
    expect(issued).toHaveLength(1);
    expect(c).toEqual({
      accessKeyId: issued[0]!.accessKeyId,
      accessKeySecret: issued[0]!.accessKeySecret,
      securityToken: issued[0]!.securityToken,
      expiresAt: T0 + 6 * 60 * 60_000,
    });
  });

  it('reports no spot notice as undefined, and a posted one to the second', async () => {
    const client = createMetadataClient({
      cloud,
      baseUrl: meta.addInstance({ instanceId: id, cloud }),
      clock,
    });
    expect(await client.spotTerminationTime()).toBeUndefined();
    const at = Date.UTC(2026, 10, 20, 8, 5, 0);
    meta.setSpotTermination(id, at + 400); // the services write whole seconds
    expect(await client.spotTerminationTime()).toBe(at);
    meta.setSpotTermination(id, undefined);
    expect(await client.spotTerminationTime()).toBeUndefined();
  });

  it('says undefined for the role of an instance without one, and refuses credentials for it', async () => {
    const client = createMetadataClient({
      cloud,
      baseUrl: meta.addInstance({ instanceId: id, cloud }),
      clock,
    });
    expect(await client.roleName()).toBeUndefined();
    const e = await failure(client.roleCredentials('ghost'));
    expect([e.alibabaCode, e.retryable]).toEqual(['NoInstanceRole', false]);
  });
});

describe('Alibaba hardened mode', () => {
  let base: string;
  beforeEach(async () => {
    await meta.close();
    meta = await startMetadataSimulator({ clock, requireToken: true });
    base = meta.addInstance({ instanceId: 'i-hard', cloud: 'alibaba', roleName: 'r' });
  });

  it('fetches a session token once and sends it with every read', async () => {
    const client = createMetadataClient({ cloud: 'alibaba', baseUrl: base, clock });
    expect(await client.instanceId()).toBe('i-hard');
    expect(await client.roleName()).toBe('r');
    expect(meta.requestCount('i-hard')).toBe(3); // one PUT, two GETs
  });

  it('plain mode is refused when the instance requires the token; token mode insists on it', async () => {
    const plain = createMetadataClient({ cloud: 'alibaba', baseUrl: base, clock, imds: 'plain' });
    const e = await failure(plain.instanceId());
    expect([e.code, e.retryable]).toEqual(['cloud.unavailable', true]);
    expect(e.message).toMatch(/HTTP 401/);
    const strict = createMetadataClient({ cloud: 'alibaba', baseUrl: base, clock, imds: 'token' });
    expect(await strict.instanceId()).toBe('i-hard');
  });

  it('gets a new token when the service refuses the cached one', async () => {
    const frozen = { now: () => T0 }; // the client believes its token is still fresh
    const client = createMetadataClient({ cloud: 'alibaba', baseUrl: base, clock: frozen });
    await client.instanceId();
    clock.t += 7 * 60 * 60_000; // the service's token expired
    expect(await client.instanceId()).toBe('i-hard');
    expect(meta.requestCount('i-hard')).toBe(2 + 3); // PUT GET, then GET(401) PUT GET
  });

  it('falls back to plain reads when the token request fails, unless told to insist', async () => {
    const noToken = (async (url: string | URL | Request, init?: RequestInit) =>
      init?.method === 'PUT' ? new Response('', { status: 404 }) : fetch(url, init)) as typeof fetch;
    await meta.close();
    meta = await startMetadataSimulator({ clock }); // a service that also serves plain reads
    base = meta.addInstance({ instanceId: 'i-old', cloud: 'alibaba' });
    expect(await createMetadataClient({ cloud: 'alibaba', baseUrl: base, fetch: noToken }).instanceId()).toBe(
      'i-old',
    );
    const strict = createMetadataClient({ cloud: 'alibaba', baseUrl: base, fetch: noToken, imds: 'token' });
    expect((await failure(strict.instanceId())).message).toMatch(/token request answered HTTP 404/);
  });
});

describe('failures', () => {
  it('an unavailable service and a closed port are retryable', async () => {
    const base = meta.addInstance({ instanceId: 'i-x', cloud: 'alibaba', roleName: 'r' });
    meta.setAvailable('i-x', false);
    const client = createMetadataClient({ cloud: 'alibaba', baseUrl: base, imds: 'plain' });
    const e = await failure(client.spotTerminationTime());
    expect([e.alibabaCode, e.code, e.retryable]).toEqual(['MetadataUnavailable', 'cloud.unavailable', true]);
    expect(e.message).toMatch(/HTTP 503/);
    await meta.close();
    const gone = await failure(client.instanceId());
    expect(gone.message).toMatch(/ECONNREFUSED/);
    meta = await startMetadataSimulator();
  });

  it('a garbled credentials answer is refused without echoing it', async () => {
    const answer = JSON.stringify({
      AccessKeyId: 'A',
      AccessKeySecret: 'very-secret-value',
      Code: 'Failure',
    });
    const fake = (async () => new Response(answer, { status: 200 })) as typeof fetch;
    const client = createMetadataClient({ cloud: 'alibaba', fetch: fake, imds: 'plain' });
    const e = await failure(client.roleCredentials('r'));
    expect(e.message).not.toContain('very-secret-value');
    expect(e.retryable).toBe(true);
  });

  it('an unreadable termination time is an error, not a silent "no notice"', async () => {
    const fake = (async () => new Response('soon', { status: 200 })) as typeof fetch;
    const e = await failure(createMetadataClient({ cloud: 'tencent', fetch: fake }).spotTerminationTime());
    expect(e.message).toMatch(/unreadable termination time "soon"/);
  });

  it('checks its options', () => {
    expect(() => createMetadataClient({ cloud: 'aws' as never })).toThrow(InvalidInputError);
    expect(() => createMetadataClient({ cloud: 'alibaba', baseUrl: 'not a url' })).toThrow(/baseUrl/);
  });

  it('talks to the cloud’s own address by default', async () => {
    const urls: string[] = [];
    const fake = (async (u: string | URL | Request) => {
      urls.push(String(u));
      return new Response('id', { status: 200 });
    }) as typeof fetch;
    await createMetadataClient({ cloud: 'alibaba', fetch: fake, imds: 'plain' }).instanceId();
    await createMetadataClient({ cloud: 'tencent', fetch: fake })
      .spotTerminationTime()
      .catch(() => undefined);
    expect(urls).toEqual([
      'http://100.100.100.200/latest/meta-data/instance-id',
      'http://metadata.tencentyun.com/latest/meta-data/spot/termination-time',
    ]);
  });
});
