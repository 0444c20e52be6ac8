/**
 * Observation: what the cloud says about groups, fetched in as few calls as possible. For one group that is
 * one DescribeHaVips, one batched instance (or ENI) call and, with an EIP, one DescribeEipAddresses — in
 * parallel. For a sweep the same calls are batched across every group of a region (the adapter chunks
 * ≤ 50 HaVips a region page / ≤ 100 instances a call), so 1,000 groups cost a few dozen calls, not thousands.
 */
import type { Group, GroupName } from './model.js';
import type { CloudApi, EipState, HaVipState, InstanceState, NetworkInterfaceState } from './ports.js';
import type { TencentObservation } from './tencent/observe.js';

export interface GroupObservation {
  readonly haVip: HaVipState | undefined;
  readonly instances: ReadonlyMap<string, InstanceState>;
  readonly enis: ReadonlyMap<string, NetworkInterfaceState>;
  readonly eip: EipState | undefined;
  readonly observedAt: number;
  /**
   * Tencent groups only: what Tencent answered (the drift scope, CVM states). The fields above are then
   * the engine's view of it (`haVip.masterInstanceId` is the holder), as tencent/observe.ts explains.
   */
  readonly tencent?: TencentObservation | undefined;
}

/** What is bound, as the decision needs it: HaVip bindings, or the EIP's instance in `direct` mode. */
export function boundOf(
  group: Group,
  obs: GroupObservation,
): { bound: string[]; master: string | undefined } {
  if (group.haVipId !== undefined) {
    return { bound: [...(obs.haVip?.associatedInstances ?? [])], master: obs.haVip?.masterInstanceId };
  }
  const eip = obs.eip;
  if (eip?.instanceId !== undefined && eip.instanceId !== '' && eip.status !== 'Available') {
    return { bound: [eip.instanceId], master: eip.instanceId };
  }
  return { bound: [], master: undefined };
}

/** Runs `tasks` with at most `limit` in flight (keeps a large sweep inside the account's API rate). */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** Runs one describe, retrying it as the caller's policy says (the engine retries throttling and 5xx). */
export type ReadRetry = <T>(what: string, read: () => Promise<T>) => Promise<T>;
const once: ReadRetry = (_what, read) => read();

/**
 * Observes many groups with batched describes per region. `concurrency` bounds the calls in flight.
 * `retry` wraps each describe on its own, so under flow control the calls that got through are kept.
 */
export async function observeGroups(
  cloud: CloudApi,
  groups: readonly Group[],
  now: () => number,
  concurrency = 4,
  retry: ReadRetry = once,
): Promise<Map<GroupName, GroupObservation>> {
  const byRegion = new Map<string, Group[]>();
  for (const g of groups) {
    const list = byRegion.get(g.region);
    if (list === undefined) byRegion.set(g.region, [g]);
    else list.push(g);
  }

  type Task = () => Promise<void>;
  const tasks: Task[] = [];
  const haVips = new Map<string, HaVipState>();
  const instances = new Map<string, InstanceState>();
  const enis = new Map<string, NetworkInterfaceState>();
  const eips = new Map<string, EipState>();

  for (const [regionId, gs] of byRegion) {
    const haVipIds = unique(gs.flatMap((g) => (g.haVipId === undefined ? [] : [g.haVipId])));
    const instanceIds = unique(gs.flatMap((g) => g.members.filter((m) => m.kind === 'ecs').map((m) => m.id)));
    const eniIds = unique(gs.flatMap((g) => g.members.filter((m) => m.kind === 'eni').map((m) => m.id)));
    const allocationIds = unique(gs.flatMap((g) => (g.eip === undefined ? [] : [g.eip.allocationId])));
    if (haVipIds.length > 0)
      tasks.push(async () => {
        const found = await retry('DescribeHaVips', () => cloud.describeHaVips({ regionId, haVipIds }));
        for (const h of found) haVips.set(h.haVipId, h);
      });
    // One task per API-sized chunk, so a large region's describes run in parallel (bounded below).
    for (const ids of chunks(instanceIds, INSTANCES_PER_CALL))
      tasks.push(async () => {
        const found = await retry('DescribeInstances', () =>
          cloud.describeInstances({ regionId, instanceIds: ids }),
        );
        for (const i of found) instances.set(i.instanceId, i);
      });
    for (const ids of chunks(eniIds, INSTANCES_PER_CALL))
      tasks.push(async () => {
        const found = await retry('DescribeNetworkInterfaces', () =>
          cloud.describeNetworkInterfaces({ regionId, networkInterfaceIds: ids }),
        );
        for (const e of found) enis.set(e.networkInterfaceId, e);
      });
    if (allocationIds.length > 0)
      tasks.push(async () => {
        const found = await retry('DescribeEipAddresses', () =>
          cloud.describeEipAddresses({ regionId, allocationIds }),
        );
        for (const e of found) eips.set(e.allocationId, e);
      });
  }
  await mapLimit(tasks, concurrency, (t) => t());

  const observedAt = now();
  const out = new Map<GroupName, GroupObservation>();
  for (const g of groups) {
    out.set(g.name, {
      haVip: g.haVipId === undefined ? undefined : haVips.get(g.haVipId),
      instances: pick(
        instances,
        g.members.filter((m) => m.kind === 'ecs').map((m) => m.id),
      ),
      enis: pick(
        enis,
        g.members.filter((m) => m.kind === 'eni').map((m) => m.id),
      ),
      eip: g.eip === undefined ? undefined : eips.get(g.eip.allocationId),
      observedAt,
    });
  }
  return out;
}

/** DescribeInstances / DescribeNetworkInterfaces take at most 100 ids a call. */
const INSTANCES_PER_CALL = 100;

function chunks<T>(xs: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

function pick<V>(from: ReadonlyMap<string, V>, ids: readonly string[]): Map<string, V> {
  const m = new Map<string, V>();
  for (const id of ids) {
    const v = from.get(id);
    if (v !== undefined) m.set(id, v);
  }
  return m;
}
