/**
 * VPC reads besides HAVIPs: DescribeNetworkInterfaces (every ENI, primary ones included, with its
 * attachment) and DescribeVpcLimits (the quotas the simulator enforces; `vpc-max-havips`).
 */
import { type Call, type Operations, read, type TencentSimContext } from './context.js';
import { E } from './errors.js';
import { filterList, offsetLimit, type Params, stringList } from './params.js';
import { byValues, describeList, renderEni } from './render.js';
import type { EniRec } from './world.js';

const ENI_FILTERS = [
  'vpc-id',
  'subnet-id',
  'network-interface-id',
  'attachment.instance-id',
  'is-primary',
] as const;

const ENI_FIELDS: Readonly<Record<(typeof ENI_FILTERS)[number], (n: EniRec) => string | undefined>> = {
  'vpc-id': (n) => n.vpcId,
  'subnet-id': (n) => n.subnetId,
  'network-interface-id': (n) => n.networkInterfaceId,
  'attachment.instance-id': (n) => n.instanceId,
  'is-primary': (n) => String(n.primary).toUpperCase(),
};

export function networkOperations(ctx: TencentSimContext): Operations {
  return {
    DescribeNetworkInterfaces: read('vpc', ['NetworkInterfaceIds', 'Filters', 'Offset', 'Limit'], (p, call) =>
      describeNetworkInterfaces(p, call),
    ),
    DescribeVpcLimits: read('vpc', ['LimitTypes'], (p) => describeVpcLimits(ctx, p)),
  };
}

function describeNetworkInterfaces(p: Params, call: Call): Record<string, unknown> {
  const ids = stringList(p, 'NetworkInterfaceIds', 100);
  const filters = filterList(p, ENI_FILTERS);
  if (ids !== undefined && filters.length > 0) throw E.coexist('NetworkInterfaceIds', 'Filters');
  return describeList({
    records: [...call.view.enis.values()].filter((n) => n.regionId === call.region),
    filters: [
      byValues(ids, (n: EniRec) => n.networkInterfaceId),
      ...filters.map((f) => byValues(f.values, ENI_FIELDS[f.name as (typeof ENI_FILTERS)[number]])),
    ],
    page: offsetLimit(p),
    list: 'NetworkInterfaceSet',
    render: renderEni,
  });
}

/** The limits the simulator knows; other names are not in the answer. */
function describeVpcLimits(ctx: TencentSimContext, p: Params): Record<string, unknown> {
  const types = stringList(p, 'LimitTypes', 100);
  if (types === undefined || types.length === 0) throw E.missing('LimitTypes');
  const known: Readonly<Record<string, number>> = { 'vpc-max-havips': ctx.quotas.havipsPerVpc };
  return {
    VpcLimitSet: types
      .filter((t) => known[t] !== undefined)
      .map((t) => ({ LimitType: t, LimitValue: known[t] })),
  };
}
