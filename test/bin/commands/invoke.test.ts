/**
 * `havip invoke`: argument and settings validation (nothing is sent when they are wrong), and the
 * InvokeFunction request itself against a stand-in Function Compute 3.0 endpoint on 127.0.0.1 that checks
 * the ACS3 signature the way the gateway does. No other address is ever contacted.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fcEndpoint,
  type InvokeIo,
  type InvokeOptions,
  openApiTransport,
  resolveFunctionName,
  runInvoke,
} from '../../../bin/commands/invoke.js';
import { authenticate } from '../../../shared/adapters/simulator/signature.js';
import { havip } from '../../support/cli.js';

const KEY = { id: 'LTAI-test-key', secret: 'test-secret-0123456789' };
const CREDS = {
  ALIBABA_CLOUD_ACCESS_KEY_ID: KEY.id,
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: KEY.secret,
  ALIBABA_CLOUD_SECURITY_TOKEN: 'sts-token',
  ALIBABA_CLOUD_REGION_ID: 'cn-hangzhou',
  ALIBABA_CLOUD_ACCOUNT_ID: '1234567890123456',
};

const dir = mkdtempSync(join(tmpdir(), 'havip-invoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sink() {
  const parts: string[] = [];
  return {
    write(t: string) {
      parts.push(t);
      return true;
    },
    get text() {
      return parts.join('');
    },
  };
}

/** An Io whose transport must never be built: for cases that have to stop before sending. */
function offlineIo(env: Record<string, string | undefined>, payloads: Record<string, string> = {}) {
  const out = sink();
  const err = sink();
  let transports = 0;
  const io: InvokeIo = {
    out,
    err,
    env,
    readPayload: async (source) => {
      const p = payloads[source];
      if (p === undefined) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
      return Buffer.from(p);
    },
    createTransport: () => {
      transports++;
      return async () => {
        throw new Error('must not send');
      };
    },
  };
  return { io, out, err, transports: () => transports };
}

describe('names and endpoints', () => {
  it.each([
    ['on-timer', 'havip-on-timer'],
    ['http-api', 'havip-http-api'],
    ['my_function-2', 'my_function-2'],
    ['1starts-with-digit', undefined],
    ['has space', undefined],
    ['x'.repeat(65), undefined],
  ])('%s → %s', (input, expected) => {
    expect(resolveFunctionName(input)).toBe(expected);
  });

  it('builds the FC 3.0 endpoint from account and region', () => {
    expect(fcEndpoint('1234567890123456', 'cn-shanghai')).toBe(
      '1234567890123456.cn-shanghai.fc.aliyuncs.com',
    );
  });
});

