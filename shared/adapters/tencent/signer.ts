/**
 * TC3-HMAC-SHA256, Tencent Cloud API 3.0's request signature ("signature v3"), over node:crypto.
 *
 * The steps, as Tencent's "Signature v3" page lays them out (published under every product's API
 * documentation, e.g. https://www.tencentcloud.com/document/product/1154/48911; its worked example is
 * a CVM DescribeInstances call and is our known-answer test):
 * 1. canonical request: method, `/`, the query string (empty for a POST), the signed headers as
 *    lower-case `name:value` lines (at least `content-type` and `host`), the signed header names
 *    joined by `;`, and the hex SHA-256 of the body;
 * 2. string to sign: `TC3-HMAC-SHA256`, the request's Unix timestamp, the credential scope
 *    `<UTC date>/<service>/tc3_request` and the hex SHA-256 of the canonical request, one per line;
 * 3. the signing key is an HMAC chain: `"TC3" + SecretKey` keys the date, whose digest keys the
 *    service, whose digest keys `tc3_request`; the signature is the hex HMAC of the string to sign;
 * 4. `Authorization: TC3-HMAC-SHA256 Credential=<SecretId>/<scope>, SignedHeaders=…, Signature=…`.
 *
 * The date must be the UTC date of the timestamp (a local date fails around midnight), and the service
 * is the product's name (`vpc`, `cvm`, `tat`). The official Node SDK signs only the host *name* (no
 * port) and takes the service from the endpoint's first label: for a simulator at `127.0.0.1:PORT`
 * its scope reads `…/127/tc3_request`. We sign the same host name but always the real service.
 */
import { createHash, createHmac } from 'node:crypto';

export const TC3_ALGORITHM = 'TC3-HMAC-SHA256';
/** What the adapter sends (and signs) as `Content-Type`, as the official Node SDK does. */
export const JSON_CONTENT_TYPE = 'application/json';

export interface Tc3Request {
  readonly secretId: string;
  readonly secretKey: string;
  /** The product in the credential scope: `vpc`, `cvm`, `tat`. */
  readonly service: string;
  /** The host name as signed: no scheme, no port. */
  readonly host: string;
  /** Seconds since the epoch (`X-TC-Timestamp`). */
  readonly timestamp: number;
  /** The exact body bytes sent. */
  readonly payload: string;
  /** The exact `Content-Type` sent. Default {@link JSON_CONTENT_TYPE}. */
  readonly contentType?: string;
}

export const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** `YYYY-MM-DD` of a Unix timestamp in UTC: the date of the credential scope. */
export function tc3Date(timestamp: number): string {
  return new Date(timestamp * 1000).toISOString().slice(0, 10);
}

/**
 * Step 1 for a POST to `/`. Header names and values are lower-cased and trimmed and the lines sorted
 * by name, as the documentation prescribes (clients may sign more than `content-type` and `host`).
 */
export function canonicalRequest(args: {
  readonly headers: readonly (readonly [name: string, value: string])[];
  readonly payload: string | Buffer;
}): string {
  const lines = args.headers
    .map(([n, v]) => [n.toLowerCase(), v.trim().toLowerCase()] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return [
    'POST',
    '/',
    '',
    lines.map(([n, v]) => `${n}:${v}\n`).join(''),
    lines.map(([n]) => n).join(';'),
    sha256Hex(args.payload),
  ].join('\n');
}

/** Step 2. */
export function stringToSign(timestamp: number, scope: string, canonical: string): string {
  return [TC3_ALGORITHM, String(timestamp), scope, sha256Hex(canonical)].join('\n');
}

/** Step 3: the hex signature of `toSign` for this key, date and service. */
export function tc3Signature(secretKey: string, date: string, service: string, toSign: string): string {
  const signingKey = hmac(hmac(hmac(`TC3${secretKey}`, date), service), 'tc3_request');
  return createHmac('sha256', signingKey).update(toSign).digest('hex');
}

/** The `Authorization` header for one request (steps 1–4). */
export function tc3Authorization(req: Tc3Request): string {
  const date = tc3Date(req.timestamp);
  const scope = `${date}/${req.service}/tc3_request`;
  const canonical = canonicalRequest({
    headers: [
      ['content-type', req.contentType ?? JSON_CONTENT_TYPE],
      ['host', req.host],
    ],
    payload: req.payload,
  });
  const signature = tc3Signature(
    req.secretKey,
    date,
    req.service,
    stringToSign(req.timestamp, scope, canonical),
  );
  return `${TC3_ALGORITHM} Credential=${req.secretId}/${scope}, SignedHeaders=content-type;host, Signature=${signature}`;
}

/** The parts of an `Authorization` header, or undefined when it is not a TC3 header. */
export function parseTc3Authorization(header: string):
  | {
      readonly secretId: string;
      readonly date: string;
      readonly service: string;
      readonly signedHeaders: readonly string[];
      readonly signature: string;
    }
  | undefined {
  const m =
    /^TC3-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{4}-\d{2}-\d{2})\/([^/,\s]+)\/tc3_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
      header,
    );
  if (m === null) return undefined;
  const [, secretId, date, service, signed, signature] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return { secretId, date, service, signedHeaders: signed.split(';'), signature };
}
