/**
 * TC3-HMAC-SHA256 verification, as Tencent's API gateway does it (the algorithm is in
 * `../tencent/signer.ts`): the timestamp must be within 5 minutes of the gateway's clock
 * (`AuthFailure.SignatureExpire`), the scope's date must be the timestamp's UTC date, the SecretId must
 * be the configured one, temporary credentials must carry their token
 * (`AuthFailure.TokenFailure`), and the signature must match (`AuthFailure.SignatureFailure`).
 *
 * Two allowances for local endpoints, both to accept what the official SDK sends to `127.0.0.1:PORT`:
 * - **the service in the credential scope** may be the action's product (`vpc`, `cvm`, `tat`) or the
 *   first label of the Host header: the SDK takes the service from its endpoint, so for an IP endpoint
 *   its scope reads `…/127/tc3_request`;
 * - **the signed host** may be the Host header with or without its port: the SDK signs the host name
 *   only, while sending `Host: 127.0.0.1:PORT`.
 *
 * Temporary credentials (a CAM role's, which the metadata simulator issues per instance) are looked up
 * by their SecretId: they must carry their own token and are refused after their expiry, both with
 * `AuthFailure.TokenFailure` (Tencent's code for an invalid or expired session token).
 *
 * Without configured credentials any well-formed, fresh signature is accepted (unless its SecretId is
 * one of the temporary ones: those are always checked).
 */
import { timingSafeEqual } from 'node:crypto';
import {
  canonicalRequest,
  parseTc3Authorization,
  stringToSign,
  tc3Date,
  tc3Signature,
} from '../tencent/signer.js';
import { TencentSimApiError } from './errors.js';

/** How far the request's clock may be from the gateway's. */
export const MAX_SKEW_SECONDS = 300;

export interface TencentSimCredentials {
  readonly secretId: string;
  readonly secretKey: string;
  /** When set, requests must carry it as `X-TC-Token` (temporary credentials). */
  readonly token?: string | undefined;
}

/** Temporary credentials, with the epoch ms after which their token is refused. */
export interface TencentSimTemporaryCredentials extends TencentSimCredentials {
  readonly token: string;
  readonly expiresAt: number;
}

/** Finds the temporary credentials of a SecretId, if any were issued. */
export type TemporaryKeyLookup = (secretId: string) => TencentSimTemporaryCredentials | undefined;

export interface Tc3Input {
  /** Lower-cased header names, as Node delivers them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
  /** The product the action belongs to, if the action is known. */
  readonly service: string | undefined;
  /** Wall-clock milliseconds of the gateway. */
  readonly now: number;
}

export type Tc3Result =
  | { readonly ok: true; readonly secretId: string }
  | { readonly ok: false; readonly error: TencentSimApiError };

const fail = (code: string, message: string): Tc3Result => ({
  ok: false,
  error: new TencentSimApiError(code, message),
});

function header(h: Tc3Input['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function verifyTc3(
  req: Tc3Input,
  configured: TencentSimCredentials | undefined,
  temporary?: TemporaryKeyLookup,
): Tc3Result {
  const auth = parseTc3Authorization(header(req.headers, 'authorization') ?? '');
  if (auth === undefined)
    return fail(
      'AuthFailure.InvalidAuthorization',
      'The Authorization header does not follow TC3-HMAC-SHA256.',
    );
  const timestamp = Number(header(req.headers, 'x-tc-timestamp'));
  if (!Number.isInteger(timestamp)) return fail('MissingParameter', 'The request is missing X-TC-Timestamp.');
  if (Math.abs(req.now / 1000 - timestamp) > MAX_SKEW_SECONDS)
    return fail(
      'AuthFailure.SignatureExpire',
      `The signature has expired: the timestamp ${timestamp} is more than ${MAX_SKEW_SECONDS} s off the server time.`,
    );
  if (auth.date !== tc3Date(timestamp))
    return fail(
      'AuthFailure.SignatureFailure',
      `The credential scope date ${auth.date} is not the UTC date of X-TC-Timestamp.`,
    );
  const temp = temporary?.(auth.secretId);
  const creds = temp ?? configured;
  if (creds === undefined) return { ok: true, secretId: auth.secretId };
  // Tencent answers an unknown SecretId with AuthFailure.SecretIdNotFound; the simulator knows one key
  // pair only, so any other pair is simply a signature it cannot validate.
  if (!sameText(auth.secretId, creds.secretId))
    return fail(
      'AuthFailure.SignatureFailure',
      'The SecretId is not the one this simulator accepts (it prints it at start-up).',
    );
  if (creds.token !== undefined && header(req.headers, 'x-tc-token') !== creds.token)
    return fail(
      'AuthFailure.TokenFailure',
      'The token is invalid or missing for these temporary credentials.',
    );
  if (temp !== undefined && req.now >= temp.expiresAt)
    return fail('AuthFailure.TokenFailure', 'The token has expired: fetch fresh temporary credentials.');
  const host = header(req.headers, 'host') ?? '';
  const firstLabel = host.split(/[.:]/)[0];
  if (auth.service !== req.service && auth.service !== firstLabel)
    return fail(
      'AuthFailure.SignatureFailure',
      `The credential scope names service ${auth.service}; this action belongs to ${req.service ?? 'no known service'}.`,
    );
  if (!auth.signedHeaders.includes('content-type') || !auth.signedHeaders.includes('host'))
    return fail('AuthFailure.SignatureFailure', 'SignedHeaders must include content-type and host.');
  const scope = `${auth.date}/${auth.service}/tc3_request`;
  for (const signedHost of new Set([host.replace(/:\d+$/, ''), host])) {
    const headers = auth.signedHeaders.map(
      (n) => [n, n === 'host' ? signedHost : (header(req.headers, n) ?? '')] as const,
    );
    const expected = tc3Signature(
      creds.secretKey,
      auth.date,
      auth.service,
      stringToSign(timestamp, scope, canonicalRequest({ headers, payload: req.body })),
    );
    if (sameText(expected, auth.signature)) return { ok: true, secretId: auth.secretId };
  }
  return fail(
    'AuthFailure.SignatureFailure',
    'The provided credentials could not be validated. Please check your signature is correct.',
  );
}
