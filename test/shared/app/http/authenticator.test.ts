/** Authentication: bearer tokens and HMAC signatures, on their own and through the app. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../../../shared/adapters/logger/index.js';
import { createHttpApp } from '../../../../shared/app/http/app.js';
import { stringToSign } from '../../../../shared/app/http/auth.js';
import { Authenticator } from '../../../../shared/app/http/authenticator.js';
import type { AuthConfig } from '../../../../shared/app/http/credentials.js';
import { AuthError } from '../../../../shared/app/http/errors.js';
import { memoryReplayGuard, type ReplayEntry } from '../../../../shared/app/http/replay.js';
import {
  AUTH,
  bearer,
  HMAC_ID,
  HMAC_SECRET,
  post,
  RecordingService,
  signed,
  TestClock,
  TOKEN,
  TripwireService,
} from '../../../support/http.js';

function authenticator(config: AuthConfig = AUTH, clock = new TestClock()) {
  return new Authenticator(config, { clock, replayGuard: memoryReplayGuard(clock) });
}

function req(init: RequestInit & { url?: string }) {
  const url = init.url ?? 'http://localhost/v1/groups';
  const body = typeof init.body === 'string' ? new TextEncoder().encode(init.body) : new Uint8Array(0);
  return { method: init.method ?? 'GET', url, headers: new Headers(init.headers), body };
}

/** A request signed the first way (no nonce), as clients from before the nonce sign. */
function signedWithoutNonce(method: string, path: string, now: number, body?: string): RequestInit {
  const timestamp = String(Math.floor(now / 1000));
  const signature = createHmac('sha256', HMAC_SECRET)
    .update(stringToSign(timestamp, method, path, body ?? ''))
    .digest('hex');
  return {
    method,
    headers: {
      'X-Havip-Key-Id': HMAC_ID,
      'X-Havip-Timestamp': timestamp,
      'X-Havip-Signature': signature,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body }),
  };
}

async function authCode(a: Authenticator, r: ReturnType<typeof req>): Promise<string> {
  try {
    const p = await a.authenticate(r);
    return `ok:${p.scheme}:${p.id}`;
  } catch (e) {
    if (e instanceof AuthError) return e.code;
    throw e;
  }
}

describe('bearer tokens', () => {
  it.each([
    { name: 'the configured token', headers: bearer(), expected: 'ok:bearer:ops' },
    { name: 'a lowercase scheme', headers: { Authorization: `bearer ${TOKEN}` }, expected: 'ok:bearer:ops' },
    { name: 'a wrong token', headers: bearer('test-token-0123456789abcdeX'), expected: 'auth.invalid-token' },
    { name: 'a prefix of the token', headers: bearer(TOKEN.slice(0, -1)), expected: 'auth.invalid-token' },
    { name: 'the token plus a suffix', headers: bearer(`${TOKEN}x`), expected: 'auth.invalid-token' },
    { name: 'the Basic scheme', headers: { Authorization: `Basic ${TOKEN}` }, expected: 'auth.invalid' },
    { name: 'Bearer without a token', headers: { Authorization: 'Bearer ' }, expected: 'auth.invalid' },
    { name: 'no credentials at all', headers: {}, expected: 'auth.missing' },
  ])('$name → $expected', async ({ headers, expected }) => {
    expect(await authCode(authenticator(), req({ headers }))).toBe(expected);
  });

  it('names the token that matched when several are configured, with its role and members', async () => {
    const a = authenticator({
      tokens: [
        { name: 'alice', token: 'alice-token-0123456789' },
        { name: 'bob', token: 'bob-token-0123456789ab', role: 'agent', members: ['i-bp1bob00000000000001'] },
      ],
      hmacKeys: [],
    });
    expect(await a.authenticate(req({ headers: bearer('bob-token-0123456789ab') }))).toEqual({
      scheme: 'bearer',
      id: 'bob',
      role: 'agent',
      members: ['i-bp1bob00000000000001'],
    });
    expect(await a.authenticate(req({ headers: bearer('alice-token-0123456789') }))).toEqual({
      scheme: 'bearer',
      id: 'alice',
      role: 'operator',
      members: [],
    });
  });

  it('refuses bearer tokens when only HMAC keys are configured, saying so', async () => {
    const a = authenticator({ tokens: [], hmacKeys: [{ id: HMAC_ID, secret: HMAC_SECRET }] });
    await expect(a.authenticate(req({ headers: bearer() }))).rejects.toThrow(/bearer tokens are not enabled/);
  });

  it('refuses a request that carries both schemes (a nonce counts as a signature header)', async () => {
    const clock = new TestClock();
    const init = signed('GET', '/v1/groups', clock.now());
    const headers = { ...(init.headers as Record<string, string>), ...bearer() };
    expect(await authCode(authenticator(AUTH, clock), req({ headers }))).toBe('auth.ambiguous');
    const nonceOnly = { ...bearer(), 'X-Havip-Nonce': 'n'.repeat(22) };
    expect(await authCode(authenticator(AUTH, clock), req({ headers: nonceOnly }))).toBe('auth.ambiguous');
  });

  it('refuses everything when nothing is configured (never open by default)', async () => {
    const a = authenticator({ tokens: [], hmacKeys: [] });
    expect(a.configured).toBe(false);
    expect(await authCode(a, req({ headers: bearer() }))).toBe('auth.not-configured');
    expect(await authCode(a, req({ headers: {} }))).toBe('auth.not-configured');
  });
});

