/**
 * Authentication of the HTTP API: bearer tokens and HMAC-signed requests. Everything but `/healthz` needs
 * one of them; with neither configured every protected request is refused (never open by default).
 *
 * HMAC scheme (documented in docs/http-api.md):
 *   X-Havip-Key-Id: <key id>
 *   X-Havip-Timestamp: <unix seconds>
 *   X-Havip-Signature: hex(HMAC-SHA256(secret, `${timestamp}\n${METHOD}\n${target}\n${hex(SHA256(body))}`))
 * where `target` is the URL path plus the query, with query parameters sorted (see {@link canonicalTarget}).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { type CodeIn, type InputIssue, InvalidInputError } from '../../core/errors.js';
import type { Clock } from '../../core/ports.js';
import { AuthError } from './errors.js';

export const KEY_ID_HEADER = 'x-havip-key-id';
export const TIMESTAMP_HEADER = 'x-havip-timestamp';
export const SIGNATURE_HEADER = 'x-havip-signature';

/** Default tolerance between the client's timestamp and the server clock. */
export const DEFAULT_HMAC_WINDOW_SECONDS = 300;

/** Who may call the API. Token names and key ids become the `actor` journaled with manual actions. */
export interface AuthConfig {
  readonly tokens: readonly { readonly name: string; readonly token: string }[];
  readonly hmacKeys: readonly { readonly id: string; readonly secret: string }[];
  /** Accepted clock difference for HMAC timestamps, in seconds (default 300). */
  readonly hmacWindowSeconds?: number | undefined;
}

/** The authenticated caller. */
export interface Principal {
  readonly scheme: 'bearer' | 'hmac';
  /** Token name or HMAC key id. */
  readonly id: string;
}

/**
 * Records a signature as used. Resolves true the first time a key is seen within `ttlMs`, false after
 * (the same contract as `StateStore.markEventSeen`).
 */
export type ReplayGuard = (key: string, ttlMs: number) => Promise<boolean>;

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
/** RFC 6750 `b64token`, so any configured token can travel in an Authorization header. */
const TOKEN_RE = /^[A-Za-z0-9\-._~+/]+=*$/;
const MIN_SECRET_CHARS = 16;
const GENERATE_HINT = 'generate one with `openssl rand -hex 32`';

const nameSchema = (what: string) =>
  z
    .string({ error: `must be a string: the ${what}` })
    .regex(NAME_RE, `must be 1–64 letters, digits, '.', '_', '@' or '-': it is journaled as the actor`);

const AuthConfigSchema = z.strictObject({
  tokens: z
    .array(
      z.strictObject({
        name: nameSchema('token name'),
        token: z
          .string({ error: `must be a string; ${GENERATE_HINT}` })
          .min(MIN_SECRET_CHARS, `must be at least ${MIN_SECRET_CHARS} characters; ${GENERATE_HINT}`)
          .regex(TOKEN_RE, `may contain only A–Z a–z 0–9 - . _ ~ + / (and trailing =); ${GENERATE_HINT}`),
      }),
      { error: 'must be a list of {name, token}' },
    )
    .default([]),
  hmacKeys: z
    .array(
      z.strictObject({
        id: nameSchema('key id'),
        secret: z
          .string({ error: `must be a string; ${GENERATE_HINT}` })
          .min(MIN_SECRET_CHARS, `must be at least ${MIN_SECRET_CHARS} characters; ${GENERATE_HINT}`),
      }),
      { error: 'must be a list of {id, secret}' },
    )
    .default([]),
  hmacWindowSeconds: z
    .number({ error: 'must be a number of seconds' })
    .int('must be a whole number of seconds')
    .min(1, 'must be at least 1')
    .max(3600, 'must be at most 3600: a wider window lets a captured request be replayed for longer')
    .default(DEFAULT_HMAC_WINDOW_SECONDS),
});

/**
 * Validates an auth configuration. Throws `InvalidInputError` (`config.invalid`) naming the field, e.g.
 * `auth.tokens[0].token: must be at least 16 characters`. Names must be unique across tokens and keys,
 * since either one becomes the journaled actor.
 */
export function parseAuthConfig(input: unknown): Required<AuthConfig> {
  const parsed = AuthConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issues: InputIssue[] = parsed.error.issues.flatMap((i) => {
      const base = `auth${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}`;
      if (i.code === 'unrecognized_keys')
        return i.keys.map((k) => ({ path: `${base}.${k}`, message: 'unknown field' }));
      return [{ path: base, message: i.message }];
    });
    throw new InvalidInputError('config.invalid', 'invalid HTTP API auth configuration', issues);
  }
  const seen = new Map<string, string>();
  const issues: InputIssue[] = [];
  const claim = (name: string, path: string) => {
    const first = seen.get(name);
    if (first === undefined) seen.set(name, path);
    else
      issues.push({
        path,
        message: `${JSON.stringify(name)} is already used by ${first}`,
        hint: 'names must be unique',
      });
  };
  for (const [i, t] of parsed.data.tokens.entries()) claim(t.name, `auth.tokens[${i}].name`);
  for (const [i, k] of parsed.data.hmacKeys.entries()) claim(k.id, `auth.hmacKeys[${i}].id`);
  if (issues.length > 0)
    throw new InvalidInputError('config.invalid', 'invalid HTTP API auth configuration', issues);
  return parsed.data;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * The request target as signed: the path plus the query with parameters sorted by name, then value, each
 * percent-encoded the same way. Sorting makes the signature independent of how a proxy (the FC HTTP
 * trigger passes the query as a map) re-serialises the query string.
 */
