/**
 * The Tencent Cloud port implemented with the OFFICIAL `tencentcloud-sdk-nodejs` clients: the reference
 * the contract suite runs our adapter against. It maps the SDK's answers to the port's types as plainly
 * as possible (one call per method, `Limit: 100`, no chunking beyond what the tests need) and the
 * SDK's errors to `CloudError` with the same classification, so both implementations can be held to
 * the same assertions.
 */
import { classifyTencentError } from '../../shared/adapters/tencent/index.js';
import { CloudError, CloudResponseLostError } from '../../shared/core/errors.js';
import type {
  TencentCloudApi,
  TencentHaVip,
  TencentHaVipStateKind,
} from '../../shared/core/tencent-ports.js';
import { REGION, type SdkClients } from './tencent-simulator.js';

const MUTATIONS = new Set([
  'AssociateHaVipInstance',
  'DisassociateHaVipInstance',
  'HaVipAssociateAddressIp',
  'HaVipDisassociateAddressIp',
  'RunCommand',
]);

async function sdk<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    const err = e as { code?: string; httpCode?: number; requestId?: string; message?: string };
    if (err.code === undefined && err.httpCode === undefined) {
      if (MUTATIONS.has(action)) throw new CloudResponseLostError(action, e);
      throw new CloudError({
        provider: 'tencent',
        action,
        tencentCode: 'Network',
        message: err.message ?? '',
        retryable: true,
        code: 'cloud.unavailable',
      });
    }
    const tencentCode = err.code ?? `HTTP${err.httpCode}`;
    const cls = classifyTencentError(tencentCode, err.httpCode);
    throw new CloudError({
      provider: 'tencent',
      action,
      tencentCode,
      message: err.message ?? '',
      requestId: err.requestId || undefined,
      retryable: cls.retryable,
      code: cls.code,
    });
  }
}

const orUndefined = <T>(v: T | null | undefined | ''): T | undefined =>
  v === null || v === undefined || v === '' ? undefined : v;

function stateKind(raw: string): TencentHaVipStateKind {
  return raw === 'AVAILABLE' ? 'AVAILABLE' : raw === 'UNBIND' || raw === 'UNBOUND' ? 'UNBIND' : 'OTHER';
}

type SdkHaVip = NonNullable<Awaited<ReturnType<SdkClients['vpc']['DescribeHaVips']>>['HaVipSet']>[number];

function toHaVip(h: SdkHaVip): TencentHaVip {
  return {
    haVipId: h.HaVipId ?? '',
    regionId: REGION,
    name: orUndefined(h.HaVipName),
    vip: h.Vip ?? '',
    vpcId: h.VpcId ?? '',
    subnetId: h.SubnetId ?? '',
    instanceId: orUndefined(h.InstanceId),
    networkInterfaceId: orUndefined(h.NetworkInterfaceId),
    addressIp: orUndefined(h.AddressIp),
    state: stateKind(h.State ?? ''),
    rawState: h.State ?? '',
    associations: h.HaVipAssociationSet?.map((a) => ({
      haVipId: a.HaVipId ?? h.HaVipId ?? '',
      instanceId: a.InstanceId ?? '',
      instanceType: a.InstanceType === 'CVM' || a.InstanceType === 'ENI' ? a.InstanceType : undefined,
    })),
    checkAssociate: h.CheckAssociate ?? undefined,
    flushedTime: h.FlushedTime === undefined || h.FlushedTime.startsWith('0000') ? undefined : h.FlushedTime,
    business: orUndefined(h.Business),
    createdTime: orUndefined(h.CreatedTime),
  };
}

const toAssociations = (list: Parameters<TencentCloudApi['associateHaVipInstances']>[0]['associations']) =>
  list.map((a) => ({ HaVipId: a.haVipId, InstanceId: a.instanceId, InstanceType: a.instanceType }));