describe('HMAC signatures', () => {
  it('accepts a request signed by signRequest and names the key', async () => {
    const clock = new TestClock();
    const body = '{"instanceId":"i-bp1test0000000000001"}';
    const r = req({ ...signed('POST', '/v1/heartbeats', clock.now(), body), url: 'http://h/v1/heartbeats' });
    expect(await authCode(authenticator(AUTH, clock), r)).toBe('ok:hmac:agent-key');
  });

  it('verifies a query signed in another order (the FC trigger re-serialises the query)', async () => {
    const clock = new TestClock();
    const init = signed('GET', '/v1/history?group=web&limit=5', clock.now());
    const r = req({ ...init, url: 'https://fc.example/v1/history?limit=5&group=web' });
    expect(await authCode(authenticator(AUTH, clock), r)).toBe('ok:hmac:agent-key');
  });

  const setHeader = (r: ReturnType<typeof req>, name: string, value: (old: string) => string) => {
    const h = new Headers(r.headers);
    h.set(name, value(h.get(name) ?? ''));
    return { ...r, headers: h };
  };
  const tampered: { name: string; change: (r: ReturnType<typeof req>) => ReturnType<typeof req> }[] = [
    {
      name: 'another body',
      change: (r) => ({ ...r, body: new TextEncoder().encode('{"instanceId":"i-x"}') }),
    },
    { name: 'another path', change: (r) => ({ ...r, url: 'http://h/v1/validate' }) },
    { name: 'an added query', change: (r) => ({ ...r, url: 'http://h/v1/heartbeats?x=1' }) },
    { name: 'another method', change: (r) => ({ ...r, method: 'PUT' }) },
    {
      name: 'another timestamp',
      change: (r) => setHeader(r, 'x-havip-timestamp', (t) => String(Number(t) + 1)),
    },
    { name: 'another nonce', change: (r) => setHeader(r, 'x-havip-nonce', (n) => `${n.slice(1)}x`) },
    {
      name: 'the nonce removed (read as the first version of the scheme)',
      change: (r) => {
        const h = new Headers(r.headers);
        h.delete('x-havip-nonce');
        return { ...r, headers: h };
      },
    },
  ];
  it.each(tampered)('rejects a signature after changing $name', async ({ change }) => {
    const clock = new TestClock();
    const body = '{"instanceId":"i-bp1test0000000000001"}';
    const r = req({ ...signed('POST', '/v1/heartbeats', clock.now(), body), url: 'http://h/v1/heartbeats' });
    expect(await authCode(authenticator(AUTH, clock), change(r))).toBe('auth.invalid-signature');
  });

  it('rejects a wrong secret and an unknown key id alike', async () => {
    const clock = new TestClock();
    const a = authenticator(AUTH, clock);
    const wrongSecret = signed('GET', '/v1/groups', clock.now(), undefined, {
      id: HMAC_ID,
      secret: 'x'.repeat(20),
    });
    const unknownKey = signed('GET', '/v1/groups', clock.now(), undefined, {
      id: 'nobody',
      secret: HMAC_SECRET,
    });
    expect(await authCode(a, req(wrongSecret))).toBe('auth.invalid-signature');
    expect(await authCode(a, req(unknownKey))).toBe('auth.invalid-signature');
  });

  it.each([
    { name: 'the window edge in the past', skewSeconds: -300, expected: 'ok:hmac:agent-key' },
    { name: 'the window edge in the future', skewSeconds: 300, expected: 'ok:hmac:agent-key' },
    { name: 'one second too old', skewSeconds: -301, expected: 'auth.expired' },
    { name: 'one second too far ahead', skewSeconds: 301, expected: 'auth.expired' },
    { name: 'an hour old', skewSeconds: -3600, expected: 'auth.expired' },
  ])('timestamp at $name → $expected', async ({ skewSeconds, expected }) => {
    const clock = new TestClock();
    const r = req(signed('GET', '/v1/groups', clock.now() + skewSeconds * 1000));
    expect(await authCode(authenticator(AUTH, clock), r)).toBe(expected);
  });

  it('says how far off an expired timestamp is and how to fix it', async () => {
    const clock = new TestClock();
    const r = req(signed('GET', '/v1/groups', clock.now() - 900_000));
    await expect(authenticator(AUTH, clock).authenticate(r)).rejects.toThrow(
      /900 s behind the server clock.*±300 s/,
    );
  });

  it('rejects a replayed signature within the window, and a fresh signature for the same request is fine', async () => {
    const clock = new TestClock();
    const a = authenticator(AUTH, clock);
    const first = signed('GET', '/v1/groups', clock.now());
    expect(await authCode(a, req(first))).toBe('ok:hmac:agent-key');
    clock.time += 10_000;
    expect(await authCode(a, req(first))).toBe('auth.replayed');
    expect(await authCode(a, req(signed('GET', '/v1/groups', clock.now())))).toBe('ok:hmac:agent-key');
  });

  it('regression (issue 13.4): two identical requests signed in the same second with their own nonces both pass', async () => {
    const clock = new TestClock();
    const a = authenticator(AUTH, clock);
    const one = signed('GET', '/v1/groups', clock.now(), undefined, undefined, 'A'.repeat(22));
    const two = signed('GET', '/v1/groups', clock.now(), undefined, undefined, 'B'.repeat(22));
    expect(await authCode(a, req(one))).toBe('ok:hmac:agent-key');
    expect(await authCode(a, req(two))).toBe('ok:hmac:agent-key');
    expect(await authCode(a, req(two))).toBe('auth.replayed');
  });

  it('still accepts a signature without a nonce (older clients), telling the app once per request', async () => {
    const clock = new TestClock();
    const noticed: string[] = [];
    const a = new Authenticator(AUTH, {
      clock,
      replayGuard: memoryReplayGuard(clock),
      onSignatureWithoutNonce: (k) => noticed.push(k),
    });
    const first = signedWithoutNonce('GET', '/v1/groups', clock.now());
    expect(await authCode(a, req(first))).toBe('ok:hmac:agent-key');
    // The first version's limit: the same request again in the same second is the same signature.
    expect(await authCode(a, req(signedWithoutNonce('GET', '/v1/groups', clock.now())))).toBe(
      'auth.replayed',
    );
    expect(await authCode(a, req(signed('GET', '/v1/groups', clock.now())))).toBe('ok:hmac:agent-key');
    expect(noticed).toEqual([HMAC_ID]);
  });

  it('passes the replay guard the principal, a key per signature and a TTL covering both sides of the window', async () => {
    const clock = new TestClock();
    const calls: ReplayEntry[] = [];
    const a = new Authenticator(AUTH, {
      clock,
      replayGuard: async (entry) => {
        calls.push(entry);
        return 'first';
      },
    });
    const init = signed('GET', '/v1/groups', clock.now());
    await a.authenticate(req(init));
    const sig = (init.headers as Record<string, string>)['X-Havip-Signature'];
    expect(calls).toEqual([{ principal: HMAC_ID, key: `http-hmac:${HMAC_ID}:${sig}`, ttlMs: 601_000 }]);
  });

  it('does not consult the replay guard for a bad signature (no one can burn a valid signature)', async () => {
    const clock = new TestClock();
    let calls = 0;
    const a = new Authenticator(AUTH, {
      clock,
      replayGuard: async () => {
        calls++;
        return 'first';
      },
    });
    const init = signed('GET', '/v1/groups', clock.now(), undefined, { id: HMAC_ID, secret: 'y'.repeat(20) });
    expect(await authCode(a, req(init))).toBe('auth.invalid-signature');
    expect(calls).toBe(0);
  });

  it.each([
    { name: 'the key id', drop: 'X-Havip-Key-Id', message: /missing header X-Havip-Key-Id/ },
    { name: 'the timestamp', drop: 'X-Havip-Timestamp', message: /missing header X-Havip-Timestamp/ },
    { name: 'the signature', drop: 'X-Havip-Signature', message: /missing header X-Havip-Signature/ },
  ])('names the missing header when $name is absent', async ({ drop, message }) => {
    const clock = new TestClock();
    const headers = { ...(signed('GET', '/v1/groups', clock.now()).headers as Record<string, string>) };
    delete headers[drop];
    await expect(authenticator(AUTH, clock).authenticate(req({ headers }))).rejects.toThrow(message);
  });

  it.each([
    { header: 'X-Havip-Timestamp', value: '2026-01-01T00:00:00Z', message: /whole unix seconds/ },
    { header: 'X-Havip-Signature', value: 'abc', message: /64 hex characters/ },
    { header: 'X-Havip-Nonce', value: 'short', message: /16–64 characters/ },
    { header: 'X-Havip-Nonce', value: 'has space 0123456789', message: /16–64 characters/ },
  ])('explains a malformed $header ($value)', async ({ header, value, message }) => {
    const clock = new TestClock();
    const headers = {
      ...(signed('GET', '/v1/groups', clock.now()).headers as Record<string, string>),
      [header]: value,
    };
    await expect(authenticator(AUTH, clock).authenticate(req({ headers }))).rejects.toThrow(message);
  });
});

