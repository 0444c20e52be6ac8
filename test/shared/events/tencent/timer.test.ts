import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../../shared/core/errors.js';
import { parseScfTimerEvent } from '../../../../shared/events/tencent/timer.js';

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../../../fixtures/events/${name}`, import.meta.url));
const timer = (over: Record<string, unknown>) =>
  JSON.stringify({ Type: 'Timer', TriggerName: 't', Time: '2026-11-20T08:16:00Z', ...over });

describe('parseScfTimerEvent', () => {
  it('the fixture sweeps everything and keeps the trigger name and time', () => {
    expect(parseScfTimerEvent(fixture('tencent-timer.json'))).toEqual({
      triggerName: 'havip-sweep',
      triggerTime: '2026-11-20T08:16:00Z',
      scope: { kind: 'all' },
    });
  });

  it('accepts the lower-case Type of the Serverless Framework reference', () => {
    expect(parseScfTimerEvent(timer({ Type: 'timer', Message: null })).scope).toEqual({ kind: 'all' });
  });

  it.each([
    [undefined, { kind: 'all' }],
    ['', { kind: 'all' }],
    ['all', { kind: 'all' }],
    ['{"groups":["web","db","web"]}', { kind: 'groups', groups: ['web', 'db'] }],
  ])('Message %j → %j', (message, scope) => {
    expect(parseScfTimerEvent(timer({ Message: message })).scope).toEqual(scope);
  });

  it.each([
    ['not a timer', { Type: 'Cmq' }, 'Type'],
    ['Message not JSON', { Message: '{"groups":' }, 'Message'],
    ['a typo in the argument', { Message: '{"group":["web"]}' }, 'Message.group'],
    ['Message a number', { Message: 3 }, 'Message'],
  ])('%s → %s', (_title, over, path) => {
    let error: unknown;
    try {
      parseScfTimerEvent(timer(over));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).issues.map((i) => i.path)).toContain(path);
  });
});
