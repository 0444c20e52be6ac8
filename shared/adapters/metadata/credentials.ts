/**
 * Where a host agent gets the keys it signs MNS requests with.
 *
 * - {@link staticCredentials} / {@link envCredentials}: a fixed AccessKey pair (plus an STS token), e.g.
 *   `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET`, `ALIBABA_CLOUD_SECURITY_TOKEN`, the
 *   variable names of Alibaba's own credentials chain.
 * - {@link roleCredentials}: the STS credentials of the RAM (Alibaba) or CAM (Tencent) role attached to
 *   the instance, read from the instance metadata service and refreshed before they expire.
 *
 * Refresh policy of {@link roleCredentials}:
 * - cached credentials are handed out until `expiresAt - lead`, where `lead` is 15 minutes by default
 *   (what `@alicloud/credentials` calls its stale time) but never more than half the credentials'
 *   lifetime. Alibaba's metadata service offers the next credentials 30 minutes before the current ones
 *   expire, so a refresh 15 minutes ahead always finds them;
 * - concurrent callers share one refresh;
 * - a failed refresh (metadata unreachable, garbled answer) keeps serving the cached credentials while
 *   they are still usable and is retried with exponential backoff (1 s doubling to 60 s by default);
 *   while backing off, callers get the cached credentials or, when there are none left, the last error,
 *   without a request: an agent that cannot reach its metadata service never spins on it;
 * - credentials count as expired `expirySkewMs` (30 s) before their stated expiry, for clock drift;
 * - `invalidate` (a service refused the token) drops the cached set and refreshes at the next `get`,
 *   but not within `minRefreshIntervalMs` of the last fetch: a service that keeps refusing fresh
 *   credentials costs the metadata service at most one read a second.
 */
import { CloudError, HavipError, InvalidInputError } from '../../core/errors.js';
import type { Clock } from '../../core/ports.js';

/** An AccessKey pair, plus the token when it is an STS credential. (Tencent: SecretId / SecretKey.) */
export interface Credentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string | undefined;
  /** Epoch ms after which the credentials stop working; undefined for a long-lived key. */
  readonly expiresAt?: number | undefined;
}

export interface CredentialSource {
  get(): Promise<Credentials>;
  /**
   * The service refused these credentials as expired or unknown (a stale token): stop handing them out
   * and fetch fresh ones on the next `get` (never sooner than the source's minimum refresh interval).
   * Sources of fixed keys have nothing to refresh and leave it out.
   */
  invalidate?(stale: Credentials): void;
}

/** What {@link roleCredentials} needs from a metadata client (see `createMetadataClient`). */
export interface RoleCredentialsReader {
  /** The attached role's name, undefined when the instance has none. */
  roleName(): Promise<string | undefined>;
  roleCredentials(roleName: string): Promise<Credentials & { readonly expiresAt: number }>;
}

export function staticCredentials(c: Credentials): CredentialSource {
  const problems: string[] = [];
  if (typeof c.accessKeyId !== 'string' || c.accessKeyId.trim() === '') problems.push('accessKeyId');
  if (typeof c.accessKeySecret !== 'string' || c.accessKeySecret.trim() === '')
    problems.push('accessKeySecret');
  if (problems.length > 0) {
    throw new InvalidInputError(
      'config.invalid',
      'invalid credentials',
      problems.map((path) => ({ path, message: 'must be a non-empty string' })),
    );
  }
  const fixed: Credentials = {
    accessKeyId: c.accessKeyId,
    accessKeySecret: c.accessKeySecret,
    securityToken: c.securityToken || undefined,
    expiresAt: c.expiresAt,
  };
  return { get: async () => fixed };
}

export const ENV_ACCESS_KEY_ID = 'ALIBABA_CLOUD_ACCESS_KEY_ID';
export const ENV_ACCESS_KEY_SECRET = 'ALIBABA_CLOUD_ACCESS_KEY_SECRET';
export const ENV_SECURITY_TOKEN = 'ALIBABA_CLOUD_SECURITY_TOKEN';

/** Credentials from the environment (read once); names the missing variable otherwise. */
export function envCredentials(env: Readonly<Record<string, string | undefined>>): CredentialSource {
  const missing = [ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET].filter((k) => !env[k]?.trim());
  if (missing.length > 0) {
    throw new InvalidInputError(
      'config.invalid',
      'no credentials in the environment',
      missing.map((path) => ({
        path,
        message: 'is not set',
        hint: `set ${ENV_ACCESS_KEY_ID} and ${ENV_ACCESS_KEY_SECRET} (plus ${ENV_SECURITY_TOKEN} for STS credentials), or attach a RAM role to the instance`,
      })),
    );
  }
  return staticCredentials({
    accessKeyId: env[ENV_ACCESS_KEY_ID]!.trim(),
    accessKeySecret: env[ENV_ACCESS_KEY_SECRET]!.trim(),
    securityToken: env[ENV_SECURITY_TOKEN]?.trim() || undefined,
  });
}

