/**
 * Test helpers for the Tencent simulator: a world with every kind of resource the adapter reads, a
 * harness that starts the simulator server and points the OFFICIAL `tencentcloud-sdk-nodejs` clients
 * and our adapter at it, and the SDK's error as a value to assert on.
 */
import * as cvmNs from 'tencentcloud-sdk-nodejs/tencentcloud/services/cvm/v20170312/cvm_client.js';
import * as tatNs from 'tencentcloud-sdk-nodejs/tencentcloud/services/tat/v20201028/tat_client.js';
import * as tdmqNs from 'tencentcloud-sdk-nodejs/tencentcloud/services/tdmq/v20200217/tdmq_client.js';
import * as vpcNs from 'tencentcloud-sdk-nodejs/tencentcloud/services/vpc/v20170312/vpc_client.js';
import { afterEach } from 'vitest';
import { createTencentCloudApi } from '../../shared/adapters/tencent/index.js';
import {
  type SimulatorServer,
  startTencentSimulatorServer,
  type TencentSimCredentials,
  type TencentSimSeed,
  TencentSimulatedCloud,
  type TencentSimulatedCloudOptions,
} from '../../shared/adapters/tencent-simulator/index.js';
import type { TencentCloudApi } from '../../shared/core/tencent-ports.js';

export type VpcClient = vpcNs.Client;
export type CvmClient = cvmNs.Client;
export type TatClient = tatNs.Client;
export type TdmqClient = tdmqNs.Client;

export const TENCENT_TEST_CREDENTIALS: TencentSimCredentials = {
  secretId: 'AKIDsimulatortest',
  secretKey: 'simulator-secret-key-for-tests',
};
export const REGION = 'ap-guangzhou';

/**
 * The client classes are named CommonJS exports; plain Node ESM may expose them only on `default`.
 */
function clientClass<T>(ns: unknown): new (config: ConstructorParameters<typeof vpcNs.Client>[0]) => T {
  const direct = (ns as { Client?: unknown }).Client;
  return (direct ?? (ns as { default: { Client: unknown } }).default.Client) as new (
    config: ConstructorParameters<typeof vpcNs.Client>[0],
  ) => T;
}

/**
 * ap-guangzhou: one VPC with two subnets; web-1 (holds the HAVIP, in its scope) and web-2 (RUNNING,
 * outside the scope), db-1 (STOPPED), web-3 with a secondary ENI; HAVIP `havip-web` (scope checked,
 * EIP bound) and `havip-free` (no holder, no scope); a spare EIP. ap-shanghai: one instance.
 * `extraInstances` adds that many RUNNING instances (`ins-bulk…`) for chunking tests,
 * `extraHaVips` that many HAVIPs (`havip-bulk…`) for paging tests.
 */
export function tencentTestSeed(
  opts: { extraInstances?: number; extraHaVips?: number } = {},
): TencentSimSeed {
  const bulkInstances = Array.from({ length: opts.extraInstances ?? 0 }, (_, i) => ({
    instanceId: `ins-bulk${String(i).padStart(4, '0')}`,
    subnetId: 'subnet-bulk',
    privateIp: `10.0.${10 + Math.floor(i / 200)}.${10 + (i % 200)}`,
  }));
  const bulkHaVips = Array.from({ length: opts.extraHaVips ?? 0 }, (_, i) => ({
    haVipId: `havip-bulk${String(i).padStart(4, '0')}`,
    subnetId: 'subnet-b',
    vip: `10.0.2.${10 + i}`,
  }));
  return {
    regions: [
      {
        region: REGION,
        vpcs: [
          {
            vpcId: 'vpc-t1',
            cidr: '10.0.0.0/16',
            subnets: [
              { subnetId: 'subnet-a', cidr: '10.0.1.0/24', zone: 'ap-guangzhou-3' },
              { subnetId: 'subnet-b', cidr: '10.0.2.0/24', zone: 'ap-guangzhou-4' },
              { subnetId: 'subnet-bulk', cidr: '10.0.8.0/21', zone: 'ap-guangzhou-4' },
            ],
          },
        ],
        instances: [
          { instanceId: 'ins-web1', subnetId: 'subnet-a', privateIp: '10.0.1.11', name: 'web-1' },
          { instanceId: 'ins-web2', subnetId: 'subnet-a', privateIp: '10.0.1.12', name: 'web-2' },
          { instanceId: 'ins-db1', subnetId: 'subnet-a', privateIp: '10.0.1.13', state: 'STOPPED' },
          {
            instanceId: 'ins-web3',
            subnetId: 'subnet-b',
            privateIp: '10.0.2.5',
            instanceType: 'SA2.MEDIUM4',
          },
          ...bulkInstances,
        ],
        networkInterfaces: [
          {
            networkInterfaceId: 'eni-second3',
            subnetId: 'subnet-b',
            privateIp: '10.0.2.6',
            instanceId: 'ins-web3',
          },
          { networkInterfaceId: 'eni-loose', subnetId: 'subnet-b', privateIp: '10.0.2.7' },
        ],
        haVips: [
          {
            haVipId: 'havip-web',
            subnetId: 'subnet-a',
            vip: '10.0.1.100',
            name: 'web',
            checkAssociate: true,
            associations: ['ins-web1'],
            holder: 'ins-web1',
            addressIp: '203.0.113.10',
          },
          { haVipId: 'havip-free', subnetId: 'subnet-a', vip: '10.0.1.101' },
          ...bulkHaVips,
        ],
        eips: [
          { addressId: 'eip-web', addressIp: '203.0.113.10' },
          { addressId: 'eip-spare', addressIp: '203.0.113.11' },
        ],
      },
      {
        region: 'ap-shanghai',
        vpcs: [{ vpcId: 'vpc-sh', subnets: [{ subnetId: 'subnet-sh' }] }],
        instances: [{ instanceId: 'ins-sh1', subnetId: 'subnet-sh', privateIp: '10.1.0.5' }],
      },
    ],
    quotas: { havipsPerVpc: 10 + (opts.extraHaVips ?? 0) },
  };
}

