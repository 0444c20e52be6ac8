/**
 * MNS's request signature (the `Authorization: MNS <AccessKeyId>:<Signature>` scheme), shared by the
 * publisher (which signs) and the embedded simulator (which verifies).
 *
 * What this relies on, checked against:
 * - Alibaba Cloud's MNS API reference, "Sign requests" (help doc 27487): the string to sign is the
 *   upper-case method, Content-MD5, Content-Type and Date, each followed by a newline, then the
 *   canonicalised `x-mns-*` headers (names lower-cased, sorted, `name:value` each ending in a newline),
 *   then the canonicalised resource (the request path with its query). It is signed with HMAC-SHA1 keyed
 *   by the AccessKey secret and Base64-encoded. Content-MD5 and Content-Type may be empty; Date may not.
 *   MNS refuses a Date more than 15 minutes away from its own clock.
 * - The worked example in "How do I obtain the signature string of an API request" (help doc 175633),
 *   used as our known-answer test.
 * - The official SDKs aliyun/mns-nodejs-sdk (lib/client.js), aliyun/aliyun-mns-python-sdk
 *   (mns/mns_client.py) and aliyun/aliyun-mns-go-sdk (client.go, credential.go). All three send an STS
 *   token in a `security-token` header, which is not an `x-mns-` header and so is not signed; and all
 *   three fill Content-MD5 with the Base64 of the *hexadecimal* MD5 digest, not of the 16 raw bytes that
 *   RFC 1864 describes. We do the same so that a real MNS endpoint sees what its own SDKs send.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const MNS_API_VERSION = '2015-06-06';
/** The namespace of request and response documents (the trailing slash is part of it). */
export const MNS_XML_NAMESPACE = 'http://mns.aliyuncs.com/doc/v1/';
export const SECURITY_TOKEN_HEADER = 'security-token';
/** How far MNS lets a request's Date drift from its own clock. */
export const MNS_MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

export interface StringToSignParts {
  readonly method: string;
  readonly contentMd5: string;
  readonly contentType: string;
  readonly date: string;
  /** Every request header; only the `x-mns-` ones take part. Names may be in any case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The request path with its query string, e.g. `/topics/havip-heartbeats/messages`. */
  readonly resource: string;
}

/** `x-mns-` headers, lower-cased and sorted by name, one `name:value\n` each. */
export function canonicalMnsHeaders(headers: Readonly<Record<string, string | undefined>>): string {
  const lines: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower.startsWith('x-mns-') && value !== undefined) lines.push(`${lower}:${value.trim()}`);
  }
  lines.sort();
  return lines.map((l) => `${l}\n`).join('');
}

export function stringToSign(p: StringToSignParts): string {
  return [
    p.method.toUpperCase(),
    p.contentMd5,
    p.contentType,
    p.date,
    `${canonicalMnsHeaders(p.headers)}${p.resource}`,
  ].join('\n');
}

export function mnsSignature(accessKeySecret: string, text: string): string {
  return createHmac('sha1', accessKeySecret).update(text, 'utf8').digest('base64');
}

export function authorizationHeader(accessKeyId: string, signature: string): string {
  return `MNS ${accessKeyId}:${signature}`;
}

/** Splits `MNS <AccessKeyId>:<Signature>`; undefined when the header does not have that shape. */
export function parseAuthorization(value: string): { accessKeyId: string; signature: string } | undefined {
  const m = /^MNS ([^:\s]+):(\S+)$/.exec(value.trim());
  return m ? { accessKeyId: m[1]!, signature: m[2]! } : undefined;
}

/** Constant-time comparison of two signatures. */
export function signaturesMatch(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The Content-MD5 value the official SDKs send: Base64 of the lower-case hex MD5 of the body. */
export function contentMd5(body: string | Uint8Array): string {
  return Buffer.from(createHash('md5').update(body).digest('hex'), 'utf8').toString('base64');
}

/** RFC 1864's form (Base64 of the raw digest); the simulator accepts it too. */
export function contentMd5Rfc1864(body: string | Uint8Array): string {
  return createHash('md5').update(body).digest('base64');
}

/** `MessageBodyMD5` / `MessageMD5` as MNS reports them: upper-case hex MD5 of the message body. */
export function messageBodyMd5(body: string): string {
  return createHash('md5').update(body, 'utf8').digest('hex').toUpperCase();
}

/** The RFC 1123 date MNS expects, e.g. `Tue, 08 Dec 2015 06:13:40 GMT`. */
export function httpDate(epochMs: number): string {
  return new Date(epochMs).toUTCString();
}

/** Path of PublishMessage for a topic; also the resource the RAM policy grants. */
export function topicMessagesPath(topic: string): string {
  return `/topics/${topic}/messages`;
}