/** The port over the SDK clients of one region ({@link REGION}); `regionId` must be that region. */
export function sdkCloudApi(c: SdkClients): TencentCloudApi {
  return {
    async describeHaVips({ haVipIds }) {
      const r = await sdk('DescribeHaVips', () =>
        c.vpc.DescribeHaVips({ HaVipIds: [...haVipIds], Limit: 100 }),
      );
      return (r.HaVipSet ?? []).map(toHaVip);
    },
    async listHaVips({ vpcId }) {
      const out: TencentHaVip[] = [];
      for (let offset = 0; ; offset += 100) {
        const r = await sdk('DescribeHaVips', () =>
          c.vpc.DescribeHaVips({
            ...(vpcId === undefined ? {} : { Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }),
            Offset: offset,
            Limit: 100,
          }),
        );
        out.push(...(r.HaVipSet ?? []).map(toHaVip));
        if (out.length >= (r.TotalCount ?? 0) || (r.HaVipSet ?? []).length === 0) return out;
      }
    },
    async associateHaVipInstances({ associations }) {
      const r = await sdk('AssociateHaVipInstance', () =>
        c.vpc.AssociateHaVipInstance({ HaVipAssociationSet: toAssociations(associations) }),
      );
      return { requestId: r.RequestId };
    },
    async disassociateHaVipInstances({ associations }) {
      const r = await sdk('DisassociateHaVipInstance', () =>
        c.vpc.DisassociateHaVipInstance({ HaVipAssociationSet: toAssociations(associations) }),
      );
      return { requestId: r.RequestId };
    },
    async associateHaVipEip({ haVipId, addressIp }) {
      const r = await sdk('HaVipAssociateAddressIp', () =>
        c.vpc.HaVipAssociateAddressIp({ HaVipId: haVipId, AddressIp: addressIp }),
      );
      return { taskId: r.RequestId ?? '' };
    },
    async disassociateHaVipEip({ haVipId }) {
      const r = await sdk('HaVipDisassociateAddressIp', () =>
        c.vpc.HaVipDisassociateAddressIp({ HaVipId: haVipId }),
      );
      return { taskId: r.RequestId ?? '' };
    },
    async describeVpcTask({ taskId }) {
      const r = await sdk('DescribeVpcTaskResult', () => c.vpc.DescribeVpcTaskResult({ TaskId: taskId }));
      return { taskId, status: r.Status ?? '', output: r.Output ?? undefined };
    },
    async describeInstancesStatus({ instanceIds }) {
      const out = [];
      for (let i = 0; i < instanceIds.length; i += 100) {
        const r = await sdk('DescribeInstancesStatus', () =>
          c.cvm.DescribeInstancesStatus({ InstanceIds: instanceIds.slice(i, i + 100), Limit: 100 }),
        );
        for (const s of r.InstanceStatusSet ?? [])
          out.push({ instanceId: s.InstanceId ?? '', state: s.InstanceState ?? '' });
      }
      return out;
    },
    async describeInstances({ instanceIds }) {
      const r = await sdk('DescribeInstances', () =>
        c.cvm.DescribeInstances({ InstanceIds: [...instanceIds], Limit: 100 }),
      );
      return (r.InstanceSet ?? []).map((i) => ({
        instanceId: i.InstanceId ?? '',
        regionId: REGION,
        state: i.InstanceState ?? '',
        instanceType: orUndefined(i.InstanceType),
        vpcId: orUndefined(i.VirtualPrivateCloud?.VpcId),
        subnetId: orUndefined(i.VirtualPrivateCloud?.SubnetId),
        privateIpAddresses: i.PrivateIpAddresses ?? [],
        zone: orUndefined(i.Placement?.Zone),
      }));
    },
    async describeNetworkInterfaces({ networkInterfaceIds }) {
      const r = await sdk('DescribeNetworkInterfaces', () =>
        c.vpc.DescribeNetworkInterfaces({ NetworkInterfaceIds: [...networkInterfaceIds], Limit: 100 }),
      );
      return (r.NetworkInterfaceSet ?? []).map((n) => ({
        networkInterfaceId: n.NetworkInterfaceId ?? '',
        regionId: REGION,
        vpcId: n.VpcId ?? '',
        subnetId: n.SubnetId ?? '',
        primary: n.Primary === true,
        instanceId: orUndefined(n.Attachment?.InstanceId),
        state: n.State ?? '',
        privateIpAddresses: (n.PrivateIpAddressSet ?? []).map((p) => ({
          address: p.PrivateIpAddress ?? '',
          primary: p.Primary === true,
        })),
      }));
    },
    async describeVpcLimits({ limitTypes }) {
      const r = await sdk('DescribeVpcLimits', () =>
        c.vpc.DescribeVpcLimits({ LimitTypes: [...limitTypes] }),
      );
      return new Map((r.VpcLimitSet ?? []).map((l) => [l.LimitType ?? '', l.LimitValue ?? 0]));
    },
    async runCommand({ instanceId, content, timeoutSeconds, commandName }) {
      const r = await sdk('RunCommand', () =>
        c.tat.RunCommand({
          Content: Buffer.from(content).toString('base64'),
          InstanceIds: [instanceId],
          CommandType: 'SHELL',
          Timeout: timeoutSeconds,
          CommandName: commandName,
        }),
      );
      return { invocationId: r.InvocationId ?? '', requestId: r.RequestId };
    },
    async describeInvocationTask({ invocationId, instanceId }) {
      const r = await sdk('DescribeInvocationTasks', () =>
        c.tat.DescribeInvocationTasks({
          Filters: [
            { Name: 'invocation-id', Values: [invocationId] },
            { Name: 'instance-id', Values: [instanceId] },
          ],
          HideOutput: false,
          Limit: 100,
        }),
      );
      const t = (r.InvocationTaskSet ?? [])[0];
      if (t === undefined) return undefined;
      return {
        invocationId: t.InvocationId ?? '',
        invocationTaskId: t.InvocationTaskId ?? '',
        instanceId: t.InstanceId ?? '',
        status: t.TaskStatus ?? '',
        exitCode: t.TaskResult?.ExitCode ?? undefined,
        output: t.TaskResult?.Output
          ? Buffer.from(t.TaskResult.Output, 'base64').toString('utf8')
          : undefined,
        errorInfo: orUndefined(t.ErrorInfo),
      };
    },
  };
}
