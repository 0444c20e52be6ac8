/**
 * The answer shapes of the simulated actions, keyed as the official SDK's response models name them,
 * and the one Describe* listing: the records that pass the call's filters, cut to `Offset`/`Limit`,
 * answered as `{ TotalCount, <List>: [...] }`.
 */
import { type FieldFilter, passesAll } from '../simulator/common/paging.js';
import type { EniRec, HaVipRec, InstanceRec, TatTaskRec } from './world.js';

/** How the simulated site answers the points where Tencent's documentation is uncertain. */
export interface SiteProfile {
  /**
   * `china`: DescribeHaVips carries `HaVipAssociationSet` and `FlushedTime`, and the drift-scope actions
   * exist. `international`: the intl-en SDK's model, without either (the actions answer `InvalidAction`).
   */
  readonly site: 'china' | 'international';
  /** How `State` spells an unbound HAVIP: `UNBIND` (the SDK model) or `UNBOUND` (the official example). */
  readonly unboundState: 'UNBIND' | 'UNBOUND';
}

export function describeList<T>(args: {
  readonly records: Iterable<T>;
  readonly filters: readonly FieldFilter<T>[];
  readonly page: { readonly offset: number; readonly limit: number };
  readonly list: string;
  readonly render: (item: T) => unknown;
}): Record<string, unknown> {
  const matching = [...args.records].filter((r) => passesAll(r, args.filters));
  const items = matching.slice(args.page.offset, args.page.offset + args.page.limit);
  return { TotalCount: matching.length, [args.list]: items.map(args.render) };
}

/** A filter on one field; `values` undefined lets everything through. */
export function byValues<T>(
  values: readonly string[] | undefined,
  field: (item: T) => string | undefined,
): FieldFilter<T> {
  return { values, field };
}

export function renderHaVip(h: HaVipRec, profile: SiteProfile): Record<string, unknown> {
  const china = profile.site === 'china';
  return {
    HaVipId: h.haVipId,
    HaVipName: h.name,
    Vip: h.vip,
    VpcId: h.vpcId,
    SubnetId: h.subnetId,
    NetworkInterfaceId: h.holder?.networkInterfaceId ?? '',
    InstanceId: h.holder?.instanceId ?? '',
    AddressIp: h.addressIp ?? '',
    State: h.holder === undefined ? profile.unboundState : 'AVAILABLE',
    CreatedTime: h.createdTime,
    Business: '',
    ...(china
      ? {
          HaVipAssociationSet: h.scope.map((s) => ({
            HaVipId: h.haVipId,
            InstanceId: s.instanceId,
            InstanceType: s.type,
          })),
          FlushedTime: h.flushedTime,
        }
      : {}),
    CheckAssociate: h.checkAssociate,
    CdcId: '',
    TagSet: [],
  };
}

export function renderInstance(i: InstanceRec): Record<string, unknown> {
  return {
    Placement: { Zone: i.zone, ProjectId: 0 },
    InstanceId: i.instanceId,
    InstanceType: i.instanceType,
    CPU: 2,
    Memory: 4,
    RestrictState: 'NORMAL',
    InstanceName: i.name,
    InstanceChargeType: 'POSTPAID_BY_HOUR',
    PrivateIpAddresses: [i.privateIp],
    PublicIpAddresses: [],
    VirtualPrivateCloud: { VpcId: i.vpcId, SubnetId: i.subnetId, AsVpcGateway: false },
    ImageId: 'img-simulated',
    CreatedTime: i.createdTime,
    InstanceState: i.state,
    Tags: [],
    LatestOperation: null,
    LatestOperationState: null,
  };
}

export function renderEni(n: EniRec): Record<string, unknown> {
  return {
    NetworkInterfaceId: n.networkInterfaceId,
    NetworkInterfaceName: n.primary ? 'primary' : n.networkInterfaceId,
    NetworkInterfaceDescription: '',
    SubnetId: n.subnetId,
    VpcId: n.vpcId,
    GroupSet: [],
    Primary: n.primary,
    MacAddress: macOf(n.networkInterfaceId),
    State: 'AVAILABLE',
    NetworkInterfaceState: n.instanceId === undefined ? 'AVAILABLE' : 'INUSE',
    PrivateIpAddressSet: [
      {
        PrivateIpAddress: n.privateIp,
        Primary: true,
        PublicIpAddress: '',
        AddressId: '',
        Description: '',
        IsWanIpBlocked: false,
        State: 'AVAILABLE',
      },
    ],
    Attachment:
      n.instanceId === undefined
        ? null
        : {
            DeviceIndex: n.primary ? 0 : 1,
            InstanceAccountId: '',
            AttachTime: n.createdTime,
            InstanceId: n.instanceId,
          },
    Zone: n.zone,
    CreatedTime: n.createdTime,
    Ipv6AddressSet: [],
    TagSet: [],
    EniType: n.primary ? 1 : 0,
    Business: 'cvm',
    CdcId: '',
    AttachType: 0,
  };
}

/** A stable made-up MAC address per ENI (locally administered). */
function macOf(id: string): string {
  let h = 0x811c9dc5;
  for (const ch of id) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  const bytes = [0x52, 0x54, (h >>> 24) & 0xff, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** One `InvocationTaskSet[]` entry; the output is Base64, or `""` when the caller hides it (the default). */
export function renderTatTask(t: TatTaskRec, hideOutput: boolean): Record<string, unknown> {
  const finished = t.endTime !== undefined;
  return {
    InvocationId: t.invocationId,
    InvocationTaskId: t.invocationTaskId,
    CommandId: t.commandId,
    TaskStatus: t.status,
    InstanceId: t.instanceId,
    TaskResult: {
      ExitCode: t.exitCode ?? null,
      Output: hideOutput ? '' : Buffer.from(t.output, 'utf8').toString('base64'),
      ExecStartTime: t.startTime ?? null,
      ExecEndTime: t.endTime ?? null,
      Dropped: 0,
      OutputUrl: '',
      OutputUploadCOSErrorInfo: '',
    },
    StartTime: t.startTime ?? null,
    EndTime: finished ? t.endTime : null,
    CreatedTime: t.createdTime,
    UpdatedTime: t.endTime ?? t.startTime ?? t.createdTime,
    CommandDocument: {
      Content: Buffer.from(t.content, 'utf8').toString('base64'),
      CommandType: t.commandType,
      Timeout: t.timeoutSeconds,
      WorkingDirectory: '/root',
      Username: 'root',
      OutputCOSBucketUrl: '',
      OutputCOSKeyPrefix: '',
    },
    ErrorInfo: t.errorInfo,
    InvocationSource: 'USER',
    CommandName: t.commandName,
  };
}
