/**
 * Authentication of the HTTP API: bearer tokens and HMAC-signed requests (signed as auth.ts says).
 * Everything but `/healthz` needs one of them; with neither configured every protected request is
 * refused (never open by default). The result is a {@link Principal}: who called, with which role.
 * What that role may do is access.ts's business.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { CodeIn } from '../../core/errors.js';
import type { Clock } from '../../core/ports.js';
import {
  KEY_ID_HEADER,
  NONCE_HEADER,
  NONCE_RE,
  SIGNATURE_HEADER,
  stringToSign,
  TIMESTAMP_HEADER,
} from './auth.js';
import { type AuthConfig, type ParsedAuthConfig, parseAuthConfig, type Role } from './credentials.js';
import { AuthError, ThrottledError } from './errors.js';
import type { ReplayGuard } from './replay.js';

/** The authenticated caller. */
export interface Principal {
  readonly scheme: 'bearer' | 'hmac';
  /** Token name or HMAC key id: the actor journaled with what the request does. */
  readonly id: string;
  readonly role: Role;
  /** The members an agent speaks for (empty for other roles, which are not bound). */
  readonly members: readonly string[];
}

/** The parts of a request authentication looks at. */
export interface AuthRequest {
  readonly method: string;
  /** Absolute URL or path with query. */
  readonly url: string;
  readonly headers: Headers;
  readonly body: Uint8Array;
}

export interface AuthenticatorDeps {
  readonly clock: Pick<Clock, 'now'>;
  readonly replayGuard: ReplayGuard;
  /** Called for a valid signature without a nonce (the first version of the scheme). */
  readonly onSignatureWithoutNonce?: ((keyId: string) => void) | undefined;
}

const HMAC_HEADERS = [KEY_ID_HEADER, TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER] as const;
const SIGNED_STRING_HELP =
  '"<timestamp>\\n<nonce>\\n<METHOD>\\n<path>[?<sorted query>]\\n<hex sha256 of the body>"';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Verifies bearer tokens and HMAC signatures against one configuration. */
export class Authenticator {
  readonly config: ParsedAuthConfig;
  private readonly tokens: readonly { readonly digest: Buffer; readonly principal: Principal }[];
  private readonly keys: ReadonlyMap<string, { readonly secret: string; readonly principal: Principal }>;
  private readonly challenge: string;

  constructor(
    config: AuthConfig,
    private readonly deps: AuthenticatorDeps,
  ) {
    this.config = parseAuthConfig(config);
    this.tokens = this.config.tokens.map((t) => ({
      digest: digest(t.token),
      principal: { scheme: 'bearer', id: t.name, role: t.role, members: t.members },
    }));
    this.keys = new Map(
      this.config.hmacKeys.map((k) => [
        k.id,
        { secret: k.secret, principal: { scheme: 'hmac', id: k.id, role: k.role, members: k.members } },
      ]),
    );
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
    const hmacHeaders = HMAC_HEADERS.filter((h) => req.headers.has(h));
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
      'missing credentials: send Authorization: Bearer <token>, or sign the request with the X-Havip-Key-Id, X-Havip-Timestamp, X-Havip-Nonce and X-Havip-Signature headers',
    );
  }

  private bearer(header: string): Principal {
    const match = /^Bearer +(\S+) *$/i.exec(header);
    if (match === null) {
      throw this.fail('auth.invalid', 'the Authorization header must be "Bearer <token>"');
    }
    if (this.tokens.length === 0) {
      throw this.fail(
        'auth.invalid',
        'bearer tokens are not enabled on this server; sign the request with an HMAC key',
      );
    }
    // Hashing both sides gives equal-length inputs, so neither the comparison nor its length leaks how
    // close the guess was; every token is compared, so timing does not reveal which one matched.
    const given = digest(match[1]!);
    let found: Principal | undefined;
    for (const t of this.tokens) {
      if (timingSafeEqual(given, t.digest) && found === undefined) found = t.principal;
    }
    if (found === undefined) throw this.fail('auth.invalid-token', 'the bearer token is not valid');
    return found;
  }

  private async hmac(req: AuthRequest): Promise<Principal> {
    if (this.keys.size === 0) {
      throw this.fail(
        'auth.invalid',
        'HMAC signing is not enabled on this server; send Authorization: Bearer <token>',
      );
    }
    const { keyId, timestamp, nonce, signature } = this.signatureHeaders(req.headers);
    // An unknown key id is checked against a throwaway secret so it costs the same as a wrong signature.
    const key = this.keys.get(keyId);
    const expected = createHmac('sha256', key?.secret ?? 'unknown-key')
      .update(stringToSign(timestamp, req.method, targetOf(req.url), req.body, nonce))
      .digest('hex');
    const matches = timingSafeEqual(Buffer.from(expected), Buffer.from(signature));
    if (key === undefined || !matches) {
      throw this.fail(
        'auth.invalid-signature',
        `the signature does not match: sign ${SIGNED_STRING_HELP} with the secret of X-Havip-Key-Id`,
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
    const verdict = await this.deps.replayGuard({
      principal: keyId,
      key: `http-hmac:${keyId}:${signature}`,
      ttlMs: (2 * window + 1) * 1000,
    });
    if (verdict === 'replayed')
      throw this.fail('auth.replayed', 'this signature was already used; sign every request afresh');
    if (verdict === 'full') throw new ThrottledError(keyId, 2 * window + 1);
    if (nonce === undefined) this.deps.onSignatureWithoutNonce?.(keyId);
    return key.principal;
  }

  /** The signature headers, each checked for presence and form (nothing here is secret-dependent). */
  private signatureHeaders(headers: Headers) {
    const keyId = headers.get(KEY_ID_HEADER);
    const timestamp = headers.get(TIMESTAMP_HEADER);
    const nonce = headers.get(NONCE_HEADER) ?? undefined;
    const signature = headers.get(SIGNATURE_HEADER)?.toLowerCase() ?? null;
    const missing = [
      keyId === null ? 'X-Havip-Key-Id' : undefined,
      timestamp === null ? 'X-Havip-Timestamp' : undefined,
      signature === null ? 'X-Havip-Signature' : undefined,
    ].filter((h) => h !== undefined);
    if (keyId === null || timestamp === null || signature === null) {
      throw this.fail(
        'auth.invalid',
        `missing header ${missing.join(', ')}: an HMAC-signed request needs X-Havip-Key-Id, X-Havip-Timestamp, X-Havip-Signature and (recommended) X-Havip-Nonce`,
      );
    }
    if (!/^\d{1,12}$/.test(timestamp)) {
      throw this.fail(
        'auth.invalid',
        'X-Havip-Timestamp must be the current time in whole unix seconds, e.g. 1767225600',
      );
    }
    if (nonce !== undefined && !NONCE_RE.test(nonce)) {
      throw this.fail(
        'auth.invalid',
        'X-Havip-Nonce must be 16–64 characters A–Z a–z 0–9 _ -, fresh for every request (e.g. `openssl rand -hex 16`)',
      );
    }
    if (!/^[0-9a-f]{64}$/.test(signature)) {
      throw this.fail('auth.invalid', 'X-Havip-Signature must be 64 hex characters (HMAC-SHA256)');
    }
    return { keyId, timestamp, nonce, signature };
  }

  private fail(code: CodeIn<'auth'>, message: string): AuthError {
    return new AuthError(code, message, this.challenge);
  }
}

function targetOf(url: string): string {
  const u = new URL(url, 'http://canonical.invalid');
  return `${u.pathname}${u.search}`;
}