export interface RoleCredentialsOptions {
  readonly metadata: RoleCredentialsReader;
  readonly clock: Pick<Clock, 'now'>;
  /** Skip discovery and use this role. */
  readonly roleName?: string;
  /** Refresh this long before expiry (default 15 min, capped at half the credentials' lifetime). */
  readonly refreshLeadMs?: number;
  /** Treat credentials as expired this long before their stated expiry (default 30 s). */
  readonly expirySkewMs?: number;
  /** First retry delay after a failed refresh (default 1 s); doubles up to `maxBackoffMs` (default 60 s). */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Never refresh more often than this (default 1 s), even for credentials about to expire. */
  readonly minRefreshIntervalMs?: number;
  /** [0, 1) source for backoff jitter (each delay is scaled into [delay/2, delay)); default Math.random. */
  readonly random?: () => number;
  /** What to say when no role is attached (default: Alibaba's RAM role and mns:PublishMessage). */
  readonly noRoleMessage?: string;
}

interface State {
  creds: (Credentials & { readonly expiresAt: number }) | undefined;
  /** No request before this time (the next planned refresh, or the end of a backoff). */
  nextAttemptAt: number;
  failures: number;
  lastError: HavipError | undefined;
  inflight: Promise<void> | undefined;
  role: string | undefined;
  lastFetchAt: number;
}

/** STS credentials of the instance's role, cached and refreshed ahead of expiry (see the file comment). */
export function roleCredentials(opts: RoleCredentialsOptions): CredentialSource {
  const lead = opts.refreshLeadMs ?? 15 * 60_000;
  const skew = opts.expirySkewMs ?? 30_000;
  const initialBackoff = opts.initialBackoffMs ?? 1_000;
  const maxBackoff = opts.maxBackoffMs ?? 60_000;
  const minInterval = opts.minRefreshIntervalMs ?? 1_000;
  const random = opts.random ?? Math.random;
  const s: State = {
    creds: undefined,
    nextAttemptAt: Number.NEGATIVE_INFINITY,
    failures: 0,
    lastError: undefined,
    inflight: undefined,
    role: opts.roleName,
    lastFetchAt: Number.NEGATIVE_INFINITY,
  };
  const usable = (now: number) => s.creds !== undefined && now < s.creds.expiresAt - skew;

  async function fetchOnce(): Promise<void> {
    s.lastFetchAt = opts.clock.now();
    try {
      s.role ??= await discoverRole(opts.metadata, opts.noRoleMessage);
      const fresh = await opts.metadata.roleCredentials(s.role);
      const now = opts.clock.now();
      const lifetime = fresh.expiresAt - now;
      s.creds = fresh;
      s.failures = 0;
      s.lastError = undefined;
      s.nextAttemptAt = Math.max(fresh.expiresAt - Math.min(lead, lifetime / 2), now + minInterval);
    } catch (e) {
      s.failures++;
      s.lastError = asHavipError(e);
      const delay = Math.min(maxBackoff, initialBackoff * 2 ** (s.failures - 1));
      s.nextAttemptAt = opts.clock.now() + delay * (0.5 + random() / 2);
    }
  }

  return {
    async get() {
      let now = opts.clock.now();
      if (now >= s.nextAttemptAt) {
        s.inflight ??= fetchOnce().finally(() => {
          s.inflight = undefined;
        });
        await s.inflight;
        now = opts.clock.now();
      } else if (s.inflight) await s.inflight;
      if (usable(now)) return s.creds!;
      throw s.lastError ?? expiredError();
    },
    invalidate(stale) {
      if (s.creds === undefined || s.creds.securityToken !== stale.securityToken) return;
      s.creds = undefined;
      s.nextAttemptAt = Math.min(s.nextAttemptAt, s.lastFetchAt + minInterval);
    },
  };
}

async function discoverRole(metadata: RoleCredentialsReader, noRoleMessage?: string): Promise<string> {
  const role = await metadata.roleName();
  if (role === undefined) {
    throw new CloudError({
      code: 'cloud.forbidden',
      action: 'GetInstanceRoleCredentials',
      alibabaCode: 'NoInstanceRole',
      message:
        noRoleMessage ??
        'no RAM role is attached to this instance; attach one that may call mns:PublishMessage (deploy/agent-instance-policy.json) or set ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET',
      retryable: false,
    });
  }
  return role;
}

function expiredError(): CloudError {
  return new CloudError({
    code: 'cloud.unavailable',
    action: 'GetInstanceRoleCredentials',
    alibabaCode: 'CredentialsExpired',
    message: 'the cached role credentials expired and no fresh ones could be fetched yet',
    retryable: true,
  });
}

function asHavipError(e: unknown): HavipError {
  if (e instanceof HavipError) return e;
  return new CloudError({
    code: 'cloud.unavailable',
    action: 'GetInstanceRoleCredentials',
    alibabaCode: 'MetadataError',
    message: e instanceof Error ? e.message : String(e),
    retryable: true,
    cause: e,
  });
}
