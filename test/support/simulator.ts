/**
 * Test helpers for the simulator: a small world with every kind of resource, a harness that starts
 * the simulator server and points the OFFICIAL v7 SDK clients at it, an assertion for Alibaba
 * error codes as the SDK surfaces them, the table runner for refused calls, the SDK calls the tests
 * share, and the admin endpoint.
 */
import * as $Ecs from '@alicloud/ecs20140526';
import * as OpenApi from '@alicloud/openapi-core';
import * as $Vpc from '@alicloud/vpc20160428';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ManualClock,
  type SimSeed,
  SimulatedCloud,
  type SimulatedCloudOptions,
  type SimulatorServer,
  startSimulatorServer,
} from '../../shared/adapters/simulator/index.js';

export { $Ecs, $Vpc };
export type VpcClient = $Vpc.default;
export type EcsClient = $Ecs.default;

/**
 * The packages are CommonJS with `exports.default = Client`: depending on the loader the class is the
 * namespace's `default` (vitest) or `default.default` (plain Node ESM).
 */
function clientClass<T>(ns: unknown): new (config: OpenApi.$OpenApiUtil.Config) => T {
  const d = (ns as { default: unknown }).default;
  return (typeof d === 'function' ? d : (d as { default: unknown }).default) as new (
    config: OpenApi.$OpenApiUtil.Config,
  ) => T;
}

export const TEST_AK = { id: 'LTAI-sim-test', secret: 'sim-secret-for-tests' };

/**
 * One region with two vSwitches, a second region, running/stopped instances, attached and detached
 * ENIs, HaVips (bound to an instance, free, bound to an ENI, being created; the two bound ones have
 * been announced by their holder, so they have a master) and EIPs (on a HaVip, free, on an instance).
 * Signature verification is on with {@link TEST_AK}.
 */
export function testSeed(overrides: Partial<SimSeed> = {}): SimSeed {
  return {
    regions: [
      {
        regionId: 'cn-hangzhou',
        vpcs: [
          {
            vpcId: 'vpc-t1',
            cidr: '10.0.0.0/16',
            vSwitches: [
              { vSwitchId: 'vsw-a', cidr: '10.0.1.0/24', zoneId: 'cn-hangzhou-h' },
              { vSwitchId: 'vsw-b', cidr: '10.0.2.0/24', zoneId: 'cn-hangzhou-i' },
            ],
          },
        ],
        instances: [
          { instanceId: 'i-a1', vSwitchId: 'vsw-a', privateIp: '10.0.1.11', instanceName: 'web-1' },
          { instanceId: 'i-a2', vSwitchId: 'vsw-a', privateIp: '10.0.1.12' },
          { instanceId: 'i-a3', vSwitchId: 'vsw-a', privateIp: '10.0.1.13', status: 'Stopped' },
          { instanceId: 'i-b1', vSwitchId: 'vsw-b', privateIp: '10.0.2.11' },
          { instanceId: 'i-e1', vSwitchId: 'vsw-a', privateIp: '10.0.1.21' },
          { instanceId: 'i-e2', vSwitchId: 'vsw-a', privateIp: '10.0.1.22', operationLocks: ['financial'] },
        ],
        enis: [
          { networkInterfaceId: 'eni-1', vSwitchId: 'vsw-a', privateIp: '10.0.1.31', instanceId: 'i-e1' },
          { networkInterfaceId: 'eni-2', vSwitchId: 'vsw-a', privateIp: '10.0.1.32', instanceId: 'i-e2' },
          { networkInterfaceId: 'eni-free', vSwitchId: 'vsw-a', privateIp: '10.0.1.33' },
        ],
        haVips: [
          {
            haVipId: 'havip-1',
            vSwitchId: 'vsw-a',
            ipAddress: '10.0.1.100',
            associatedInstances: ['i-a1'],
            masterInstanceId: 'i-a1',
          },
          { haVipId: 'havip-2', vSwitchId: 'vsw-a', ipAddress: '10.0.1.101' },
          {
            haVipId: 'havip-eni',
            vSwitchId: 'vsw-a',
            ipAddress: '10.0.1.102',
            associatedInstances: ['eni-1'],
            masterInstanceId: 'eni-1',
          },
          { haVipId: 'havip-creating', vSwitchId: 'vsw-a', ipAddress: '10.0.1.103', status: 'Creating' },
        ],
        eips: [
          { allocationId: 'eip-1', ipAddress: '203.0.113.1', instanceId: 'havip-1' },
          { allocationId: 'eip-2', ipAddress: '203.0.113.2' },
          { allocationId: 'eip-3', ipAddress: '203.0.113.3', instanceId: 'i-a2' },
        ],
      },
      {
        regionId: 'cn-shanghai',
        vpcs: [{ vpcId: 'vpc-t2', vSwitches: [{ vSwitchId: 'vsw-s' }] }],
        instances: [{ instanceId: 'i-s1', vSwitchId: 'vsw-s', privateIp: '172.16.0.11' }],
      },
    ],
    accessKey: TEST_AK,
    ...overrides,
  };
}