export interface SdkClients {
  readonly vpc: VpcClient;
  readonly cvm: CvmClient;
  readonly tat: TatClient;
  /** TDMQ for CMQ (PublishCmqMsg, which the host agent's cmq sink calls). */
  readonly tdmq: TdmqClient;
}

export function sdkClients(
  endpoint: string,
  credentials: TencentSimCredentials = TENCENT_TEST_CREDENTIALS,
  region = REGION,
): SdkClients {
  const config = {
    credential: {
      secretId: credentials.secretId,
      secretKey: credentials.secretKey,
      token: credentials.token,
    },
    region,
    profile: { httpProfile: { endpoint, protocol: 'http://', reqTimeout: 10 } },
  };
  return {
    vpc: new (clientClass<VpcClient>(vpcNs))(config),
    cvm: new (clientClass<CvmClient>(cvmNs))(config),
    tat: new (clientClass<TatClient>(tatNs))(config),
    tdmq: new (clientClass<TdmqClient>(tdmqNs))(config),
  };
}

export interface TencentSimHarness {
  readonly cloud: TencentSimulatedCloud;
  readonly server: SimulatorServer;
  readonly sdk: SdkClients;
  /** Our adapter over HTTP, signing with the test credentials. */
  readonly adapter: TencentCloudApi;
}

/**
 * Starts a simulator server per test (closed after each) with signature checks on and TAT tasks that
 * run at once; transitions are immediate unless the options say otherwise.
 */
export function useTencentSimulator(
  seed: () => TencentSimSeed = () => tencentTestSeed(),
  options: TencentSimulatedCloudOptions = {},
): () => Promise<TencentSimHarness> {
  const servers: SimulatorServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return async () => {
    const cloud = new TencentSimulatedCloud(seed(), {
      credentials: TENCENT_TEST_CREDENTIALS,
      tatDelayMs: 0,
      ...options,
    });
    const server = await startTencentSimulatorServer({ cloud });
    servers.push(server);
    const adapter = createTencentCloudApi({
      credentials: TENCENT_TEST_CREDENTIALS,
      endpoints: { override: server.endpoint },
      protocol: 'http',
      timeoutMs: 10_000,
    });
    return { cloud, server, sdk: sdkClients(server.endpoint), adapter };
  };
}

/** What the SDK threw, as a value: its Tencent code, HTTP status and request id. */
export async function sdkFailure(call: Promise<unknown>): Promise<{
  code: string | undefined;
  httpCode: number | undefined;
  requestId: string | undefined;
  message: string;
}> {
  try {
    await call;
  } catch (e) {
    const err = e as { code?: string; httpCode?: number; requestId?: string; message?: string };
    return { code: err.code, httpCode: err.httpCode, requestId: err.requestId, message: err.message ?? '' };
  }
  throw new Error('expected the SDK call to fail, but it succeeded');
}
