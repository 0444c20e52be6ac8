/** The middlewares: where the request id comes from, and a client that goes away mid-body. */
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../../../shared/adapters/logger/index.js';
import { createHttpApp } from '../../../../shared/app/http/app.js';
import { AUTH, bearer, post, RecordingService, TestClock, TOKEN } from '../../../support/http.js';

function setup() {
  const logger = createMemoryLogger();
  const service = new RecordingService();
  const app = createHttpApp({ service, auth: AUTH, logger, clock: new TestClock() });
  logger.clear(); // the start-up notices
  return { app, service, logger };
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('request ids', () => {
  it('regression (issue 13.6): a client-chosen X-Havip-Request-Id is never the request id, in logs or invocation ids', async () => {
    const { app, service, logger } = setup();
    const forged = 'victim-req-1';
    // Before authentication (refused) and after it (a failover that starts an invocation).
    for (const credentials of [{}, bearer()]) {
      const res = await app.request(
        '/v1/groups/web/failover',
        post({ reason: 'x' }, { ...credentials, 'X-Havip-Request-Id': forged }),
      );
      expect(res.headers.get('x-request-id')).toMatch(UUID_RE);
    }
    expect(service.failovers).toHaveLength(1);
    expect(service.failovers[0]?.invocationId).toMatch(/^http-[0-9a-f-]{36}$/);
    expect(JSON.stringify(logger.entries)).not.toContain(forged);
  });

  it('uses the id a trusted adapter passes in the env (FC passes its own), and it names the invocation', async () => {
    const { app, service } = setup();
    const res = await app.fetch(new Request('http://h/v1/groups/web/failover', post({ reason: 'x' })), {
      requestId: 'fc-1-abc',
    });
    expect(res.headers.get('x-request-id')).toBe('fc-1-abc');
    expect(service.failovers[0]?.invocationId).toBe('http-fc-1-abc');
  });

  it('replaces a passed id that is not a safe token', async () => {
    const { app } = setup();
    const res = await app.fetch(new Request('http://h/v1/groups', { headers: bearer() }), {
      requestId: 'a b;\u00e9'.repeat(3),
    });
    expect(res.headers.get('x-request-id')).toMatch(UUID_RE);
  });
});

describe('a client that goes away before its body is read', () => {
  it('is one info access-log line (no error, no stack) when the body stream breaks off', async () => {
    const { app, logger, service } = setup();
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('{"reason":'));
      },
      pull(c) {
        c.error(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
      },
    });
    const res = await app.request(
      new Request('http://h/v1/groups/web/failover', {
        method: 'POST',
        headers: { ...bearer(), 'Content-Type': 'application/json' },
        body,
        duplex: 'half',
      } as RequestInit),
    );
    expect(res.status).toBe(400);
    expect(logger.entries.map((e) => [e.level, e.msg, e.fields.clientClosed])).toEqual([
      ['info', 'http request', true],
    ]);
    expect(service.failovers).toHaveLength(0);
  });

  it('regression (issue 13.7): a real socket closed mid-body logs one info line without a stack', async () => {
    const { app, logger } = setup();
    const server = createAdaptorServer({ fetch: app.fetch });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write(
        `POST /v1/groups/web/failover HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer ${TOKEN}\r\n` +
          'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"reason":',
      );
      // Wait until the server has started reading the body, then go away.
      await new Promise((resolve) => setImmediate(resolve));
      socket.destroy();
      for (let i = 0; i < 500 && logger.find('http request').length === 0; i++)
        await new Promise((resolve) => setTimeout(resolve, 10));
      expect(logger.entries.map((e) => [e.level, e.msg, e.fields.clientClosed])).toEqual([
        ['info', 'http request', true],
      ]);
      expect(JSON.stringify(logger.entries)).not.toContain('stack');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
