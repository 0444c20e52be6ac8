/**
 * VPC calls (`vpc.ts`) against a canned-JSON HTTP server: DescribeHaVips parsing (the lowercase inner
 * list keys, tolerance of single objects and empty strings) and the choice between filtered calls
 * and listing the region; DescribeEipAddresses chunking and parsing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CloudError } from '../../../../shared/core/errors.js';
import {
  api,
  type Canned,
  canned,
  closeCannedServers,
  ok,
  type Reply,
  region,
  type Seen,
} from '../../../support/alibaba.js';

afterEach(closeCannedServers);

function haVip(id: string, extra: Record<string, unknown> = {}) {
  return {
    HaVipId: id,
    IpAddress: '192.168.0.100',
    Status: 'Available',
    VpcId: 'vpc-1',
    VSwitchId: 'vsw-1',
    MasterInstanceId: '',
    AssociatedInstanceType: '',
    AssociatedInstances: { associatedInstance: [] },
    AssociatedEipAddresses: { associatedEipAddresse: [] },
    ...extra,
  };
}

describe('DescribeHaVips parsing and paging', () => {
  it('reads the lowercase inner list keys, master and instance type', async () => {
    const srv = await canned(() => ({
      body: {
        RequestId: 'r',
        TotalCount: 1,
        HaVips: {
          HaVip: [
            haVip('havip-1', {
              Status: 'InUse',
              MasterInstanceId: 'i-1',
              AssociatedInstanceType: 'EcsInstance',
              AssociatedInstances: { associatedInstance: ['i-1', 'i-2'] },
              AssociatedEipAddresses: { associatedEipAddresse: ['47.0.0.1'] },
            }),
          ],
        },
      },
    }));
    expect(await api(srv).describeHaVips({ regionId: region, haVipIds: ['havip-1'] })).toEqual([
      {
        haVipId: 'havip-1',
        regionId: region,
        ipAddress: '192.168.0.100',
        status: 'InUse',
        vpcId: 'vpc-1',
        vSwitchId: 'vsw-1',
        masterInstanceId: 'i-1',
        associatedInstanceType: 'EcsInstance',
        associatedInstances: ['i-1', 'i-2'],
        associatedEipAddresses: ['47.0.0.1'],
      },
    ]);
  });

  it('tolerates a single object where a list is expected, empty strings and missing nested lists', async () => {
    const srv = await canned(() => ({
      body: {
        TotalCount: '1',
        HaVips: {
          HaVip: haVip('havip-1', {
            AssociatedInstances: { associatedInstance: 'i-9' },
            AssociatedEipAddresses: null,
          }),
        },
      },
    }));
    const [h] = await api(srv).describeHaVips({ regionId: region, haVipIds: ['havip-1'] });
    expect(h?.associatedInstances).toEqual(['i-9']);
    expect(h?.associatedEipAddresses).toEqual([]);
    expect(h?.masterInstanceId).toBeUndefined();
    expect(h?.associatedInstanceType).toBeUndefined();
  });

  it('an empty answer is an empty list; a missing HaVipId is an error naming the field', async () => {
    const srv = await canned((_r, n) =>
      n === 1
        ? { body: { TotalCount: 0, HaVips: { HaVip: [] } } }
        : { body: { HaVips: { HaVip: [{ Status: 'x' }] } } },
    );
    const a = api(srv);
    expect(await a.describeHaVips({ regionId: region, haVipIds: ['havip-1'] })).toEqual([]);
    const err = await a.describeHaVips({ regionId: region, haVipIds: ['havip-1'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudError);
    expect((err as CloudError).alibabaCode).toBe('InvalidResponse');
    expect((err as CloudError).message).toContain('HaVips.HaVip[0].HaVipId');
  });

  /** A region of `n` HaVips that honours the HaVipId filter and paging, like the service. */
  const regionOf = (n: number, opts: { ignoreFilter?: boolean } = {}) => {
    const all = Array.from({ length: n }, (_, i) => haVip(`havip-${i}`));
    return (req: Seen): Reply => {
      const q = req.url.searchParams;
      const values = [...q.entries()].filter(([k]) => k.startsWith('Filter.1.Value.')).map(([, v]) => v);
      const matching =
        values.length > 0 && !opts.ignoreFilter ? all.filter((h) => values.includes(h.HaVipId)) : all;
      const page = Number(q.get('PageNumber'));
      const size = Number(q.get('PageSize'));
      return {
        body: {
          TotalCount: matching.length,
          HaVips: { HaVip: matching.slice((page - 1) * size, page * size) },
        },
      };
    };
  };
  const filterCounts = (srv: Canned) =>
    srv.requests.map(
      (r) => [...r.url.searchParams.keys()].filter((k) => k.startsWith('Filter.1.Value.')).length,
    );
  const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => `havip-${from + i}`);

  it('asks for up to 5 ids with one filtered call and drops HaVips it did not ask for', async () => {
    const srv = await canned(regionOf(30, { ignoreFilter: true }));
    const got = await api(srv).describeHaVips({
      regionId: 'cn-hangzhou',
      haVipIds: [...ids(3, 5), 'havip-3'],
    });
    expect(filterCounts(srv)).toEqual([5]);
    expect(got.map((h) => h.haVipId).sort()).toEqual(ids(3, 5).sort());
  });

  it('for many ids in a small region, one unfiltered page answers everything', async () => {
    const srv = await canned(regionOf(30));
    const got = await api(srv).describeHaVips({
      regionId: 'cn-hangzhou',
      haVipIds: [...ids(0, 12), 'havip-missing'],
    });
    expect(filterCounts(srv)).toEqual([0]);
    expect(got.map((h) => h.haVipId).sort()).toEqual(ids(0, 12).sort());
  });

  it('for many ids in a large region, continues with filtered calls of ≤ 5 ids when that is cheaper', async () => {
    const srv = await canned(regionOf(300));
    const got = await api(srv).describeHaVips({ regionId: 'cn-hangzhou', haVipIds: ids(200, 12) });
    // One region page (which tells TotalCount = 300, i.e. 5 more pages), then 3 filtered calls instead.
    expect(filterCounts(srv)).toEqual([0, 5, 5, 2]);
    expect(got.map((h) => h.haVipId).sort()).toEqual(ids(200, 12).sort());
  });

  it('for many ids in a mid-size region, keeps listing when that is cheaper', async () => {
    const srv = await canned(regionOf(120));
    const got = await api(srv).describeHaVips({ regionId: 'cn-hangzhou', haVipIds: ids(60, 12) });
    expect(filterCounts(srv)).toEqual([0, 0, 0]);
    expect(srv.requests.map((r) => r.url.searchParams.get('PageNumber'))).toEqual(['1', '2', '3']);
    expect(got.map((h) => h.haVipId).sort()).toEqual(ids(60, 12).sort());
  });

  it('does not call at all for an empty id list', async () => {
    const srv = await canned(() => ok);
    expect(await api(srv).describeHaVips({ regionId: region, haVipIds: [] })).toEqual([]);
    expect(srv.requests).toHaveLength(0);
  });

  it('listHaVips pages through 120 HaVips 50 at a time', async () => {
    const all = Array.from({ length: 120 }, (_, i) => haVip(`havip-${String(i).padStart(3, '0')}`));
    const srv = await canned((req) => {
      const page = Number(req.url.searchParams.get('PageNumber'));
      const size = Number(req.url.searchParams.get('PageSize'));
      return {
        body: {
          TotalCount: all.length,
          PageNumber: page,
          PageSize: size,
          HaVips: { HaVip: all.slice((page - 1) * size, page * size) },
        },
      };
    });
    const got = await api(srv).listHaVips({ regionId: region });
    expect(got).toHaveLength(120);
    expect(new Set(got.map((h) => h.haVipId)).size).toBe(120);
    expect(srv.requests.map((r) => r.url.searchParams.get('PageNumber'))).toEqual(['1', '2', '3']);
    expect(srv.requests[0]?.url.searchParams.get('Filter.1.Key')).toBeNull();
  });

  it('stops paging when a page is empty even if TotalCount says more', async () => {
    const srv = await canned((req) =>
      req.url.searchParams.get('PageNumber') === '1'
        ? {
            body: {
              TotalCount: 500,
              HaVips: { HaVip: Array.from({ length: 50 }, (_, i) => haVip(`havip-${i}`)) },
            },
          }
        : { body: { TotalCount: 500, HaVips: { HaVip: [] } } },
    );
    expect(await api(srv).listHaVips({ regionId: region })).toHaveLength(50);
    expect(srv.requests).toHaveLength(2);
  });
});

