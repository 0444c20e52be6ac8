/**
 * Credential redaction for log fields. pino's own `redact` option needs every path spelled out and
 * cannot match a key at any depth, so fields are copied through this function before they reach pino.
 */

export const REDACTED = '[REDACTED]';
const MAX_DEPTH = 8;
const MAX_KEYS = 200;
const MAX_STRING = 8192;

/**
 * Key names (lowercased, non-alphanumerics removed) whose values are always secret. `accessKeyId` is
 * deliberately absent: it identifies the key without granting anything and operators need it.
 * `clientToken` is absent too: it is Alibaba's idempotency key, not a credential.
 */
const SECRET_KEYS = new Set([
  'accesskeysecret',
  'secretaccesskey',
  'securitytoken',
  'ststoken',
  'xacssecuritytoken',
  'secret',
  'token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'sessiontoken',
  'authtoken',
  'bearertoken',
  'password',
  'passwd',
  'authorization',
  'proxyauthorization',
  'sign',
  'signature',
  'cookie',
  'setcookie',
  'apikey',
  'privatekey',
]);
/** Suffixes that mark a secret whatever the prefix: `webhookSecret`, `dbPassword`, `robotAccessToken`. */
const SECRET_SUFFIXES = ['secret', 'password', 'accesstoken', 'securitytoken', 'privatekey', 'apikey'];

export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (SECRET_KEYS.has(k)) return true;
  return SECRET_SUFFIXES.some((s) => k.endsWith(s));
}

/** Query parameters that carry credentials in URLs (DingTalk `access_token`/`sign`, STS tokens, …). */
const SECRET_QUERY_RE =
  /([?&](?:access_token|token|sign|signature|secret|password|accessKeySecret|SecurityToken|x-acs-security-token)=)[^&#\s"']*/gi;
const BEARER_RE = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;
const ACS_SIGNATURE_RE = /(Signature=)[A-Za-z0-9+/=]+/g;

/** Remove credential-looking fragments from free text (URLs with tokens, Authorization values). */
export function scrubString(s: string): string {
  const capped = s.length > MAX_STRING ? `${s.slice(0, MAX_STRING)}…[truncated]` : s;
  return capped
    .replace(SECRET_QUERY_RE, `$1${REDACTED}`)
    .replace(BEARER_RE, `$1 ${REDACTED}`)
    .replace(ACS_SIGNATURE_RE, `$1${REDACTED}`);
}

/**
 * Deep copy of `value` with secret-named keys replaced by `[REDACTED]`, strings scrubbed, Errors turned
 * into plain objects (name, message, code, stack, own fields, cause), cycles and depth bounded.
 */
export function redact(value: unknown): unknown {
  return walk(value, 0, new WeakSet());
}

/** Redact a fields object (the Logger port's first argument). */
export function redactFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out = walk(fields, 0, new WeakSet());
  return typeof out === 'object' && out !== null && !Array.isArray(out)
    ? (out as Record<string, unknown>)
    : {};
}

function walk(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Truncated]';
  seen.add(value);
  try {
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
    if (value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
    if (value instanceof Error) return walkError(value, depth, seen);
    if (value instanceof URL) return scrubString(value.toString());
    if (value instanceof Map)
      return walkEntries(
        [...value.entries()].map(([k, v]) => [String(k), v]),
        depth,
        seen,
      );
    if (value instanceof Set) return [...value].slice(0, MAX_KEYS).map((v) => walk(v, depth + 1, seen));
    if (typeof Headers !== 'undefined' && value instanceof Headers)
      return walkEntries([...value.entries()], depth, seen);
    if (Array.isArray(value)) {
      const out = value.slice(0, MAX_KEYS).map((v) => walk(v, depth + 1, seen));
      if (value.length > MAX_KEYS) out.push(`[${value.length - MAX_KEYS} more]`);
      return out;
    }
    return walkEntries(Object.entries(value), depth, seen);
  } finally {
    seen.delete(value);
  }
}

function walkEntries(
  entries: [string, unknown][],
  depth: number,
  seen: WeakSet<object>,
): Record<string, unknown> {
  const out: [string, unknown][] = [];
  for (const [k, v] of entries.slice(0, MAX_KEYS)) {
    out.push([
      k,
      isSecretKey(k) && v !== undefined && v !== null && v !== '' ? REDACTED : walk(v, depth + 1, seen),
    ]);
  }
  // fromEntries defines own properties: a `__proto__` key stays data, never a prototype.
  return Object.fromEntries(out);
}

function walkError(err: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const base: [string, unknown][] = [
    ['type', err.name],
    ['message', err.message],
  ];
  if (err.stack !== undefined) base.push(['stack', err.stack]);
  const own = Object.entries(err).filter(([k]) => k !== 'name' && k !== 'message' && k !== 'stack');
  const out = walkEntries([...base, ...own], depth, seen);
  if (err.cause !== undefined) out.cause = walk(err.cause, depth + 1, seen);
  return out;
}
