/**
 * Paging and chunking of list calls: ids are sent in chunks of what one call accepts, and a listing is
 * followed page by page (by `PageNumber`, or by `NextToken` with a page-number fallback) until it is
 * complete, with a bound on the number of pages so a service that keeps answering "more" cannot loop
 * the adapter forever.
 */

/** Guards against a service that keeps answering "more" forever. */
export const MAX_PAGES = 1000;

/** Split `items` into chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The ids once each, without empty ones. */
export function unique(ids: readonly string[]): string[] {
  return [...new Set(ids.filter((id) => id !== ''))];
}

/** Pages a PageNumber/PageSize listing until TotalCount is reached or a short page arrives. */
export async function pagedByNumber<T>(
  fetchPage: (page: number) => Promise<{ items: T[]; total: number | undefined }>,
  pageSize: number,
): Promise<T[]> {
  const out: T[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { items, total } = await fetchPage(page);
    out.push(...items);
    if (items.length === 0 || items.length < pageSize) break;
    if (total !== undefined && page * pageSize >= total) break;
  }
  return out;
}

/**
 * Where a `MaxResults`/`NextToken` listing continues. A server that still pages by number answers
 * without a NextToken but with a TotalCount larger than what it sent; then the next page number is
 * asked for instead of silently losing items. A NextToken seen before ends the listing.
 */
export class TokenPager {
  private nextToken: string | undefined;
  private pageNumber = 1;
  private received = 0;
  private readonly seenTokens = new Set<string>();

  /** The cursor of the next call. */
  cursor(): { nextToken: string } | { pageNumber: number } {
    return this.nextToken ? { nextToken: this.nextToken } : { pageNumber: this.pageNumber };
  }

  /** Takes in one answer; whether there is more to ask for. */
  advance(answer: { nextToken: string | undefined; count: number; total: number | undefined }): boolean {
    this.received += answer.count;
    if (answer.nextToken) {
      if (this.seenTokens.has(answer.nextToken)) return false;
      this.seenTokens.add(answer.nextToken);
      this.nextToken = answer.nextToken;
      return true;
    }
    const { total } = answer;
    if (this.nextToken === undefined && answer.count > 0 && total !== undefined && this.received < total) {
      this.pageNumber++;
      return true;
    }
    return false;
  }
}
