import { describe, expect, it } from 'vitest';
import type { Advert } from '../../../shared/agent/advert.js';
import { PeerMonitor } from '../../../shared/agent/peers.js';
import { FakeTimers } from '../../support/fake-timers.js';

const advert = (sender: string, checks: Advert['checks'] = 'ok'): Advert => ({
  group: 'web',
  sender,
  sequence: 1,
  sentAt: 0,
  checks,
  draining: false,
});

const setup = () => {
  const timers = new FakeTimers(0);
  const events: string[] = [];
  const m = new PeerMonitor([{ name: 'web', peers: [{ id: 'i-b' }, { id: 'i-c' }] }], 3_000, timers, {
    silent: (_g, p, last) => events.push(`${timers.now()} silent ${p} last=${last ?? '-'}`),
    recovered: (_g, p) => events.push(`${timers.now()} recovered ${p}`),
    changed: (_g, p) => events.push(`${timers.now()} changed ${p}`),
    stalled: (late) => events.push(`${timers.now()} stalled ${late}`),
  });
  m.start();
  return { timers, events, m };
};

describe('peer monitor', () => {
  it('declares a peer silent when its dead interval passes, and recovered when it is heard again', async () => {
    const { timers, events, m } = setup();
    for (let t = 0; t < 5; t++) {
      await timers.advance(1_000);
      m.heard(advert('i-b'));
    }
    await timers.advance(3_000);
    m.heard(advert('i-b', 'failing'));
    expect(events).toEqual([
      '1000 changed i-b',
      '3000 silent i-c last=-',
      '8000 silent i-b last=5000',
      '8000 recovered i-b',
      '8000 changed i-b',
    ]);
    expect(m.snapshot().map((p) => [p.id, p.state])).toEqual([
      ['i-b', 'alive'],
      ['i-c', 'silent'],
    ]);
  });

  it('calls nobody silent after its own timers ran a dead interval late, and gives everyone a fresh one', async () => {
    const { timers, events, m } = setup();
    m.heard(advert('i-b'));
    m.heard(advert('i-c'));
    // Frozen: the clock jumps without the timers having run.
    timers.time += 10_000;
    await timers.advance(0);
    expect(events).toEqual(['0 changed i-b', '0 changed i-c', '10000 stalled 7000']);
    await timers.advance(2_999);
    expect(events).toHaveLength(3);
    await timers.advance(1);
    expect(events.slice(3)).toEqual(['13000 silent i-b last=0', '13000 silent i-c last=0']);
  });
});
