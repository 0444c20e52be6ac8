/**
 * The one Describe* implementation (`describe.ts`), the same for every describe action: RegionId is
 * required and must exist, PageSize defaults and maximums are the action's own, PageNumber from 1,
 * TotalCount counts the region's matching records, and a page is a slice of them in order. Driven
 * through `SimulatedCloud.handle` (the wire shapes the SDK parses are in the per-family tests).
 */
import { describe, expect, it } from 'vitest';
import {
  ECS_VERSION,
  ManualClock,
  SimulatedCloud,
  VPC_VERSION,
} from '../../../../shared/adapters/simulator/index.js';
import { REGION, testSeed } from '../../../support/simulator.js';

interface DescribeAction {
  readonly action: string;
  readonly version: string;
  readonly defaultSize: number;
  readonly maxSize: number;
  /** The page envelope inside the body (DescribeInvocationResults nests it under `Invocation`). */
  readonly envelope: (body: Record<string, unknown>) => Record<string, unknown>;
  readonly list: readonly [string, string];
  readonly idOf: (item: Record<string, unknown>) => unknown;
  readonly nextToken: boolean;
}

const top = (b: Record<string, unknown>) => b;
const ACTIONS: readonly DescribeAction[] = [
  {
    action: 'DescribeHaVips',
    version: VPC_VERSION,
    defaultSize: 10,
    maxSize: 50,
    envelope: top,
    list: ['HaVips', 'HaVip'],
    idOf: (i) => i.HaVipId,
    nextToken: false,
  },
  {
    action: 'DescribeEipAddresses',
    version: VPC_VERSION,
    defaultSize: 10,
    maxSize: 100,
    envelope: top,
    list: ['EipAddresses', 'EipAddress'],
    idOf: (i) => i.AllocationId,
    nextToken: false,
  },
  {
    action: 'DescribeInstances',
    version: ECS_VERSION,
    defaultSize: 10,
    maxSize: 100,
    envelope: top,
    list: ['Instances', 'Instance'],
    idOf: (i) => i.InstanceId,
    nextToken: true,
  },
  {
    action: 'DescribeInstanceStatus',
    version: ECS_VERSION,
    defaultSize: 10,
    maxSize: 50,
    envelope: top,
    list: ['InstanceStatuses', 'InstanceStatus'],
    idOf: (i) => i.InstanceId,
    nextToken: false,
  },
  {
    action: 'DescribeNetworkInterfaces',
    version: ECS_VERSION,
    defaultSize: 10,
    maxSize: 100,
    envelope: top,
    list: ['NetworkInterfaceSets', 'NetworkInterfaceSet'],
    idOf: (i) => i.NetworkInterfaceId,
    nextToken: true,
  },
  {
    action: 'DescribeInvocationResults',
    version: ECS_VERSION,
    defaultSize: 10,
    maxSize: 50,
    envelope: (b) => b.Invocation as Record<string, unknown>,
    list: ['InvocationResults', 'InvocationResult'],
    idOf: (i) => `${String(i.InvokeId)}/${String(i.InstanceId)}`,
    nextToken: true,
  },
];

/** The test world, with one Cloud Assistant invocation on three instances so every list has records. */
async function world(): Promise<SimulatedCloud> {
  const cloud = new SimulatedCloud(testSeed(), { clock: new ManualClock() });
  const run = await cloud.handle({
    version: ECS_VERSION,
    action: 'RunCommand',
    params: {
      RegionId: REGION,
      Type: 'RunShellScript',
      CommandContent: 'true',
      'InstanceId.1': 'i-a1',
      'InstanceId.2': 'i-a2',
      'InstanceId.3': 'i-b1',
    },
  });
  expect(run.status).toBe(200);
  return cloud;
}

async function call(cloud: SimulatedCloud, a: DescribeAction, params: Record<string, string>) {
  const r = await cloud.handle({ version: a.version, action: a.action, params });
  return { status: r.status, body: r.body };
}

function ids(a: DescribeAction, body: Record<string, unknown>): unknown[] {
  const list = a.envelope(body)[a.list[0]] as Record<string, Record<string, unknown>[]>;
  return (list[a.list[1]] ?? []).map(a.idOf);
}

describe.each(ACTIONS)('$action', (a) => {
  it('answers the whole region on the default page size, with the envelope of the action', async () => {
    const cloud = await world();
    const { status, body } = await call(cloud, a, { RegionId: REGION });
    expect(status).toBe(200);
    const env = a.envelope(body);
    expect(env).toMatchObject({ PageNumber: 1, PageSize: a.defaultSize });
    expect(env.TotalCount).toBeGreaterThan(2);
    expect(ids(a, body)).toHaveLength(Math.min(Number(env.TotalCount), a.defaultSize));
    expect('NextToken' in env).toBe(a.nextToken);
  });

  it('pages through the same records in the same order, one at a time', async () => {
    const cloud = await world();
    const all = ids(a, (await call(cloud, a, { RegionId: REGION, PageSize: String(a.maxSize) })).body);
    const paged: unknown[] = [];
    for (let n = 1; n <= all.length + 1; n++) {
      const { body } = await call(cloud, a, { RegionId: REGION, PageSize: '1', PageNumber: String(n) });
      expect(a.envelope(body)).toMatchObject({ TotalCount: all.length, PageNumber: n, PageSize: 1 });
      paged.push(...ids(a, body));
    }
    expect(paged).toEqual(all);
  });

  it.each([
    ['PageSize', 'one over the maximum'],
    ['PageSize', '0'],
    ['PageNumber', '0'],
    ['PageNumber', 'two'],
  ])('refuses %s %s with InvalidParameter', async (name, value) => {
    const cloud = await world();
    const wire = value === 'one over the maximum' ? String(a.maxSize + 1) : value;
    const { status, body } = await call(cloud, a, { RegionId: REGION, [name]: wire });
    expect(status).toBe(400);
    expect(body).toMatchObject({ Code: 'InvalidParameter' });
    expect(String(body.Message)).toContain(name);
  });

  it('requires a RegionId of the world and answers only that region', async () => {
    const cloud = await world();
    expect((await call(cloud, a, {})).body).toMatchObject({ Code: 'MissingRegionId' });
    const unknown = await call(cloud, a, { RegionId: 'cn-nowhere' });
    expect(unknown).toMatchObject({ status: 404, body: { Code: 'InvalidRegionId.NotFound' } });
    const home = ids(a, (await call(cloud, a, { RegionId: REGION, PageSize: '50' })).body);
    const other = ids(a, (await call(cloud, a, { RegionId: 'cn-shanghai', PageSize: '50' })).body);
    expect(other.filter((id) => home.includes(id))).toEqual([]);
  });
});
