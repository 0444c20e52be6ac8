/**
 * HAVIPs: DescribeHaVips, and the drift scope (AssociateHaVipInstance / DisassociateHaVipInstance) with
 * the rules and error codes of the API. Scope changes are synchronous and never move the HAVIP: only
 * an ARP announcement does (`dataplane.ts`). Removing the holder from the scope evicts it when the
 * context says so (`evictOnScopeRemoval`), which is the reading the `FlushedTime` description suggests.
 */
import { type Call, mutation, type Operations, read, type TencentSimContext } from './context.js';
import { E, TencentSimApiError } from './errors.js';
import {
  filterList,
  objectList,
  offsetLimit,
  optionalString,
  type Params,
  requiredString,
  stringList,
} from './params.js';
import { byValues, describeList, renderHaVip, type SiteProfile } from './render.js';
import {
  type HaVipRec,
  type ScopeEntry,
  type TencentSimTargetType,
  type TencentWorld,
  vpcTime,
} from './world.js';

const FILTERS = [
  'havip-id',
  'havip-name',
  'vpc-id',
  'subnet-id',
  'vip',
  'address-ip',
  'havip-association.instance-id',
  'havip-association.instance-type',
  'check-associate',
] as const;

const FIELDS: Readonly<Record<(typeof FILTERS)[number], (h: HaVipRec) => string | string[] | undefined>> = {
  'havip-id': (h) => h.haVipId,
  'havip-name': (h) => h.name,
  'vpc-id': (h) => h.vpcId,
  'subnet-id': (h) => h.subnetId,
  vip: (h) => h.vip,
  'address-ip': (h) => h.addressIp,
  'havip-association.instance-id': (h) => h.scope.map((s) => s.instanceId),
  'havip-association.instance-type': (h) => h.scope.map((s) => s.type),
  'check-associate': (h) => String(h.checkAssociate).toUpperCase(),
};

const MAX_ASSOCIATIONS = 10;

export function haVipOperations(ctx: TencentSimContext, profile: SiteProfile): Operations {
  const ops: Record<string, Operations[string]> = {
    DescribeHaVips: read('vpc', ['HaVipIds', 'Filters', 'Offset', 'Limit'], (p, call) =>
      describeHaVips(p, call, profile),
    ),
  };
  // The international site's model lacks the drift-scope actions.
  if (profile.site === 'china') {
    ops.AssociateHaVipInstance = mutation('vpc', ['HaVipAssociationSet'], (p, call) =>
      associate(ctx, p, call),
    );
    ops.DisassociateHaVipInstance = mutation('vpc', ['HaVipAssociationSet'], (p, call) =>
      disassociate(ctx, p, call),
    );
  }
  return ops;
}

function describeHaVips(p: Params, call: Call, profile: SiteProfile): Record<string, unknown> {
  const ids = stringList(p, 'HaVipIds', 100);
  const filters = filterList(p, FILTERS);
  if (ids !== undefined && filters.length > 0) throw E.coexist('HaVipIds', 'Filters');
  const inRegion = [...call.view.haVips.values()].filter((h) => h.regionId === call.region);
  // Multi-valued fields (the scope) pass when any value matches.
  const multi = filters.map((f) => (h: HaVipRec) => {
    const v = FIELDS[f.name as (typeof FILTERS)[number]](h);
    return (Array.isArray(v) ? v : [v]).some((x) => x !== undefined && f.values.includes(x));
  });
  return describeList({
    records: inRegion.filter((h) => multi.every((m) => m(h))),
    filters: [byValues(ids, (h: HaVipRec) => h.haVipId)],
    page: offsetLimit(p),
    list: 'HaVipSet',
    render: (h) => renderHaVip(h, profile),
  });
}

interface Change {
  readonly haVip: HaVipRec;
  readonly entry: ScopeEntry;
}

/** The entries of a (dis)association, each naming an existing HAVIP of the region; duplicates refused. */
function changes(ctx: TencentSimContext, p: Params, region: string): Change[] {
  const list = objectList(p, 'HaVipAssociationSet', MAX_ASSOCIATIONS);
  if (list.length === 0) throw E.missing('HaVipAssociationSet');
  const seen = new Set<string>();
  return list.map((a, i) => {
    const haVipId = requiredString(a, 'HaVipId');
    const instanceId = requiredString(a, 'InstanceId');
    const type = targetType(instanceId, optionalString(a, 'InstanceType'), i);
    const key = `${haVipId}/${instanceId}`;
    if (seen.has(key))
      throw E.invalidValue(
        `HaVipAssociationSet.${i}`,
        `${key} is listed twice`,
        'InvalidParameterValue.Duplicate',
      );
    seen.add(key);
    const haVip = ctx.world.haVips.get(haVipId);
    if (haVip === undefined || haVip.regionId !== region) throw E.notFound('HAVIP', haVipId);
    return { haVip, entry: { instanceId, type } };
  });
}

