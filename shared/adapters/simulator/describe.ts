/**
 * The one Describe* implementation of the simulated APIs: a region's records, narrowed by the action's
 * filters and cut to one `PageNumber`/`PageSize` page, answered as
 * `{ TotalCount, PageNumber, PageSize, [NextToken], <List>: { <Item>: [...] } }`. Each action declares
 * only its page sizes, its filters and its wire names.
 */
import { type FieldFilter, selectPage } from './common/paging.js';
import { requireRegion } from './context.js';
import { optional, type Params, page } from './params.js';
import type { World, WorldView } from './world.js';

export interface DescribeSpec<T extends { readonly regionId: string }> {
  /** `PageSize` default and maximum of the action. */
  readonly pageSize: readonly [defaultSize: number, maxSize: number];
  readonly records: (view: WorldView) => ReadonlyMap<string, T>;
  /** The action's filters, decoded (and validated, after RegionId and paging) from its parameters. */
  readonly filters: (p: Params) => FieldFilter<T>[];
  /** ECS list calls carry an (always empty) `NextToken`. */
  readonly nextToken?: boolean;
  /** Wire names of the list and of its items, e.g. `['HaVips', 'HaVip']`. */
  readonly list: readonly [list: string, item: string];
  readonly render: (item: T, view: WorldView) => unknown;
}

export function describePage<T extends { readonly regionId: string }>(
  world: World,
  spec: DescribeSpec<T>,
  p: Params,
  view: WorldView,
): Record<string, unknown> {
  const regionId = requireRegion(world, p);
  const pg = page(p, spec.pageSize[0], spec.pageSize[1]);
  const inRegion: FieldFilter<T> = { values: [regionId], field: (r) => r.regionId };
  const { total, items } = selectPage(spec.records(view).values(), [inRegion, ...spec.filters(p)], pg);
  return {
    TotalCount: total,
    PageNumber: pg.pageNumber,
    PageSize: pg.pageSize,
    ...(spec.nextToken === true ? { NextToken: '' } : {}),
    [spec.list[0]]: { [spec.list[1]]: items.map((i) => spec.render(i, view)) },
  };
}

/** A filter on `field` by one optional parameter (absent or empty: no filter). */
export function byParam<T>(p: Params, name: string, field: (item: T) => string | undefined): FieldFilter<T> {
  const v = optional(p, name);
  return { values: v === undefined ? undefined : [v], field };
}

/** A filter by a list of ids where an empty list means no filter (repeat lists like `InstanceId.N`). */
export function byIds<T>(ids: readonly string[], field: (item: T) => string | undefined): FieldFilter<T> {
  return { values: ids.length === 0 ? undefined : ids, field };
}
