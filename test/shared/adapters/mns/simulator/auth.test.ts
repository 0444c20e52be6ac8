import { describe, expect, it } from 'vitest';
import {
  authorizationHeader,
  contentMd5,
  httpDate,
  mnsSignature,
  stringToSign,
} from '../../../../../shared/adapters/mns/signature.js';
import {
  type AcceptedKey,
  authenticate,
  MnsApiError,
} from '../../../../../shared/adapters/mns/simulator/auth.js';

const NOW = Date.UTC(2026, 5, 1, 12);
const SKEW = 15 * 60_000;
const STS = { id: 'STS.key', secret: 'sts-secret-0123456789', token: 'CAIStoken' };

function request(opts: { at?: number; token?: string; secret?: string; id?: string } = {}) {
  const body = Buffer.from('<Message/>');
  const headers: Record<string, string> = {
    'content-type': 'text/xml',
    'content-md5': contentMd5(body),
    date: httpDate(opts.at ?? NOW),
    'x-mns-version': '2015-06-06',
  };
  if (opts.token !== undefined) headers['security-token'] = opts.token;
  const sig = mnsSignature(
    opts.secret ?? STS.secret,
    stringToSign({
      method: 'POST',
      contentMd5: headers['content-md5']!,
      contentType: 'text/xml',
      date: headers.date!,
      headers,
      resource: '/topics/t/messages',
    }),
  );
  headers.authorization = authorizationHeader(opts.id ?? STS.id, sig);
  return { method: 'POST', url: '/topics/t/messages', headers, body };
}

const keys = (key: AcceptedKey) => new Map([[STS.id, key]]);
const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof MnsApiError) return `${e.status} ${e.code}`;
    throw e;
  }
  return 'accepted';
};

describe('authenticate', () => {
  const sts = keys({ accessKeySecret: STS.secret, securityToken: STS.token, expiresAt: NOW + 1_000 });

  it.each([
    ['the right token before expiry', request({ token: STS.token }), NOW, 'accepted'],
    ['no token', request(), NOW, '403 InvalidSecurityToken'],
    ['a foreign token', request({ token: 'CAISother' }), NOW, '403 InvalidSecurityToken'],
    [
      'the right token at expiry',
      request({ token: STS.token, at: NOW + 1_000 }),
      NOW + 1_000,
      '403 SecurityTokenExpired',
    ],
    ['a Date exactly 15 minutes old', request({ token: STS.token, at: NOW - SKEW }), NOW, 'accepted'],
    [
      'a Date 15 minutes and 1 s old',
      request({ token: STS.token, at: NOW - SKEW - 1_000 }),
      NOW,
      '408 TimeExpired',
    ],
    ['a Date 16 minutes ahead', request({ token: STS.token, at: NOW + 16 * 60_000 }), NOW, '408 TimeExpired'],
    [
      'the wrong secret',
      request({ token: STS.token, secret: 'other-secret-000' }),
      NOW,
      '403 SignatureDoesNotMatch',
    ],
    ['an unknown key', request({ token: STS.token, id: 'STS.unknown' }), NOW, '403 InvalidAccessKeyId'],
  ])('%s: %s', (_what, req, now, expected) => {
    expect(code(() => authenticate(req, sts, now, SKEW))).toBe(expected);
  });

  it('returns the AccessKey id that signed, and needs no token for a long-lived key', () => {
    expect(authenticate(request(), keys({ accessKeySecret: STS.secret }), NOW, SKEW)).toBe(STS.id);
  });

  it('a tampered header covered by the signature fails', () => {
    const req = request({ token: STS.token });
    req.headers['x-mns-version'] = '2015-06-06 ';
    // Values are trimmed before signing, so whitespace alone is not tampering …
    expect(code(() => authenticate(req, sts, NOW, SKEW))).toBe('accepted');
    // … but another content type is.
    req.headers['content-type'] = 'text/plain';
    expect(code(() => authenticate(req, sts, NOW, SKEW))).toBe('403 SignatureDoesNotMatch');
  });
});
