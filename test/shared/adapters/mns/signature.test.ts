import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  authorizationHeader,
  canonicalMnsHeaders,
  contentMd5,
  contentMd5Rfc1864,
  httpDate,
  messageBodyMd5,
  mnsSignature,
  parseAuthorization,
  signaturesMatch,
  stringToSign,
  topicMessagesPath,
} from '../../../../shared/adapters/mns/signature.js';

describe('MNS signature', () => {
  it("matches Alibaba's worked example (help doc 175633: GET /MyQueue, TestAccessSecret)", () => {
    // The documentation masks the last four characters of the expected signature:
    // "uwx3yeWoILzgmvesW0BQSgfM****". Everything it shows must match.
    const text = stringToSign({
      method: 'GET',
      contentMd5: '',
      contentType: '',
      date: 'Thu, 09 Jul 2015 03:01:34 GMT',
      headers: { Host: '$AccountId.mns.cn-hangzhou.aliyuncs.com', 'x-mns-version': '2015-06-06' },
      resource: '/MyQueue',
    });
    expect(text).toBe('GET\n\n\nThu, 09 Jul 2015 03:01:34 GMT\nx-mns-version:2015-06-06\n/MyQueue');
    const sig = mnsSignature('TestAccessSecret', text);
    expect(sig.slice(0, 24)).toBe('uwx3yeWoILzgmvesW0BQSgfM');
    expect(sig).toHaveLength(28);
  });

  it('canonicalises x-mns- headers: lower-cased, sorted, trimmed, one per line; others ignored', () => {
    expect(
      canonicalMnsHeaders({
        'X-MNS-Version': '2015-06-06',
        'x-mns-date': ' Thu, 09 Jul 2015 03:01:34 GMT ',
        'security-token': 'not-signed',
        Host: 'h',
        'x-mns-absent': undefined,
      }),
    ).toBe('x-mns-date:Thu, 09 Jul 2015 03:01:34 GMT\nx-mns-version:2015-06-06\n');
    expect(canonicalMnsHeaders({ Host: 'h' })).toBe('');
  });

  it('signs HMAC-SHA1 over the string to sign, Base64', () => {
    const text = stringToSign({
      method: 'post',
      contentMd5: 'md5',
      contentType: 'text/xml;charset=utf-8',
      date: 'Tue, 08 Dec 2015 06:13:40 GMT',
      headers: { 'x-mns-version': '2015-06-06' },
      resource: topicMessagesPath('MyTopic'),
    });
    expect(text).toBe(
      'POST\nmd5\ntext/xml;charset=utf-8\nTue, 08 Dec 2015 06:13:40 GMT\nx-mns-version:2015-06-06\n/topics/MyTopic/messages',
    );
    expect(mnsSignature('k', text)).toBe(createHmac('sha1', 'k').update(text).digest('base64'));
  });

  it("fills Content-MD5 as the official SDKs do: Base64 of the hex digest (and knows RFC 1864's form)", () => {
    const hex = createHash('md5').update('abc').digest('hex');
    expect(hex).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(contentMd5('abc')).toBe(Buffer.from(hex).toString('base64'));
    expect(contentMd5Rfc1864('abc')).toBe('kAFQmDzST7DWlj99KOF/cg==');
    expect(messageBodyMd5('abc')).toBe(hex.toUpperCase());
  });

  it('builds and parses the Authorization header', () => {
    expect(authorizationHeader('AK', 'c2ln+/=')).toBe('MNS AK:c2ln+/=');
    expect(parseAuthorization('MNS AK:c2ln+/=')).toEqual({ accessKeyId: 'AK', signature: 'c2ln+/=' });
    for (const bad of ['MNS AK', 'Bearer x', 'MNS :sig', 'MNS AK:', 'mns AK:sig'])
      expect(parseAuthorization(bad), bad).toBeUndefined();
  });

  it('compares signatures exactly', () => {
    expect(signaturesMatch('abc=', 'abc=')).toBe(true);
    expect(signaturesMatch('abc=', 'abd=')).toBe(false);
    expect(signaturesMatch('abc=', 'abc')).toBe(false);
  });

  it('writes the RFC 1123 GMT date MNS expects', () => {
    expect(httpDate(Date.UTC(2015, 11, 8, 6, 13, 40))).toBe('Tue, 08 Dec 2015 06:13:40 GMT');
  });
});
