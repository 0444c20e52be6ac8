/**
 * Request authentication as Alibaba's RPC gateway does it, for the two schemes the official SDKs use:
 *
 * - ACS3-HMAC-SHA256 (the v7 default): `Authorization: ACS3-HMAC-SHA256 Credential=<ak>,SignedHeaders=<h1;h2>,Signature=<hex>`.
 *   The canonical request is method, path, the query sorted by key with RFC 3986-encoded values, the
 *   signed headers as `name:value` lines, the signed header list and the hex SHA-256 of the body
 *   (also sent as `x-acs-content-sha256`); the signature is the hex HMAC-SHA256 of
 *   `ACS3-HMAC-SHA256\n<hex sha256 of the canonical request>`.
 * - v2 (`signatureAlgorithm: 'v2'`): `Signature` is the base64 HMAC-SHA1, keyed with `<secret>&`, of
 *   `<METHOD>&%2F&<encoded canonical query>`, where the canonical query is every other parameter
 *   sorted by key, keys and values RFC 3986-encoded.
 *
 * Without a configured AccessKey pair only the presence of a signature is required.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { SimApiError } from './errors.js';

export interface AuthInput {
  readonly method: string;
  readonly pathname: string;
  readonly query: Readonly<Record<string, string>>;
  /** Query and form-body parameters together (v2 signs both). */
  readonly params: Readonly<Record<string, string>>;
  /** Lower-cased header names (as Node delivers them). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

export type AuthResult =
  | { readonly ok: true; readonly accessKeyId: string }
  | { readonly ok: false; readonly error: SimApiError };

/** RFC 3986 percent-encoding (encodeURIComponent leaves `!'()*` alone; Alibaba's canonical form does not). */
export function percentEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const sha256hex = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const mismatch = (why: string) =>
  new SimApiError(
    400,
    'SignatureDoesNotMatch',
    `Specified signature is not matched with our calculation: ${why}.`,
  );
const unknownKey = (id: string) =>
  new SimApiError(400, 'InvalidAccessKeyId.NotFound', `Specified access key ${id} is not found.`);

function header(h: AuthInput['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v.join(',') : v;
}

export function authenticate(req: AuthInput, key: { id: string; secret: string } | undefined): AuthResult {
  const authorization = header(req.headers, 'authorization');
  if (authorization?.startsWith('ACS3-')) return verifyAcs3(req, authorization, key);
  const signature = req.params.Signature;
  if (signature !== undefined) return verifyV2(req, signature, key);
  return {
    ok: false,
    error: new SimApiError(
      400,
      'IncompleteSignature',
      'The request signature does not conform to Aliyun standards: send an ACS3 Authorization header or a v2 Signature parameter.',
    ),
  };
}

function verifyAcs3(
  req: AuthInput,
  authorization: string,
  key: { id: string; secret: string } | undefined,
): AuthResult {
  const m =
    /^(ACS3-[A-Z0-9-]+)\s+Credential=([^,]*),\s*SignedHeaders=([^,]*),\s*Signature=([0-9a-fA-F]+)$/.exec(
      authorization,
    );
  if (m === null) {
    return {
      ok: false,
      error: new SimApiError(400, 'IncompleteSignature', 'The Authorization header is malformed.'),
    };
  }
  const [, algorithm, accessKeyId, signedHeaders, signature] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  if (key === undefined) return { ok: true, accessKeyId };
  if (accessKeyId !== key.id) return { ok: false, error: unknownKey(accessKeyId) };
  if (algorithm !== 'ACS3-HMAC-SHA256')
    return { ok: false, error: mismatch(`only ACS3-HMAC-SHA256 is verified, got ${algorithm}`) };
  const payloadHash = sha256hex(req.body);
  const sentHash = header(req.headers, 'x-acs-content-sha256');
  if (sentHash !== undefined && sentHash !== payloadHash)
    return { ok: false, error: mismatch('x-acs-content-sha256 does not match the body') };
  const canonicalQuery = Object.keys(req.query)
    .sort()
    .map((k) => `${k}=${percentEncode(req.query[k]!)}`)
    .join('&');
  const names = signedHeaders.split(';').filter((n) => n !== '');
  const canonicalHeaders = names.map((n) => `${n}:${(header(req.headers, n) ?? '').trim()}\n`).join('');
  const canonicalRequest = [
    req.method,
    req.pathname,
    canonicalQuery,
    canonicalHeaders,
    names.join(';'),
    payloadHash,
  ].join('\n');
  const expected = createHmac('sha256', key.secret)
    .update(`${algorithm}\n${sha256hex(canonicalRequest)}`)
    .digest('hex');
  return sameText(expected, signature.toLowerCase())
    ? { ok: true, accessKeyId }
    : { ok: false, error: mismatch('ACS3 signature') };
}

function verifyV2(
  req: AuthInput,
  signature: string,
  key: { id: string; secret: string } | undefined,
): AuthResult {
  const accessKeyId = req.params.AccessKeyId ?? '';
  if (key === undefined) return { ok: true, accessKeyId: accessKeyId || 'default' };
  if (accessKeyId !== key.id) return { ok: false, error: unknownKey(accessKeyId) };
  const canonical = Object.keys(req.params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(req.params[k]!)}`)
    .join('&');
  const stringToSign = `${req.method}&${percentEncode('/')}&${percentEncode(canonical)}`;
  const expected = createHmac('sha1', `${key.secret}&`).update(stringToSign).digest('base64');
  return sameText(expected, signature)
    ? { ok: true, accessKeyId }
    : { ok: false, error: mismatch('v2 signature') };
}