describe('DescribeEipAddresses', () => {
  it('asks for EIPs 50 ids at a time and reads an unbound EIP as having no instance', async () => {
    const srv = await canned((req) => {
      const ids = (req.url.searchParams.get('AllocationId') ?? '').split(',');
      return {
        body: {
          TotalCount: ids.length,
          EipAddresses: {
            EipAddress: ids.map((id) => ({
              AllocationId: id,
              IpAddress: '47.0.0.1',
              Status: id === 'eip-0' ? 'InUse' : 'Available',
              InstanceId: id === 'eip-0' ? 'havip-1' : '',
              InstanceType: id === 'eip-0' ? 'HaVip' : '',
            })),
          },
        },
      };
    });
    const ids = Array.from({ length: 60 }, (_, i) => `eip-${i}`);
    const got = await api(srv).describeEipAddresses({ regionId: region, allocationIds: ids });
    expect(srv.requests.map((r) => r.url.searchParams.get('AllocationId')?.split(',').length)).toEqual([
      50, 10,
    ]);
    expect(got).toHaveLength(60);
    expect(got.find((e) => e.allocationId === 'eip-0')).toMatchObject({
      instanceId: 'havip-1',
      instanceType: 'HaVip',
    });
    expect(got.find((e) => e.allocationId === 'eip-1')).toMatchObject({
      instanceId: undefined,
      instanceType: undefined,
    });
  });
});
