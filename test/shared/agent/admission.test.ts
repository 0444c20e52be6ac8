/**
 * The advert codec and the admission checks, table-tested reason by reason, and fuzzed: no input makes
 * the decoder throw, and no changed byte of a genuine datagram gets through.
 */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AdvertAdmission } from '../../../shared/agent/admission.js';
import {
  type Advert,
  advertCanonicalString,
  encodeAdvert,
  parseAdvert,
} from '../../../shared/agent/advert.js';
import { DropCounters } from '../../../shared/agent/drops.js';

const KEY = Buffer.from('web-key-0123456789abcdef0123456789');
const NOW = 1_767_225_600_000;
const B: Advert = { group: 'web', sender: 'i-b', sequence: 1000, sentAt: NOW, checks: 'ok', draining: false };

const admission = () =>
  new AdvertAdmission(
    'i-a',
    new Map([
      [
        'web',
        {
          key: KEY,
          peers: new Map([
            ['i-b', '127.0.0.12'],
            ['i-c', '127.0.0.13'],
          ]),
        },
      ],
    ]),
    60_000,
  );
const enc = (a: Partial<Advert>, key = KEY) => encodeAdvert({ ...B, ...a }, key);

describe('advert codec', () => {
  it('signs the documented canonical string', () => {
    const text = enc({}).toString('utf8');
    const signed = 'havip-advert/1\nweb\ni-b\n1000\n1767225600000\nok\n0';
    expect(advertCanonicalString(B)).toBe(signed);
    expect(text).toBe(`${signed}\n${createHmac('sha256', KEY).update(signed).digest('hex')}`);
  });

  it('round-trips every field', () => {
    const a = { ...B, checks: 'failing' as const, draining: true, sequence: Number.MAX_SAFE_INTEGER };
    const parsed = parseAdvert(encodeAdvert(a, KEY));
    expect(parsed.ok && parsed.value.advert).toEqual(a);
  });

  it.each([
    ['7 lines', 'havip-advert/1\nweb\ni-b\n1\n1\nok\n0'],
    ['another format', enc({}).toString().replace('havip-advert/1', 'havip-advert/2')],
    ['a leading zero', enc({}).toString().replace('\n1000\n', '\n01000\n')],
    ['a negative sequence', enc({}).toString().replace('\n1000\n', '\n-1000\n')],
    ['a sequence past 2^53', enc({}).toString().replace('\n1000\n', '\n9007199254740993\n')],
    ['an unknown check state', enc({}).toString().replace('\nok\n', '\nmaybe\n')],
    [
      'an upper-case MAC',
      enc({})
        .toString()
        .replace(/[0-9a-f]{64}$/, (m) => m.toUpperCase()),
    ],
    ['an uppercase sender', enc({}).toString().replace('i-b', 'I-B')],
    ['a group with a space', enc({}).toString().replace('\nweb\n', '\nw b\n')],
    ['a trailing newline', `${enc({}).toString()}\n`],
    ['too long', `${enc({}).toString()}${'x'.repeat(600)}`],
  ])('is malformed with %s', (_name, text) => {
    expect(parseAdvert(Buffer.from(text)).ok).toBe(false);
  });

  it('is malformed when not UTF-8', () => {
    expect(parseAdvert(Buffer.from([0xff, 0xfe, 0x0a]))).toEqual({ ok: false, detail: 'not UTF-8' });
  });
});

describe('admission', () => {
  it.each<{ name: string; datagram: () => Buffer; source?: string; reason: string }>([
    { name: 'garbage', datagram: () => Buffer.from('hello'), reason: 'malformed' },
    { name: 'a group this agent is not in', datagram: () => enc({ group: 'db' }), reason: 'wrong-group' },
    {
      name: 'a MAC made with another key',
      datagram: () => enc({}, Buffer.from('another-key-0123456789abcdef')),
      reason: 'bad-mac',
    },
    {
      name: 'a sender that is not a peer',
      datagram: () => enc({ sender: 'i-zzz' }),
      reason: 'unknown-sender',
    },
    {
      name: 'this agent itself as the sender',
      datagram: () => enc({ sender: 'i-a' }),
      reason: 'unknown-sender',
    },
    {
      name: 'a peer from the wrong address',
      datagram: () => enc({}),
      source: '127.0.0.13',
      reason: 'wrong-source',
    },
    {
      name: 'a datagram sent two minutes ago',
      datagram: () => enc({ sentAt: NOW - 120_000 }),
      reason: 'stale',
    },
    {
      name: 'a datagram from two minutes ahead',
      datagram: () => enc({ sentAt: NOW + 120_000 }),
      reason: 'stale',
    },
  ])('drops $name as $reason', ({ datagram, source, reason }) => {
    const r = admission().admit(datagram(), source ?? '127.0.0.12', NOW);
    expect(r.ok ? 'accepted' : r.reason).toBe(reason);
  });

  it('accepts a genuine advert once, then calls it replayed, and an old sequence stale', () => {
    const a = admission();
    expect(a.admit(enc({}), '127.0.0.12', NOW)).toEqual({ ok: true, advert: B });
    expect(a.admit(enc({}), '127.0.0.12', NOW)).toMatchObject({ ok: false, reason: 'replayed' });
    expect(a.admit(enc({ sequence: 1001 }), '127.0.0.12', NOW).ok).toBe(true);
    expect(a.admit(enc({ sequence: 900 }), '127.0.0.12', NOW)).toMatchObject({ ok: false, reason: 'stale' });
    // Each sender has its own window.
    expect(a.admit(enc({ sender: 'i-c' }), '127.0.0.13', NOW).ok).toBe(true);
  });

  it('never throws, and admits nothing from random bytes', () => {
    const a = admission();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), fc.ipV4(), (bytes, source) => {
        expect(a.admit(Buffer.from(bytes), source, NOW).ok).toBe(false);
      }),
    );
  });

  it('admits no genuine datagram with any byte changed', () => {
    const genuine = enc({ sequence: 5000 });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: genuine.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (at, delta) => {
          const forged = Buffer.from(genuine);
          forged[at] = (forged[at]! + delta) % 256;
          expect(admission().admit(forged, '127.0.0.12', NOW).ok).toBe(false);
        },
      ),
    );
  });
});

describe('drop counters', () => {
  it('count every drop but log the first of each reason, then one line per period with the count since', () => {
    const d = new DropCounters(30_000);
    const lines = [0, 1000, 2000, 29_999, 30_000, 31_000].map((t) => d.count('bad-mac', '127.0.0.9', 'x', t));
    expect(lines.map((l) => l?.count)).toEqual([1, undefined, undefined, undefined, 4, undefined]);
    expect(d.count('replayed', '127.0.0.9', 'x', 31_000)?.count).toBe(1);
    expect(d.snapshot()).toMatchObject({ 'bad-mac': 6, replayed: 1, malformed: 0 });
  });
});
