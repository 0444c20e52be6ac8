/**
 * Rendering and ordering of paths into the topology document, e.g. `groups[1].members[0].priority`.
 *
 * One renderer is used by the parser (zod issues), the static validators and the CLI, so that an
 * operator sees the same path for the same field whichever layer found the problem.
 */

/** One step into a document: an object key or an array index. */
export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/**
 * Renders path segments as `groups[1].members[0].priority`. Keys that are not plain identifiers
 * (spaces, dots, empty) are quoted, `["odd key"]`, so the rendering stays unambiguous.
 * The empty path (the whole document) renders as `''`.
 */
export function renderPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'number') {
      out += `[${seg}]`;
    } else {
      const key = String(seg);
      if (IDENTIFIER.test(key)) out += out === '' ? key : `.${key}`;
      else out += `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

/** Appends segments to an already rendered path. */
export function joinPath(base: string, ...segments: readonly PropertyKey[]): string {
  const tail = renderPath(segments);
  if (base === '') return tail;
  if (tail === '' || tail.startsWith('[')) return base + tail;
  return `${base}.${tail}`;
}

/** Splits a rendered path back into segments (the inverse of {@link renderPath}). */
export function parsePath(path: string): PathSegment[] {
  const out: PathSegment[] = [];
  const re = /\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\.?([^.[\]]+)/g;
  for (const m of path.matchAll(re)) {
    if (m[1] !== undefined) out.push(Number(m[1]));
    else if (m[2] !== undefined) out.push(JSON.parse(m[2]) as string);
    else if (m[3] !== undefined) out.push(m[3]);
  }
  return out;
}

/**
 * Orders paths the way a reader scans the document: segment by segment, array indices numerically
 * (so `groups[2]` sorts before `groups[10]`), and a parent before its children.
 */
export function comparePaths(a: string, b: string): number {
  const sa = parsePath(a);
  const sb = parsePath(b);
  const n = Math.min(sa.length, sb.length);
  for (let i = 0; i < n; i++) {
    const x = sa[i]!;
    const y = sb[i]!;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    // An index sorts before a key at the same depth only to keep the order total; it does not
    // happen in a well-formed topology.
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  return sa.length - sb.length;
}

/** Reads the value at `segments` in a plain parsed document; `undefined` when any step is missing. */
export function valueAt(root: unknown, segments: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const seg of segments) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}
