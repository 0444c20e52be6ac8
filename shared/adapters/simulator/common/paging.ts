/**
 * The selection every Describe-style call makes: the records that pass all of the call's filters, cut
 * to one page. How a cloud names its filters and pages on the wire is its own (Alibaba decodes
 * `PageNumber`/`PageSize`/`Filter.N` in `params.ts`); this part is the same for every cloud.
 */

export interface Page {
  /** 1-based. */
  readonly pageNumber: number;
  readonly pageSize: number;
}

/**
 * One filter of a call: with `values` undefined it lets everything through; otherwise a record passes
 * when its `field` is one of `values` (an empty list lets nothing through).
 */
export interface FieldFilter<T> {
  readonly values: readonly string[] | undefined;
  readonly field: (item: T) => string | undefined;
}

export function slicePage<T>(items: readonly T[], pg: Page): T[] {
  const start = (pg.pageNumber - 1) * pg.pageSize;
  return items.slice(start, start + pg.pageSize);
}

export function passesAll<T>(item: T, filters: readonly FieldFilter<T>[]): boolean {
  return filters.every((f) => f.values === undefined || f.values.includes(f.field(item) as string));
}

/** The records (in their order) that pass every filter: how many there are, and those on `pg`. */
export function selectPage<T>(
  records: Iterable<T>,
  filters: readonly FieldFilter<T>[],
  pg: Page,
): { readonly total: number; readonly items: T[] } {
  const matching = [...records].filter((r) => passesAll(r, filters));
  return { total: matching.length, items: slicePage(matching, pg) };
}
