/** Request signing: the one implementation the server verifies with and the CLI and the agent sign with. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  canonicalTarget,
  NONCE_RE,
  newNonce,
  sha256Hex,
  signRequest,
  stringToSign,
} from '../../../../shared/app/http/auth.js';
import { HMAC_ID, HMAC_SECRET } from '../../../support/http.js';

describe('signRequest', () => {
  it('signs exactly "<timestamp>\\n<nonce>\\n<METHOD>\\n<path+query>\\n<sha256hex(body)>" (what the docs tell curl users)', () => {
    const now = 1_767_225_600_000;
    const body = '{"reason":"x"}';
    const nonce = '0123456789abcdef0123456789abcdef';
    const expected = createHmac('sha256', HMAC_SECRET)
      .update(`1767225600\n${nonce}\nPOST\n/v1/groups/web/failover\n${sha256Hex(body)}`)
      .digest('hex');
    expect(
      signRequest({
        keyId: HMAC_ID,
        secret: HMAC_SECRET,
        method: 'post',
        path: '/v1/groups/web/failover',
        body,
        now,
        nonce,
      }),
    ).toEqual({
      'X-Havip-Key-Id': HMAC_ID,
      'X-Havip-Timestamp': '1767225600',
      'X-Havip-Nonce': nonce,
      'X-Havip-Signature': expected,
    });
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('regression (issue 13.4): two signings of the same request in the same second differ, by a fresh nonce', () => {
    const sign = () =>
      signRequest({ keyId: HMAC_ID, secret: HMAC_SECRET, method: 'GET', path: '/v1/groups', now: 1_000 });
    const [a, b] = [sign(), sign()];
    expect(a['X-Havip-Timestamp']).toBe(b['X-Havip-Timestamp']);
    expect(a['X-Havip-Nonce']).not.toBe(b['X-Havip-Nonce']);
    expect(a['X-Havip-Signature']).not.toBe(b['X-Havip-Signature']);
    expect(a['X-Havip-Nonce']).toMatch(NONCE_RE);
  });

  it('makes nonces of 128 random bits that the server accepts', () => {
    const nonces = new Set(Array.from({ length: 100 }, newNonce));
    expect(nonces.size).toBe(100);
    for (const n of nonces) expect(n).toMatch(NONCE_RE);
  });
});

describe('stringToSign', () => {
  it('hashes the exact body bytes', () => {
    expect(stringToSign('1', 'get', '/a', '')).toBe(`1\nGET\n/a\n${sha256Hex('')}`);
    expect(stringToSign('1', 'POST', '/a', new TextEncoder().encode('é'))).toBe(
      `1\nPOST\n/a\n${sha256Hex('é')}`,
    );
  });

  it('has five lines with a nonce and four without (the first version), so neither passes for the other', () => {
    expect(stringToSign('1', 'GET', '/a', '', 'n'.repeat(16)).split('\n')).toHaveLength(5);
    expect(stringToSign('1', 'GET', '/a', '').split('\n')).toHaveLength(4);
  });

  it.each([
    { name: 'no query', target: '/v1/history', canonical: '/v1/history' },
    {
      name: 'sorted by name',
      target: '/v1/history?limit=5&group=web',
      canonical: '/v1/history?group=web&limit=5',
    },
    { name: 'repeated names sorted by value', target: '/x?b=2&a=z&a=y', canonical: '/x?a=y&a=z&b=2' },
    { name: 'encoding normalised', target: '/x?q=a+b&r=%7e', canonical: '/x?q=a%20b&r=~' },
  ])('canonical target: $name', ({ target, canonical }) => {
    expect(canonicalTarget(target)).toBe(canonical);
  });
});