export function canonicalTarget(pathAndQuery: string): string {
  const url = new URL(pathAndQuery, 'http://canonical.invalid');
  const pairs = [...url.searchParams.entries()].sort(([ak, av], [bk, bv]) =>
    ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0,
  );
  const query = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  return query === '' ? url.pathname : `${url.pathname}?${query}`;
}

/** The exact string an HMAC signature covers. */
export function stringToSign(
  timestamp: string,
  method: string,
  target: string,
  body: string | Uint8Array,
): string {
  return `${timestamp}\n${method.toUpperCase()}\n${canonicalTarget(target)}\n${sha256Hex(body)}`;
}

/**
 * Signs a request for the HMAC scheme and returns the three headers to send. `path` may include a query;
 * `now` is epoch milliseconds (the timestamp sent is whole seconds).
 */
export function signRequest(req: {
  keyId: string;
  secret: string;
  method: string;
  path: string;
  body?: string | Uint8Array | undefined;
  now: number;
}): Record<'X-Havip-Key-Id' | 'X-Havip-Timestamp' | 'X-Havip-Signature', string> {
  const timestamp = String(Math.floor(req.now / 1000));
  const signature = createHmac('sha256', req.secret)
    .update(stringToSign(timestamp, req.method, req.path, req.body ?? ''))
    .digest('hex');
  return { 'X-Havip-Key-Id': req.keyId, 'X-Havip-Timestamp': timestamp, 'X-Havip-Signature': signature };
}

/** The parts of a request authentication looks at. */
export interface AuthRequest {
  readonly method: string;
  /** Absolute URL or path with query. */
  readonly url: string;
  readonly headers: Headers;
  readonly body: Uint8Array;
}

/**
 * An in-process replay guard, for a single server. Behind several FC instances pass a guard backed by the
 * shared store instead, or a signature could be replayed once per instance.
 */