describe('validation: nothing is sent', () => {
  const cases: {
    name: string;
    fn?: string;
    opts: InvokeOptions;
    env?: Record<string, string>;
    message: RegExp;
  }[] = [
    { name: 'bad function name', fn: 'bad name!', opts: {}, message: /"bad name!" is not a function name/ },
    { name: 'unknown protocol', opts: { protocol: 'ftp' }, message: /--protocol must be https or http/ },
    {
      name: 'http to a remote host',
      opts: { protocol: 'http', endpoint: 'example.com' },
      message: /only for a local test server/,
    },
    { name: 'http without endpoint', opts: { protocol: 'http' }, message: /only for a local test server/ },
    {
      name: 'endpoint with a scheme',
      opts: { endpoint: 'https://x.example' },
      message: /--endpoint must be host or host:port/,
    },
    { name: 'bad qualifier', opts: { qualifier: 'a b' }, message: /--qualifier must be/ },
    { name: 'zero timeout', opts: { timeout: '0' }, message: /--timeout must be a whole number/ },
    { name: 'bad region', opts: { region: 'Hangzhou' }, message: /--region must be a region id/ },
    { name: 'bad account id', opts: { accountId: 'acct' }, message: /--account-id must be the numeric/ },
    {
      name: 'unreadable payload',
      opts: { payload: 'missing.json' },
      message: /cannot read the payload missing\.json: ENOENT/,
    },
  ];
  it.each(cases)('$name → exit 2', async ({ fn, opts, env, message }) => {
    const o = offlineIo(env ?? CREDS);
    expect(await runInvoke(fn ?? 'on-timer', opts, o.io)).toBe(2);
    expect(o.err.text).toMatch(message);
    expect(o.transports()).toBe(0);
    expect(o.out.text).toBe('');
  });

  it('names every missing setting at once, with where to get it', async () => {
    const o = offlineIo({});
    expect(await runInvoke('on-timer', {}, o.io)).toBe(2);
    for (const m of [
      '--region (or ALIBABA_CLOUD_REGION_ID)',
      '--account-id (or ALIBABA_CLOUD_ACCOUNT_ID)',
      'ALIBABA_CLOUD_ACCESS_KEY_ID',
      'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
    ])
      expect(o.err.text).toContain(m);
    expect(o.err.text).toMatch(/hint: .*fc:InvokeFunction/);
    expect(o.transports()).toBe(0);
  });

  it('does not need the account id when an endpoint is given, nor a token for a plain AccessKey', async () => {
    const { ALIBABA_CLOUD_ACCOUNT_ID: _a, ALIBABA_CLOUD_SECURITY_TOKEN: _t, ...env } = CREDS;
    const o = offlineIo(env);
    expect(await runInvoke('on-timer', { endpoint: 'fc.internal.example' }, o.io)).toBe(1);
    // It got as far as sending (the offline transport refuses), so the settings were complete.
    expect(o.transports()).toBe(1);
  });

  it('the CLI exits 2 with the message when credentials are missing', async () => {
    let transports = 0;
    const r = await havip(['invoke', 'on-timer', '--region', 'cn-hangzhou'], {
      env: {},
      createTransport: () => {
        transports++;
        return async () => {
          throw new Error('must not send');
        };
      },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'havip invoke: missing --account-id (or ALIBABA_CLOUD_ACCOUNT_ID), ALIBABA_CLOUD_ACCESS_KEY_ID',
    );
    expect(transports).toBe(0);
  });

  it('says in its help which API it uses and why not @alicloud/fc2', async () => {
    const { code, stdout } = await havip(['invoke', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('FC 3.0');
    expect(stdout).toContain('(2023-03-30)');
    expect(stdout).toMatch(/@alicloud\/fc2 addresses functions inside services/);
  });
});

describe('InvokeFunction against a stand-in FC 3.0 endpoint on 127.0.0.1', () => {
  interface Seen {
    method: string | undefined;
    path: string;
    query: Record<string, string>;
    headers: IncomingMessage['headers'];
    body: Buffer;
    auth: ReturnType<typeof authenticate>;
  }
  let server: Server;
  let endpoint: string;
  const seen: Seen[] = [];
  let reply: (s: Seen) => { status: number; headers?: Record<string, string>; body?: string } = () => ({
    status: 200,
  });

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const query = Object.fromEntries(url.searchParams);
        const body = Buffer.concat(chunks);
        const s: Seen = {
          method: req.method,
          path: url.pathname,
          query,
          headers: req.headers,
          body,
          auth: authenticate(
            {
              method: req.method ?? '',
              pathname: url.pathname,
              query,
              params: query,
              headers: req.headers,
              body,
            },
            KEY,
          ),
        };
        seen.push(s);
        const r = s.auth.ok
          ? reply(s)
          : {
              status: 400,
              body: JSON.stringify({
                Code: 'SignatureDoesNotMatch',
                Message: 'bad signature',
                RequestId: 'r-sig',
              }),
            };
        res.writeHead(r.status, { 'content-type': 'application/json', ...(r.headers ?? {}) });
        res.end(r.body ?? '');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  function liveIo() {
    const out = sink();
    const err = sink();
    const io: InvokeIo = {
      out,
      err,
      env: CREDS,
      readPayload: async (source) => readFileSync(source),
      createTransport: openApiTransport,
    };
    return { io, out, err };
  }
  const event = join(dir, 'timer.json');
  const eventText =
    '{"triggerTime":"2026-11-20T08:16:00Z","triggerName":"manual","payload":"{\\"sweep\\":\\"all\\"}"}';
  writeFileSync(event, eventText);
  const live = (extra: InvokeOptions = {}): InvokeOptions => ({
    endpoint,
    protocol: 'http',
    payload: event,
    ...extra,
  });

  it('sends a signed synchronous InvokeFunction with the event as the raw body, and prints the answer', async () => {
    seen.length = 0;
    reply = () => ({
      status: 200,
      headers: {
        'x-fc-request-id': 'req-sync',
        'x-fc-log-result': Buffer.from('sweep finished\n').toString('base64'),
      },
      body: JSON.stringify({ acknowledged: true, outcome: 'processed' }),
    });
    const { io, out, err } = liveIo();
    expect(await runInvoke('on-timer', live({ qualifier: 'prod', log: true }), io)).toBe(0);
    const s = seen[0]!;
    expect(s.auth.ok).toBe(true);
    expect(s.method).toBe('POST');
    expect(s.path).toBe('/2023-03-30/functions/havip-on-timer/invocations');
    expect(s.query).toEqual({ qualifier: 'prod' });
    expect(s.headers['x-acs-action']).toBe('InvokeFunction');
    expect(s.headers['x-acs-version']).toBe('2023-03-30');
    expect(s.headers['x-fc-invocation-type']).toBe('Sync');
    expect(s.headers['x-fc-log-type']).toBe('Tail');
    expect(s.headers['x-acs-security-token']).toBe('sts-token');
    expect(s.headers.authorization).toMatch(/^ACS3-HMAC-SHA256 Credential=LTAI-test-key,/);
    expect(s.body.toString()).toBe(eventText);
    expect(JSON.parse(out.text)).toEqual({ acknowledged: true, outcome: 'processed' });
    expect(err.text).toContain('sweep finished');
  });

  it('queues an event with --async and reports the request id', async () => {
    seen.length = 0;
    reply = () => ({ status: 202, headers: { 'x-fc-request-id': 'req-async' } });
    const { io, out, err } = liveIo();
    expect(await runInvoke('on-ecs-event', live({ async: true, log: true }), io)).toBe(0);
    expect(seen[0]!.headers['x-fc-invocation-type']).toBe('Async');
    // Function Compute returns no log for an asynchronous call, so none is asked for.
    expect(seen[0]!.headers['x-fc-log-type']).toBe('None');
    expect(err.text).toContain('havip-on-ecs-event accepted the event (request id req-async)');
    expect(out.text).toBe('');
  });

  it('exits 1 when the function itself failed (200 with x-fc-error-type)', async () => {
    reply = () => ({
      status: 200,
      headers: { 'x-fc-request-id': 'req-err', 'x-fc-error-type': 'UnhandledInvocationError' },
      body: JSON.stringify({ errorMessage: 'boom' }),
    });
    const { io, err } = liveIo();
    expect(await runInvoke('on-timer', live(), io)).toBe(1);
    expect(err.text).toContain('havip-on-timer failed: UnhandledInvocationError (request id req-err)');
    expect(err.text).toContain('rerun with --log');
  });

  it('exits 1 with the API error and a hint when the function does not exist', async () => {
    reply = () => ({
      status: 404,
      body: JSON.stringify({ Code: 'FunctionNotFound', Message: 'function not found', RequestId: 'req-404' }),
    });
    const { io, err } = liveIo();
    expect(await runInvoke('on-timer', live(), io)).toBe(1);
    expect(err.text).toContain('havip-on-timer: FunctionNotFound: function not found (request id req-404)');
    expect(err.text).toMatch(/hint: is it deployed in cn-hangzhou\?/);
  });

  it('prints status, request id and parsed body with --json', async () => {
    reply = () => ({ status: 200, headers: { 'x-fc-request-id': 'req-json' }, body: '{"ok":true}' });
    const { io, out } = liveIo();
    expect(await runInvoke('http-api', live({ json: true }), io)).toBe(0);
    expect(JSON.parse(out.text)).toEqual({
      function: 'havip-http-api',
      invocation: 'sync',
      statusCode: 200,
      requestId: 'req-json',
      body: { ok: true },
    });
  });
});
