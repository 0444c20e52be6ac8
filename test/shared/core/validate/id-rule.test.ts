/**
 * The id rule every cloud's field rules are built from: a good id passes; a bad one is named with the
 * shape and an example, and the hint names the likely slip (capitals, spaces, the other cloud's id).
 */
import { describe, expect, it } from 'vitest';
import { checkWith, type IdHints, idRule } from '../../../../shared/core/validate/id-rule.js';

const HINTS: IdHints = {
  cloud: 'Example Cloud',
  copy: 'copy the id from the example console',
  foreign: (id) =>
    id.startsWith('other-')
      ? { detail: ', which is an id of the other cloud', hint: 'move the group' }
      : undefined,
};
const checkWidgetId = idRule('widget.id.format', /^w-[a-z0-9]+$/, 'a widget id', 'w-0demo', HINTS);

describe('idRule', () => {
  it.each([
    ['w-0abc', undefined],
    ['W-0ABC', 'Example Cloud ids are lowercase'],
    [' w-0abc', 'remove the surrounding spaces'],
    ['other-1', 'move the group'],
    ['x-1', 'copy the id from the example console'],
  ])('%j → hint %j', (id, hint) => {
    const problem = checkWidgetId(id);
    if (hint === undefined) return expect(problem).toBeUndefined();
    expect(problem).toEqual({
      code: 'widget.id.format',
      message: `must be a widget id like w-0demo, got ${JSON.stringify(id)}${id.startsWith('other-') ? ', which is an id of the other cloud' : ''}`,
      hint,
    });
  });
});

describe('checkWith', () => {
  it('reports a problem at its path and nothing for a good value', () => {
    const reported: unknown[] = [];
    const check = checkWith<'widget.id.format'>((...finding) => reported.push(finding));
    check(checkWidgetId('w-1'), 'widgets[0]');
    check(checkWidgetId('x-1'), 'widgets[1]');
    expect(reported).toEqual([
      [
        'widget.id.format',
        'widgets[1]',
        'must be a widget id like w-0demo, got "x-1"',
        'copy the id from the example console',
      ],
    ]);
  });
});