export interface Harness {
  readonly cloud: SimulatedCloud;
  readonly server: SimulatorServer;
  readonly vpc: VpcClient;
  readonly ecs: EcsClient;
  /** Build another client pair against the same server (other credentials or signing). */
  clients(opts?: { accessKeyId?: string; accessKeySecret?: string; signatureAlgorithm?: 'v2' }): {
    vpc: VpcClient;
    ecs: EcsClient;
  };
  close(): Promise<void>;
}

/** Official SDK clients pointed at a simulator `endpoint` (`127.0.0.1:PORT`), signed with {@link TEST_AK} by default. */
export function sdkClients(
  endpoint: string,
  c: { accessKeyId?: string; accessKeySecret?: string; signatureAlgorithm?: 'v2' } = {},
): { vpc: VpcClient; ecs: EcsClient } {
  const config = () =>
    new OpenApi.$OpenApiUtil.Config({
      accessKeyId: c.accessKeyId ?? TEST_AK.id,
      accessKeySecret: c.accessKeySecret ?? TEST_AK.secret,
      endpoint,
      protocol: 'http',
      regionId: 'cn-hangzhou',
      ...(c.signatureAlgorithm ? { signatureAlgorithm: c.signatureAlgorithm } : {}),
    });
  return {
    vpc: new (clientClass<VpcClient>($Vpc))(config()),
    ecs: new (clientClass<EcsClient>($Ecs))(config()),
  };
}

