/**
 * The CMQ publisher (PublishCmqMsg over TC3) against the Tencent simulator on the wire: success, each
 * class of failure with its retryability, a refused token refreshed and retried once, secrets kept out
 * of messages, and bad options refused before any request.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { CredentialSource, Credentials } from '../../../../shared/adapters/metadata/credentials.js';
import { staticCredentials } from '../../../../shared/adapters/metadata/credentials.js';
import { createCmqPublisher } from '../../../../shared/adapters/tencent/cmq.js';
import { CloudError, HavipError, InvalidInputError } from '../../../../shared/core/errors.js';
import {
  REGION,
  sdkClients,
  TENCENT_TEST_CREDENTIALS,
  useTencentSimulator,
} from '../../../support/tencent-simulator.js';

const TOPIC = 'havip-heartbeats';
const BODY = '{"type":"heartbeat.ok","instanceId":"ins-web1"}';
const configured = staticCredentials({
  accessKeyId: TENCENT_TEST_CREDENTIALS.secretId,
  accessKeySecret: TENCENT_TEST_CREDENTIALS.secretKey,
});

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected the publish to fail');
    },
    (e: unknown) => e as CloudError,
  );

describe('createCmqPublisher against the simulator', () => {
  const start = useTencentSimulator();
  const withTopic = async () => {
    const h = await start();
    h.cloud.cmq.createTopic(TOPIC, REGION);
    const bodies: string[] = [];
    h.cloud.cmq.subscribe(TOPIC, { name: 'fn', deliver: (_e, r) => void bodies.push(r.CMQ.msgBody) });
    const publisher = (over: Partial<Parameters<typeof createCmqPublisher>[0]> = {}) =>
      createCmqPublisher({
        endpoint: `http://${h.server.endpoint}`,
        region: REGION,
        topic: TOPIC,
        credentials: configured,
        timeoutMs: 5_000,
        ...over,
      });
    return { ...h, bodies, publisher };
  };

  it('publishes the body and returns the MsgId; the subscriber gets the same body', async () => {
    const { cloud, bodies, publisher } = await withTopic();
    const { messageId } = await publisher().publish(BODY);
    expect(messageId).toMatch(/\S/);
    await cloud.cmq.drain();
    expect(bodies).toEqual([BODY]);
  });

  it.each([
    { title: 'throttling', code: 'RequestLimitExceeded', retryable: true, throttle: true },
    { title: 'an internal error', code: 'InternalError', retryable: true },
    { title: 'a 503 from the gateway', code: 'HTTP503', retryable: true },
  ])('$title is retryable ($code)', async ({ code, retryable, throttle }) => {
    const { cloud, publisher } = await withTopic();
    if (throttle) {
      // A bucket of one call that refills in ~17 minutes: the first publish takes it.
      cloud.faults.setThrottle({ ratePerSecond: 0.001, burst: 1 });
      await publisher().publish(BODY);
    } else
      cloud.faults.failNext({
        action: 'PublishCmqMsg',
        code: code === 'HTTP503' ? 'ServiceUnavailable' : 'InternalError',
      });
    const e = await failure(publisher().publish(BODY));
    expect(e).toBeInstanceOf(CloudError);
    expect(e.providerCode).toBe(code);
    expect(e.retryable).toBe(retryable);
  });

  it.each([
    { title: 'an unknown topic', topic: 'other-topic', code: 'ResourceNotFound', hint: /create the topic/ },
    { title: 'a wrong key', secretKey: 'wrong', code: 'AuthFailure.SignatureFailure', hint: /SecretKey/ },
  ])('$title is final ($code) with a hint', async ({ topic, secretKey, code, hint }) => {
    const { publisher } = await withTopic();
    const credentials = staticCredentials({
      accessKeyId: TENCENT_TEST_CREDENTIALS.secretId,
      accessKeySecret: secretKey ?? TENCENT_TEST_CREDENTIALS.secretKey,
    });
    const e = await failure(publisher({ credentials, ...(topic ? { topic } : {}) }).publish(BODY));
    expect(e.providerCode).toBe(code);
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(hint);
  });

  it('an unreachable endpoint is retryable, and says so', async () => {
    const { publisher } = await withTopic();
    const e = await failure(publisher({ endpoint: 'http://127.0.0.1:1' }).publish(BODY));
    expect(e).toBeInstanceOf(HavipError);
    expect(e.retryable).toBe(true);
  });

  it('a refused token makes the source fetch fresh credentials and publishes at once', async () => {
    const { cloud, bodies, publisher } = await withTopic();
    const now = Date.now();
    const stale = { secretId: 'AKIDold', secretKey: 'old-temporary-key-00', token: 'old-token-000000' };
    const fresh = { secretId: 'AKIDnew', secretKey: 'new-temporary-key-00', token: 'new-token-000000' };
    cloud.addTemporaryCredentials({ ...stale, expiresAt: now - 1 });
    cloud.addTemporaryCredentials({ ...fresh, expiresAt: now + 3_600_000 });
    const source = rotatingSource([stale, fresh]);
    await publisher({ credentials: source }).publish(BODY);
    expect(source.invalidated).toEqual(['old-token-000000']);
    await cloud.cmq.drain();
    expect(bodies).toEqual([BODY]);
  });

  it('a token refused again after the refresh is retryable (the dispatcher backs off), never a loop', async () => {
    const { cloud, publisher } = await withTopic();
    const stale = { secretId: 'AKIDold', secretKey: 'old-temporary-key-00', token: 'old-token-000000' };
    cloud.addTemporaryCredentials({ ...stale, expiresAt: Date.now() - 1 });
    const source = rotatingSource([stale, stale, stale]);
    const e = await failure(publisher({ credentials: source }).publish(BODY));
    expect(e.providerCode).toBe('AuthFailure.TokenFailure');
    expect(e.retryable).toBe(true);
    expect(source.gets).toBe(2);
  });

  it('never puts the key or the token in an error message, even when the server echoes them', async () => {
    const echo = await echoServer();
    const secrets = {
      accessKeyId: 'AKIDecho',
      accessKeySecret: 'echoed-secret-key-1234',
      securityToken: 'echoed-token-5678',
    };
    const publisher = createCmqPublisher({
      endpoint: echo.url,
      region: REGION,
      topic: TOPIC,
      credentials: staticCredentials(secrets),
    });
    const e = await failure(publisher.publish(BODY));
    expect(e.message).toMatch(/InvalidParameter/);
    expect(e.message).not.toContain(secrets.accessKeySecret);
    expect(e.message).not.toContain(secrets.securityToken);
  });
});

describe('createCmqPublisher options', () => {
  it.each([
    { field: 'region', over: { region: 'Guangzhou' } },
    { field: 'topic', over: { topic: '1-starts-with-digit' } },
    { field: 'endpoint', over: { endpoint: 'https://tdmq.tencentcloudapi.com/v1' } },
  ])('refuses a bad $field, naming it', ({ field, over }) => {
    let e: unknown;
    try {
      createCmqPublisher({ region: REGION, topic: TOPIC, credentials: configured, ...over });
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(InvalidInputError);
    expect((e as InvalidInputError).issues.map((i) => i.path)).toEqual([field]);
  });

  it('refuses an empty body before any request', async () => {
    let calls = 0;
    const publisher = createCmqPublisher({
      region: REGION,
      topic: TOPIC,
      credentials: configured,
      fetch: async () => {
        calls++;
        return new Response('{}');
      },
    });
    await expect(publisher.publish('')).rejects.toBeInstanceOf(InvalidInputError);
    expect(calls).toBe(0);
  });
});

/** Hands out the given sets in turn; records what it was told to invalidate. */
function rotatingSource(sets: { secretId: string; secretKey: string; token: string }[]) {
  let i = 0;
  const source: CredentialSource & { invalidated: string[]; gets: number } = {
    invalidated: [],
    gets: 0,
    async get(): Promise<Credentials> {
      source.gets++;
      const s = sets[Math.min(i, sets.length - 1)]!;
      return { accessKeyId: s.secretId, accessKeySecret: s.secretKey, securityToken: s.token };
    },
    invalidate(stale) {
      source.invalidated.push(stale.securityToken ?? '');
      i++;
    },
  };
  return source;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

/** A server that answers an error quoting the request's headers, as a careless proxy might. */
async function echoServer(): Promise<{ url: string }> {
  const server = createServer((req, res) => {
    const said = JSON.stringify(req.headers);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ Response: { Error: { Code: 'InvalidParameter', Message: said }, RequestId: 'r' } }),
    );
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * One contract, two clients: the official SDK's `tdmq` client and our publisher get the same answers
 * from the simulator for the same calls, so what the simulator checks is what the SDK sends.
 */
type Publish = (h: { endpoint: string; secretKey: string }, topic: string, body: string) => Promise<string>;
const CLIENTS: Record<string, Publish> = {
  'the official SDK': async (h, topic, body) => {
    const sdk = sdkClients(h.endpoint, { ...TENCENT_TEST_CREDENTIALS, secretKey: h.secretKey });
    try {
      return (await sdk.tdmq.PublishCmqMsg({ TopicName: topic, MsgContent: body })).MsgId ?? '';
    } catch (e) {
      throw new Error(`code=${(e as { code?: string }).code}`);
    }
  },
  'our publisher': async (h, topic, body) => {
    const publisher = createCmqPublisher({
      endpoint: `http://${h.endpoint}`,
      region: REGION,
      topic,
      credentials: staticCredentials({
        accessKeyId: TENCENT_TEST_CREDENTIALS.secretId,
        accessKeySecret: h.secretKey,
      }),
    });
    try {
      return (await publisher.publish(body)).messageId;
    } catch (e) {
      throw new Error(`code=${(e as CloudError).providerCode}`);
    }
  },
};

describe.each(Object.entries(CLIENTS))('PublishCmqMsg contract: %s', (_name, publish) => {
  const start = useTencentSimulator();

  it('publishes (a MsgId; the subscriber gets the body), and fails alike on an unknown topic and a wrong key', async () => {
    const { cloud, server } = await start();
    cloud.cmq.createTopic(TOPIC, REGION);
    const bodies: string[] = [];
    cloud.cmq.subscribe(TOPIC, { name: 'fn', deliver: (_e, r) => void bodies.push(r.CMQ.msgBody) });
    const h = { endpoint: server.endpoint, secretKey: TENCENT_TEST_CREDENTIALS.secretKey };
    expect(await publish(h, TOPIC, BODY)).toMatch(/\S/);
    await expect(publish(h, 'nope', BODY)).rejects.toThrow('code=ResourceNotFound');
    await expect(publish({ ...h, secretKey: 'wrong' }, TOPIC, BODY)).rejects.toThrow(
      'code=AuthFailure.SignatureFailure',
    );
    await cloud.cmq.drain();
    expect(bodies).toEqual([BODY]);
  });
});
