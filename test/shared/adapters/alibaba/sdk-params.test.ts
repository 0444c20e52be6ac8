/**
 * Contract between our hand-built wire calls and the official SDK packages, which define the API
 * models. Three checks, so that a misspelt parameter or response key fails loudly here instead of
 * silently against the real cloud:
 *  1. every query key we send resolves through the SDK request model's `names()`/`types()` (nested list
 *     keys like `Filter.1.Value.2` included) and its value fits the declared type;
 *  2. the official SDK client, given the same request, sends exactly the same action, version and query
 *     parameters as our adapter (both recorded by one local HTTP server);
 *  3. every response key our zod schemas read exists in the SDK response body model (with the lowercase
 *     `associatedInstance` / `associatedEipAddresse` quirk).
 * The SDK packages are slow to import; that cost is paid here, never at run time.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as $ecs from '@alicloud/ecs20140526';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import * as $vpc from '@alicloud/vpc20160428';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { createAlibabaCloudApi } from '../../../../shared/adapters/alibaba/index.js';
import * as schemas from '../../../../shared/adapters/alibaba/schemas.js';
import * as wire from '../../../../shared/adapters/alibaba/wire.js';
import type { CloudApi } from '../../../../shared/core/ports.js';

/** The SDK packages are CommonJS with `exports.default`; take the class whichever way it is exposed. */
function defaultClass<T>(ns: unknown): T {
  const d = (ns as { default?: unknown }).default;
  return (typeof d === 'function' ? d : (d as { default: unknown }).default) as T;
}
const VpcClient = defaultClass<typeof $vpc.default.default>($vpc);
const EcsClient = defaultClass<typeof $ecs.default.default>($ecs);

/** What the SDK's generated models expose (`$dara.Model` subclasses). */
interface ModelClass {
  names(): Record<string, string>;
  types(): Record<string, unknown>;
}
type SdkType = string | ModelClass | { type: 'array'; itemType: SdkType } | { type: 'map' };

const isArrayType = (t: unknown): t is { type: 'array'; itemType: SdkType } =>
  typeof t === 'object' && t !== null && (t as { type?: unknown }).type === 'array';
const isModel = (t: unknown): t is ModelClass =>
  typeof t === 'function' && typeof (t as Partial<ModelClass>).names === 'function';

function propFor(model: ModelClass, wireKey: string): string | undefined {
  return Object.entries(model.names()).find(([, w]) => w === wireKey)?.[0];
}

/** Resolve a flat query key (`Filter.1.Value.2`) through a request model; returns problems. */
function checkQueryKey(model: ModelClass, key: string, value: string): string[] {
  const segments = key.split('.');
  let current: SdkType = model as unknown as SdkType;
  let path = '';
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    if (isArrayType(current)) {
      if (!/^[1-9]\d*$/.test(seg)) return [`${key}: expected a 1-based list index after ${path}, got ${seg}`];
      current = current.itemType;
      path += `.${seg}`;
      continue;
    }
    if (!isModel(current)) return [`${key}: ${path} is a ${String(current)}, cannot have a .${seg}`];
    const prop = propFor(current, seg);
    if (prop === undefined)
      return [`${key}: ${seg} is not a wire name of the model at ${path || '(request)'}`];
    current = current.types()[prop] as SdkType;
    path += path ? `.${seg}` : seg;
  }
  if (isArrayType(current) || isModel(current)) return [`${key}: stops at a list or object, not a value`];
  if (current === 'boolean' && value !== 'true' && value !== 'false')
    return [`${key}: boolean expects true/false, got ${value}`];
  if (current === 'number' && !/^-?\d+$/.test(value)) return [`${key}: number expects digits, got ${value}`];
  return [];
}

