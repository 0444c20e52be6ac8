/**
 * Where the adapter sends each call. Tencent Cloud API 3.0 has one product domain per service:
 * `vpc.tencentcloudapi.com` (HAVIPs, ENIs, VPC tasks and limits), `cvm.tencentcloudapi.com` (instances)
 * and `tat.tencentcloudapi.com` (TAT commands). The bare domain is "nearest access" (the official SDKs'
 * default); `<service>.<region>.tencentcloudapi.com` pins a region. The region itself always travels
 * in `X-TC-Region`. `tdmq` (TDMQ for CMQ) is used by the host agent's report publisher only (./cmq.ts).
 */

export type TencentService = 'vpc' | 'cvm' | 'tat' | 'tdmq';

/** The API version of each service (`X-TC-Version`). */
export const API_VERSIONS: Readonly<Record<TencentService, string>> = {
  vpc: '2017-03-12',
  cvm: '2017-03-12',
  tat: '2020-10-28',
  tdmq: '2020-02-17',
};

/** The nearest-access domain the official SDK clients use by default. */
export function defaultEndpoint(service: TencentService): string {
  return `${service}.tencentcloudapi.com`;
}

/** The region-pinned domain, for callers who want every call to stay in the region. */
export function regionalEndpoint(service: TencentService, regionId: string): string {
  return `${service}.${regionId}.tencentcloudapi.com`;
}
