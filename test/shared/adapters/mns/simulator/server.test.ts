/**
 * The MNS simulator on the wire: raw requests (not the publisher) to check it refuses what MNS refuses,
 * with MNS's error document, and its admin routes.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  authorizationHeader,
  contentMd5,
  contentMd5Rfc1864,
  httpDate,
  mnsSignature,
  stringToSign,
} from '../../../../../shared/adapters/mns/signature.js';
import { type MnsSimulator, startMnsSimulator } from '../../../../../shared/adapters/mns/simulator/index.js';
import { childTexts, parseXml } from '../../../../../shared/adapters/mns/xml.js';

const KEY = { accessKeyId: 'AKraw', accessKeySecret: 'raw-secret-0123456789' };
const PATH = '/topics/t1/messages';
const doc = (inner: string, ns = 'http://mns.aliyuncs.com/doc/v1/') =>
  `<?xml version="1.0" encoding="UTF-8"?><Message xmlns="${ns}">${inner}</Message>`;

let sim: MnsSimulator;
beforeEach(async () => {
  sim = await startMnsSimulator({ autoDeliver: false });
  sim.createTopic('t1');
  sim.addAccessKey(KEY);
});
afterEach(() => sim.close());

/** A request signed with KEY, with headers overridable (undefined removes one). */
async function send(
  body: string,
  over: Record<string, string | undefined> = {},
  path = PATH,
  method = 'POST',
) {
  const headers: Record<string, string | undefined> = {
    'Content-Type': 'text/xml',
    'Content-MD5': contentMd5(body),
    Date: httpDate(Date.now()),
    'x-mns-version': '2015-06-06',
    ...over,
  };
  const sig = mnsSignature(
    KEY.accessKeySecret,
    stringToSign({
      method,
      contentMd5: headers['Content-MD5'] ?? '',
      contentType: headers['Content-Type'] ?? '',
      date: headers.Date ?? headers['x-mns-date'] ?? '',
      headers,
      resource: path,
    }),
  );
  headers.Authorization ??= authorizationHeader(KEY.accessKeyId, sig);
  const clean = Object.fromEntries(
    Object.entries(headers).filter((e): e is [string, string] => e[1] !== undefined),
  );
  if ('Authorization' in over && over.Authorization === undefined) delete clean.Authorization;
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: clean,
    body: method === 'GET' ? undefined : body,
  });
  const text = await res.text();
  const root = parseXml(text);
  return {
    status: res.status,
    root: root.name,
    fields: Object.fromEntries(childTexts(root)),
    headers: res.headers,
  };
}

