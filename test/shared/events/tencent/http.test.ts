import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../../shared/core/errors.js';
import { PayloadTooLargeError, REQUEST_ID_HEADER, SOURCE_IP_HEADER } from '../../../../shared/events/http.js';
import { scfHttpEventToRequest } from '../../../../shared/events/tencent/http.js';

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../../../fixtures/events/${name}`, import.meta.url));
const urlEvent = (over: Record<string, unknown>) => ({
  httpMethod: 'GET',
  path: '/v1/groups',
  headers: { host: 'fn.example.test' },
  ...over,
});

describe('scfHttpEventToRequest', () => {
  it('API gateway: the actual method and path (not the API template), host, request id and source ip', async () => {
    const req = scfHttpEventToRequest(fixture('tencent-apigw-get-groups.json'));
    expect(req.method).toBe('GET');
    expect(req.url).toBe('https://service-abcd1234-1250000011.gz.apigw.tencentcs.com/v1/groups');
    expect(req.headers.get('authorization')).toBe('Bearer <token>');
    expect(req.headers.get(REQUEST_ID_HEADER)).toBe('c6af9ac6-7b61-11e6-9a41-93e8deadbeef');
    expect(req.headers.get(SOURCE_IP_HEADER)).toBe('203.0.113.7');
  });

  it('function URL: the body, and the client address from x-scf-remote-addr', async () => {
    const req = scfHttpEventToRequest(fixture('tencent-function-url-post-drain.json'));
    expect(req.method).toBe('POST');
    expect(new URL(req.url).pathname).toBe('/v1/members/ins-demo0001/drain');
    expect(await req.json()).toEqual({ reason: 'kernel upgrade' });
    expect(req.headers.get(SOURCE_IP_HEADER)).toBe('203.0.113.9');
    expect(req.headers.get(REQUEST_ID_HEADER)).toBeNull();
  });

  it('queryString (or queryStringParameters), repeated values, Base64 bodies', async () => {
    const q = scfHttpEventToRequest(urlEvent({ queryString: { a: ['1', '2'], b: 'x' } }));
    expect(new URL(q.url).searchParams.getAll('a')).toEqual(['1', '2']);
    const p = scfHttpEventToRequest(urlEvent({ queryStringParameters: { c: '3' } }));
    expect(new URL(p.url).searchParams.get('c')).toBe('3');
    const b = scfHttpEventToRequest(
      urlEvent({
        httpMethod: 'post',
        body: Buffer.from('{"x":1}').toString('base64'),
        isBase64Encoded: true,
      }),
    );
    expect(b.method).toBe('POST');
    expect(await b.text()).toBe('{"x":1}');
  });

  it('a client cannot forge the trusted headers', () => {
    const req = scfHttpEventToRequest(
      urlEvent({ headers: { host: 'h.test', [SOURCE_IP_HEADER]: '1.1.1.1', [REQUEST_ID_HEADER]: 'forged' } }),
    );
    expect(req.headers.get(SOURCE_IP_HEADER)).toBeNull();
    expect(req.headers.get(REQUEST_ID_HEADER)).toBeNull();
  });

  it.each([
    ['no httpMethod', { httpMethod: undefined }, 'httpMethod'],
    ['a path without /', { path: 'v1/groups' }, 'path'],
    ['a host with userinfo', { headers: { host: 'a@b.test' } }, 'headers.host'],
    ['a bad header value', { headers: { host: 'h.test', 'x-a': 'a\nb' } }, 'headers["x-a"]'],
    ['Base64 flag on a non-Base64 body', { httpMethod: 'POST', body: '{!}', isBase64Encoded: true }, 'body'],
    ['requestContext a string', { requestContext: 'x' }, 'requestContext'],
  ])('%s → %s', (_title, over, path) => {
    let error: unknown;
    try {
      scfHttpEventToRequest(JSON.stringify(urlEvent(over)));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).issues.map((i) => i.path)).toContain(path);
  });

  it('an oversized body is 413', () => {
    const big = urlEvent({ httpMethod: 'POST', body: 'x'.repeat(2048) });
    expect(() => scfHttpEventToRequest(big, { maxBodyBytes: 1024 })).toThrow(PayloadTooLargeError);
  });
});
