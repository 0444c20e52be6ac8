/**
 * The publisher against the embedded MNS simulator over real HTTP, plus a few answers only a fake fetch
 * can produce (a proxy's HTML page, a corrupted success).
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { staticCredentials } from '../../../../shared/adapters/metadata/credentials.js';
import {
  createMnsPublisher,
  MAX_MESSAGE_BYTES,
  mnsEndpoint,
} from '../../../../shared/adapters/mns/publisher.js';
import { type MnsSimulator, startMnsSimulator } from '../../../../shared/adapters/mns/simulator/index.js';
import { CloudError, InvalidInputError } from '../../../../shared/core/errors.js';
import { parseHeartbeatMessage } from '../../../../shared/events/mns.js';

const TOPIC = 'havip-heartbeats';
const KEY = { accessKeyId: 'LTAI5tAgentKey', accessKeySecret: 'agent-secret-0123456789abcdef' };
const STS = {
  accessKeyId: 'STS.NTestAgentKey',
  accessKeySecret: 'sts-secret-0123456789abcdef',
  securityToken: 'CAIStoken0123456789abcdef',
};
const BODY = JSON.stringify({
  type: 'heartbeat.timeout',
  instanceId: 'i-bp1demo0000000000001',
  lastSeenAt: '2026-11-20T08:15:20Z',
  note: '<&> ]]> "quoted" 杭州 😀 trailing  ',
});

let now: number;
let sim: MnsSimulator;
let events: { json: Buffer[]; stream: Buffer[] };
const clock = { now: () => now };

beforeEach(async () => {
  now = Date.UTC(2026, 10, 20, 8, 15, 30);
  sim = await startMnsSimulator({ clock, autoDeliver: false });
  sim.createTopic(TOPIC);
  sim.addAccessKey(KEY);
  events = { json: [], stream: [] };
  sim.subscribe(TOPIC, { name: 'fc-json', format: 'JSON', deliver: (e) => void events.json.push(e) });
  sim.subscribe(TOPIC, { name: 'fc-stream', format: 'STREAM', deliver: (e) => void events.stream.push(e) });
});
afterEach(() => sim.close());

const publisher = (over: Partial<Parameters<typeof createMnsPublisher>[0]> = {}) =>
  createMnsPublisher({
    endpoint: sim.url,
    topic: TOPIC,
    credentials: staticCredentials(KEY),
    clock,
    ...over,
  });

async function failure(p: Promise<unknown>): Promise<CloudError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(CloudError);
  return e as CloudError;
}

describe('publishing to the simulator', () => {
  it('is accepted, and FC would hand on-heartbeat the body byte for byte in both notify formats', async () => {
    const { messageId } = await publisher().publish(BODY);
    expect(sim.published(TOPIC).map((m) => [m.messageId, m.body, m.accessKeyId])).toEqual([
      [messageId, BODY, KEY.accessKeyId],
    ]);
    await sim.drain();
    expect(events.json).toHaveLength(1);
    expect(events.stream).toHaveLength(1);
    const envelope = JSON.parse(events.json[0]!.toString('utf8'));
    expect(envelope).toMatchObject({
      Message: BODY,
      MessageId: messageId,
      TopicName: TOPIC,
      PublishTime: now,
    });
    expect(events.stream[0]!.equals(Buffer.from(BODY, 'utf8'))).toBe(true);

    // The handler's own parser reads what the trigger delivers.
    const fromJson = parseHeartbeatMessage(events.json[0], { format: 'JSON' });
    expect(fromJson.signals).toEqual([
      {
        kind: 'heartbeat-timeout',
        memberId: 'i-bp1demo0000000000001',
        eventId: messageId,
        source: 'mns',
        lastSeenAt: '2026-11-20T08:15:20Z',
      },
    ]);
    const fromStream = parseHeartbeatMessage(events.stream[0], { format: 'STREAM' });
    expect(fromStream.signals[0]).toMatchObject({
      kind: 'heartbeat-timeout',
      memberId: 'i-bp1demo0000000000001',
    });
  });

  it('accepts STS credentials with their token, and a body of exactly the maximum size', async () => {
    sim.addAccessKey({ ...STS, expiresAt: now + 3_600_000 });
    const big = 'x'.repeat(MAX_MESSAGE_BYTES - 2);
    const p = publisher({ credentials: staticCredentials(STS) });
    await p.publish(JSON.stringify(big));
    expect(sim.published(TOPIC)[0]!.body).toHaveLength(MAX_MESSAGE_BYTES);
  });

  it('carries the tag, and a filtering subscription only gets tagged messages', async () => {
    const tagged: Buffer[] = [];
    sim.subscribe(TOPIC, { name: 'only-drain', filterTag: 'drain', deliver: (e) => void tagged.push(e) });
    await publisher().publish(BODY, { tag: 'drain' });
    await publisher().publish(BODY);
    await sim.drain();
    expect(sim.published(TOPIC).map((m) => m.tag)).toEqual(['drain', undefined]);
    expect(tagged.map((e) => JSON.parse(e.toString()).MessageTag)).toEqual(['drain']);
    expect(events.json).toHaveLength(2);
  });
});

describe('refusals carry MNS code, request id and retryability, never a secret', () => {
  it.each([
    ['a wrong secret', { ...KEY, accessKeySecret: 'not-the-secret-0000' }, 'SignatureDoesNotMatch', 403],
    ['an unknown AccessKey id', { ...KEY, accessKeyId: 'LTAI5tStranger' }, 'InvalidAccessKeyId', 403],
  ])('%s', async (_what, creds, code, status) => {
    const e = await failure(publisher({ credentials: staticCredentials(creds) }).publish(BODY));
    expect([e.alibabaCode, e.statusCode, e.code, e.retryable]).toEqual([
      code,
      status,
      'cloud.forbidden',
      false,
    ]);
    expect(e.requestId).toMatch(/^[0-9A-F]{24}$/);
    expect(e.message).toContain(e.requestId!);
    expect(JSON.stringify(e.toJSON())).not.toContain(creds.accessKeySecret);
    expect(sim.published()).toEqual([]);
  });

  it('an STS request without the right token, and one whose token expired', async () => {
    sim.addAccessKey({ ...STS, expiresAt: now + 60_000 });
    const wrong = await failure(
      publisher({ credentials: staticCredentials({ ...STS, securityToken: 'CAISforeign' }) }).publish(BODY),
    );
    expect([wrong.alibabaCode, wrong.retryable]).toEqual(['InvalidSecurityToken', false]);
    now += 61_000;
    const expired = await failure(publisher({ credentials: staticCredentials(STS) }).publish(BODY));
    // Fresh role credentials would fix it: worth a retry.
    expect([expired.alibabaCode, expired.statusCode, expired.retryable]).toEqual([
      'SecurityTokenExpired',
      403,
      true,
    ]);
    expect(expired.message).not.toContain(STS.securityToken);
  });

  it('a Date more than 15 minutes off (TimeExpired, HTTP 408), with the fix in the message', async () => {
    const skewed = publisher({ clock: { now: () => now - 16 * 60_000 } });
    const e = await failure(skewed.publish(BODY));
    expect([e.alibabaCode, e.statusCode, e.code, e.retryable]).toEqual([
      'TimeExpired',
      408,
      'cloud.forbidden',
      false,
    ]);
    expect(e.message).toMatch(/clock/);
    // 14 minutes is within MNS's tolerance.
    await publisher({ clock: { now: () => now - 14 * 60_000 } }).publish(BODY);
  });

  it('a topic that does not exist', async () => {
    const e = await failure(publisher({ topic: 'no-such-topic' }).publish(BODY));
    expect([e.alibabaCode, e.statusCode, e.code, e.retryable]).toEqual([
      'TopicNotExist',
      404,
      'cloud.not-found',
      false,
    ]);
  });

  it.each([
    ['InternalError', 500, 'cloud.unavailable'],
    ['ServiceUnavailable', 503, 'cloud.unavailable'],
    // MNS answers throttling with HTTP 400: the code, not the status, says it is worth a retry.
    ['QpsLimitExceeded', 400, 'cloud.throttled'],
  ] as const)('%s is retryable', async (fault, status, code) => {
    sim.failPublishes(fault);
    const e = await failure(publisher().publish(BODY));
    expect([e.alibabaCode, e.statusCode, e.code, e.retryable]).toEqual([fault, status, code, true]);
    await publisher().publish(BODY); // the fault was for one request only
    expect(sim.published()).toHaveLength(1);
  });
});

describe('when MNS cannot be reached', () => {
  it('a dropped connection is a retryable network error', async () => {
    sim.failPublishes('reset');
    const e = await failure(publisher().publish(BODY));
    expect([e.alibabaCode, e.code, e.retryable]).toEqual(['NetworkError', 'cloud.unavailable', true]);
  });

  it('no answer within the timeout is a retryable timeout (the message may have been published)', async () => {
    sim.failPublishes('hang');
    const e = await failure(publisher({ timeoutMs: 200 }).publish(BODY));
    expect([e.alibabaCode, e.code, e.retryable]).toEqual(['RequestTimeout', 'cloud.unavailable', true]);
    expect(e.message).toMatch(/may or may not have been published/);
  });

  it('a closed port is a retryable network error', async () => {
    const url = sim.url;
    await sim.close();
    sim = await startMnsSimulator();
    const e = await failure(publisher({ endpoint: url }).publish(BODY));
    expect([e.alibabaCode, e.retryable]).toEqual(['NetworkError', true]);
    expect(e.message).toMatch(/ECONNREFUSED/);
  });
});

describe('answers only a broken path produces', () => {
  const fake = (status: number, body: string, headers: Record<string, string> = {}) =>
    (async () => new Response(body, { status, headers })) as typeof fetch;

  it("a proxy's HTML error page is classified by its status", async () => {
    const e = await failure(
      publisher({ fetch: fake(502, '<html><body>Bad Gateway</body></html>') }).publish(BODY),
    );
    expect([e.alibabaCode, e.code, e.retryable]).toEqual(['HTTP502', 'cloud.unavailable', true]);
  });

  it('a success without a MessageId, or with the MD5 of another body, is refused', async () => {
    const noId = await failure(
      publisher({ fetch: fake(201, '<Message><MessageBodyMD5>00</MessageBodyMD5></Message>') }).publish(BODY),
    );
    expect([noId.alibabaCode, noId.retryable]).toEqual(['InvalidResponse', false]);
    const other = `<Message xmlns="http://mns.aliyuncs.com/doc/v1/"><MessageId>ID-1</MessageId><MessageBodyMD5>0CC175B9C0F1B6A831C399E269772661</MessageBodyMD5></Message>`;
    const md5 = await failure(
      publisher({ fetch: fake(201, other, { 'x-mns-request-id': 'R1' }) }).publish(BODY),
    );
    expect([md5.alibabaCode, md5.requestId]).toEqual(['InvalidResponse', 'R1']);
    expect(md5.message).toMatch(/different body/);
  });

  it('sends the documented headers, the token unsigned beside the signature', async () => {
    let seen: Headers | undefined;
    let url = '';
    let sent = '';
    const capture = (async (u: string | URL | Request, init?: RequestInit) => {
      url = String(u);
      seen = new Headers(init?.headers);
      sent = String(init?.body);
      return new Response('<Message><MessageId>M</MessageId></Message>', { status: 201 });
    }) as typeof fetch;
    const creds = staticCredentials(STS);
    await publisher({
      fetch: capture,
      credentials: creds,
      endpoint: 'https://123.mns.cn-hangzhou.aliyuncs.com/',
    }).publish(BODY);
    expect(url).toBe(`https://123.mns.cn-hangzhou.aliyuncs.com/topics/${TOPIC}/messages`);
    expect(seen?.get('content-type')).toBe('text/xml;charset=utf-8');
    expect(seen?.get('x-mns-version')).toBe('2015-06-06');
    expect(seen?.get('date')).toBe('Fri, 20 Nov 2026 08:15:30 GMT');
    // Base64 of the hex digest, as the official SDKs send it.
    const md5hex = createHash('md5').update(sent).digest('hex');
    expect(Buffer.from(seen?.get('content-md5') ?? '', 'base64').toString()).toBe(md5hex);
    expect(sent).toBe(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Message xmlns="http://mns.aliyuncs.com/doc/v1/"><MessageBody>${BODY.replace('&', '&amp;').replace('<', '&lt;').replace(/>/g, '&gt;')}</MessageBody></Message>`,
    );
    expect(seen?.get('security-token')).toBe(STS.securityToken);
    expect(seen?.get('authorization')).toMatch(new RegExp(`^MNS ${STS.accessKeyId}:[A-Za-z0-9+/]{27}=$`));
  });
});

describe('bad input costs no request', () => {
  it.each([
    ['an empty body', '', undefined, /messageBody: must be a non-empty string/],
    ['a body over 64 KiB', 'x'.repeat(MAX_MESSAGE_BYTES + 1), undefined, /65537 bytes/],
    ['a control character', '{"a":"\u0001"}', undefined, /control character at offset 6/],
    ['a tag with a space', BODY, 'two words', /tag: must be 1–16/],
    ['a tag over 16 characters', BODY, 'x'.repeat(17), /tag: must be 1–16/],
  ])('%s', async (_what, body, tag, message) => {
    const e = await publisher()
      .publish(body, tag === undefined ? {} : { tag })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InvalidInputError);
    expect((e as Error).message).toMatch(message);
    expect(sim.stats().rejected + sim.stats().published).toBe(0);
  });

  it.each([
    ['endpoint', { endpoint: 'ftp://x' }],
    ['endpoint', { endpoint: 'https://x/with/path' }],
    ['topic', { topic: '-bad' }],
    ['topic', { topic: 'has_underscore' }],
    ['credentials', { credentials: {} as never }],
    ['timeoutMs', { timeoutMs: 0 }],
  ])('option %s is checked when the publisher is made', (field, over) => {
    expect(() => publisher(over)).toThrow(new RegExp(`${field}:`));
  });

  it('builds the public and internal endpoints', () => {
    expect(mnsEndpoint({ accountId: '123', region: 'cn-hangzhou', network: 'public' })).toBe(
      'https://123.mns.cn-hangzhou.aliyuncs.com',
    );
    expect(mnsEndpoint({ accountId: '123', region: 'cn-hangzhou', network: 'internal' })).toBe(
      'http://123.mns.cn-hangzhou-internal.aliyuncs.com',
    );
  });

  it('a credential source that fails is reported as retryable', async () => {
    const e = await failure(
      publisher({ credentials: { get: async () => Promise.reject(new Error('boom')) } }).publish(BODY),
    );
    expect([e.alibabaCode, e.retryable]).toEqual(['CredentialsUnavailable', true]);
  });
});