const region = 'cn-hangzhou';
const requests: Array<{ model: ModelClass; req: wire.WireRequest }> = [
  {
    model: $vpc.DescribeHaVipsRequest,
    req: wire.describeHaVips({
      regionId: region,
      haVipIds: ['havip-1', 'havip-2'],
      vpcId: 'vpc-1',
      pageNumber: 2,
    }),
  },
  {
    model: $vpc.AssociateHaVipRequest,
    req: wire.associateHaVip({
      regionId: region,
      haVipId: 'havip-1',
      instanceId: 'i-1',
      instanceType: 'EcsInstance',
      clientToken: 't',
    }),
  },
  {
    model: $vpc.UnassociateHaVipRequest,
    req: wire.unassociateHaVip({
      regionId: region,
      haVipId: 'havip-1',
      instanceId: 'i-1',
      instanceType: 'EcsInstance',
      force: true,
      clientToken: 't',
    }),
  },
  {
    model: $vpc.DescribeEipAddressesRequest,
    req: wire.describeEipAddresses({ regionId: region, allocationIds: ['eip-1', 'eip-2'], pageNumber: 1 }),
  },
  {
    model: $vpc.AssociateEipAddressRequest,
    req: wire.associateEipAddress({
      regionId: region,
      allocationId: 'eip-1',
      instanceId: 'havip-1',
      instanceType: 'HaVip',
      clientToken: 't',
    }),
  },
  {
    model: $vpc.UnassociateEipAddressRequest,
    req: wire.unassociateEipAddress({
      regionId: region,
      allocationId: 'eip-1',
      instanceId: 'havip-1',
      instanceType: 'HaVip',
      clientToken: 't',
    }),
  },
  {
    model: $ecs.DescribeInstancesRequest,
    req: wire.describeInstances({ regionId: region, instanceIds: ['i-1', 'i-2'], pageNumber: 1 }),
  },
  {
    model: $ecs.DescribeNetworkInterfacesRequest,
    req: wire.describeNetworkInterfaces({
      regionId: region,
      networkInterfaceIds: ['eni-1', 'eni-2'],
      nextToken: 'n',
    }),
  },
  {
    model: $ecs.DescribeNetworkInterfacesRequest,
    req: wire.describeNetworkInterfaces({ regionId: region, networkInterfaceIds: ['eni-1'], pageNumber: 2 }),
  },
  { model: $ecs.StopInstanceRequest, req: wire.stopInstance({ instanceId: 'i-1', forceStop: false }) },
  {
    model: $ecs.RunCommandRequest,
    req: wire.runCommand({
      regionId: region,
      instanceId: 'i-1',
      commandContent: 'arping -U -c 3 10.0.1.100',
      timeoutSeconds: 30,
      clientToken: 't',
      name: 'havip-announce',
    }),
  },
  {
    model: $ecs.DescribeInvocationResultsRequest,
    req: wire.describeInvocationResults({ regionId: region, invokeId: 't-1', instanceId: 'i-1' }),
  },
];

