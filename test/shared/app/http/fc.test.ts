/** The FC HTTP trigger adapter: the same body limit as the app, and FC's request id (never a client's). */
import { describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../../../shared/adapters/logger/index.js';
import { createHttpApp } from '../../../../shared/app/http/app.js';
import { handleFcHttpEvent } from '../../../../shared/app/http/fc.js';
import { AUTH, RecordingService, TestClock, TOKEN } from '../../../support/http.js';

function setup() {
  const logger = createMemoryLogger();
  const service = new RecordingService();
  const app = createHttpApp({ service, auth: AUTH, logger, clock: new TestClock() });
  logger.clear();
  return { app, logger, service };
}

const event = (body: string, headers: Record<string, string> = {}, requestId?: string) => ({
  rawPath: '/v1/groups/web/failover',
  body,
  headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', ...headers },
  requestContext: { ...(requestId ? { requestId } : {}), http: { method: 'POST' } },
});

describe('handleFcHttpEvent', () => {
  it('regression (issue 13.7): refuses a body over the app limit (64 KiB) itself, without building a request', async () => {
    const { app, logger } = setup();
    const body = JSON.stringify({ reason: 'x'.repeat(100 * 1024) });
    const r = await handleFcHttpEvent(app, event(body), { logger, requestId: 'fc-1' });
    expect(r.statusCode).toBe(413);
    expect(JSON.parse(r.body).error).toMatchObject({ code: 'http.payload-too-large', requestId: 'fc-1' });
    // The adapter answered: the app never saw the request (no access-log line), and no stack was logged.
    expect(logger.entries.map((e) => [e.level, e.msg])).toEqual([['warn', 'unusable HTTP trigger event']]);
    expect(JSON.stringify(logger.entries)).not.toContain('stack');
  });

  it('takes FC’s request id from the context, else from the event, never from a client header', async () => {
    const { app, logger, service } = setup();
    const body = JSON.stringify({ reason: 'x' });
    const forged = { 'X-Havip-Request-Id': 'forged-id' };
    const fromContext = await handleFcHttpEvent(app, event(body, forged, 'evt-1'), {
      logger,
      requestId: 'ctx-1',
    });
    const fromEvent = await handleFcHttpEvent(app, event(body, forged, 'evt-2'), { logger });
    const fromNobody = await handleFcHttpEvent(app, event(body, forged), { logger });
    expect(fromContext.headers['x-request-id']).toBe('ctx-1');
    expect(fromEvent.headers['x-request-id']).toBe('evt-2');
    expect(fromNobody.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(service.failovers.map((f) => f.invocationId)).toEqual([
      'http-ctx-1',
      'http-evt-2',
      `http-${fromNobody.headers['x-request-id']}`,
    ]);
  });
});
