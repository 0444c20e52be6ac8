/**
 * Where the adapter sends VPC and ECS calls.
 *
 * The official v7 SDK clients (`@alicloud/vpc20160428`, `@alicloud/ecs20140526`) resolve an endpoint in
 * two steps: a per-product table of regions that use a non-regional endpoint, then the "regional" rule
 * `<product>.<region>.aliyuncs.com`. We follow the same two steps with the subset of their tables that
 * names public, finance and government regions (internal test regions are left out on purpose).
 * Notably cn-hangzhou is special in both tables: VPC uses the central `vpc.aliyuncs.com` and ECS uses
 * `ecs-cn-hangzhou.aliyuncs.com`.
 */

export type Service = 'vpc' | 'ecs';

/** Regions whose VPC endpoint is not `vpc.<region>.aliyuncs.com` (from the VPC SDK's endpoint table). */
const VPC_ENDPOINTS: Readonly<Record<string, string>> = {
  'cn-hangzhou': 'vpc.aliyuncs.com',
  'cn-hangzhou-finance': 'vpc.aliyuncs.com',
  'cn-shanghai-finance-1': 'vpc.aliyuncs.com',
  'cn-shenzhen-finance-1': 'vpc.aliyuncs.com',
  'cn-beijing-finance-pop': 'vpc.aliyuncs.com',
  'cn-hongkong-finance-pop': 'vpc.aliyuncs.com',
  'cn-north-2-gov-1': 'vpc.aliyuncs.com',
  'cn-beijing-gov-1': 'vpc.aliyuncs.com',
  'cn-fujian': 'vpc.aliyuncs.com',
  'cn-wuhan': 'vpc.aliyuncs.com',
  'cn-yushanfang': 'vpc.aliyuncs.com',
  'cn-zhangbei': 'vpc.aliyuncs.com',
  'ap-northeast-2-pop': 'vpc.aliyuncs.com',
  'rus-west-1-pop': 'vpc.aliyuncs.com',
};

/** Regions whose ECS endpoint is not `ecs.<region>.aliyuncs.com` (from the ECS SDK's endpoint table). */
const ECS_ENDPOINTS: Readonly<Record<string, string>> = {
  'cn-hangzhou': 'ecs-cn-hangzhou.aliyuncs.com',
  'cn-hangzhou-finance': 'ecs.aliyuncs.com',
  'cn-shanghai-finance-1': 'ecs-cn-hangzhou.aliyuncs.com',
  'cn-shenzhen-finance-1': 'ecs-cn-hangzhou.aliyuncs.com',
  'cn-beijing-finance-pop': 'ecs.aliyuncs.com',
  'cn-hongkong-finance-pop': 'ecs.aliyuncs.com',
  'cn-north-2-gov-1': 'ecs.aliyuncs.com',
  'cn-beijing-gov-1': 'ecs.aliyuncs.com',
  'cn-fujian': 'ecs-cn-hangzhou.aliyuncs.com',
  'cn-wuhan': 'ecs.aliyuncs.com',
  'cn-yushanfang': 'ecs.aliyuncs.com',
  'cn-zhangbei': 'ecs.aliyuncs.com',
  'ap-northeast-2-pop': 'ecs.aliyuncs.com',
  'rus-west-1-pop': 'ecs.aliyuncs.com',
};

/** The endpoint the official SDK would use for `service` in `regionId` (public network). */
export function defaultEndpoint(service: Service, regionId: string): string {
  const table = service === 'vpc' ? VPC_ENDPOINTS : ECS_ENDPOINTS;
  return table[regionId] ?? `${service}.${regionId}.aliyuncs.com`;
}