export async function startHarness(
  opts: {
    seed?: SimSeed;
    clock?: ManualClock;
    cloud?: SimulatedCloudOptions;
    signatureAlgorithm?: 'v2';
  } = {},
): Promise<Harness> {
  const cloud = new SimulatedCloud(opts.seed ?? testSeed(), {
    ...opts.cloud,
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const server = await startSimulatorServer({ cloud });
  const clients: Harness['clients'] = (c = {}) => sdkClients(server.endpoint, c);
  const main = clients(opts.signatureAlgorithm ? { signatureAlgorithm: opts.signatureAlgorithm } : {});
  return { cloud, server, ...main, clients, close: () => server.close() };
}

/** What the SDK throws for an error answer (`ClientError`, `ServerError`, `ThrottlingError`). */
export interface SdkError {
  readonly name: string;
  readonly code: string;
  readonly statusCode: number;
  readonly requestId: string;
  readonly data: Record<string, unknown>;
  readonly message: string;
}

/** Awaits a call that must fail with Alibaba `code` (and `status` when given); returns the error. */
export async function expectAliError(
  call: Promise<unknown>,
  code: string,
  status?: number,
): Promise<SdkError> {
  let caught: unknown;
  try {
    await call;
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected ${code}, but the call succeeded`).toBeDefined();
  const err = caught as SdkError;
  expect({ code: err.code, ...(status === undefined ? {} : { status: err.statusCode }) }).toEqual({
    code,
    ...(status === undefined ? {} : { status }),
  });
  return err;
}

export const REGION = 'cn-hangzhou';

/**
 * Harnesses that are closed after each test. `harness(seed?, clock?)`: {@link testSeed} (or `seed`) on
 * a fresh manual clock (or `clock`). `delayed(ms)`: every asynchronous transition takes `ms`, on a
 * manual clock that starts at 2026-11-20T08:15:00Z (events carry its time).
 */
export function harnessPerTest(): {
  harness: (seed?: SimSeed, clock?: ManualClock) => Promise<Harness>;
  delayed: (delayMs: number) => Promise<{ x: Harness; clock: ManualClock }>;
} {
  const open: Harness[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((x) => x.close()));
  });
  const start = async (opts: Parameters<typeof startHarness>[0]): Promise<Harness> => {
    const x = await startHarness(opts);
    open.push(x);
    return x;
  };
  return {
    harness: (seed = testSeed(), clock = new ManualClock()) => start({ seed, clock }),
    delayed: async (delayMs) => {
      const clock = new ManualClock(Date.UTC(2026, 10, 20, 8, 15, 0));
      return { x: await start({ clock, cloud: { transitionDelayMs: delayMs } }), clock };
    },
  };
}

type Vpc = Harness['vpc'];
type Ecs = Harness['ecs'];

export const assoc = (
  vpc: Vpc,
  haVipId: string,
  instanceId: string,
  extra: Partial<$Vpc.AssociateHaVipRequest> = {},
) => vpc.associateHaVip(new $Vpc.AssociateHaVipRequest({ regionId: REGION, haVipId, instanceId, ...extra }));
export const unassoc = (
  vpc: Vpc,
  haVipId: string,
  instanceId: string,
  extra: Partial<$Vpc.UnassociateHaVipRequest> = {},
) =>
  vpc.unassociateHaVip(new $Vpc.UnassociateHaVipRequest({ regionId: REGION, haVipId, instanceId, ...extra }));
export const assocEip = (vpc: Vpc, allocationId: string, instanceId: string, instanceType = 'EcsInstance') =>
  vpc.associateEipAddress(
    new $Vpc.AssociateEipAddressRequest({ regionId: REGION, allocationId, instanceId, instanceType }),
  );
export const unassocEip = (
  vpc: Vpc,
  allocationId: string,
  instanceId: string,
  instanceType = 'EcsInstance',
) =>
  vpc.unassociateEipAddress(
    new $Vpc.UnassociateEipAddressRequest({ regionId: REGION, allocationId, instanceId, instanceType }),
  );
/** AssociateHaVip through a harness, with the InstanceType always sent. */
export const bind = (x: Harness, haVipId: string, instanceId: string, instanceType = 'EcsInstance') =>
  assoc(x.vpc, haVipId, instanceId, { instanceType });
/** UnassociateHaVip through a harness, with Force always sent. */
export const unbind = (x: Harness, haVipId: string, instanceId: string, force = false) =>
  unassoc(x.vpc, haVipId, instanceId, { force: force ? 'True' : 'False' });

/** One refused call: the Alibaba code and HTTP status it must answer. */
export interface RuleCase {
  readonly name: string;
  readonly code: string;
  readonly status: number;
  readonly seed?: () => SimSeed;
  /** State changes that must happen before the refused call (through the SDK or the operator API). */
  readonly setup?: (h: Harness) => Promise<unknown>;
  readonly call: (vpc: Vpc, ecs: Ecs) => Promise<unknown>;
}

/**
 * One test per case: the call answers the real error code, and the world (and what is in flight) is
 * unchanged.
 */
export function refusedCalls(
  cases: readonly RuleCase[],
  harness: (seed?: SimSeed) => Promise<Harness>,
): void {
  describe('rules: refused calls answer the real error code and change nothing', () => {
    it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const x = await harness(c.seed?.() ?? testSeed());
      await c.setup?.(x);
      const before = x.cloud.snapshot();
      const pending = x.cloud.pendingTransitions();
      const err = await expectAliError(c.call(x.vpc, x.ecs), c.code, c.status);
      expect(err.data).toMatchObject({ Code: c.code, RequestId: err.requestId });
      expect(String(err.data.Message).length).toBeGreaterThan(10);
      expect(x.cloud.snapshot()).toEqual(before);
      expect(x.cloud.pendingTransitions()).toBe(pending);
    });
  });
}

/** A call to the admin endpoint `/__admin<path>` with a JSON body. */
export async function admin(
  x: Harness,
  method: string,
  path: string,
  body?: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: admin JSON is asserted structurally by each test
): Promise<{ status: number; json: any }> {
  const res = await fetch(`${x.server.url}/__admin${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: await res.json() };
}
