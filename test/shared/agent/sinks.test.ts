import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedSecret } from '../../../shared/agent/secrets.js';
import { createHttpSink, createTopicSink, retryableFailure, SinkError } from '../../../shared/agent/sinks.js';

let status = 200;
const received: { body: string; authorization: string | undefined }[] = [];
const server: Server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => {
    body += c;
  });
  req.on('end', () => {
    received.push({ body, authorization: req.headers.authorization });
    res.writeHead(status).end();
  });
});
let url: string;
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/reports`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('http sink', () => {
  it('posts the body with the bearer token', async () => {
    status = 204;
    await createHttpSink({ url, token: fixedSecret('collector-token-0123456789'), timeoutMs: 2_000 }).publish(
      '{"a":1}',
    );
    expect(received.at(-1)).toEqual({ body: '{"a":1}', authorization: 'Bearer collector-token-0123456789' });
  });

  it.each([
    { status: 500, retryable: true },
    { status: 503, retryable: true },
    { status: 429, retryable: true },
    { status: 408, retryable: true },
    { status: 400, retryable: false },
    { status: 403, retryable: false },
  ])('HTTP $status is a failure with retryable=$retryable', async ({ status: s, retryable }) => {
    status = s;
    const e = await createHttpSink({ url, timeoutMs: 2_000 })
      .publish('x')
      .catch((err: unknown) => err);
    expect(e).toBeInstanceOf(SinkError);
    expect(retryableFailure(e)).toBe(retryable);
  });

  it('an unreachable collector is worth retrying', async () => {
    const e = await createHttpSink({ url: 'http://127.0.0.1:1/r', timeoutMs: 2_000 })
      .publish('x')
      .catch((err: unknown) => err);
    expect((e as Error).message).toMatch(/cannot reach the report sink/);
    expect(retryableFailure(e)).toBe(true);
  });
});

// The mns and cmq sinks over the real publishers, the simulators and rotating role credentials: setup.test.ts.
describe('topic sink (mns, cmq)', () => {
  it('keeps the retryability the publisher gives its errors', async () => {
    const failing = (retryable: boolean) =>
      createTopicSink({
        publish: async () => {
          throw Object.assign(new Error('mns'), { retryable });
        },
      });
    expect(
      retryableFailure(
        await failing(false)
          .publish('x')
          .catch((e: unknown) => e),
      ),
    ).toBe(false);
    expect(
      retryableFailure(
        await failing(true)
          .publish('x')
          .catch((e: unknown) => e),
      ),
    ).toBe(true);
  });
});
