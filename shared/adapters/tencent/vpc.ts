/**
 * VPC calls: HAVIPs (DescribeHaVips by id or for a region/VPC; the drift scope with
 * AssociateHaVipInstance / DisassociateHaVipInstance), the HAVIP's EIP (HaVipAssociateAddressIp /
 * HaVipDisassociateAddressIp, asynchronous, polled with DescribeVpcTaskResult), ENIs and quotas.
 * Answers are read into the port's types; items the call did not ask for are dropped, so a sloppy
 * answer cannot inject them.
 */
import type { z } from 'zod';
import { CloudResponseLostError, InvalidInputError } from '../../core/errors.js';
import type {
  TencentCloudApi,
  TencentHaVip,
  TencentHaVipAssociation,
  TencentHaVipStateKind,
  TencentMutationResult,
  TencentNetworkInterface,
  TencentTaskStarted,
  TencentVpcTask,
} from '../../core/tencent-ports.js';
import { chunk, pagedByNumber, unique } from '../alibaba/paging.js';
import type { Caller } from './caller.js';
import {
  DescribeHaVipsBody,
  DescribeNetworkInterfacesBody,
  DescribeVpcLimitsBody,
  DescribeVpcTaskResultBody,
  type HaVipItem,
} from './schemas.js';
import * as wire from './wire.js';

type Req<K extends keyof TencentCloudApi> = Parameters<TencentCloudApi[K]>[0];

/** Offset of a 1-based page of {@link wire.LIMITS.pageSize}. */
const offsetOf = (page: number): number => (page - 1) * wire.LIMITS.pageSize;

async function haVipPages(
  caller: Caller,
  regionId: string,
  filter: { haVipIds?: readonly string[]; vpcId?: string },
): Promise<TencentHaVip[]> {
  return pagedByNumber(async (page) => {
    const body = await caller.read(
      regionId,
      wire.describeHaVips({ ...filter, offset: offsetOf(page) }),
      DescribeHaVipsBody,
    );
    return { items: body.HaVipSet.map((h) => toHaVip(regionId, h)), total: body.TotalCount };
  }, wire.LIMITS.pageSize);
}

export async function describeHaVips(caller: Caller, req: Req<'describeHaVips'>): Promise<TencentHaVip[]> {
  const found = new Map<string, TencentHaVip>();
  for (const part of chunk(unique(req.haVipIds), wire.LIMITS.idsPerCall)) {
    for (const h of await haVipPages(caller, req.regionId, { haVipIds: part }))
      if (part.includes(h.haVipId)) found.set(h.haVipId, h);
  }
  return [...found.values()];
}

export async function listHaVips(caller: Caller, req: Req<'listHaVips'>): Promise<TencentHaVip[]> {
  const found = new Map<string, TencentHaVip>();
  const filter = req.vpcId === undefined ? {} : { vpcId: req.vpcId };
  for (const h of await haVipPages(caller, req.regionId, filter)) {
    if (req.vpcId === undefined || h.vpcId === req.vpcId) found.set(h.haVipId, h);
  }
  return [...found.values()];
}

type AssociationRequest = Req<'associateHaVipInstances'>;

/** At most 10 entries a call; more is refused before sending (a split mutation is not one change). */
function checkedAssociations(req: AssociationRequest, action: string): readonly wire.WireAssociation[] {
  const n = req.associations.length;
  if (n === 0 || n > wire.LIMITS.associationsPerCall) {
    throw new InvalidInputError('cloud.invalid-request', `invalid ${action} request`, [
      {
        path: 'associations',
        message: `must hold 1 to ${wire.LIMITS.associationsPerCall} entries, got ${n}`,
        hint: 'split the change into several calls',
      },
    ]);
  }
  return req.associations;
}

export function associateHaVipInstances(
  caller: Caller,
  req: AssociationRequest,
): Promise<TencentMutationResult> {
  const list = checkedAssociations(req, 'AssociateHaVipInstance');
  return caller.mutate(req.regionId, wire.associateHaVipInstance(list));
}

export function disassociateHaVipInstances(
  caller: Caller,
  req: AssociationRequest,
): Promise<TencentMutationResult> {
  const list = checkedAssociations(req, 'DisassociateHaVipInstance');
  return caller.mutate(req.regionId, wire.disassociateHaVipInstance(list));
}

/**
 * The task id of an asynchronous VPC call is its RequestId. A successful answer without one is treated
 * like a lost answer: the task may be running, and only the HAVIP's state can tell.
 */
