import { describe, expect, it } from 'vitest';
import {
  deadline,
  expire,
  heard,
  type PeerRecord,
  resumed,
  watchPeer,
} from '../../../shared/agent/liveness.js';

const DEAD = 3000;
const OK = { checks: 'ok', draining: false } as const;

type Step = { at: number; do: 'advert' | 'tick' | 'resume'; checks?: 'ok' | 'failing' };

const play = (steps: readonly Step[]) => {
  let rec: PeerRecord = watchPeer(0);
  const events: string[] = [];
  for (const s of steps) {
    if (s.do === 'advert') {
      const r = heard(rec, s.at, { checks: s.checks ?? 'ok', draining: false });
      rec = r.rec;
      events.push(...r.events.map((e) => `${s.at}:${e.kind}`));
    } else if (s.do === 'resume') rec = resumed(rec, s.at);
    else {
      const r = expire(rec, s.at, DEAD);
      rec = r.rec;
      if (r.event) events.push(`${s.at}:${r.event.kind}`);
    }
  }
  return { events, state: rec.state };
};

describe('peer liveness (interval × dead factor)', () => {
  it.each<{ name: string; steps: Step[]; events: string[]; state: string }>([
    {
      name: 'adverts every second keep a peer alive',
      steps: [
        { at: 500, do: 'advert' },
        { at: 1500, do: 'advert' },
        { at: 4000, do: 'tick' },
      ],
      events: ['500:first-heard'],
      state: 'alive',
    },
    {
      name: 'silent exactly the dead interval after the last advert',
      steps: [
        { at: 1000, do: 'advert' },
        { at: 3999, do: 'tick' },
        { at: 4000, do: 'tick' },
      ],
      events: ['1000:first-heard', '4000:silent'],
      state: 'silent',
    },
    {
      name: 'a peer never heard from is silent the dead interval after watching began',
      steps: [
        { at: 2999, do: 'tick' },
        { at: 3000, do: 'tick' },
      ],
      events: ['3000:silent'],
      state: 'silent',
    },
    {
      name: 'silent is reported once, and an advert recovers it',
      steps: [
        { at: 3000, do: 'tick' },
        { at: 9000, do: 'tick' },
        { at: 9500, do: 'advert' },
      ],
      events: ['3000:silent', '9500:recovered'],
      state: 'alive',
    },
    {
      name: 'a change of the advertised check state is an event',
      steps: [
        { at: 100, do: 'advert' },
        { at: 1100, do: 'advert', checks: 'failing' },
        { at: 2100, do: 'advert', checks: 'failing' },
      ],
      events: ['100:first-heard', '1100:advertised-changed'],
      state: 'alive',
    },
    {
      name: 'after the agent resumed from a stall, silence counts from the resume',
      steps: [
        { at: 1000, do: 'advert' },
        { at: 9000, do: 'resume' },
        { at: 9000, do: 'tick' },
        { at: 11_999, do: 'tick' },
        { at: 12_000, do: 'tick' },
      ],
      events: ['1000:first-heard', '12000:silent'],
      state: 'silent',
    },
  ])('$name', ({ steps, events, state }) => {
    expect(play(steps)).toEqual({ events, state });
  });

  it('has no deadline once silent, and the next deadline otherwise', () => {
    const alive = heard(watchPeer(0), 1000, OK).rec;
    expect(deadline(alive, DEAD)).toBe(4000);
    expect(deadline(expire(alive, 4000, DEAD).rec, DEAD)).toBeUndefined();
  });
});
