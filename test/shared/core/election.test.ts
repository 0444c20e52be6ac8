import { describe, expect, it } from 'vitest';
import { compareCandidates, elect, ipv4ToNumber, rank } from '../../../shared/core/election.js';
import { member } from '../../support/builders.js';

describe('ipv4ToNumber', () => {
  it.each([
    ['0.0.0.0', 0],
    ['192.168.0.20', 3232235540],
    ['255.255.255.255', 4294967295],
    ['10.0.0.9', 167772169],
  ])('%s → %d', (ip, n) => expect(ipv4ToNumber(ip)).toBe(n));
  it.each(['256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', 'fe80::1', '', 'a.b.c.d', '1.2.3.-4'])(
    'rejects %j',
    (ip) => expect(ipv4ToNumber(ip)).toBeUndefined(),
  );
});

describe('elect', () => {
  const all = () => true;
  it.each([
    {
      name: 'highest priority wins',
      members: [member('i-a', 10, '10.0.0.9'), member('i-b', 100, '10.0.0.1')],
      winner: 'i-b',
    },
    {
      name: 'priority beats address',
      members: [member('i-a', 101, '10.0.0.1'), member('i-b', 100, '10.0.0.200')],
      winner: 'i-a',
    },
    {
      name: 'equal priority → higher address as a number',
      members: [member('i-a', 100, '10.0.0.100'), member('i-b', 100, '10.0.0.99')],
      winner: 'i-a',
    },
    {
      name: 'numeric not lexical: .9 loses to .10',
      members: [member('i-a', 100, '10.0.0.9'), member('i-b', 100, '10.0.0.10')],
      winner: 'i-b',
    },
    {
      name: 'equal everything → greater id',
      members: [
        member('i-a', 100, '10.0.0.1'),
        member('i-c', 100, '10.0.0.1'),
        member('i-b', 100, '10.0.0.1'),
      ],
      winner: 'i-c',
    },
    {
      name: 'ENIs elect the same way',
      members: [member('eni-a', 1, '10.0.0.1'), member('eni-b', 254, '10.0.0.2')],
      winner: 'eni-b',
    },
  ])('$name', ({ members, winner }) => {
    expect(elect(members, all)?.id).toBe(winner);
    expect(elect([...members].reverse(), all)?.id).toBe(winner);
  });

  it('skips ineligible members and returns undefined when none is eligible', () => {
    const ms = [member('i-a', 200, '10.0.0.1'), member('i-b', 100, '10.0.0.2')];
    expect(elect(ms, (id) => id !== 'i-a')?.id).toBe('i-b');
    expect(elect(ms, () => false)).toBeUndefined();
    expect(elect([], all)).toBeUndefined();
  });

  it('rank orders eligible members best first and compareCandidates is antisymmetric', () => {
    const ms = [
      member('i-a', 50, '10.0.0.1'),
      member('i-b', 150, '10.0.0.2'),
      member('i-c', 150, '10.0.0.3'),
      member('i-d', 99, '10.0.0.4'),
    ];
    expect(rank(ms, (id) => id !== 'i-d').map((m) => m.id)).toEqual(['i-c', 'i-b', 'i-a']);
    for (const x of ms)
      for (const y of ms)
        expect(Math.sign(compareCandidates(x, y)) + Math.sign(compareCandidates(y, x))).toBe(0);
  });
});
