/**
 * Request signing for the HMAC scheme of the HTTP API: the one implementation the server verifies with
 * (authenticator.ts) and its clients sign with (the CLI's bin/http-client.ts, the host agent's heartbeats).
 * It stays small on purpose: the host agent bundles it.
 *
 * HMAC scheme (documented in docs/http-api.md):
 *   X-Havip-Key-Id: <key id>
 *   X-Havip-Timestamp: <unix seconds>
 *   X-Havip-Nonce: <16–64 characters A–Z a–z 0–9 _ ->
 *   X-Havip-Signature: hex(HMAC-SHA256(secret, `${timestamp}\n${nonce}\n${METHOD}\n${target}\n${hex(SHA256(body))}`))
 * where `target` is the URL path plus the query, with query parameters sorted (see {@link canonicalTarget}).
 * The nonce makes two identical requests in one second two different signatures. A request without it
 * (the first version of the scheme) signs the same lines without the nonce line.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';

export const KEY_ID_HEADER = 'x-havip-key-id';
export const TIMESTAMP_HEADER = 'x-havip-timestamp';
export const NONCE_HEADER = 'x-havip-nonce';
export const SIGNATURE_HEADER = 'x-havip-signature';

/** What a nonce may be: long enough to be unique when random, short and plain enough for a header. */
export const NONCE_RE = /^[A-Za-z0-9_-]{16,64}$/;

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

/**
 * The exact string an HMAC signature covers. With a nonce it has five lines, without one (the first
 * version) four, so no signature of one form is a valid signature of the other.
 */
export function stringToSign(
  timestamp: string,
  method: string,
  target: string,
  body: string | Uint8Array,
  nonce?: string,
): string {
  const lines = [method.toUpperCase(), canonicalTarget(target), sha256Hex(body)];
  return [timestamp, ...(nonce === undefined ? [] : [nonce]), ...lines].join('\n');
}

/** A fresh nonce: 128 random bits, Base64url (22 characters). */
export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

export type SignedHeaders = Record<
  'X-Havip-Key-Id' | 'X-Havip-Timestamp' | 'X-Havip-Nonce' | 'X-Havip-Signature',
  string
>;

/**
 * Signs a request for the HMAC scheme and returns the four headers to send. `path` may include a query;
 * `now` is epoch milliseconds (the timestamp sent is whole seconds); `nonce` defaults to a fresh random
 * one, so every call signs a distinct request.
 */
export function signRequest(req: {
  keyId: string;
  secret: string;
  method: string;
  path: string;
  body?: string | Uint8Array | undefined;
  now: number;
  nonce?: string | undefined;
}): SignedHeaders {
  const timestamp = String(Math.floor(req.now / 1000));
  const nonce = req.nonce ?? newNonce();
  const signature = createHmac('sha256', req.secret)
    .update(stringToSign(timestamp, req.method, req.path, req.body ?? '', nonce))
    .digest('hex');
  return {
    'X-Havip-Key-Id': req.keyId,
    'X-Havip-Timestamp': timestamp,
    'X-Havip-Nonce': nonce,
    'X-Havip-Signature': signature,
  };
}