async function startTask(
  caller: Caller,
  regionId: string,
  req: wire.WireRequest,
): Promise<TencentTaskStarted> {
  const { requestId } = await caller.mutate(regionId, req);
  if (requestId === undefined) {
    throw new CloudResponseLostError(
      req.action,
      new Error('the answer carried no RequestId, which is the task id; read the HAVIP to learn the outcome'),
    );
  }
  return { taskId: requestId };
}

export function associateHaVipEip(
  caller: Caller,
  req: Req<'associateHaVipEip'>,
): Promise<TencentTaskStarted> {
  return startTask(caller, req.regionId, wire.haVipAssociateAddressIp(req));
}

export function disassociateHaVipEip(
  caller: Caller,
  req: Req<'disassociateHaVipEip'>,
): Promise<TencentTaskStarted> {
  return startTask(caller, req.regionId, wire.haVipDisassociateAddressIp(req));
}

export async function describeVpcTask(caller: Caller, req: Req<'describeVpcTask'>): Promise<TencentVpcTask> {
  const body = await caller.read(
    req.regionId,
    wire.describeVpcTaskResult({ taskId: req.taskId }),
    DescribeVpcTaskResultBody,
  );
  return { taskId: req.taskId, status: body.Status, output: body.Output };
}

export async function describeNetworkInterfaces(
  caller: Caller,
  req: Req<'describeNetworkInterfaces'>,
): Promise<TencentNetworkInterface[]> {
  const found = new Map<string, TencentNetworkInterface>();
  for (const part of chunk(unique(req.networkInterfaceIds), wire.LIMITS.idsPerCall)) {
    const items = await pagedByNumber(async (page) => {
      const body = await caller.read(
        req.regionId,
        wire.describeNetworkInterfaces({ ids: part, offset: offsetOf(page) }),
        DescribeNetworkInterfacesBody,
      );
      return { items: body.NetworkInterfaceSet, total: body.TotalCount };
    }, wire.LIMITS.pageSize);
    for (const n of items) {
      if (!part.includes(n.NetworkInterfaceId)) continue;
      found.set(n.NetworkInterfaceId, {
        networkInterfaceId: n.NetworkInterfaceId,
        regionId: req.regionId,
        vpcId: n.VpcId,
        subnetId: n.SubnetId,
        primary: n.Primary,
        instanceId: n.Attachment?.InstanceId,
        state: n.State,
        privateIpAddresses: n.PrivateIpAddressSet.map((p) => ({
          address: p.PrivateIpAddress,
          primary: p.Primary === true,
        })),
      });
    }
  }
  return [...found.values()];
}

export async function describeVpcLimits(
  caller: Caller,
  req: Req<'describeVpcLimits'>,
): Promise<ReadonlyMap<string, number>> {
  const out = new Map<string, number>();
  for (const part of chunk(unique(req.limitTypes), wire.LIMITS.limitTypesPerCall)) {
    const body = await caller.read(
      req.regionId,
      wire.describeVpcLimits({ limitTypes: part }),
      DescribeVpcLimitsBody,
    );
    for (const l of body.VpcLimitSet) if (part.includes(l.LimitType)) out.set(l.LimitType, l.LimitValue);
  }
  return out;
}

/** The documented unbound spellings: `UNBIND` (SDK model) and `UNBOUND` (the official example). */
const UNBOUND_STATES = new Set(['UNBIND', 'UNBOUND']);

export function stateKind(raw: string): TencentHaVipStateKind {
  const s = raw.toUpperCase();
  if (s === 'AVAILABLE') return 'AVAILABLE';
  return UNBOUND_STATES.has(s) ? 'UNBIND' : 'OTHER';
}

/** The "never moved" default of `FlushedTime`. */
const NEVER = /^0000-00-00/;

function toHaVip(regionId: string, h: z.output<typeof HaVipItem>): TencentHaVip {
  const associations: TencentHaVipAssociation[] | undefined = h.HaVipAssociationSet?.map((a) => ({
    haVipId: a.HaVipId ?? h.HaVipId,
    instanceId: a.InstanceId,
    instanceType: a.InstanceType === 'CVM' || a.InstanceType === 'ENI' ? a.InstanceType : undefined,
  }));
  return {
    haVipId: h.HaVipId,
    regionId,
    name: h.HaVipName,
    vip: h.Vip,
    vpcId: h.VpcId,
    subnetId: h.SubnetId,
    instanceId: h.InstanceId,
    networkInterfaceId: h.NetworkInterfaceId,
    addressIp: h.AddressIp,
    state: stateKind(h.State),
    rawState: h.State,
    associations,
    checkAssociate: h.CheckAssociate ?? undefined,
    flushedTime: h.FlushedTime === undefined || NEVER.test(h.FlushedTime) ? undefined : h.FlushedTime,
    business: h.Business,
    createdTime: h.CreatedTime,
  };
}
