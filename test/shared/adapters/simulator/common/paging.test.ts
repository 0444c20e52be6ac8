/**
 * The selection every Describe-style call makes (`common/paging.ts`): records that pass all filters
 * (an absent filter lets everything through, an empty list nothing), in their order, cut to a page.
 */
import { describe, expect, it } from 'vitest';
import {
  type FieldFilter,
  passesAll,
  selectPage,
  slicePage,
} from '../../../../../shared/adapters/simulator/common/paging.js';

interface Rec {
  readonly id: string;
  readonly status: string;
  readonly owner: string | undefined;
}

const RECORDS: readonly Rec[] = [
  { id: 'r-1', status: 'InUse', owner: 'i-1' },
  { id: 'r-2', status: 'Available', owner: undefined },
  { id: 'r-3', status: 'InUse', owner: 'i-2' },
  { id: 'r-4', status: 'Available', owner: undefined },
  { id: 'r-5', status: 'InUse', owner: 'i-1' },
];
const byStatus = (values: string[] | undefined): FieldFilter<Rec> => ({ values, field: (r) => r.status });
const byOwner = (values: string[] | undefined): FieldFilter<Rec> => ({ values, field: (r) => r.owner });
const byId = (values: string[] | undefined): FieldFilter<Rec> => ({ values, field: (r) => r.id });

describe('passesAll', () => {
  it.each([
    ['no filters', [], ['r-1', 'r-2', 'r-3', 'r-4', 'r-5']],
    ['an absent filter', [byStatus(undefined)], ['r-1', 'r-2', 'r-3', 'r-4', 'r-5']],
    ['an empty list', [byStatus([])], []],
    ['one value', [byStatus(['Available'])], ['r-2', 'r-4']],
    ['several values of one field', [byId(['r-5', 'r-1', 'r-9'])], ['r-1', 'r-5']],
    ['two fields together', [byStatus(['InUse']), byOwner(['i-1'])], ['r-1', 'r-5']],
    ['a field without a value never matches a value', [byOwner(['i-1', 'i-2'])], ['r-1', 'r-3', 'r-5']],
  ] as const)('%s', (_name, filters, expected) => {
    expect(RECORDS.filter((r) => passesAll(r, filters)).map((r) => r.id)).toEqual(expected);
  });
});

describe('selectPage', () => {
  it.each([
    [1, 2, ['r-1', 'r-3']],
    [2, 2, ['r-5']],
    [3, 2, []],
    [1, 50, ['r-1', 'r-3', 'r-5']],
  ] as const)('page %i of size %i', (pageNumber, pageSize, expected) => {
    const { total, items } = selectPage(RECORDS, [byStatus(['InUse'])], { pageNumber, pageSize });
    expect(total).toBe(3);
    expect(items.map((r) => r.id)).toEqual(expected);
  });

  it('slicePage cuts any list by page number and size', () => {
    expect(slicePage(['a', 'b', 'c', 'd', 'e'], { pageNumber: 2, pageSize: 2 })).toEqual(['c', 'd']);
  });
});