describe('1. every query key we send is a wire name in the SDK request model', () => {
  it.each(requests.map((r) => [r.req.action, r] as const))('%s', (_name, { model, req }) => {
    const problems = Object.entries(req.query).flatMap(([k, v]) => checkQueryKey(model, k, v));
    expect(problems).toEqual([]);
    expect(Object.keys(req.query).length).toBeGreaterThan(0);
  });

  it('the checker itself rejects wrong names, wrong nesting and wrong value types', () => {
    const m = $vpc.DescribeHaVipsRequest as unknown as ModelClass;
    expect(checkQueryKey(m, 'Filters.1.Key', 'x')).toHaveLength(1);
    expect(checkQueryKey(m, 'Filter.1.Values.1', 'x')).toHaveLength(1);
    expect(checkQueryKey(m, 'Filter.Key', 'x')).toHaveLength(1);
    expect(checkQueryKey(m, 'PageSize', 'fifty')).toHaveLength(1);
    expect(
      checkQueryKey($ecs.StopInstanceRequest as unknown as ModelClass, 'ForceStop', 'True'),
    ).toHaveLength(1);
    expect(checkQueryKey($vpc.UnassociateHaVipRequest as unknown as ModelClass, 'Force', 'True')).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Same request through the official client and through ours.

interface Recorded {
  action: string;
  version: string;
  query: Record<string, string>;
}
const recorded: Recorded[] = [];
let server: http.Server;
let endpoint = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const query = Object.fromEntries(url.searchParams.entries());
      recorded.push({
        action: String(req.headers['x-acs-action']),
        version: String(req.headers['x-acs-version']),
        query,
      });
      res.setHeader('content-type', 'application/json');
      // RunCommand's answer must carry an InvokeId; every other model ignores the extra key.
      res.end(JSON.stringify({ RequestId: 'r', InvokeId: 't-r' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function sdkConfig() {
  return new $OpenApiUtil.Config({
    accessKeyId: 'AK',
    accessKeySecret: 'SK',
    endpoint,
    protocol: 'http',
    regionId: region,
  });
}

async function record(run: () => Promise<unknown>): Promise<Recorded> {
  const before = recorded.length;
  await run();
  expect(recorded.length).toBe(before + 1);
  return recorded[before]!;
}

describe('2. the official SDK client sends exactly what we send', () => {
  const cases: Array<{
    name: string;
    sdk: (vpc: InstanceType<typeof VpcClient>, ecs: InstanceType<typeof EcsClient>) => Promise<unknown>;
    ours: (api: CloudApi) => Promise<unknown>;
  }> = [
    {
      name: 'DescribeHaVips by id',
      sdk: (vpc) =>
        vpc.describeHaVips(
          new $vpc.DescribeHaVipsRequest({
            regionId: region,
            pageNumber: 1,
            pageSize: 50,
            filter: [new $vpc.DescribeHaVipsRequestFilter({ key: 'HaVipId', value: ['havip-1', 'havip-2'] })],
          }),
        ),
      ours: (api) => api.describeHaVips({ regionId: region, haVipIds: ['havip-1', 'havip-2'] }),
    },
    {
      name: 'DescribeHaVips by VPC',
      sdk: (vpc) =>
        vpc.describeHaVips(
          new $vpc.DescribeHaVipsRequest({
            regionId: region,
            pageNumber: 1,
            pageSize: 50,
            filter: [new $vpc.DescribeHaVipsRequestFilter({ key: 'VpcId', value: ['vpc-1'] })],
          }),
        ),
      ours: (api) => api.listHaVips({ regionId: region, vpcId: 'vpc-1' }),
    },
    {
      name: 'AssociateHaVip',
      sdk: (vpc) =>
        vpc.associateHaVip(
          new $vpc.AssociateHaVipRequest({
            regionId: region,
            haVipId: 'havip-1',
            instanceId: 'eni-1',
            instanceType: 'NetworkInterface',
            clientToken: 'tok',
          }),
        ),
      ours: (api) =>
        api.associateHaVip({
          regionId: region,
          haVipId: 'havip-1',
          instanceId: 'eni-1',
          instanceType: 'NetworkInterface',
          clientToken: 'tok',
        }),
    },
    {
      name: 'UnassociateHaVip',
      sdk: (vpc) =>
        vpc.unassociateHaVip(
          new $vpc.UnassociateHaVipRequest({
            regionId: region,
            haVipId: 'havip-1',
            instanceId: 'i-1',
            instanceType: 'EcsInstance',
            force: 'True',
            clientToken: 'tok',
          }),
        ),
      ours: (api) =>
        api.unassociateHaVip({
          regionId: region,
          haVipId: 'havip-1',
          instanceId: 'i-1',
          instanceType: 'EcsInstance',
          force: true,
          clientToken: 'tok',
        }),
    },
    {
      name: 'DescribeEipAddresses',
      sdk: (vpc) =>
        vpc.describeEipAddresses(
          new $vpc.DescribeEipAddressesRequest({
            regionId: region,
            allocationId: 'eip-1,eip-2',
            pageNumber: 1,
            pageSize: 100,
          }),
        ),
      ours: (api) => api.describeEipAddresses({ regionId: region, allocationIds: ['eip-1', 'eip-2'] }),
    },
    {
      name: 'AssociateEipAddress',
      sdk: (vpc) =>
        vpc.associateEipAddress(
          new $vpc.AssociateEipAddressRequest({
            regionId: region,
            allocationId: 'eip-1',
            instanceId: 'havip-1',
            instanceType: 'HaVip',
            clientToken: 'tok',
          }),
        ),
      ours: (api) =>
        api.associateEipAddress({
          regionId: region,
          allocationId: 'eip-1',
          instanceId: 'havip-1',
          instanceType: 'HaVip',
          clientToken: 'tok',
        }),
    },
    {
      name: 'UnassociateEipAddress',
      sdk: (vpc) =>
        vpc.unassociateEipAddress(
          new $vpc.UnassociateEipAddressRequest({
            regionId: region,
            allocationId: 'eip-1',
            instanceId: 'i-1',
            instanceType: 'EcsInstance',
            clientToken: 'tok',
          }),
        ),
      ours: (api) =>
        api.unassociateEipAddress({
          regionId: region,
          allocationId: 'eip-1',
          instanceId: 'i-1',
          instanceType: 'EcsInstance',
          clientToken: 'tok',
        }),
    },
    {
      name: 'DescribeInstances',
      sdk: (_vpc, ecs) =>
        ecs.describeInstances(
          new $ecs.DescribeInstancesRequest({
            regionId: region,
            instanceIds: JSON.stringify(['i-1', 'i-2']),
            pageNumber: 1,
            pageSize: 100,
          }),
        ),
      ours: (api) => api.describeInstances({ regionId: region, instanceIds: ['i-1', 'i-2'] }),
    },
    {
      name: 'DescribeNetworkInterfaces',
      sdk: (_vpc, ecs) =>
        ecs.describeNetworkInterfaces(
          new $ecs.DescribeNetworkInterfacesRequest({
            regionId: region,
            networkInterfaceId: ['eni-1', 'eni-2'],
            maxResults: 100,
          }),
        ),
      ours: (api) =>
        api.describeNetworkInterfaces({ regionId: region, networkInterfaceIds: ['eni-1', 'eni-2'] }),
    },
    {
      name: 'StopInstance',
      sdk: (_vpc, ecs) =>
        ecs.stopInstance(new $ecs.StopInstanceRequest({ instanceId: 'i-1', forceStop: true })),
      ours: (api) => api.stopInstance({ regionId: region, instanceId: 'i-1', forceStop: true }),
    },
    {
      name: 'RunCommand',
      sdk: (_vpc, ecs) =>
        ecs.runCommand(
          new $ecs.RunCommandRequest({
            regionId: region,
            type: 'RunShellScript',
            commandContent: Buffer.from('echo "hi"\narping -U 10.0.1.100', 'utf8').toString('base64'),
            contentEncoding: 'Base64',
            instanceId: ['i-1'],
            timeout: 30,
            clientToken: 'tok',
            name: 'havip-announce',
          }),
        ),
      ours: (api) =>
        api.runCommand({
          regionId: region,
          instanceId: 'i-1',
          commandContent: 'echo "hi"\narping -U 10.0.1.100',
          timeoutSeconds: 30,
          clientToken: 'tok',
          name: 'havip-announce',
        }),
    },
    {
      name: 'DescribeInvocationResults',
      sdk: (_vpc, ecs) =>
        ecs.describeInvocationResults(
          new $ecs.DescribeInvocationResultsRequest({
            regionId: region,
            invokeId: 't-1',
            instanceId: 'i-1',
            contentEncoding: 'Base64',
          }),
        ),
      ours: (api) => api.describeInvocationResult({ regionId: region, invokeId: 't-1', instanceId: 'i-1' }),
    },
  ];

  it.each(cases)('$name', async (c) => {
    const vpc = new VpcClient(sdkConfig());
    const ecs = new EcsClient(sdkConfig());
    const api = createAlibabaCloudApi({
      credentials: { accessKeyId: 'AK', accessKeySecret: 'SK' },
      endpoints: { override: endpoint },
      protocol: 'http',
    });
    const theirs = await record(() => c.sdk(vpc, ecs));
    const ours = await record(() => c.ours(api));
    expect(ours.action).toBe(theirs.action);
    expect(ours.version).toBe(theirs.version);
    expect(ours.query).toEqual(theirs.query);
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Response keys.

type ZodDef = {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
};
const defOf = (s: z.ZodType): ZodDef => (s as unknown as { _zod: { def: ZodDef } })._zod.def;

/** Strip optional/nullable/default wrappers and preprocess/transform pipes down to the data shape. */
function unwrap(s: z.ZodType): z.ZodType {
  let cur = s;
  for (;;) {
    const d = defOf(cur);
    if ((d.type === 'optional' || d.type === 'nullable' || d.type === 'default') && d.innerType)
      cur = d.innerType;
    else if (d.type === 'pipe' && d.in && d.out) cur = defOf(d.in).type === 'transform' ? d.out : d.in;
    else return cur;
  }
}

/** Walk a zod schema beside an SDK model; returns the keys we read that the model does not know. */
function checkResponse(schema: z.ZodType, sdk: SdkType, path: string): string[] {
  const s = unwrap(schema);
  const d = defOf(s);
  if (d.type === 'object') {
    if (!isModel(sdk)) return [`${path}: we read an object, the SDK has ${String(sdk)}`];
    return Object.entries(d.shape ?? {}).flatMap(([key, child]) => {
      const prop = propFor(sdk, key);
      if (prop === undefined) return [`${path}.${key}: not a wire key of the SDK model`];
      return checkResponse(child, sdk.types()[prop] as SdkType, `${path}.${key}`);
    });
  }
  if (d.type === 'array') {
    if (!isArrayType(sdk)) return [`${path}: we read a list, the SDK has ${JSON.stringify(sdk)}`];
    return checkResponse(d.element!, sdk.itemType, `${path}[]`);
  }
  if (isModel(sdk) || isArrayType(sdk)) return [`${path}: we read a value, the SDK has a structure`];
  return [];
}

describe('3. every response key we read exists in the SDK response body model', () => {
  const bodies: Array<[string, z.ZodType, unknown]> = [
    ['DescribeHaVips', schemas.DescribeHaVipsBody, $vpc.DescribeHaVipsResponseBody],
    ['DescribeEipAddresses', schemas.DescribeEipAddressesBody, $vpc.DescribeEipAddressesResponseBody],
    ['DescribeInstances', schemas.DescribeInstancesBody, $ecs.DescribeInstancesResponseBody],
    [
      'DescribeNetworkInterfaces',
      schemas.DescribeNetworkInterfacesBody,
      $ecs.DescribeNetworkInterfacesResponseBody,
    ],
    ['AssociateHaVip', schemas.MutationBody, $vpc.AssociateHaVipResponseBody],
    ['UnassociateHaVip', schemas.MutationBody, $vpc.UnassociateHaVipResponseBody],
    ['AssociateEipAddress', schemas.MutationBody, $vpc.AssociateEipAddressResponseBody],
    ['UnassociateEipAddress', schemas.MutationBody, $vpc.UnassociateEipAddressResponseBody],
    ['StopInstance', schemas.MutationBody, $ecs.StopInstanceResponseBody],
    ['RunCommand', schemas.RunCommandBody, $ecs.RunCommandResponseBody],
    [
      'DescribeInvocationResults',
      schemas.DescribeInvocationResultsBody,
      $ecs.DescribeInvocationResultsResponseBody,
    ],
  ];
  it.each(bodies)('%s', (_name, schema, model) => {
    expect(checkResponse(schema, model as SdkType, 'body')).toEqual([]);
  });

  it('pins the lowercase quirk: the capitalised spelling would fail this check', () => {
    const haVip = ($vpc.DescribeHaVipsResponseBodyHaVipsHaVip as unknown as ModelClass).types();
    const inner =
      haVip[
        propFor($vpc.DescribeHaVipsResponseBodyHaVipsHaVip as unknown as ModelClass, 'AssociatedInstances')!
      ];
    expect(Object.values((inner as ModelClass).names())).toEqual(['associatedInstance']);
    const eips =
      haVip[
        propFor(
          $vpc.DescribeHaVipsResponseBodyHaVipsHaVip as unknown as ModelClass,
          'AssociatedEipAddresses',
        )!
      ];
    expect(Object.values((eips as ModelClass).names())).toEqual(['associatedEipAddresse']);
  });
});