function targetType(instanceId: string, given: string | undefined, i: number): TencentSimTargetType {
  const implied: TencentSimTargetType = instanceId.startsWith('eni-') ? 'ENI' : 'CVM';
  if (given !== undefined && given !== 'CVM' && given !== 'ENI')
    throw E.invalidValue(`HaVipAssociationSet.${i}.InstanceType`, 'use CVM or ENI');
  if (given !== undefined && given !== implied)
    throw E.invalidValue(
      `HaVipAssociationSet.${i}.InstanceType`,
      `${instanceId} is not a ${given}`,
      'InvalidParameterValue.ParameterMismatch',
    );
  return implied;
}

/** The subnet of an association target, after the rules for its kind. */
function targetSubnet(world: TencentWorld, region: string, e: ScopeEntry): string {
  if (e.type === 'CVM') {
    const i = world.instances.get(e.instanceId);
    if (i === undefined || i.regionId !== region) throw E.notFound('instance', e.instanceId);
    return i.subnetId;
  }
  const n = world.enis.get(e.instanceId);
  if (n === undefined || n.regionId !== region) throw E.notFound('network interface', e.instanceId);
  if (n.primary)
    throw E.invalidValue(
      'InstanceId',
      `${e.instanceId} is a primary ENI; a drift scope takes secondary ENIs`,
    );
  if (n.instanceId === undefined)
    throw E.invalidValue('InstanceId', `${e.instanceId} is not attached to an instance`);
  return n.subnetId;
}

function associate(ctx: TencentSimContext, p: Params, call: Call): Record<string, unknown> {
  const list = changes(ctx, p, call.region);
  const added = new Map<string, ScopeEntry[]>();
  for (const { haVip, entry } of list) {
    const pending = added.get(haVip.haVipId) ?? [];
    const scope = [...haVip.scope, ...pending];
    if (scope.some((s) => s.instanceId === entry.instanceId))
      throw new TencentSimApiError(
        'InvalidParameterValue.DuplicatedHaVipAssociations',
        `${entry.instanceId} is already in the drift scope of ${haVip.haVipId}.`,
      );
    if (scope.length > 0 && scope[0]?.type !== entry.type)
      throw E.invalidValue(
        'InstanceType',
        `${haVip.haVipId} drifts among ${scope[0]?.type} targets; it cannot also take a ${entry.type}`,
        'InvalidParameterValue.ParameterMismatch',
      );
    const subnetId = targetSubnet(ctx.world, call.region, entry);
    if (subnetId !== haVip.subnetId)
      throw E.invalidValue(
        'InstanceId',
        `${entry.instanceId} is in ${subnetId}, ${haVip.haVipId} in ${haVip.subnetId}`,
      );
    const inScopes = ctx.world.scopesOf(entry.instanceId).length + countIn(added, entry.instanceId);
    if (inScopes >= ctx.quotas.havipsPerEni)
      throw new TencentSimApiError(
        'LimitExceeded',
        `${entry.instanceId} already carries ${inScopes} HAVIPs.`,
      );
    added.set(haVip.haVipId, [...pending, entry]);
  }
  for (const [id, entries] of added) {
    const h = ctx.world.haVips.get(id) as HaVipRec;
    ctx.world.haVips.set(id, { ...h, scope: [...h.scope, ...entries] });
  }
  ctx.commit();
  return {};
}

function countIn(added: ReadonlyMap<string, readonly ScopeEntry[]>, id: string): number {
  let n = 0;
  for (const list of added.values()) n += list.filter((e) => e.instanceId === id).length;
  return n;
}

function disassociate(ctx: TencentSimContext, p: Params, call: Call): Record<string, unknown> {
  const list = changes(ctx, p, call.region);
  for (const { haVip, entry } of list)
    if (!haVip.scope.some((s) => s.instanceId === entry.instanceId))
      throw E.notFound(`association of ${haVip.haVipId} with`, entry.instanceId);
  const now = vpcTime(ctx.clock.now());
  for (const { haVip, entry } of list) {
    const h = ctx.world.haVips.get(haVip.haVipId) as HaVipRec;
    const holds =
      h.holder !== undefined &&
      (entry.type === 'CVM' ? h.holder.instanceId : h.holder.networkInterfaceId) === entry.instanceId;
    const evict = holds && ctx.evictOnScopeRemoval;
    ctx.world.haVips.set(h.haVipId, {
      ...h,
      scope: h.scope.filter((s) => s.instanceId !== entry.instanceId),
      ...(evict ? { holder: undefined, flushedTime: now } : {}),
    });
  }
  ctx.commit();
  return {};
}

/** Turn the drift-scope check of a HAVIP on or off (a console setting; no API action of ours sets it). */
export function setCheckAssociate(ctx: TencentSimContext, haVipId: string, enabled: boolean): void {
  const h = ctx.world.haVips.get(haVipId);
  if (h === undefined) throw E.notFound('HAVIP', haVipId);
  ctx.world.haVips.set(haVipId, { ...h, checkAssociate: enabled });
  ctx.commit();
}

/** Ground truth: the HAVIP as a record (never stale). */
export function haVipIn(world: TencentWorld, region: string, id: string): HaVipRec {
  const h = world.haVips.get(id);
  if (h === undefined || h.regionId !== region) throw E.notFound('HAVIP', id);
  return h;
}
