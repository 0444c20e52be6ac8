import { describe, expect, it } from 'vitest';
import { initialTally, recordResult } from '../../../shared/agent/hysteresis.js';

const run = (results: string, h = { fall: 3, rise: 2 }, initFail = false) => {
  let t = initialTally(initFail);
  const trace: string[] = [];
  for (const r of results) {
    const next = recordResult(t, r === '+', h);
    t = { up: next.up, streak: next.streak };
    trace.push(next.changed ? (next.up ? 'U' : 'D') : t.up ? 'u' : 'd');
  }
  return trace.join('');
};

describe('check hysteresis (keepalived fall/rise)', () => {
  it.each([
    { name: 'passes keep it up', results: '++++', h: { fall: 3, rise: 2 }, trace: 'uuuu' },
    {
      name: 'goes down on the fall-th consecutive failure',
      results: '---',
      h: { fall: 3, rise: 2 },
      trace: 'uuD',
    },
    {
      name: 'a pass between failures resets the count',
      results: '--+--',
      h: { fall: 3, rise: 2 },
      trace: 'uuuuu',
    },
    {
      name: 'comes back on the rise-th consecutive pass',
      results: '---++',
      h: { fall: 3, rise: 2 },
      trace: 'uuDdU',
    },
    {
      name: 'a failure between passes resets the rise count',
      results: '---+-++',
      h: { fall: 3, rise: 2 },
      trace: 'uuDdddU',
    },
    { name: 'fall 1 and rise 1 follow every result', results: '-+-', h: { fall: 1, rise: 1 }, trace: 'DUD' },
  ])('$name', ({ results, h, trace }) => {
    expect(run(results, h)).toBe(trace);
  });

  it('starts down with initFail and needs rise passes', () => {
    expect(run('+-++', { fall: 3, rise: 2 }, true)).toBe('dddU');
  });
});