export function memoryReplayGuard(clock: Pick<Clock, 'now'>, maxEntries = 100_000): ReplayGuard {
  const seen = new Map<string, number>();
  return async (key, ttlMs) => {
    const now = clock.now();
    for (const [k, expires] of seen) {
      if (expires > now) break; // insertion order ≈ expiry order: the rest are younger
      seen.delete(k);
    }
    const expires = seen.get(key);
    if (expires !== undefined && expires > now) return false;
    seen.delete(key);
    seen.set(key, now + ttlMs);
    // Bounded memory: evict the oldest entries first (they are the closest to expiring anyway).
    while (seen.size > maxEntries) {
      const oldest = seen.keys().next().value;
      if (oldest === undefined) break;
      seen.delete(oldest);
    }
    return true;
  };
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Verifies bearer tokens and HMAC signatures against one configuration. */
export class Authenticator {
  private readonly config: Required<AuthConfig>;
  private readonly tokenDigests: readonly { name: string; digest: Buffer }[];
  private readonly secrets: ReadonlyMap<string, string>;
  private readonly challenge: string;

  constructor(
    config: AuthConfig,
    private readonly deps: { readonly clock: Pick<Clock, 'now'>; readonly replayGuard: ReplayGuard },
  ) {
    this.config = parseAuthConfig(config);
    this.tokenDigests = this.config.tokens.map((t) => ({ name: t.name, digest: digest(t.token) }));
    this.secrets = new Map(this.config.hmacKeys.map((k) => [k.id, k.secret]));
    const schemes: string[] = [];
    if (this.config.tokens.length > 0 || this.config.hmacKeys.length === 0)
      schemes.push('Bearer realm="havip"');
    if (this.config.hmacKeys.length > 0) schemes.push('HMAC-SHA256 realm="havip"');
    this.challenge = schemes.join(', ');
  }

  /** Whether any credential is configured. Without one, every request is refused. */
  get configured(): boolean {
    return this.config.tokens.length > 0 || this.config.hmacKeys.length > 0;
  }

  get windowSeconds(): number {
    return this.config.hmacWindowSeconds;
  }

  /** Returns the caller or throws {@link AuthError} saying what is missing or wrong. */
  async authenticate(req: AuthRequest): Promise<Principal> {
    if (!this.configured) {
      throw this.fail(
        'auth.not-configured',
        'the API has no bearer tokens or HMAC keys configured, so every request is refused; configure at least one (see docs/http-api.md)',
      );
    }
    const authorization = req.headers.get('authorization');
    const hmacHeaders = [KEY_ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER].filter((h) => req.headers.has(h));
    if (authorization !== null && hmacHeaders.length > 0) {
      throw this.fail(
        'auth.ambiguous',
        'send either an Authorization: Bearer header or the X-Havip-* signature headers, not both',
      );
    }
    if (authorization !== null) return this.bearer(authorization);
    if (hmacHeaders.length > 0) return this.hmac(req);
    throw this.fail(
      'auth.missing',
      'missing credentials: send Authorization: Bearer <token>, or sign the request with the X-Havip-Key-Id, X-Havip-Timestamp and X-Havip-Signature headers',
    );
  }

  private bearer(header: string): Principal {
    const match = /^Bearer +(\S+) *$/i.exec(header);
    if (match === null) {
      throw this.fail('auth.invalid', 'the Authorization header must be "Bearer <token>"');
    }
    if (this.tokenDigests.length === 0) {
      throw this.fail(
        'auth.invalid',
        'bearer tokens are not enabled on this server; sign the request with an HMAC key',
      );
    }
    // Hashing both sides gives equal-length inputs, so neither the comparison nor its length leaks how
    // close the guess was; every token is compared, so timing does not reveal which one matched.
    const given = digest(match[1]!);
    let found: string | undefined;
    for (const t of this.tokenDigests) {
      if (timingSafeEqual(given, t.digest) && found === undefined) found = t.name;
    }
    if (found === undefined) throw this.fail('auth.invalid-token', 'the bearer token is not valid');
    return { scheme: 'bearer', id: found };
  }

  private async hmac(req: AuthRequest): Promise<Principal> {
    if (this.secrets.size === 0) {
      throw this.fail(
        'auth.invalid',
        'HMAC signing is not enabled on this server; send Authorization: Bearer <token>',
      );
    }
    const keyId = req.headers.get(KEY_ID_HEADER);
    const timestamp = req.headers.get(TIMESTAMP_HEADER);
    const signature = req.headers.get(SIGNATURE_HEADER)?.toLowerCase() ?? null;
    const missing = [
      keyId === null ? 'X-Havip-Key-Id' : undefined,
      timestamp === null ? 'X-Havip-Timestamp' : undefined,
      signature === null ? 'X-Havip-Signature' : undefined,
    ].filter((h) => h !== undefined);
    if (keyId === null || timestamp === null || signature === null) {
      throw this.fail(
        'auth.invalid',
        `missing header ${missing.join(', ')}: an HMAC-signed request needs all three`,
      );
    }
    if (!/^\d{1,12}$/.test(timestamp)) {
      throw this.fail(
        'auth.invalid',
        'X-Havip-Timestamp must be the current time in whole unix seconds, e.g. 1767225600',
      );
    }
    if (!/^[0-9a-f]{64}$/.test(signature)) {
      throw this.fail('auth.invalid', 'X-Havip-Signature must be 64 hex characters (HMAC-SHA256)');
    }
    // An unknown key id is checked against a throwaway secret so it costs the same as a wrong signature.
    const secret = this.secrets.get(keyId);
    const expected = createHmac('sha256', secret ?? 'unknown-key')
      .update(stringToSign(timestamp, req.method, targetOf(req.url), req.body))
      .digest('hex');
    const matches = timingSafeEqual(Buffer.from(expected), Buffer.from(signature));
    if (secret === undefined || !matches) {
      throw this.fail(
        'auth.invalid-signature',
        'the signature does not match: sign "<timestamp>\\n<METHOD>\\n<path>[?<sorted query>]\\n<hex sha256 of the body>" with the secret of X-Havip-Key-Id',
      );
    }
    const window = this.config.hmacWindowSeconds;
    const skew = Number(timestamp) - Math.floor(this.deps.clock.now() / 1000);
    if (Math.abs(skew) > window) {
      throw this.fail(
        'auth.expired',
        `X-Havip-Timestamp is ${Math.abs(skew)} s ${skew < 0 ? 'behind' : 'ahead of'} the server clock; the limit is ±${window} s: sign each request when sending it and keep the client clock synchronised (NTP)`,
      );
    }
    // A signature stays valid for the whole window on both sides of its timestamp.
    const first = await this.deps.replayGuard(`http-hmac:${keyId}:${signature}`, (2 * window + 1) * 1000);
    if (!first) {
      throw this.fail('auth.replayed', 'this signature was already used; sign every request afresh');
    }
    return { scheme: 'hmac', id: keyId };
  }

  private fail(code: CodeIn<'auth'>, message: string): AuthError {
    return new AuthError(code, message, this.challenge);
  }
}

function targetOf(url: string): string {
  const u = new URL(url, 'http://canonical.invalid');
  return `${u.pathname}${u.search}`;
}