describe('PublishMessage on the simulator', () => {
  it("answers 201 with MNS's document and headers", async () => {
    const r = await send(doc('<MessageBody>hello topic</MessageBody>'));
    expect(r.status).toBe(201);
    expect(r.root).toBe('Message');
    expect(r.fields.MessageBodyMD5).toBe(createHash('md5').update('hello topic').digest('hex').toUpperCase());
    expect(r.fields.MessageId).toBe(sim.published('t1')[0]!.messageId);
    expect(r.headers.get('x-mns-request-id')).toMatch(/^[0-9A-F]{24}$/);
    expect(r.headers.get('x-mns-version')).toBe('2015-06-06');
    expect(r.headers.get('content-type')).toBe('text/xml;charset=utf-8');
  });

  it("accepts the documented request's namespace without the slash, x-mns-date for Date, RFC 1864 MD5", async () => {
    const body = doc('<MessageBody>a</MessageBody>', 'http://mns.aliyuncs.com/doc/v1');
    const date = httpDate(Date.now());
    const r = await send(body, {
      Date: undefined,
      'x-mns-date': date,
      'Content-MD5': contentMd5Rfc1864(body),
    });
    expect(r.status).toBe(201);
    const r2 = await send(doc('<MessageBody>b</MessageBody>'), { 'Content-MD5': undefined });
    expect(r2.status).toBe(201);
    expect(sim.published('t1').map((m) => m.body)).toEqual(['a', 'b']);
  });

  it.each([
    [
      'no Authorization',
      doc('<MessageBody>x</MessageBody>'),
      { Authorization: undefined },
      400,
      'MissingAuthorizationHeader',
    ],
    [
      'a Bearer token',
      doc('<MessageBody>x</MessageBody>'),
      { Authorization: 'Bearer abc' },
      400,
      'InvalidAuthorizationHeader',
    ],
    [
      'no x-mns-version',
      doc('<MessageBody>x</MessageBody>'),
      { 'x-mns-version': undefined },
      400,
      'MissingVersionHeader',
    ],
    ['no Date', doc('<MessageBody>x</MessageBody>'), { Date: undefined }, 400, 'MissingDateHeader'],
    [
      'a non-GMT Date',
      doc('<MessageBody>x</MessageBody>'),
      { Date: '2026-01-01T00:00:00+08:00' },
      400,
      'InvalidDateHeader',
    ],
    [
      'a wrong Content-MD5',
      doc('<MessageBody>x</MessageBody>'),
      { 'Content-MD5': contentMd5('other') },
      400,
      'InvalidDegist',
    ],
    [
      'a signature over other headers',
      doc('<MessageBody>x</MessageBody>'),
      { Authorization: authorizationHeader(KEY.accessKeyId, 'AAAA') },
      403,
      'SignatureDoesNotMatch',
    ],
    ['malformed XML', '<Message><MessageBody>x</Message>', {}, 400, 'MalformedXML'],
    ['a DOCTYPE', '<!DOCTYPE m><Message/>', {}, 400, 'MalformedXML'],
    ['a foreign namespace', doc('<MessageBody>x</MessageBody>', 'urn:other'), {}, 400, 'InvalidArgument'],
    ['no MessageBody', doc('<MessageTag>x</MessageTag>'), {}, 400, 'InvalidArgument'],
    [
      'an unknown element',
      doc('<MessageBody>x</MessageBody><Priority>1</Priority>'),
      {},
      400,
      'InvalidArgument',
    ],
    ['an empty MessageBody', doc('<MessageBody></MessageBody>'), {}, 400, 'InvalidArgument'],
    [
      'a body over 64 KiB',
      doc(`<MessageBody>${'x'.repeat(65_537)}</MessageBody>`),
      {},
      400,
      'InvalidArgument',
    ],
    [
      'a 17-character tag',
      doc(`<MessageBody>x</MessageBody><MessageTag>${'t'.repeat(17)}</MessageTag>`),
      {},
      400,
      'InvalidArgument',
    ],
  ])('refuses %s', async (_what, body, over, status, code) => {
    const r = await send(body, over);
    expect([r.status, r.root, r.fields.Code]).toEqual([status, 'Error', code]);
    expect(r.fields.RequestId).toBe(r.headers.get('x-mns-request-id'));
    expect(r.fields.HostId).toMatch(/mns\.cn-hangzhou\.aliyuncs\.com$/);
    expect(sim.published()).toEqual([]);
    expect(sim.stats().rejected).toBe(1);
  });

  it('refuses other methods and paths with InvalidRequestURL', async () => {
    expect((await send('', {}, PATH, 'GET')).fields.Code).toBe('InvalidRequestURL');
    expect((await send(doc('<MessageBody>x</MessageBody>'), {}, '/queues/q/messages')).fields.Code).toBe(
      'InvalidRequestURL',
    );
  });

  it('accepts MessageAttributes and ignores them', async () => {
    const r = await send(
      doc('<MessageBody>x</MessageBody><MessageAttributes><DirectMail>{}</DirectMail></MessageAttributes>'),
    );
    expect(r.status).toBe(201);
  });
});

describe('admin routes', () => {
  it('report stats and messages, and set faults (checked)', async () => {
    await send(doc('<MessageBody>one</MessageBody>'));
    const stats = await (await fetch(`${sim.url}/__admin/stats`)).json();
    expect(stats).toMatchObject({ published: 1, rejected: 0, planned: 0 });
    const list = (await (await fetch(`${sim.url}/__admin/messages?topic=t1`)).json()) as {
      messages: { body: string }[];
    };
    expect(list.messages.map((m) => m.body)).toEqual(['one']);

    const ok = await fetch(`${sim.url}/__admin/faults`, {
      method: 'PUT',
      body: JSON.stringify({ lossRate: 1 }),
    });
    expect(ok.status).toBe(200);
    const got: Buffer[] = [];
    sim.subscribe('t1', { name: 's', deliver: (e) => void got.push(e) });
    await send(doc('<MessageBody>two</MessageBody>'));
    await sim.drain();
    expect(got).toEqual([]);
    expect(sim.stats().lost).toBe(1);

    const bad = await fetch(`${sim.url}/__admin/faults`, {
      method: 'PUT',
      body: JSON.stringify({ lossRate: 'all' }),
    });
    expect(bad.status).toBe(400);
    const refusal = (await bad.json()) as { error: { issues: { path: string }[] } };
    expect(refusal.error.issues[0]?.path).toBe('lossRate');
    expect((await fetch(`${sim.url}/__admin/nothing`)).status).toBe(404);
  });

  it('records every invocation with its outcome', async () => {
    let calls = 0;
    sim.subscribe('t1', {
      name: 'flaky',
      deliver: () => {
        calls++;
        if (calls === 1) throw new Error('first attempt fails');
      },
    });
    await send(doc('<MessageBody>x</MessageBody>'));
    await sim.drain();
    expect(sim.invocations().map((i) => [i.subscription, i.attempt, i.ok])).toEqual([
      ['flaky', 1, false],
      ['flaky', 2, true],
    ]);
  });

  it('refuses bad topic names and subscriptions to unknown topics', () => {
    expect(() => sim.createTopic('bad_name')).toThrow(/invalid topic name/);
    expect(() => sim.subscribe('nope', { name: 's', deliver: () => {} })).toThrow(/createTopic/);
  });
});
