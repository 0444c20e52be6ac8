import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTimerEvent, type TimerEvent } from '../../../shared/events/timer.js';

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../../fixtures/events/${name}`, import.meta.url));

describe('parseTimerEvent', () => {
  it.each([
    [
      'timer.json',
      { triggerTime: '2026-11-20T08:16:00Z', triggerName: 'health-sweep', scope: { kind: 'all' } },
    ],
    [
      'timer-empty-payload.json',
      { triggerTime: '2026-11-20T08:18:00Z', triggerName: 'health-sweep', scope: { kind: 'all' } },
    ],
    // Duplicates collapse, order is kept.
    [
      'timer-groups.json',
      {
        triggerTime: '2026-11-20T08:17:00Z',
        triggerName: 'sweep-web',
        scope: { kind: 'groups', groups: ['web', 'db'] },
      },
    ],
  ] as [string, TimerEvent][])('%s', (file, expected) => {
    expect(parseTimerEvent(fixture(file))).toEqual(expected);
  });

  it.each([
    ['absent payload', {}],
    ['null payload', { payload: null }],
    ['whitespace payload', { payload: '   ' }],
    ['plain "all"', { payload: 'all' }],
    ['{"sweep":"all"}', { payload: '{"sweep":"all"}' }],
    ['{}', { payload: '{}' }],
    ['object payload', { payload: { sweep: 'all' } }],
  ])('%s means all groups', (_name, ev) => {
    expect(parseTimerEvent(JSON.stringify(ev)).scope).toEqual({ kind: 'all' });
  });

  it('reads groups from an object payload', () => {
    expect(parseTimerEvent({ payload: { groups: ['a'] } }).scope).toEqual({ kind: 'groups', groups: ['a'] });
  });

  it('keeps extra top-level fields FC may add without complaint', () => {
    expect(parseTimerEvent('{"triggerTime":"t","payload":"","extra":1}').scope).toEqual({ kind: 'all' });
  });
});
