/**
 * The TC3-HMAC-SHA256 signer: Tencent's published worked example as a known answer (every intermediate
 * value), and the official Node SDK's own signer as a second opinion on many requests.
 */
import * as signNs from 'tencentcloud-sdk-nodejs/tencentcloud/common/sign.js';
import { describe, expect, it } from 'vitest';
import {
  canonicalRequest,
  parseTc3Authorization,
  sha256Hex,
  stringToSign,
  tc3Authorization,
  tc3Date,
  tc3Signature,
} from '../../../../shared/adapters/tencent/signer.js';

type SdkSign = typeof signNs.default.default;
/** The SDK's signer is CommonJS with `exports.default`: Node exposes `module.exports` as the default, vitest may unwrap it. */
const Sign: SdkSign = (() => {
  const d = (signNs as unknown as { default: unknown }).default;
  return (typeof d === 'function' ? d : (d as { default: SdkSign }).default) as SdkSign;
})();

/**
 * The example of Tencent's "Signature v3" page: CVM DescribeInstances in ap-guangzhou, one instance
 * named "未命名" (written with \u escapes in the body), Content-Type with a charset, at 1551113065.
 * The page's SecretId is masked; its SecretKey and every intermediate value are given.
 */
const DOC = {
  secretId: 'AKID**********************0123456789EXAMPLE',
  secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
  host: 'cvm.tencentcloudapi.com',
  contentType: 'application/json; charset=utf-8',
  timestamp: 1551113065,
  payload: String.raw`{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}`,
  hashedPayload: '35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064',
  hashedCanonicalRequest: '5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031',
  signature: '72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
};

describe('TC3-HMAC-SHA256: the documented example', () => {
  const canonical = canonicalRequest({
    headers: [
      ['content-type', DOC.contentType],
      ['host', DOC.host],
    ],
    payload: DOC.payload,
  });

  it('hashes the payload and builds the canonical request of the page', () => {
    expect(sha256Hex(DOC.payload)).toBe(DOC.hashedPayload);
    expect(canonical).toBe(
      `POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\ncontent-type;host\n${DOC.hashedPayload}`,
    );
    expect(sha256Hex(canonical)).toBe(DOC.hashedCanonicalRequest);
  });

  it('dates the scope in UTC (2019-02-26 in UTC+8 is still 2019-02-25)', () => {
    expect(tc3Date(DOC.timestamp)).toBe('2019-02-25');
    expect(stringToSign(DOC.timestamp, '2019-02-25/cvm/tc3_request', canonical)).toBe(
      `TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n${DOC.hashedCanonicalRequest}`,
    );
  });

  it('derives the signature and the Authorization header of the page', () => {
    const toSign = stringToSign(DOC.timestamp, '2019-02-25/cvm/tc3_request', canonical);
    expect(tc3Signature(DOC.secretKey, '2019-02-25', 'cvm', toSign)).toBe(DOC.signature);
    expect(
      tc3Authorization({
        secretId: DOC.secretId,
        secretKey: DOC.secretKey,
        service: 'cvm',
        host: DOC.host,
        timestamp: DOC.timestamp,
        payload: DOC.payload,
        contentType: DOC.contentType,
      }),
    ).toBe(
      `TC3-HMAC-SHA256 Credential=${DOC.secretId}/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=${DOC.signature}`,
    );
  });

  it('changes the signature when any input changes', () => {
    const base = { ...DOC, service: 'cvm', contentType: DOC.contentType };
    const sig = (o: Partial<typeof base>) =>
      parseTc3Authorization(tc3Authorization({ ...base, ...o }))?.signature;
    const original = sig({});
    expect(original).toBe(DOC.signature);
    for (const change of [
      { secretKey: `${DOC.secretKey}x` },
      { service: 'vpc' },
      { host: 'vpc.tencentcloudapi.com' },
      { timestamp: DOC.timestamp + 1 },
      { payload: `${DOC.payload} ` },
      { contentType: 'application/json' },
    ])
      expect(sig(change), JSON.stringify(change)).not.toBe(original);
  });
});

describe('TC3-HMAC-SHA256: the same headers as the official SDK signer', () => {
  const cases = [
    {
      service: 'vpc',
      url: 'https://vpc.tencentcloudapi.com/',
      body: { HaVipIds: ['havip-1'], Limit: 100, Offset: 0 },
    },
    {
      service: 'cvm',
      url: 'https://cvm.ap-guangzhou.tencentcloudapi.com/',
      body: { InstanceIds: ['ins-1', 'ins-2'] },
    },
    {
      service: 'tat',
      url: 'https://tat.tencentcloudapi.com/',
      body: { Content: 'ZWNobyBoaQ==', InstanceIds: ['ins-1'] },
    },
    // What the SDK signs for a simulator endpoint: the host name without the port, service "127".
    {
      service: '127',
      url: 'http://127.0.0.1:18080/',
      body: { TaskId: 'b5b41468-520d-4192-b42f-595cc34b6c1c' },
    },
    { service: 'vpc', url: 'https://vpc.tencentcloudapi.com/', body: { Name: '未命名 "quoted"\n' } },
  ];
  const timestamps = [0, 1551052799, 1551052800, 1767225600, 2000000000];

  it.each(cases)('$service at $url', ({ service, url, body }) => {
    for (const timestamp of timestamps) {
      const theirs = Sign.sign3({
        method: 'POST',
        url,
        payload: body,
        timestamp,
        service,
        secretId: 'AKIDtest',
        secretKey: 'secret-key-for-tests',
        multipart: false,
        boundary: '',
        headers: { 'Content-Type': 'application/json' },
      });
      const ours = tc3Authorization({
        secretId: 'AKIDtest',
        secretKey: 'secret-key-for-tests',
        service,
        host: new URL(url).hostname,
        timestamp,
        payload: JSON.stringify(body),
      });
      expect(ours, `timestamp ${timestamp}`).toBe(theirs);
    }
  });
});

describe('parseTc3Authorization', () => {
  it('reads what the signer writes, and nothing else', () => {
    const header = tc3Authorization({ ...DOC, service: 'vpc' });
    expect(parseTc3Authorization(header)).toEqual({
      secretId: DOC.secretId,
      date: '2019-02-25',
      service: 'vpc',
      signedHeaders: ['content-type', 'host'],
      signature: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(
      parseTc3Authorization('ACS3-HMAC-SHA256 Credential=x,SignedHeaders=host,Signature=00'),
    ).toBeUndefined();
    expect(parseTc3Authorization(header.replace('Signature=', 'Signature=zz'))).toBeUndefined();
  });
});
