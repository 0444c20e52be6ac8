import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import {
  fcHttpEventToRequest,
  isTextContentType,
  PayloadTooLargeError,
  REQUEST_ID_HEADER,
  responseToFcHttpResult,
  SOURCE_IP_HEADER,
} from '../../../shared/events/http.js';

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../../fixtures/events/${name}`, import.meta.url));

describe('fcHttpEventToRequest', () => {
  it('builds a GET request from the documented event', () => {
    const req = fcHttpEventToRequest(fixture('http-trigger-get-groups.json'));
    expect(req.method).toBe('GET');
    expect(req.url).toBe('https://havip-failover-abcdefghij.cn-hangzhou.fcapp.run/v1/groups');
    expect(req.headers.get('authorization')).toBe('Bearer <token>');
    expect(req.headers.get(SOURCE_IP_HEADER)).toBe('203.0.113.7');
    expect(req.headers.get(REQUEST_ID_HEADER)).toBe('1-6740a1b2-3c4d5e6f7a8b9c0d1e2f3a4b');
    expect(req.body).toBeNull();
  });

  it('decodes a Base64 POST body, multi-value headers and query parameters', async () => {
    const req = fcHttpEventToRequest(fixture('http-trigger-post-failover.json'));
    expect(req.method).toBe('POST');
    const url = new URL(req.url);
    expect(url.pathname).toBe('/v1/groups/web/failover');
    expect(url.searchParams.get('dryRun')).toBe('true');
    expect(url.searchParams.getAll('tag')).toEqual(['a', 'b']);
    // A comma-joined value is passed through, not split.
    expect(url.searchParams.getAll('list')).toEqual(['x,y']);
    expect(req.headers.get('accept')).toBe('application/json, text/plain');
    // A client cannot spoof the source address header: FC's value replaces it.
    expect(req.headers.get(SOURCE_IP_HEADER)).toBe('203.0.113.7');
    expect(await req.json()).toEqual({ to: 'i-bp1demo0000000000002', reason: 'planned maintenance' });
  });

  it('passes a plain-text body through unchanged', async () => {
    const ev = {
      rawPath: '/echo',
      body: '{"ünïcode":"✓"}',
      isBase64Encoded: false,
      headers: {},
      requestContext: { domainName: 'h.example', http: { method: 'put' } },
    };
    const req = fcHttpEventToRequest(JSON.stringify(ev));
    expect(req.method).toBe('PUT');
    expect(await req.text()).toBe('{"ünïcode":"✓"}');
  });

  it('drops a body on GET instead of failing', () => {
    const ev = { rawPath: '/x', body: 'ignored', requestContext: { http: { method: 'GET' } } };
    expect(fcHttpEventToRequest(ev).body).toBeNull();
  });

  it('keeps a leading "//" in the path a path', () => {
    const ev = {
      rawPath: '//evil.example/x',
      requestContext: { domainName: 'h.example', http: { method: 'GET' } },
    };
    const url = new URL(fcHttpEventToRequest(ev).url);
    expect(url.host).toBe('h.example');
    expect(url.pathname).toBe('//evil.example/x');
  });

  it('accepts a body exactly at the limit and rejects one byte more with a 413 error', () => {
    const ev = (n: number) => ({
      rawPath: '/x',
      body: 'a'.repeat(n),
      requestContext: { http: { method: 'POST' } },
    });
    expect(fcHttpEventToRequest(ev(16), { maxBodyBytes: 16 }).method).toBe('POST');
    try {
      fcHttpEventToRequest(ev(17), { maxBodyBytes: 16 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PayloadTooLargeError);
      expect((e as PayloadTooLargeError).status).toBe(413);
      expect((e as PayloadTooLargeError).code).toBe('http.payload-too-large');
    }
  });

  it('rejects an oversized raw event before parsing it', () => {
    const huge = Buffer.alloc(1024 * 1024, 0x20);
    expect(() => fcHttpEventToRequest(huge, { maxBodyBytes: 1024 })).toThrow(PayloadTooLargeError);
  });
});

describe('responseToFcHttpResult', () => {
  it.each([
    ['application/json', '{"ok":true}'],
    ['application/problem+json', '{"type":"x"}'],
    ['text/plain; charset=utf-8', 'héllo'],
    ['image/svg+xml', '<svg/>'],
  ])('%s travels as UTF-8 text', async (type, body) => {
    const r = await responseToFcHttpResult(
      new Response(body, { status: 201, headers: { 'content-type': type } }),
    );
    expect(r).toEqual({ statusCode: 201, headers: { 'content-type': type }, isBase64Encoded: false, body });
  });

  it('encodes binary bodies as Base64', async () => {
    const bytes = new Uint8Array([0, 255, 1, 128]);
    const r = await responseToFcHttpResult(
      new Response(bytes, { headers: { 'content-type': 'application/octet-stream' } }),
    );
    expect(r.isBase64Encoded).toBe(true);
    expect(Buffer.from(r.body, 'base64')).toEqual(Buffer.from(bytes));
  });

  it('falls back to Base64 for a text type that is not valid UTF-8', async () => {
    const r = await responseToFcHttpResult(
      new Response(new Uint8Array([0xff, 0xfe]), { headers: { 'content-type': 'text/plain' } }),
    );
    expect(r.isBase64Encoded).toBe(true);
    expect(r.body).toBe('//4=');
  });

  it('handles an empty body and joins multiple Set-Cookie values', async () => {
    const headers = new Headers();
    headers.append('set-cookie', 'a=1');
    headers.append('set-cookie', 'b=2');
    const r = await responseToFcHttpResult(new Response(null, { status: 204, headers }));
    expect(r).toEqual({
      statusCode: 204,
      headers: { 'set-cookie': 'a=1, b=2' },
      isBase64Encoded: false,
      body: '',
    });
  });

  it('round-trips through a Hono app', async () => {
    const app = new Hono();
    app.post('/v1/groups/:name/failover', async (c) =>
      c.json({ group: c.req.param('name'), body: await c.req.json(), dry: c.req.query('dryRun') }, 202),
    );
    const res = await app.fetch(fcHttpEventToRequest(fixture('http-trigger-post-failover.json')));
    const out = await responseToFcHttpResult(res);
    expect(out.statusCode).toBe(202);
    expect(out.isBase64Encoded).toBe(false);
    expect(JSON.parse(out.body)).toEqual({
      group: 'web',
      body: { to: 'i-bp1demo0000000000002', reason: 'planned maintenance' },
      dry: 'true',
    });
  });
});

describe('isTextContentType', () => {
  it.each([
    ['text/html', true],
    ['application/json; charset=UTF-8', true],
    ['application/vnd.api+json', true],
    ['application/xml', true],
    ['text/plain; charset=iso-8859-1', false],
    ['application/octet-stream', false],
    ['image/png', false],
  ] as const)('%s → %s', (type, expected) => {
    expect(isTextContentType(type)).toBe(expected);
  });
  it('treats a missing content type as binary', () => {
    expect(isTextContentType(null)).toBe(false);
  });
});
