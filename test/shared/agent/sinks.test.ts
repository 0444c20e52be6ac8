import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../../shared/adapters/logger/index.js';
import { staticCredentials } from '../../../shared/adapters/metadata/credentials.js';
import { createCmqPublisher } from '../../../shared/adapters/tencent/cmq.js';
import { ReportDispatcher } from '../../../shared/agent/dispatcher.js';
import { DEFAULT_RETRY } from '../../../shared/agent/outbox.js';
import { fixedSecret } from '../../../shared/agent/secrets.js';
import { createHttpSink, createTopicSink, retryableFailure, SinkError } from '../../../shared/agent/sinks.js';
import { FakeTimers } from '../../support/fake-timers.js';

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

/**
 * The cmq sink under the report dispatcher, on a fake clock: the publisher's answers come from a fake
 * TDMQ endpoint (a `fetch` that answers as the API or the network would), so the dispatcher's backoff
 * and its drop of final failures are exercised with the publisher's real classification.
 */
describe('cmq sink under the dispatcher', () => {
  type Answer = 'unreachable' | 'throttled' | 'not-found' | 'ok';
  const setup = () => {
    const state = { answer: 'ok' as Answer, calls: 0 };
    const fakeTdmq: typeof fetch = async () => {
      state.calls++;
      const envelope = (body: Record<string, unknown>) =>
        new Response(JSON.stringify({ Response: { RequestId: 'r', ...body } }));
      if (state.answer === 'unreachable')
        throw new TypeError('fetch failed', {
          cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
        });
      if (state.answer === 'throttled')
        return envelope({ Error: { Code: 'RequestLimitExceeded', Message: 'too many requests' } });
      if (state.answer === 'not-found')
        return envelope({ Error: { Code: 'ResourceNotFound', Message: 'topic not found' } });
      return envelope({ Result: true, MsgId: `m-${state.calls}` });
    };
    const timers = new FakeTimers();
    const logger = createMemoryLogger();
    const sink = createTopicSink(
      createCmqPublisher({
        region: 'ap-guangzhou',
        topic: 'havip-heartbeats',
        credentials: staticCredentials({ accessKeyId: 'AKIDsink', accessKeySecret: 'sink-secret-key-000' }),
        fetch: fakeTdmq,
        clock: timers,
      }),
    );
    const d = new ReportDispatcher({ sink, timers, policy: DEFAULT_RETRY, logger, random: () => 0.5 });
    return { state, timers, logger, d };
  };

  it.each<Answer>(['unreachable', 'throttled'])(
    'never spins while TDMQ is %s, and delivers once it answers',
    async (answer) => {
      const { state, timers, d } = setup();
      state.answer = answer;
      for (let i = 0; i < 20; i++) d.enqueue(`k${i}`, `report ${i}`);
      await timers.advance(3_600_000);
      // Backoff capped at 30 s: a few hundred attempts an hour at most, never one per report per second.
      expect(state.calls).toBeLessThan(3_600 / 15 + 60);
      expect(d.snapshot()).toMatchObject({ queued: 20, delivered: 0, dropped: 0 });
      state.answer = 'ok';
      await timers.advance(60_000);
      expect(d.snapshot()).toMatchObject({ queued: 0, delivered: 20 });
    },
  );

  it('drops a report about an unknown topic once, logged once with the fix, and goes on', async () => {
    const { state, timers, logger, d } = setup();
    state.answer = 'not-found';
    d.enqueue('a', 'A');
    await timers.advance(0);
    expect(state.calls).toBe(1);
    const lines = logger.find(/dropped \(a retry cannot help\)/);
    expect(lines).toHaveLength(1);
    expect(JSON.stringify(lines[0])).toMatch(/ResourceNotFound.*create the topic/);
    state.answer = 'ok';
    d.enqueue('b', 'B');
    await timers.advance(60_000);
    expect(d.snapshot()).toMatchObject({ dropped: 1, delivered: 1 });
  });
});
