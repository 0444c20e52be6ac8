/**
 * Duplicate keys in JSON text. `JSON.parse` silently keeps the last of two equal keys, while other
 * parsers keep the first or refuse the document, so `{"state":"Running","state":"Stopped"}` can mean
 * one thing to whatever filtered or signed a payload and the opposite to us. Every JSON edge refuses
 * such a document instead (the topology's YAML parser already does the same).
 */
import type { PathSegment } from './paths.js';

/** Where a key occurs a second time inside one object. */
export interface DuplicateKey {
  /** Path to the repeated key, e.g. `['data', 'state']`; array elements are numbers. */
  readonly path: readonly PathSegment[];
  readonly key: string;
}

interface Frame {
  /** The keys seen so far (objects only). */
  readonly keys: Set<string> | undefined;
  /** Index of the current element (arrays only). */
  index: number;
  /** The key whose value is being read (objects only). */
  lastKey: string | undefined;
  /** How this container is reached from its parent; undefined for the document itself. */
  readonly at: PathSegment | undefined;
}

const BACKSLASH = 0x5c;

/**
 * Returns the first key that appears twice in one object of `text`, or undefined. `text` must already
 * be valid JSON (call `JSON.parse` first): the scan relies on it and is linear in the text's length.
 * Keys are compared after unescaping, so `"a"` and `"\u0061"` are the same key.
 */
export function findDuplicateKey(text: string): DuplicateKey | undefined {
  if (!text.includes('{')) return undefined;
  const stack: Frame[] = [];
  let expectKey = false;
  const slot = (): PathSegment | undefined => {
    const top = stack[stack.length - 1];
    if (top === undefined) return undefined;
    return top.keys === undefined ? top.index : top.lastKey;
  };
  for (let i = 0; i < text.length; i++) {
    switch (text[i]) {
      case '{':
        stack.push({ keys: new Set(), index: 0, lastKey: undefined, at: slot() });
        expectKey = true;
        break;
      case '[':
        stack.push({ keys: undefined, index: 0, lastKey: undefined, at: slot() });
        expectKey = false;
        break;
      case '}':
      case ']':
        stack.pop();
        expectKey = false;
        break;
      case ',': {
        const top = stack[stack.length - 1];
        if (top?.keys === undefined) {
          if (top !== undefined) top.index++;
        } else expectKey = true;
        break;
      }
      case '"': {
        const end = stringEnd(text, i);
        const top = stack[stack.length - 1];
        if (expectKey && top?.keys !== undefined) {
          const raw = text.slice(i + 1, end);
          const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
          if (top.keys.has(key)) {
            const path = stack.flatMap((f) => (f.at === undefined ? [] : [f.at]));
            return { path: [...path, key], key };
          }
          top.keys.add(key);
          top.lastKey = key;
          expectKey = false;
        }
        i = end;
        break;
      }
    }
  }
  return undefined;
}

/** Index of the quote closing the string that opens at `start`. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const q = text.indexOf('"', i);
    if (q < 0) return text.length;
    // The quote is escaped when an odd number of backslashes precede it.
    let backslashes = 0;
    for (let j = q - 1; j > start && text.charCodeAt(j) === BACKSLASH; j--) backslashes++;
    if (backslashes % 2 === 0) return q;
    i = q + 1;
  }
}
