/**
 * The simulator's side of MNS's signature: it checks a request the way MNS documents and answers with
 * MNS's codes and statuses (Error codes reference): missing or malformed Authorization (400
 * `MissingAuthorizationHeader` / `InvalidAuthorizationHeader`), missing version or date (400
 * `MissingVersionHeader` / `MissingDateHeader` / `InvalidDateHeader`), a Date more than 15 minutes off
 * (408 `TimeExpired`), an unknown AccessKey id (403 `InvalidAccessKeyId`), a Content-MD5 that does not
 * match (400 `InvalidDegist`, MNS's spelling) and a wrong signature (403 `SignatureDoesNotMatch`).
 * For STS keys MNS documents no codes; we answer 403 `InvalidSecurityToken` for a missing or foreign
 * token and 403 `SecurityTokenExpired` once it has expired (OSS's codes for the same cases).
 */
import type { IncomingHttpHeaders } from 'node:http';
import {
  contentMd5,
  contentMd5Rfc1864,
  MNS_API_VERSION,
  mnsSignature,
  parseAuthorization,
  SECURITY_TOKEN_HEADER,
  signaturesMatch,
  stringToSign,
} from '../signature.js';

/** An MNS error answer: HTTP status, MNS code and message. */
export class MnsApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'MnsApiError';
  }
}

export interface AcceptedKey {
  readonly accessKeySecret: string;
  /** Set for STS credentials: requests must carry this token. */
  readonly securityToken?: string | undefined;
  readonly expiresAt?: number | undefined;
}

export interface SignedRequest {
  readonly method: string;
  /** Path and query as sent. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** A header's value as HTTP defines it: repeated fields joined, surrounding whitespace dropped. */
function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return (Array.isArray(v) ? v.join(',') : v)?.trim();
}

/** Returns the AccessKey id that signed the request, or throws {@link MnsApiError}. */
export function authenticate(
  req: SignedRequest,
  keys: ReadonlyMap<string, AcceptedKey>,
  now: number,
  maxSkewMs: number,
): string {
  const authz = header(req.headers, 'authorization');
  if (authz === undefined)
    throw new MnsApiError(400, 'MissingAuthorizationHeader', 'Authorization header is required.');
  const auth = parseAuthorization(authz);
  if (!auth)
    throw new MnsApiError(400, 'InvalidAuthorizationHeader', 'The Authorization header format is invalid.');
  const version = header(req.headers, 'x-mns-version');
  if (version === undefined)
    throw new MnsApiError(400, 'MissingVersionHeader', 'x-mns-version header is required.');
  if (version !== MNS_API_VERSION)
    throw new MnsApiError(400, 'InvalidArgument', `The value of x-mns-version should be ${MNS_API_VERSION}.`);
  const date = header(req.headers, 'date') ?? header(req.headers, 'x-mns-date');
  if (date === undefined) throw new MnsApiError(400, 'MissingDateHeader', 'Date header is required.');
  const at = Date.parse(date);
  if (Number.isNaN(at) || !/GMT$/.test(date.trim()))
    throw new MnsApiError(400, 'InvalidDateHeader', 'The Date header format is invalid.');
  if (Math.abs(now - at) > maxSkewMs)
    throw new MnsApiError(408, 'TimeExpired', 'The http request you sent is expired.');

  const key = keys.get(auth.accessKeyId);
  if (!key) throw new MnsApiError(403, 'InvalidAccessKeyId', 'The AccessKey Id you provided is not exist.');
  if (key.securityToken !== undefined) {
    if (header(req.headers, SECURITY_TOKEN_HEADER) !== key.securityToken)
      throw new MnsApiError(403, 'InvalidSecurityToken', 'The security token you provided is invalid.');
    if (key.expiresAt !== undefined && now >= key.expiresAt)
      throw new MnsApiError(403, 'SecurityTokenExpired', 'The security token you provided has expired.');
  }
  const md5 = header(req.headers, 'content-md5');
  if (md5 !== undefined && md5 !== contentMd5(req.body) && md5 !== contentMd5Rfc1864(req.body))
    throw new MnsApiError(400, 'InvalidDegist', 'The Content-MD5 you specified is invalid.');

  const expected = mnsSignature(
    key.accessKeySecret,
    stringToSign({
      method: req.method,
      contentMd5: md5 ?? '',
      contentType: header(req.headers, 'content-type') ?? '',
      date,
      headers: Object.fromEntries(Object.keys(req.headers).map((k) => [k, header(req.headers, k)])),
      resource: req.url,
    }),
  );
  if (!signaturesMatch(expected, auth.signature)) {
    throw new MnsApiError(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    );
  }
  return auth.accessKeyId;
}
