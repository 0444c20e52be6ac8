/** The duplicate-key scan every JSON edge runs after JSON.parse (shared/core/json.ts). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findDuplicateKey } from '../../../shared/core/json.js';

describe('findDuplicateKey', () => {
  it.each([
    { text: '{"a":1,"b":2}', path: undefined },
    { text: '{"a":1,"a":2}', path: ['a'] },
    { text: '{"a":1,"\\u0061":2}', path: ['a'] },
    { text: '{"x":[{"a":1},{"a":2,"b":{"c":1,"c":2}}]}', path: ['x', 1, 'b', 'c'] },
    { text: '{"a":[1,2,{"z":1,"z":0}]}', path: ['a', 2, 'z'] },
    { text: '[{"a":1},{"a":1}]', path: undefined },
    { text: '{"a":{"b":1},"c":{"b":1}}', path: undefined },
    { text: '{"a":"\\"a\\":1,","b":{"a":1}}', path: undefined },
    { text: '{"a\\\\":1,"a\\\\":2}', path: ['a\\'] },
    { text: '{"k":"v\\\\","k":1}', path: ['k'] },
    { text: '"{\\"a\\":1,\\"a\\":2}"', path: undefined },
    { text: '{"":1,"":2}', path: [''] },
    { text: '{"__proto__":1,"__proto__":2}', path: ['__proto__'] },
    { text: '[[[[]]]]', path: undefined },
  ])('$text → $path', ({ text, path }) => {
    JSON.parse(text); // the scan's precondition
    const dup = findDuplicateKey(text);
    expect(dup?.path).toEqual(path);
    if (path !== undefined) expect(dup?.key).toBe(path[path.length - 1]);
  });

  it('never reports a document JSON.stringify produced (its keys are unique)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(findDuplicateKey(JSON.stringify(v) ?? 'null')).toBeUndefined();
      }),
      { seed: 20261122, numRuns: 300 },
    );
  });

  it('finds a key repeated anywhere in a generated document', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 }), fc.jsonValue(), (obj, v) => {
        const [key] = Object.keys(obj) as [string];
        const text = `{"wrap":[0,${JSON.stringify(obj).slice(0, -1)},${JSON.stringify(key)}:${JSON.stringify(v)}}]}`;
        JSON.parse(text);
        expect(findDuplicateKey(text)).toEqual({ path: ['wrap', 1, key], key });
      }),
      { seed: 20261122, numRuns: 300 },
    );
  });
});
