import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  createLogger,
  createMemoryLogger,
  isSecretKey,
  REDACTED,
  redact,
  scrubString,
} from '../../../../shared/adapters/logger/index.js';
import { HavipError } from '../../../../shared/core/errors.js';

const SECRET = 'S3cr3t-Value-never-in-logs';

/** Capture pino's JSON lines. */
function sink(): { stream: Writable; lines: () => Record<string, unknown>[]; raw: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  return {
    stream,
    raw: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

const credentialFields = () => ({
  credentials: { accessKeyId: 'LTAI5tDemoKeyId', accessKeySecret: SECRET, securityToken: SECRET },
  request: {
    headers: {
      Authorization: `Bearer ${SECRET}`,
      authorization: SECRET,
      'x-acs-security-token': SECRET,
      accept: 'json',
    },
  },
  nested: [{ deep: { deeper: { password: SECRET, secret: SECRET, token: SECRET, sign: SECRET } } }],
  webhookSecret: SECRET,
  url: `https://oapi.dingtalk.com/robot/send?access_token=${SECRET}&timestamp=1&sign=${SECRET}`,
  clientToken: 'web-7-attach-i-b',
});

describe('createLogger (pino)', () => {
  it('writes one JSON object per line with level, time, msg and fields', () => {
    const out = sink();
    const log = createLogger({ destination: out.stream, base: { service: 'havip' } });
    log.info({ group: 'web', epoch: 3 }, 'lease acquired');
    const [line] = out.lines();
    expect(line).toMatchObject({
      level: 'info',
      msg: 'lease acquired',
      group: 'web',
      epoch: 3,
      service: 'havip',
    });
    expect(typeof line?.time).toBe('string');
    expect(Number.isNaN(Date.parse(String(line?.time)))).toBe(false);
  });

  it('never writes a secret, at any depth, in fields, bindings, errors or the message', () => {
    const out = sink();
    const log = createLogger({ destination: out.stream, level: 'debug' });
    const child = log.child({ token: SECRET, invocation: 'req-1' });
    child.debug(credentialFields(), 'debug');
    child.info(credentialFields(), `calling https://x.example/?sign=${SECRET}`);
    child.warn({ headers: new Headers({ Authorization: `Bearer ${SECRET}` }) }, 'headers object');
    const err = new HavipError('notify.failed', 'failed', { details: { password: SECRET } });
    child.error({ err, cause: new Error('inner', { cause: { securityToken: SECRET } }) }, 'with error');
    const raw = out.raw();
    expect(raw).not.toContain(SECRET);
    const lines = out.lines();
    expect(lines).toHaveLength(4);
    // The key id stays: it identifies the credential without granting anything.
    expect(raw).toContain('LTAI5tDemoKeyId');
    // The idempotency token is not a credential.
    expect(raw).toContain('web-7-attach-i-b');
    expect(lines[0]).toMatchObject({
      invocation: 'req-1',
      token: REDACTED,
      credentials: { accessKeyId: 'LTAI5tDemoKeyId', accessKeySecret: REDACTED, securityToken: REDACTED },
      request: {
        headers: {
          Authorization: REDACTED,
          authorization: REDACTED,
          'x-acs-security-token': REDACTED,
          accept: 'json',
        },
      },
    });
    expect(lines[3]).toMatchObject({
      err: { type: 'HavipError', code: 'notify.failed', message: 'failed', details: { password: REDACTED } },
    });
  });

  it('respects the level', () => {
    const out = sink();
    const log = createLogger({ destination: out.stream, level: 'warn' });
    log.info({}, 'hidden');
    log.warn({}, 'shown');
    expect(out.lines().map((l) => l.msg)).toEqual(['shown']);
  });

  it('rejects an unknown level', () => {
    expect(() => createLogger({ level: 'verbose' as 'info' })).toThrow(/level/);
  });
});

describe('createMemoryLogger', () => {
  it('records entries from the logger and its children, merged with bindings and redacted', () => {
    const log = createMemoryLogger();
    log.child({ group: 'web' }).child({ epoch: 2 }).warn({ secret: SECRET, to: 'i-b' }, 'moving');
    log.info({}, 'plain');
    expect(log.entries).toEqual([
      { level: 'warn', msg: 'moving', fields: { group: 'web', epoch: 2, secret: REDACTED, to: 'i-b' } },
      { level: 'info', msg: 'plain', fields: {} },
    ]);
    expect(log.find('moving')).toHaveLength(1);
    expect(log.find(/pla/)).toHaveLength(1);
    log.clear();
    expect(log.entries).toEqual([]);
  });

  it('filters by level', () => {
    const log = createMemoryLogger({ level: 'warn' });
    log.debug({}, 'a');
    log.info({}, 'b');
    log.error({}, 'c');
    expect(log.entries.map((e) => e.msg)).toEqual(['c']);
  });
});

describe('redaction helpers', () => {
  it.each([
    ['accessKeySecret', true],
    ['AccessKeySecret', true],
    ['securityToken', true],
    ['security_token', true],
    ['secret', true],
    ['dingtalkSecret', true],
    ['token', true],
    ['access_token', true],
    ['password', true],
    ['dbPassword', true],
    ['Authorization', true],
    ['authorization', true],
    ['sign', true],
    ['accessKeyId', false],
    ['clientToken', false],
    ['tokenCount', false],
    ['signal', false],
    ['design', false],
  ])('isSecretKey(%s) = %s', (key, expected) => {
    expect(isSecretKey(key)).toBe(expected);
  });

  it.each([
    ['https://h/x?access_token=abc&a=1', 'https://h/x?access_token=[REDACTED]&a=1'],
    ['see https://h/x?a=1&sign=abc%2B', 'see https://h/x?a=1&sign=[REDACTED]'],
    ['Authorization: Bearer eyJhbGciOi.abc.def', 'Authorization: Bearer [REDACTED]'],
    [
      'ACS3-HMAC-SHA256 Credential=LTAI/x,Signature=abc123==',
      'ACS3-HMAC-SHA256 Credential=LTAI/x,Signature=[REDACTED]',
    ],
    ['nothing to hide', 'nothing to hide'],
  ])('scrubString(%s)', (input, expected) => {
    expect(scrubString(input)).toBe(expected);
  });

  it('handles cycles, depth, bigint, buffers and dates without throwing', () => {
    const a: Record<string, unknown> = { n: 1n, buf: Buffer.from('xyz'), when: new Date(0) };
    a.self = a;
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 20; i++) {
      deep.next = {};
      deep = deep.next as Record<string, unknown>;
    }
    expect(redact(a)).toEqual({
      n: '1',
      buf: '[3 bytes]',
      when: '1970-01-01T00:00:00.000Z',
      self: '[Circular]',
    });
    expect(JSON.stringify(redact(root))).toContain('[Truncated]');
  });

  it('keeps a shared (non-cyclic) object in both places', () => {
    const shared = { x: 1 };
    expect(redact({ a: shared, b: shared })).toEqual({ a: { x: 1 }, b: { x: 1 } });
  });

  it('does not let a __proto__ key in fields change a prototype', () => {
    const fields = JSON.parse('{"__proto__":{"polluted":true},"ok":1}') as Record<string, unknown>;
    const log = createMemoryLogger();
    log.info(fields, 'x');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(log.entries[0]?.fields)).toBe(Object.prototype);
  });
});