describe('auth through the app', () => {
  function appWith<S extends TripwireService = RecordingService>(
    auth: AuthConfig = AUTH,
    service: S = new RecordingService() as unknown as S,
  ) {
    const logger = createMemoryLogger();
    const clock = new TestClock();
    const app = createHttpApp({ service, auth, logger, clock });
    return { app, logger, clock, service };
  }

  it('serves /healthz without credentials', async () => {
    const { app } = appWith();
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it.each([
    { name: 'no credentials', headers: {} as Record<string, string>, code: 'auth.missing' },
    { name: 'a wrong token', headers: bearer('wrong-token-0123456789abc'), code: 'auth.invalid-token' },
  ])('answers 401 with WWW-Authenticate and a JSON error for $name', async ({ headers, code }) => {
    const { app, service } = appWith();
    const res = await app.request('/v1/groups', { headers });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="havip", HMAC-SHA256 realm="havip"');
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(code);
    expect(body.error.message).not.toContain('test-token');
    expect(service.calls).toBe(0);
  });

  it('protects unknown /v1 paths too (no route discovery without credentials)', async () => {
    const { app } = appWith();
    expect((await app.request('/v1/nope')).status).toBe(401);
    expect((await app.request('/v1/nope', { headers: bearer() })).status).toBe(404);
  });

  it('with nothing configured: warns at startup and refuses every protected route, even with a token', async () => {
    const { app, logger } = appWith({ tokens: [], hmacKeys: [] }, new TripwireService());
    expect(
      logger.entries.some((e) => e.level === 'warn' && /every request except \/healthz/.test(e.msg)),
    ).toBe(true);
    for (const [path, init] of [
      ['/v1/groups', { headers: bearer() }],
      ['/v1/groups/web/failover', post({ reason: 'x' })],
      ['/v1/heartbeats', post({ instanceId: 'i-bp1test0000000000001' })],
    ] as const) {
      const res = await app.request(path, init);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('auth.not-configured');
    }
    expect((await app.request('/healthz')).status).toBe(200);
  });

  it('journals the authenticated principal as the actor, never a name from the body', async () => {
    const { app, service } = appWith();
    const ok = await app.request('/v1/groups/web/failover', post({ reason: 'kernel update' }));
    expect(ok.status).toBe(200);
    expect(service.failovers).toHaveLength(1);
    expect(service.failovers[0]).toMatchObject({ actor: 'ops', reason: 'kernel update', force: false });

    const spoof = await app.request('/v1/groups/web/failover', post({ reason: 'x', actor: 'root' }));
    expect(spoof.status).toBe(400);
    expect(service.failovers).toHaveLength(1);
  });

  it('accepts an HMAC-signed POST and uses the key id as the actor', async () => {
    const { app, clock, service } = appWith();
    const body = JSON.stringify({ reason: 'signed' });
    const res = await app.request(
      '/v1/groups/web/failover',
      signed('POST', '/v1/groups/web/failover', clock.now(), body),
    );
    expect(res.status).toBe(200);
    expect(service.failovers[0]?.actor).toBe(HMAC_ID);
  });

  it('answers 401 auth.replayed to a second use of the same signed request', async () => {
    const { app, clock } = appWith();
    const body = JSON.stringify({ instanceId: 'i-bp1test0000000000001', sequence: 1 });
    const init = signed('POST', '/v1/heartbeats', clock.now(), body);
    expect((await app.request('/v1/heartbeats', init)).status).toBe(200);
    const again = await app.request('/v1/heartbeats', init);
    expect(again.status).toBe(401);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('auth.replayed');
  });

  it('regression (issue 13.4): a poller sending the same signed GET twice in one second gets two answers', async () => {
    const { app, clock } = appWith();
    for (let i = 0; i < 2; i++) {
      const res = await app.request('/v1/groups', signed('GET', '/v1/groups', clock.now()));
      expect(res.status).toBe(200);
    }
  });

  it('logs once per key that it signs without a nonce', async () => {
    const { app, clock, logger } = appWith();
    await app.request('/v1/groups', signedWithoutNonce('GET', '/v1/groups', clock.now()));
    clock.time += 1000;
    await app.request('/v1/groups', signedWithoutNonce('GET', '/v1/groups', clock.now()));
    const notices = logger.entries.filter((e) => /signs without X-Havip-Nonce/.test(e.msg));
    expect(notices.map((e) => [e.level, e.fields.principal])).toEqual([['info', HMAC_ID]]);
  });

  it('answers 429 auth.throttled with Retry-After when the replay guard is full for the key', async () => {
    const logger = createMemoryLogger();
    const clock = new TestClock();
    const app = createHttpApp({
      service: new RecordingService(),
      auth: AUTH,
      logger,
      clock,
      replayGuard: memoryReplayGuard(clock, 1),
    });
    expect((await app.request('/v1/groups', signed('GET', '/v1/groups', clock.now()))).status).toBe(200);
    const res = await app.request('/v1/groups', signed('GET', '/v1/groups', clock.now()));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('601');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('auth.throttled');
    // A bearer token does not go through the guard.
    expect((await app.request('/v1/groups', { headers: bearer() })).status).toBe(200);
  });

  it('answers 401 auth.expired to a signature older than the window', async () => {
    const { app, clock } = appWith();
    const init = signed('GET', '/v1/groups', clock.now() - 301_000);
    const res = await app.request('/v1/groups', init);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('auth.expired');
  });

  it('logs each request with the principal but never the token, the Authorization header or the signature', async () => {
    const { app, logger, clock } = appWith();
    await app.request('/v1/groups', { headers: bearer() });
    const init = signed('GET', '/v1/groups', clock.now());
    await app.request('/v1/groups', init);
    await app.request('/v1/groups', { headers: bearer('wrong-token-0123456789abc') });
    const access = logger.entries.filter((e) => e.msg === 'http request');
    expect(access.map((e) => [e.fields.status, e.fields.principal, e.fields.path, e.fields.method])).toEqual([
      [200, 'ops', '/v1/groups', 'GET'],
      [200, HMAC_ID, '/v1/groups', 'GET'],
      [401, undefined, '/v1/groups', 'GET'],
    ]);
    for (const e of access) expect(typeof e.fields.durationMs).toBe('number');
    const everything = JSON.stringify(logger.entries);
    const signature = (init.headers as Record<string, string>)['X-Havip-Signature']!;
    for (const secret of [TOKEN, 'wrong-token-0123456789abc', signature, 'Bearer', HMAC_SECRET]) {
      expect(everything).not.toContain(secret);
    }
  });

  it('refuses to start with an invalid auth configuration', () => {
    expect(() =>
      createHttpApp({
        service: new TripwireService(),
        auth: { tokens: [{ name: 'ops', token: 'short' }], hmacKeys: [] },
        logger: createMemoryLogger(),
        clock: new TestClock(),
      }),
    ).toThrow(/auth\.tokens\[0\]\.token: must be at least 16 characters/);
  });
});
