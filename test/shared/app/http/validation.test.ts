/**
 * Requests refused before the service: every case runs against a service that throws when reached, so a
 * refusal that leaked through would show up as a 500 and a non-zero call count.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../../../shared/adapters/logger/index.js';
import { createHttpApp } from '../../../../shared/app/http/app.js';
import { errorResponse, statusForResult, statusForResults } from '../../../../shared/app/http/errors.js';
import { CloudError, DeadlineExceededError, NotFoundError } from '../../../../shared/core/errors.js';
import {
  AUTH,
  bearer,
  post,
  RecordingService,
  resultOf,
  TestClock,
  TripwireService,
} from '../../../support/http.js';

interface ErrorJson {
  error: {
    code: string;
    message: string;
    issues?: { path: string; message: string; hint?: string }[];
    requestId?: string;
  };
}

function tripwireApp(maxBodyBytes?: number) {
  const service = new TripwireService();
  const logger = createMemoryLogger();
  const app = createHttpApp({ service, auth: AUTH, logger, clock: new TestClock(), maxBodyBytes });
  return { app, service, logger };
}

const GOOD_MEMBER = 'i-bp1test0000000000001';

describe('400: bodies name the field and the fix', () => {
  it.each([
    {
      name: 'failover without a reason',
      path: '/v1/groups/web/failover',
      body: {},
      field: 'reason',
      message: 'must be a non-empty string',
    },
    {
      name: 'failover with a blank reason',
      path: '/v1/groups/web/failover',
      body: { reason: '   ' },
      field: 'reason',
      message: 'must be a non-empty string',
    },
    {
      name: 'failover with a numeric reason',
      path: '/v1/groups/web/failover',
      body: { reason: 42 },
      field: 'reason',
      message: 'must be a non-empty string',
    },
    {
      name: 'failover with a 501-character reason',
      path: '/v1/groups/web/failover',
      body: { reason: 'x'.repeat(501) },
      field: 'reason',
      message: 'must be at most 500 characters',
    },
    {
      name: 'regression (issue 13.5): a reason forging a second block of the notification',
      path: '/v1/groups/web/failover',
      body: { reason: 'kernel update\n\n### [INFO] resolved: all clear' },
      field: 'reason',
      message: 'must be one line of text',
    },
    {
      name: 'a reason with a terminal escape',
      path: `/v1/members/${GOOD_MEMBER}/drain`,
      body: { reason: 'disk \u001b[2Jswap' },
      field: 'reason',
      message: 'must be one line of text',
    },
    {
      name: 'a reason with a right-to-left override',
      path: '/v1/groups/web/plan',
      body: { reason: 'swap \u202edrah' },
      field: 'reason',
      message: 'bidirectional-override',
    },
    {
      name: 'a reason with a Unicode line separator',
      path: `/v1/members/${GOOD_MEMBER}/undrain`,
      body: { reason: 'back\u2028### resolved' },
      field: 'reason',
      message: 'must be one line of text',
    },
    {
      name: 'regression (issue 13.1): a heartbeat sequence far ahead of the server clock',
      path: '/v1/heartbeats',
      body: { instanceId: GOOD_MEMBER, sequence: Number.MAX_SAFE_INTEGER },
      field: 'sequence',
      message: 'ahead of the server clock; the limit is 300000 ms',
    },
    {
      name: 'failover with force as a string',
      path: '/v1/groups/web/failover',
      body: { reason: 'r', force: 'yes' },
      field: 'force',
      message: 'must be true or false',
    },
    {
      name: 'failover to a bad id',
      path: '/v1/groups/web/failover',
      body: { reason: 'r', to: 'web-2' },
      field: 'to',
      message: 'must be an ECS instance id (i-…) or an ENI id (eni-…)',
    },
    {
      name: 'failover with an unknown field',
      path: '/v1/groups/web/failover',
      body: { reason: 'r', target: GOOD_MEMBER },
      field: 'target',
      message: 'unknown field',
    },
    {
      name: 'failover naming its own actor',
      path: '/v1/groups/web/failover',
      body: { reason: 'r', actor: 'root' },
      field: 'actor',
      message: 'unknown field',
    },
    {
      name: 'plan with a bad force',
      path: '/v1/groups/web/plan',
      body: { force: 1 },
      field: 'force',
      message: 'must be true or false',
    },
    {
      name: 'drain without a reason',
      path: `/v1/members/${GOOD_MEMBER}/drain`,
      body: {},
      field: 'reason',
      message: 'must be a non-empty string',
    },
    {
      name: 'undrain with an unknown field',
      path: `/v1/members/${GOOD_MEMBER}/undrain`,
      body: { why: 'x' },
      field: 'why',
      message: 'unknown field',
    },
    {
      name: 'heartbeat without an instance',
      path: '/v1/heartbeats',
      body: {},
      field: 'instanceId',
      message: 'must be a member id string',
    },
    {
      name: 'heartbeat with a bad instance',
      path: '/v1/heartbeats',
      body: { instanceId: 'I-ABC' },
      field: 'instanceId',
      message: 'must be an ECS instance id',
    },
    {
      name: 'heartbeat with a negative sequence',
      path: '/v1/heartbeats',
      body: { instanceId: GOOD_MEMBER, sequence: -1 },
      field: 'sequence',
      message: 'must be a non-negative integer',
    },
    {
      name: 'heartbeat with a fractional sequence',
      path: '/v1/heartbeats',
      body: { instanceId: GOOD_MEMBER, sequence: 1.5 },
      field: 'sequence',
      message: 'must be a non-negative integer',
    },
    {
      name: 'heartbeat with a string sequence',
      path: '/v1/heartbeats',
      body: { instanceId: GOOD_MEMBER, sequence: '7' },
      field: 'sequence',
      message: 'must be a non-negative integer',
    },
    {
      name: 'validate with a parameter',
      path: '/v1/validate',
      body: { live: true },
      field: 'live',
      message: 'unknown field',
    },
  ])('$name → 400 at $field', async ({ path, body, field, message }) => {
    const { app, service } = tripwireApp();
    const res = await app.request(path, post(body));
    expect(res.status).toBe(400);
    const json = (await res.json()) as ErrorJson;
    expect(json.error.code).toBe('request.invalid');
    const issue = json.error.issues?.find((i) => i.path === field);
    expect(issue, JSON.stringify(json.error.issues)).toBeDefined();
    expect(issue!.message).toContain(message);
    expect(json.error.message).toContain(`${field}: `);
    expect(service.calls).toBe(0);
  });

  it('reports every problem of a body at once', async () => {
    const { app } = tripwireApp();
    const res = await app.request('/v1/groups/web/failover', post({ to: 'x', force: 'no', extra: 1 }));
    const json = (await res.json()) as ErrorJson;
    expect(json.error.issues?.map((i) => i.path).sort()).toEqual(['extra', 'force', 'reason', 'to']);
  });

  it('lists the allowed fields in the hint for an unknown one', async () => {
    const { app } = tripwireApp();
    const json = (await (
      await app.request('/v1/groups/web/failover', post({ reason: 'r', froce: true }))
    ).json()) as ErrorJson;
    expect(json.error.issues).toEqual([
      { path: 'froce', message: 'unknown field', hint: 'allowed: to, reason, force' },
    ]);
  });

  it.each([
    { name: 'not JSON', body: '{"reason": ', message: /is not valid JSON/ },
    { name: 'a JSON array', body: '["reason"]', message: /must be a JSON object/ },
    { name: 'a JSON string', body: '"reason"', message: /must be a JSON object/ },
    { name: 'null', body: 'null', message: /must be a JSON object/ },
  ])('a body that is $name → 400 at body', async ({ body, message }) => {
    const { app, service } = tripwireApp();
    const res = await app.request('/v1/groups/web/failover', post(body));
    expect(res.status).toBe(400);
    const json = (await res.json()) as ErrorJson;
    expect(json.error.issues?.[0]?.path).toBe('body');
    expect(json.error.issues?.[0]?.message).toMatch(message);
    expect(service.calls).toBe(0);
  });

  it('rejects a body that is not UTF-8', async () => {
    const { app } = tripwireApp();
    const res = await app.request('/v1/heartbeats', {
      method: 'POST',
      headers: { ...bearer(), 'Content-Type': 'application/json' },
      body: new Uint8Array([0x7b, 0xff, 0x7d]),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorJson).error.issues?.[0]).toMatchObject({
      path: 'body',
      message: 'is not valid UTF-8',
    });
  });
});

describe('member ids of either cloud', () => {
  it.each([
    ['an Alibaba ECS instance', 'i-bp1test0000000000001'],
    ['a Tencent CVM instance (its agent beats with it)', 'ins-0demo001'],
    ['an ENI', 'eni-0demo001'],
  ])('a heartbeat from %s reaches the service', async (_what, instanceId) => {
    const service = new RecordingService();
    const app = createHttpApp({ service, auth: AUTH, logger: createMemoryLogger(), clock: new TestClock() });
    const res = await app.request('/v1/heartbeats', post({ instanceId }));
    expect(res.status).toBe(200);
    expect(service.heartbeats.map((h) => h.instanceId)).toEqual([instanceId]);
  });

  it('an id of neither cloud is refused with the Alibaba rule’s message', async () => {
    const { app, service } = tripwireApp();
    const res = await app.request('/v1/heartbeats', post({ instanceId: 'vm-0demo001' }));
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorJson).error.issues?.[0]?.message).toContain(
      'must be an ECS instance id (i-…) or an ENI id (eni-…)',
    );
    expect(service.calls).toBe(0);
  });
});

describe('400: path parameters and query strings', () => {
  it.each([
    {
      name: 'an upper-case group',
      method: 'GET',
      path: '/v1/groups/Web',
      field: 'path.group',
      message: /lowercase letters/,
    },
    {
      name: 'a group with a dot',
      method: 'POST',
      path: '/v1/groups/a.b/failover',
      field: 'path.group',
      message: /lowercase letters/,
    },
    {
      name: 'a member that is not an id',
      method: 'POST',
      path: '/v1/members/web-1/drain',
      field: 'path.member',
      message: /ECS instance id/,
    },
    {
      name: 'an encoded slash in a member',
      method: 'POST',
      path: '/v1/members/i-a%2Fb/undrain',
      field: 'path.member',
      message: /ECS instance id/,
    },
    {
      name: 'limit 0',
      method: 'GET',
      path: '/v1/history?limit=0',
      field: 'query.limit',
      message: /from 1 to 500/,
    },
    {
      name: 'limit 501',
      method: 'GET',
      path: '/v1/history?limit=501',
      field: 'query.limit',
      message: /from 1 to 500/,
    },
    {
      name: 'limit abc',
      method: 'GET',
      path: '/v1/history?limit=abc',
      field: 'query.limit',
      message: /from 1 to 500/,
    },
    {
      name: 'limit -1',
      method: 'GET',
      path: '/v1/history?limit=-1',
      field: 'query.limit',
      message: /from 1 to 500/,
    },
    {
      name: 'a repeated limit',
      method: 'GET',
      path: '/v1/history?limit=1&limit=2',
      field: 'query.limit',
      message: /more than once/,
    },
    {
      name: 'a bad group filter',
      method: 'GET',
      path: '/v1/history?group=WEB',
      field: 'query.group',
      message: /lowercase letters/,
    },
    {
      name: 'an unknown history parameter',
      method: 'GET',
      path: '/v1/history?grp=web',
      field: 'query.grp',
      message: /unknown field/,
    },
    {
      name: 'a parameter on /v1/groups',
      method: 'GET',
      path: '/v1/groups?verbose=1',
      field: 'query.verbose',
      message: /unknown field/,
    },
  ])('$name → 400 at $field', async ({ method, path, field, message }) => {
    const { app, service } = tripwireApp();
    const init = method === 'GET' ? { headers: bearer() } : post({ reason: 'r' });
    const res = await app.request(path, init);
    expect(res.status).toBe(400);
    const issue = ((await res.json()) as ErrorJson).error.issues?.find((i) => i.path === field);
    expect(issue?.message).toMatch(message);
    expect(service.calls).toBe(0);
  });
});

describe('413, 415, 404, 405', () => {
  it('413 when Content-Length exceeds the limit, before reading the body', async () => {
    const { app, service } = tripwireApp(1024);
    const res = await app.request('/v1/groups/web/failover', {
      method: 'POST',
      headers: { ...bearer(), 'Content-Type': 'application/json', 'Content-Length': '5000' },
      body: JSON.stringify({ reason: 'short' }),
    });
    expect(res.status).toBe(413);
    const json = (await res.json()) as ErrorJson;
    expect(json.error.code).toBe('http.payload-too-large');
    expect(json.error.issues?.[0]?.message).toBe('the body is 5000 bytes; the limit is 1024 bytes');
    expect(service.calls).toBe(0);
  });

  it('413 when the bytes actually read exceed the limit (no Content-Length: chunked)', async () => {
    const { app, service } = tripwireApp(1024);
    const chunk = new TextEncoder().encode(`{"reason":"${'x'.repeat(600)}`);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(chunk);
        controller.enqueue(chunk);
        controller.close();
      },
    });
    const res = await app.request('/v1/groups/web/failover', {
      method: 'POST',
      headers: { ...bearer(), 'Content-Type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(service.calls).toBe(0);
  });

  it('413 with the default 64 KiB limit, and a body just under it reaches validation', async () => {
    const { app } = tripwireApp();
    const over = await app.request('/v1/groups/web/failover', post({ reason: 'x'.repeat(64 * 1024) }));
    expect(over.status).toBe(413);
    const under = await app.request('/v1/groups/web/failover', post({ reason: 'x'.repeat(60 * 1024) }));
    expect(under.status).toBe(400); // a reason over 500 characters
  });

  it('413 is answered before authentication (the body is bounded for everyone)', async () => {
    const { app } = tripwireApp(16);
    const res = await app.request('/v1/heartbeats', { method: 'POST', body: 'x'.repeat(100) });
    expect(res.status).toBe(413);
  });

  it('400 for a Content-Length that is not a number', async () => {
    const { app } = tripwireApp();
    const res = await app.request('/v1/heartbeats', {
      method: 'POST',
      headers: { ...bearer(), 'Content-Type': 'application/json', 'Content-Length': 'lots' },
      body: '{}',
    });
    expect(res.status).toBe(400);
  });

  it.each([
    { name: 'text/plain', contentType: 'text/plain' },
    { name: 'form data', contentType: 'application/x-www-form-urlencoded' },
    { name: 'no Content-Type', contentType: undefined },
  ])('415 for a POST body sent as $name', async ({ contentType }) => {
    const { app, service } = tripwireApp();
    const headers: Record<string, string> = { ...bearer() };
    if (contentType) headers['Content-Type'] = contentType;
    const res = await app.request('/v1/groups/web/failover', {
      method: 'POST',
      headers,
      body: '{"reason":"r"}',
    });
    expect(res.status).toBe(415);
    const json = (await res.json()) as ErrorJson;
    expect(json.error.code).toBe('http.unsupported-media-type');
    expect(json.error.message).toContain('application/json');
    expect(service.calls).toBe(0);
  });

  it('accepts JSON media types with parameters and +json suffixes', async () => {
    const service = new RecordingService();
    const app = createHttpApp({ service, auth: AUTH, logger: createMemoryLogger(), clock: new TestClock() });
    for (const type of ['application/json; charset=utf-8', 'application/vnd.havip+json']) {
      const res = await app.request('/v1/groups/web/failover', {
        method: 'POST',
        headers: { ...bearer(), 'Content-Type': type },
        body: '{"reason":"r"}',
      });
      expect(res.status).toBe(200);
    }
  });

  it.each([
    { path: '/', method: 'GET' },
    { path: '/v2/groups', method: 'GET' },
    { path: '/v1/groups/web/members', method: 'GET' },
    { path: '/v1/members/i-bp1test0000000000001', method: 'POST' },
  ])('404 http.not-found for $method $path', async ({ path, method }) => {
    const { app } = tripwireApp();
    const res = await app.request(path, { method, headers: bearer() });
    expect(res.status).toBe(404);
    expect(((await res.json()) as ErrorJson).error.code).toBe('http.not-found');
  });

  it.each([
    { path: '/v1/groups', method: 'POST', allow: 'GET' },
    { path: '/v1/groups/web', method: 'DELETE', allow: 'GET' },
    { path: '/v1/groups/web/failover', method: 'GET', allow: 'POST' },
    { path: '/v1/heartbeats', method: 'PUT', allow: 'POST' },
    { path: '/healthz', method: 'POST', allow: 'GET' },
  ])('405 with Allow: $allow for $method $path', async ({ path, method, allow }) => {
    const { app, service } = tripwireApp();
    const res = await app.request(path, { method, headers: bearer() });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe(allow);
    expect(((await res.json()) as ErrorJson).error.code).toBe('http.method-not-allowed');
    expect(service.calls).toBe(0);
  });
});

describe('500: unexpected errors', () => {
  it('answers a generic message with the request id, and logs the details', async () => {
    const { app, logger } = tripwireApp();
    const res = await app.request('/v1/groups', { headers: bearer() });
    expect(res.status).toBe(500);
    const json = (await res.json()) as ErrorJson;
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(json.error).toEqual({
      code: 'internal',
      message: `internal error; the server log has the details under request id ${requestId}`,
      requestId,
    });
    expect(JSON.stringify(json)).not.toContain('must not be reached');
    const logged = logger.entries.find((e) => e.msg === 'request failed');
    expect(logged?.fields.requestId).toBe(requestId);
    expect(JSON.stringify(logged?.fields)).toContain('the service must not be reached');
  });
});

describe('status mapping', () => {
  it.each([
    { status: 'noop', http: 200 },
    { status: 'done', http: 200 },
    { status: 'unverified', http: 200 },
    { status: 'planned', http: 200 },
    { status: 'switch-incomplete', http: 202 },
    { status: 'alert', http: 409 },
    { status: 'busy', http: 409 },
    { status: 'fenced', http: 409 },
  ] as const)('$status → $http', ({ status, http }) => {
    expect(statusForResult(resultOf(status))).toBe(http);
  });

  it.each([
    { code: 'cloud.throttled', http: 502 },
    { code: 'cloud.error', http: 502 },
    { code: 'store.error', http: 502 },
    { code: 'deadline.exceeded', http: 504 },
    { code: 'internal', http: 500 },
  ] as const)('failed with $code → $http', ({ code, http }) => {
    expect(statusForResult(resultOf('failed', { error: { code, message: 'm' } }))).toBe(http);
  });

  it('drain results: failures win, then unfinished switches; refusals do not fail a recorded drain', () => {
    expect(statusForResults([])).toBe(200);
    expect(statusForResults([resultOf('alert'), resultOf('busy')])).toBe(200);
    expect(statusForResults([resultOf('done'), resultOf('switch-incomplete')])).toBe(202);
    expect(
      statusForResults([
        resultOf('switch-incomplete'),
        resultOf('failed', { error: { code: 'cloud.error', message: '' } }),
      ]),
    ).toBe(502);
  });

  it.each([
    { error: new NotFoundError('group', 'x'), http: 404, code: 'group.not-found' },
    { error: new NotFoundError('member', 'i-x'), http: 404, code: 'member.not-found' },
    { error: new DeadlineExceededError('failover'), http: 504, code: 'deadline.exceeded' },
    {
      error: new CloudError({
        action: 'DescribeHaVips',
        alibabaCode: 'Throttling',
        message: 'slow down',
        retryable: true,
      }),
      http: 502,
      code: 'cloud.error',
    },
    { error: new TypeError('x is undefined'), http: 500, code: 'internal' },
  ])('errorResponse: $code → $http', ({ error, http, code }) => {
    const r = errorResponse(error, 'rid');
    expect(r.status).toBe(http);
    expect(r.body.error.code).toBe(code);
  });

  it('hides the message of an internal failure inside a reconcile result', async () => {
    const service = new RecordingService();
    service.next = resultOf('failed', { error: { code: 'internal', message: 'ENOENT /srv/secret/path' } });
    const app = createHttpApp({ service, auth: AUTH, logger: createMemoryLogger(), clock: new TestClock() });
    const res = await app.request('/v1/groups/web/failover', post({ reason: 'r' }));
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('/srv/secret/path');
    expect(JSON.parse(text)).toMatchObject({ status: 'failed', error: { code: 'internal' } });
  });
});
