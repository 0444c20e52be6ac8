/**
 * Paging and chunking of the adapter's list calls (`paging.ts`), table-driven: chunks of what one call
 * accepts, page-number listings that stop at a short page, an empty page or TotalCount, and the
 * NextToken pager with its page-number fallback and its stop on a repeating token.
 */
import { describe, expect, it } from 'vitest';
import {
  chunk,
  MAX_PAGES,
  pagedByNumber,
  TokenPager,
  unique,
} from '../../../../shared/adapters/alibaba/paging.js';

describe('chunk and unique', () => {
  it.each([
    [[], 5, []],
    [[1, 2, 3], 5, [[1, 2, 3]]],
    [[1, 2, 3, 4, 5, 6, 7], 3, [[1, 2, 3], [4, 5, 6], [7]]],
  ])('chunk(%j, %i)', (items, size, expected) => {
    expect(chunk(items, size)).toEqual(expected);
  });

  it('unique keeps the first of each id and drops empty ones', () => {
    expect(unique(['b', '', 'a', 'b', 'c', 'a'])).toEqual(['b', 'a', 'c']);
  });
});

describe('pagedByNumber', () => {
  /** A listing of `n` items served `served` at a time, claiming `total`; records the pages asked for. */
  const listing = (n: number, served: number, total: number | undefined) => {
    const asked: number[] = [];
    const fetchPage = async (page: number) => {
      asked.push(page);
      const items = Array.from({ length: n }, (_, i) => i).slice((page - 1) * served, page * served);
      return { items, total };
    };
    return { asked, fetchPage };
  };

  it.each([
    ['a short last page ends it', 25, 10, undefined, 10, [1, 2, 3], 25],
    ['TotalCount reached ends it without an empty page', 20, 10, 20, 10, [1, 2], 20],
    ['an empty page ends it even if TotalCount says more', 10, 10, 500, 10, [1, 2], 10],
    ['a server serving fewer than the page size ends after one page', 30, 5, 30, 10, [1], 5],
  ] as const)('%s', async (_name, n, served, total, pageSize, pages, count) => {
    const l = listing(n, served, total);
    expect(await pagedByNumber(l.fetchPage, pageSize)).toHaveLength(count);
    expect(l.asked).toEqual(pages);
  });

  it(`never asks for more than ${MAX_PAGES} pages`, async () => {
    let asked = 0;
    const endless = async () => {
      asked++;
      return { items: [1, 2], total: undefined };
    };
    expect(await pagedByNumber(endless, 2)).toHaveLength(2 * MAX_PAGES);
    expect(asked).toBe(MAX_PAGES);
  });
});

describe('TokenPager', () => {
  type Answer = { nextToken: string | undefined; count: number; total: number | undefined };
  /** The cursors a pager asks with for these answers, and whether it wants more after the last. */
  const walk = (answers: Answer[]) => {
    const p = new TokenPager();
    const cursors: unknown[] = [p.cursor()];
    let more = false;
    for (const a of answers) {
      more = p.advance(a);
      if (!more) break;
      cursors.push(p.cursor());
    }
    return { cursors, more };
  };

  it.each([
    [
      'follows NextToken until there is none',
      [
        { nextToken: 't2', count: 10, total: undefined },
        { nextToken: 't3', count: 10, total: undefined },
        { nextToken: undefined, count: 3, total: undefined },
      ],
      [{ pageNumber: 1 }, { nextToken: 't2' }, { nextToken: 't3' }],
    ],
    [
      'falls back to page numbers when a server sends no token but a larger TotalCount',
      [
        { nextToken: '', count: 10, total: 25 },
        { nextToken: '', count: 10, total: 25 },
        { nextToken: '', count: 5, total: 25 },
      ],
      [{ pageNumber: 1 }, { pageNumber: 2 }, { pageNumber: 3 }],
    ],
    [
      'stops at a token it has seen',
      [
        { nextToken: 'same', count: 0, total: undefined },
        { nextToken: 'same', count: 0, total: undefined },
      ],
      [{ pageNumber: 1 }, { nextToken: 'same' }],
    ],
    [
      'stops at an empty page even if TotalCount says more',
      [{ nextToken: undefined, count: 0, total: 50 }],
      [{ pageNumber: 1 }],
    ],
    [
      'does not page by number once it has followed a token',
      [
        { nextToken: 't2', count: 10, total: 100 },
        { nextToken: undefined, count: 10, total: 100 },
      ],
      [{ pageNumber: 1 }, { nextToken: 't2' }],
    ],
  ] as const)('%s', (_name, answers, cursors) => {
    const w = walk([...answers]);
    expect(w.cursors).toEqual(cursors);
    expect(w.more).toBe(false);
  });
});
