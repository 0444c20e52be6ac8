/**
 * The Alibaba adapter against a tiny canned-JSON HTTP server on 127.0.0.1: what goes on the wire,
 * how answers are parsed, paging/chunking, error mapping and credentials handling.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AlibabaCloudApiOptions,
  createAlibabaCloudApi,
  defaultEndpoint,
} from '../../../../shared/adapters/alibaba/index.js';
import { CloudError, CloudResponseLostError, InvalidInputError } from '../../../../shared/core/errors.js';
import type { CloudApi, LogFields, Logger } from '../../../../shared/core/ports.js';

const AK = 'AKIDexample0001';
const SECRET = 'SECRETexample-do-not-leak';
const TOKEN = 'STSTOKENexample-do-not-leak';

interface Seen {
  readonly action: string;
  readonly url: URL;
  readonly headers: http.IncomingHttpHeaders;
}
type Reply = { status?: number; body: unknown; raw?: boolean } | 'drop' | 'hang';

interface Canned {
  endpoint: string;
  requests: Seen[];
  close(): Promise<void>;
}

const servers: Canned[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function canned(handler: (req: Seen, n: number) => Reply): Promise<Canned> {
  const requests: Seen[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const action = String(req.headers['x-acs-action'] ?? url.searchParams.get('Action') ?? '');
      const seen = { action, url, headers: req.headers };
      requests.push(seen);
      const reply = handler(seen, requests.length);
      if (reply === 'drop') {
        req.socket.destroy();
        return;
      }
      if (reply === 'hang') return;
      res.statusCode = reply.status ?? 200;
      res.setHeader('content-type', reply.raw ? 'text/html' : 'application/json;charset=utf-8');
      res.end(reply.raw ? String(reply.body) : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const c: Canned = {
    endpoint: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(c);
  return c;
}

function api(srv: Canned, extra: Partial<AlibabaCloudApiOptions> = {}): CloudApi {
  return createAlibabaCloudApi({
    credentials: { accessKeyId: AK, accessKeySecret: SECRET },
    endpoints: { override: srv.endpoint },
    protocol: 'http',
    ...extra,
  });
}

/** The query parameters an operation sent, minus the signing machinery. */
function params(s: Seen): Record<string, string> {
  const skip = new Set([
    'Action',
    'Version',
    'Format',
    'Timestamp',
    'SignatureNonce',
    'SignatureMethod',
    'SignatureVersion',
    'Signature',
    'AccessKeyId',
    'SecurityToken',
  ]);
  return Object.fromEntries([...s.url.searchParams.entries()].filter(([k]) => !skip.has(k)));
}

// `InvokeId` is read by RunCommand only; every other operation ignores it.
const ok = { body: { RequestId: 'req-ok', InvokeId: 't-ok' } };
/** Quotes, a newline, `$` and non-ASCII: what Base64 transport must carry unharmed. */
const SCRIPT = `ip addr add 10.0.1.100/32 dev eth0 || true\narping -U -c 3 -I eth0 "10.0.1.100" # vip ü $HOME`;
const region = 'cn-hangzhou';

describe('wire format of every operation', () => {
  const ops: Array<{
    name: string;
    version: string;
    call: (a: CloudApi) => Promise<unknown>;
    query: Record<string, string>;
  }> = [
    {
      name: 'DescribeHaVips',
      version: '2016-04-28',
      call: (a) => a.describeHaVips({ regionId: region, haVipIds: ['havip-1', 'havip-2'] }),
      query: {
        RegionId: region,
        PageNumber: '1',
        PageSize: '50',
        'Filter.1.Key': 'HaVipId',
        'Filter.1.Value.1': 'havip-1',
        'Filter.1.Value.2': 'havip-2',
      },
    },
    {
      name: 'DescribeHaVips',
      version: '2016-04-28',
      call: (a) => a.listHaVips({ regionId: region, vpcId: 'vpc-1' }),
      query: {
        RegionId: region,
        PageNumber: '1',
        PageSize: '50',
        'Filter.1.Key': 'VpcId',
        'Filter.1.Value.1': 'vpc-1',
      },
    },
    {
      name: 'DescribeInstances',
      version: '2014-05-26',
      call: (a) => a.describeInstances({ regionId: region, instanceIds: ['i-1', 'i-2'] }),
      query: { RegionId: region, InstanceIds: '["i-1","i-2"]', PageNumber: '1', PageSize: '100' },
    },
    {
      name: 'DescribeNetworkInterfaces',
      version: '2014-05-26',
      call: (a) => a.describeNetworkInterfaces({ regionId: region, networkInterfaceIds: ['eni-1', 'eni-2'] }),
      query: {
        RegionId: region,
        MaxResults: '100',
        'NetworkInterfaceId.1': 'eni-1',
        'NetworkInterfaceId.2': 'eni-2',
      },
    },
    {
      name: 'AssociateHaVip',
      version: '2016-04-28',
      call: (a) =>
        a.associateHaVip({
          regionId: region,
          haVipId: 'havip-1',
          instanceId: 'i-1',
          instanceType: 'EcsInstance',
          clientToken: 'tok-1',
        }),
      query: {
        RegionId: region,
        HaVipId: 'havip-1',
        InstanceId: 'i-1',
        InstanceType: 'EcsInstance',
        ClientToken: 'tok-1',
      },
    },
    {
      name: 'UnassociateHaVip',
      version: '2016-04-28',
      call: (a) =>
        a.unassociateHaVip({
          regionId: region,
          haVipId: 'havip-1',
          instanceId: 'eni-1',
          instanceType: 'NetworkInterface',
          force: true,
          clientToken: 'tok-2',
        }),
      query: {
        RegionId: region,
        HaVipId: 'havip-1',
        InstanceId: 'eni-1',
        InstanceType: 'NetworkInterface',
        Force: 'True',
        ClientToken: 'tok-2',
      },
    },
    {
      name: 'UnassociateHaVip',
      version: '2016-04-28',
      call: (a) =>
        a.unassociateHaVip({
          regionId: region,
          haVipId: 'havip-1',
          instanceId: 'i-1',
          instanceType: 'EcsInstance',
          force: false,
          clientToken: 'tok-3',
        }),
      query: {
        RegionId: region,
        HaVipId: 'havip-1',
        InstanceId: 'i-1',
        InstanceType: 'EcsInstance',
        Force: 'False',
        ClientToken: 'tok-3',
      },
    },
    {
      name: 'DescribeEipAddresses',
      version: '2016-04-28',
      call: (a) => a.describeEipAddresses({ regionId: region, allocationIds: ['eip-1', 'eip-2'] }),
      query: { RegionId: region, AllocationId: 'eip-1,eip-2', PageNumber: '1', PageSize: '100' },
    },
    {
      name: 'AssociateEipAddress',
      version: '2016-04-28',
      call: (a) =>
        a.associateEipAddress({
          regionId: region,
          allocationId: 'eip-1',
          instanceId: 'havip-1',
          instanceType: 'HaVip',
          clientToken: 'tok-4',
        }),
      query: {
        RegionId: region,
        AllocationId: 'eip-1',
        InstanceId: 'havip-1',
        InstanceType: 'HaVip',
        ClientToken: 'tok-4',
      },
    },
    {
      name: 'UnassociateEipAddress',
      version: '2016-04-28',
      call: (a) =>
        a.unassociateEipAddress({
          regionId: region,
          allocationId: 'eip-1',
          instanceId: 'i-1',
          instanceType: 'EcsInstance',
          clientToken: 'tok-5',
        }),
      query: {
        RegionId: region,
        AllocationId: 'eip-1',
        InstanceId: 'i-1',
        InstanceType: 'EcsInstance',
        ClientToken: 'tok-5',
      },
    },
    {
      name: 'StopInstance',
      version: '2014-05-26',
      call: (a) => a.stopInstance({ regionId: region, instanceId: 'i-1', forceStop: true }),
      query: { InstanceId: 'i-1', ForceStop: 'true' },
    },
    {
      name: 'RunCommand',
      version: '2014-05-26',
      call: (a) =>
        a.runCommand({
          regionId: region,
          instanceId: 'i-1',
          commandContent: SCRIPT,
          timeoutSeconds: 30,
          clientToken: 'tok-6',
          name: 'havip-announce',
        }),
      query: {
        RegionId: region,
        Type: 'RunShellScript',
        CommandContent: Buffer.from(SCRIPT, 'utf8').toString('base64'),
        ContentEncoding: 'Base64',
        'InstanceId.1': 'i-1',
        Timeout: '30',
        ClientToken: 'tok-6',
        Name: 'havip-announce',
      },
    },
    {
      name: 'DescribeInvocationResults',
      version: '2014-05-26',
      call: (a) => a.describeInvocationResult({ regionId: region, invokeId: 't-1', instanceId: 'i-1' }),
      query: { RegionId: region, InvokeId: 't-1', InstanceId: 'i-1', ContentEncoding: 'Base64' },
    },
  ];

  it.each(ops)('$name (ACS3 signature) sends $query', async (op) => {
    const srv = await canned(() => ok);
    await op.call(api(srv));
    expect(srv.requests).toHaveLength(1);
    const [req] = srv.requests;
    expect(req?.action).toBe(op.name);
    expect(req?.headers['x-acs-version']).toBe(op.version);
    expect(req?.url.pathname).toBe('/');
    expect(params(req!)).toEqual(op.query);
    expect(String(req?.headers.authorization)).toMatch(
      new RegExp(`^ACS3-HMAC-SHA256 Credential=${AK},SignedHeaders=`),
    );
    expect(JSON.stringify([req?.url.href, req?.headers])).not.toContain(SECRET);
  });

  it.each(ops)('$name (v2 signature) sends the same parameters plus Action/Version/Signature', async (op) => {
    const srv = await canned(() => ok);
    await op.call(api(srv, { signatureAlgorithm: 'v2' }));
    const [req] = srv.requests;
    const q = req!.url.searchParams;
    expect(q.get('Action')).toBe(op.name);
    expect(q.get('Version')).toBe(op.version);
    expect(q.get('Format')).toBe('json');
    expect(q.get('SignatureMethod')).toBe('HMAC-SHA1');
    expect(q.get('AccessKeyId')).toBe(AK);
    expect(q.get('Signature')).toBeTruthy();
    expect(req?.headers.authorization).toBeUndefined();
    expect(params(req!)).toEqual(op.query);
    expect(req!.url.href).not.toContain(SECRET);
  });

  it('sends an STS token in x-acs-security-token (v3) or SecurityToken (v2)', async () => {
    const srv = await canned(() => ok);
    const creds = { accessKeyId: AK, accessKeySecret: SECRET, securityToken: TOKEN };
    await api(srv, { credentials: creds }).stopInstance({
      regionId: region,
      instanceId: 'i-1',
      forceStop: false,
    });
    await api(srv, { credentials: creds, signatureAlgorithm: 'v2' }).stopInstance({
      regionId: region,
      instanceId: 'i-1',
      forceStop: false,
    });
    expect(srv.requests[0]?.headers['x-acs-security-token']).toBe(TOKEN);
    expect(srv.requests[1]?.url.searchParams.get('SecurityToken')).toBe(TOKEN);
  });

  it('returns the RequestId of a mutation, and undefined when the body has none', async () => {
    const srv = await canned((_r, n) => (n === 1 ? ok : { body: {} }));
    const a = api(srv);
    expect(await a.stopInstance({ regionId: region, instanceId: 'i-1', forceStop: false })).toEqual({
      requestId: 'req-ok',
    });
    expect(await a.stopInstance({ regionId: region, instanceId: 'i-1', forceStop: false })).toEqual({
      requestId: undefined,
    });
  });
});

function haVip(id: string, extra: Record<string, unknown> = {}) {
  return {
    HaVipId: id,
    IpAddress: '192.168.0.100',
    Status: 'Available',
    VpcId: 'vpc-1',
    VSwitchId: 'vsw-1',
    MasterInstanceId: '',
    AssociatedInstanceType: '',
    AssociatedInstances: { associatedInstance: [] },
    AssociatedEipAddresses: { associatedEipAddresse: [] },
    ...extra,
  };
}

describe('DescribeHaVips parsing and paging', () => {
  it('reads the lowercase inner list keys, master and instance type', async () => {
    const srv = await canned(() => ({
      body: {
        RequestId: 'r',
        TotalCount: 1,
        HaVips: {
          HaVip: [
            haVip('havip-1', {
              Status: 'InUse',
              MasterInstanceId: 'i-1',
              AssociatedInstanceType: 'EcsInstance',
              AssociatedInstances: { associatedInstance: ['i-1', 'i-2'] },
              AssociatedEipAddresses: { associatedEipAddresse: ['47.0.0.1'] },
            }),
          ],
        },
      },
    }));
    expect(await api(srv).describeHaVips({ regionId: region, haVipIds: ['havip-1'] })).toEqual([
      {
        haVipId: 'havip-1',
        regionId: region,
        ipAddress: '192.168.0.100',
        status: 'InUse',
        vpcId: 'vpc-1',
        vSwitchId: 'vsw-1',
        masterInstanceId: 'i-1',
        associatedInstanceType: 'EcsInstance',
        associatedInstances: ['i-1', 'i-2'],
        associatedEipAddresses: ['47.0.0.1'],
      },
    ]);
  });

  it('tolerates a single object where a list is expected, empty strings and missing nested lists', async () => {
    const srv = await canned(() => ({
      body: {
        TotalCount: '1',
        HaVips: {
          HaVip: haVip('havip-1', {
            AssociatedInstances: { associatedInstance: 'i-9' },
            AssociatedEipAddresses: null,
          }),
        },
      },
    }));
    const [h] = await api(srv).describeHaVips({ regionId: region, haVipIds: ['havip-1'] });
    expect(h?.associatedInstances).toEqual(['i-9']);
    expect(h?.associatedEipAddresses).toEqual([]);
    expect(h?.masterInstanceId).toBeUndefined();
    expect(h?.associatedInstanceType).toBeUndefined();
  });

  it('an empty answer is an empty list; a missing HaVipId is an error naming the field', async () => {
    const srv = await canned((_r, n) =>
      n === 1
        ? { body: { TotalCount: 0, HaVips: { HaVip: [] } } }
        : { body: { HaVips: { HaVip: [{ Status: 'x' }] } } },
    );
    const a = api(srv);
    expect(await a.describeHaVips({ regionId: region, haVipIds: ['havip-1'] })).toEqual([]);
    const err = await a.describeHaVips({ regionId: region, haVipIds: ['havip-1'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudError);
    expect((err as CloudError).alibabaCode).toBe('InvalidResponse');
    expect((err as CloudError).message).toContain('HaVips.HaVip[0].HaVipId');
  });

  /** A region of `n` HaVips that honours the HaVipId filter and paging, like the service. */
  const regionOf = (n: number, opts: { ignoreFilter?: boolean } = {}) => {
    const all = Array.from({ length: n }, (_, i) => haVip(`havip-${i}`));
    return (req: Seen): Reply => {
      const q = req.url.searchParams;
      const values = [...q.entries()].filter(([k]) => k.startsWith('Filter.1.Value.')).map(([, v]) => v);
      const matching =
        values.length > 0 && !opts.ignoreFilter ? all.filter((h) => values.includes(h.HaVipId)) : all;
      const page = Number(q.get('PageNumber'));
      const size = Number(q.get('PageSize'));
      return {
        body: {
          TotalCount: matching.length,
          HaVips: { HaVip: matching.slice((page - 1) * size, page * size) },
        },
      };
    };
  };
  const filterCounts = (srv: Canned) =>
    srv.requests.map(
      (r) => [...r.url.searchParams.keys()].filter((k) => k.startsWith('Filter.1.Value.')).length,
    );
  const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => `havip-${from + i}`);

  it('asks for up to 5 ids with one filtered call and drops HaVips it did not ask for', async () => {
    const srv = await canned(regionOf(30, { ignoreFilter: true }));
    const got = await api(srv).describeHaVips({
      regionId: 'cn-hangzhou',
      haVipIds: [...ids(3, 5), 'havip-3'],
    });
    expect(filterCounts(srv)).toEqual([5]);
    expect(got.map((h) => h.haVipId).sort()).toEqual(ids(3, 5).sort());
  });

  it('for many ids in a small region, one unfiltered page answers everything', async () => {
    const srv = await canned(regionOf(30));
    const got = await api(srv).describeHaVips({
      regionId: 'cn-hangzhou',
      haVipIds: [...ids(0, 12), 'havip-missing'],
    });
    expect(filterCounts(srv)).toEqual([0]);
    expect(got.map((h) => h.haVipId).sort()).toEqual(ids(0, 12).sort());
  });

  it('for many ids in a large region, continues with filtered calls of ≤ 5 ids when that is cheaper', async () => {
    const srv = await canned(regionOf(300));
    const got = await api(srv).describeHaVips({ regionId: 'cn-hangzhou', haVipIds: ids(200, 12) });
    // One region page (which tells TotalCount = 300, i.e. 5 more pages), then 3 filtered calls instead.
    expect(filterCounts(srv)).toEqual([0, 5, 5, 2]);
    expect(got.map((h) => h.haVipId).sort()).toEqual(ids(200, 12).sort());
  });

  it('for many ids in a mid-size region, keeps listing when that is cheaper', async () => {
    const srv = await canned(regionOf(120));
    const got = await api(srv).describeHaVips({ regionId: 'cn-hangzhou', haVipIds: ids(60, 12) });
    expect(filterCounts(srv)).toEqual([0, 0, 0]);
    expect(srv.requests.map((r) => r.url.searchParams.get('PageNumber'))).toEqual(['1', '2', '3']);
    expect(got.map((h) => h.haVipId).sort()).toEqual(ids(60, 12).sort());
  });

  it('does not call at all for an empty id list', async () => {
    const srv = await canned(() => ok);
    expect(await api(srv).describeHaVips({ regionId: region, haVipIds: [] })).toEqual([]);
    expect(srv.requests).toHaveLength(0);
  });

  it('listHaVips pages through 120 HaVips 50 at a time', async () => {
    const all = Array.from({ length: 120 }, (_, i) => haVip(`havip-${String(i).padStart(3, '0')}`));
    const srv = await canned((req) => {
      const page = Number(req.url.searchParams.get('PageNumber'));
      const size = Number(req.url.searchParams.get('PageSize'));
      return {
        body: {
          TotalCount: all.length,
          PageNumber: page,
          PageSize: size,
          HaVips: { HaVip: all.slice((page - 1) * size, page * size) },
        },
      };
    });
    const got = await api(srv).listHaVips({ regionId: region });
    expect(got).toHaveLength(120);
    expect(new Set(got.map((h) => h.haVipId)).size).toBe(120);
    expect(srv.requests.map((r) => r.url.searchParams.get('PageNumber'))).toEqual(['1', '2', '3']);
    expect(srv.requests[0]?.url.searchParams.get('Filter.1.Key')).toBeNull();
  });

  it('stops paging when a page is empty even if TotalCount says more', async () => {
    const srv = await canned((req) =>
      req.url.searchParams.get('PageNumber') === '1'
        ? {
            body: {
              TotalCount: 500,
              HaVips: { HaVip: Array.from({ length: 50 }, (_, i) => haVip(`havip-${i}`)) },
            },
          }
        : { body: { TotalCount: 500, HaVips: { HaVip: [] } } },
    );
    expect(await api(srv).listHaVips({ regionId: region })).toHaveLength(50);
    expect(srv.requests).toHaveLength(2);
  });
});

describe('DescribeInstances, DescribeNetworkInterfaces, DescribeEipAddresses', () => {
  it('chunks 150 instance ids into JSON arrays of 100 and 50 and parses VPC attributes and locks', async () => {
    const srv = await canned((req) => {
      const ids = JSON.parse(req.url.searchParams.get('InstanceIds') ?? '[]') as string[];
      return {
        body: {
          TotalCount: ids.length,
          Instances: {
            Instance: ids.map((id, i) => ({
              InstanceId: id,
              Status: i === 0 ? 'Stopped' : 'Running',
              VpcAttributes: {
                VpcId: 'vpc-1',
                VSwitchId: 'vsw-1',
                PrivateIpAddress: { IpAddress: [`10.0.0.${i % 250}`] },
              },
              OperationLocks: { LockReason: i === 0 ? { LockReason: 'financial' } : [] },
            })),
          },
        },
      };
    });
    const ids = Array.from({ length: 150 }, (_, i) => `i-${i}`);
    const got = await api(srv).describeInstances({ regionId: region, instanceIds: ids });
    expect(
      srv.requests.map((r) => (JSON.parse(r.url.searchParams.get('InstanceIds')!) as string[]).length),
    ).toEqual([100, 50]);
    expect(got).toHaveLength(150);
    expect(got.find((i) => i.instanceId === 'i-0')).toEqual({
      instanceId: 'i-0',
      regionId: region,
      status: 'Stopped',
      vpcId: 'vpc-1',
      vSwitchId: 'vsw-1',
      privateIpAddresses: ['10.0.0.0'],
      operationLocks: ['financial'],
    });
    expect(got.find((i) => i.instanceId === 'i-101')?.operationLocks).toEqual([]);
  });

  it('leaves missing instances out', async () => {
    const srv = await canned(() => ({ body: { TotalCount: 0, Instances: { Instance: [] } } }));
    expect(await api(srv).describeInstances({ regionId: region, instanceIds: ['i-gone'] })).toEqual([]);
  });

  it('follows NextToken for network interfaces and reads a detached ENI as having no instance', async () => {
    const eni = (id: string, instanceId: string) => ({
      NetworkInterfaceId: id,
      Status: instanceId ? 'InUse' : 'Available',
      InstanceId: instanceId,
      VpcId: 'vpc-1',
      VSwitchId: 'vsw-1',
      PrivateIpAddress: '10.0.0.9',
    });
    const srv = await canned((req) =>
      req.url.searchParams.get('NextToken') === 'page2'
        ? { body: { NetworkInterfaceSets: { NetworkInterfaceSet: [eni('eni-2', '')] } } }
        : {
            body: {
              NextToken: 'page2',
              NetworkInterfaceSets: { NetworkInterfaceSet: [eni('eni-1', 'i-1')] },
            },
          },
    );
    const got = await api(srv).describeNetworkInterfaces({
      regionId: region,
      networkInterfaceIds: ['eni-1', 'eni-2'],
    });
    expect(srv.requests).toHaveLength(2);
    expect(got).toEqual([
      {
        networkInterfaceId: 'eni-1',
        regionId: region,
        status: 'InUse',
        instanceId: 'i-1',
        vpcId: 'vpc-1',
        vSwitchId: 'vsw-1',
        privateIpAddress: '10.0.0.9',
      },
      {
        networkInterfaceId: 'eni-2',
        regionId: region,
        status: 'Available',
        instanceId: undefined,
        vpcId: 'vpc-1',
        vSwitchId: 'vsw-1',
        privateIpAddress: '10.0.0.9',
      },
    ]);
  });

  it('falls back to page numbers when a server pages by number without NextToken', async () => {
    const all = Array.from({ length: 25 }, (_, i) => ({
      NetworkInterfaceId: `eni-${i}`,
      Status: 'InUse',
      InstanceId: `i-${i}`,
      VpcId: 'vpc-1',
      VSwitchId: 'vsw-1',
      PrivateIpAddress: `10.0.0.${i + 1}`,
    }));
    // Ignores MaxResults and pages 10 at a time, like an older API revision.
    const srv = await canned((req) => {
      const page = Number(req.url.searchParams.get('PageNumber') ?? '1');
      return {
        body: {
          TotalCount: all.length,
          NextToken: '',
          NetworkInterfaceSets: { NetworkInterfaceSet: all.slice((page - 1) * 10, page * 10) },
        },
      };
    });
    const got = await api(srv).describeNetworkInterfaces({
      regionId: region,
      networkInterfaceIds: all.map((e) => e.NetworkInterfaceId),
    });
    expect(got).toHaveLength(25);
    expect(srv.requests.map((r) => r.url.searchParams.get('PageNumber'))).toEqual([null, '2', '3']);
  });

  it('stops following a NextToken that repeats', async () => {
    const srv = await canned(() => ({
      body: { NextToken: 'same', NetworkInterfaceSets: { NetworkInterfaceSet: [] } },
    }));
    expect(
      await api(srv).describeNetworkInterfaces({ regionId: region, networkInterfaceIds: ['eni-1'] }),
    ).toEqual([]);
    expect(srv.requests).toHaveLength(2);
  });

  it('asks for EIPs 50 ids at a time and reads an unbound EIP as having no instance', async () => {
    const srv = await canned((req) => {
      const ids = (req.url.searchParams.get('AllocationId') ?? '').split(',');
      return {
        body: {
          TotalCount: ids.length,
          EipAddresses: {
            EipAddress: ids.map((id) => ({
              AllocationId: id,
              IpAddress: '47.0.0.1',
              Status: id === 'eip-0' ? 'InUse' : 'Available',
              InstanceId: id === 'eip-0' ? 'havip-1' : '',
              InstanceType: id === 'eip-0' ? 'HaVip' : '',
            })),
          },
        },
      };
    });
    const ids = Array.from({ length: 60 }, (_, i) => `eip-${i}`);
    const got = await api(srv).describeEipAddresses({ regionId: region, allocationIds: ids });
    expect(srv.requests.map((r) => r.url.searchParams.get('AllocationId')?.split(',').length)).toEqual([
      50, 10,
    ]);
    expect(got).toHaveLength(60);
    expect(got.find((e) => e.allocationId === 'eip-0')).toMatchObject({
      instanceId: 'havip-1',
      instanceType: 'HaVip',
    });
    expect(got.find((e) => e.allocationId === 'eip-1')).toMatchObject({
      instanceId: undefined,
      instanceType: undefined,
    });
  });
});

describe('errors over HTTP, without retries', () => {
  const mutate = (a: CloudApi) =>
    a.associateHaVip({
      regionId: region,
      haVipId: 'havip-1',
      instanceId: 'i-1',
      instanceType: 'EcsInstance',
      clientToken: 't',
    });
  const describe1 = (a: CloudApi) => a.describeHaVips({ regionId: region, haVipIds: ['havip-1'] });

  const table: Array<[status: number, code: string, expected: string, retryable: boolean]> = [
    [400, 'Throttling.User', 'cloud.throttled', true],
    [503, 'ServiceUnavailable', 'cloud.unavailable', true],
    [500, 'InternalError', 'cloud.unavailable', true],
    [400, 'IncorrectHaVipStatus', 'cloud.conflict', true],
    [404, 'InvalidHaVipId.NotFound', 'cloud.not-found', false],
    [400, 'Forbidden.UnassociateMaster', 'cloud.forbidden', false],
    [400, 'CountLimitExceeded.HaVipOnECSInstance', 'cloud.quota', false],
    [400, 'InvalidParameter', 'cloud.invalid-request', false],
  ];
  it.each(table)(
    'HTTP %i %s → %s (retryable %s) after exactly one request',
    async (status, code, expected, retryable) => {
      const srv = await canned(() => ({
        status,
        body: { Code: code, Message: `msg for ${code}`, RequestId: 'req-err' },
      }));
      const err = await mutate(api(srv)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CloudError);
      const c = err as CloudError;
      expect([c.code, c.retryable, c.alibabaCode, c.requestId, c.statusCode]).toEqual([
        expected,
        retryable,
        code,
        'req-err',
        status,
      ]);
      expect(c.message).toContain(`msg for ${code}`);
      expect(srv.requests).toHaveLength(1);
    },
  );

  it('a dropped connection after a mutation was received is a lost response, sent once', async () => {
    const srv = await canned(() => 'drop');
    const err = await mutate(api(srv)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudResponseLostError);
    expect((err as CloudResponseLostError).action).toBe('AssociateHaVip');
    expect(srv.requests).toHaveLength(1);
  });

  it('a dropped connection on a read is retryable unavailability', async () => {
    const srv = await canned(() => 'drop');
    const err = await describe1(api(srv)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudError);
    expect((err as CloudError).code).toBe('cloud.unavailable');
    expect((err as CloudError).retryable).toBe(true);
  });

  it('a mutation that gets no answer within readTimeoutMs is a lost response', async () => {
    const srv = await canned(() => 'hang');
    const err = await mutate(api(srv, { readTimeoutMs: 150 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudResponseLostError);
    expect(srv.requests).toHaveLength(1);
  });

  it('a gateway error page (not JSON) on a mutation is a lost response; on a read retryable', async () => {
    const srv = await canned(() => ({ status: 502, body: '<html>Bad Gateway</html>', raw: true }));
    expect(await mutate(api(srv)).catch((e: unknown) => e)).toBeInstanceOf(CloudResponseLostError);
    const onRead = (await describe1(api(srv)).catch((e: unknown) => e)) as CloudError;
    expect(onRead.code).toBe('cloud.unavailable');
    expect(onRead.retryable).toBe(true);
  });

  it('nothing listening is retryable unavailability, even for a mutation', async () => {
    const srv = await canned(() => ok);
    const endpoint = srv.endpoint;
    await srv.close();
    const a = createAlibabaCloudApi({
      credentials: { accessKeyId: AK, accessKeySecret: SECRET },
      endpoints: { override: endpoint },
      protocol: 'http',
    });
    const err = (await mutate(a).catch((e: unknown) => e)) as CloudError;
    expect(err).toBeInstanceOf(CloudError);
    expect(err.alibabaCode).toBe('Network.ECONNREFUSED');
    expect(err.retryable).toBe(true);
  });
});

describe('credentials', () => {
  it('calls a credentials function for every call and signs with what it returns', async () => {
    const srv = await canned(() => ok);
    let n = 0;
    const a = api(srv, {
      credentials: () => {
        n++;
        return { accessKeyId: `AK-${n}`, accessKeySecret: `S-${n}`, securityToken: `T-${n}` };
      },
    });
    await a.stopInstance({ regionId: region, instanceId: 'i-1', forceStop: false });
    await a.stopInstance({ regionId: region, instanceId: 'i-1', forceStop: false });
    expect(n).toBe(2);
    expect(srv.requests.map((r) => r.headers['x-acs-security-token'])).toEqual(['T-1', 'T-2']);
    expect(String(srv.requests[1]?.headers.authorization)).toContain('Credential=AK-2,');
  });

  it('fails without sending anything when the function returns unusable credentials', async () => {
    const srv = await canned(() => ok);
    const a = api(srv, { credentials: async () => ({ accessKeyId: '', accessKeySecret: SECRET }) });
    const err = (await a
      .describeHaVips({ regionId: region, haVipIds: ['havip-1'] })
      .catch((e: unknown) => e)) as CloudError;
    expect(err).toBeInstanceOf(CloudError);
    expect([err.code, err.alibabaCode, err.retryable]).toEqual([
      'cloud.forbidden',
      'InvalidCredentials',
      false,
    ]);
    expect(err.message).toContain('accessKeyId');
    expect(err.message).not.toContain(SECRET);
    expect(srv.requests).toHaveLength(0);
  });

  it("'default' uses the official chain, which reads ALIBABA_CLOUD_* environment variables", async () => {
    const srv = await canned(() => ok);
    const keys = [
      'ALIBABA_CLOUD_ACCESS_KEY_ID',
      'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
      'ALIBABA_CLOUD_SECURITY_TOKEN',
    ] as const;
    const saved = keys.map((k) => process.env[k]);
    process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = 'AK-from-env';
    process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = 'secret-from-env';
    process.env.ALIBABA_CLOUD_SECURITY_TOKEN = 'token-from-env';
    try {
      await api(srv, { credentials: 'default' }).stopInstance({
        regionId: region,
        instanceId: 'i-1',
        forceStop: false,
      });
    } finally {
      keys.forEach((k, i) => {
        const v = saved[i];
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      });
    }
    expect(String(srv.requests[0]?.headers.authorization)).toContain('Credential=AK-from-env,');
    expect(srv.requests[0]?.headers['x-acs-security-token']).toBe('token-from-env');
  });

  it('never logs credentials', async () => {
    const lines: string[] = [];
    const logger: Logger = {
      debug: (f: LogFields, m: string) => lines.push(JSON.stringify({ f, m })),
      info: (f: LogFields, m: string) => lines.push(JSON.stringify({ f, m })),
      warn: (f: LogFields, m: string) => lines.push(JSON.stringify({ f, m })),
      error: (f: LogFields, m: string) => lines.push(JSON.stringify({ f, m })),
      child: () => logger,
    };
    const srv = await canned((_r, n) =>
      n === 1 ? ok : n === 2 ? 'drop' : { status: 403, body: { Code: 'Forbidden' } },
    );
    const a = api(srv, {
      logger,
      signatureAlgorithm: 'v2',
      credentials: { accessKeyId: AK, accessKeySecret: SECRET, securityToken: TOKEN },
    });
    await a.stopInstance({ regionId: region, instanceId: 'i-1', forceStop: false });
    await a.stopInstance({ regionId: region, instanceId: 'i-1', forceStop: false }).catch(() => undefined);
    await a.describeHaVips({ regionId: region, haVipIds: ['havip-1'] }).catch(() => undefined);
    expect(lines).toHaveLength(3);
    const all = lines.join('\n');
    for (const secret of [SECRET, TOKEN, AK]) expect(all).not.toContain(secret);
    expect(all).toContain('StopInstance');
  });
});

describe('options and endpoints', () => {
  it('rejects malformed options naming the field, without echoing secrets', () => {
    const err = (() => {
      try {
        createAlibabaCloudApi({
          credentials: { accessKeyId: '', accessKeySecret: SECRET },
          endpoints: { override: 'http://127.0.0.1:1/' },
          readTimeoutMs: -1,
        });
      } catch (e) {
        return e;
      }
    })() as InvalidInputError;
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.code).toBe('cloud.options-invalid');
    expect(err.issues.map((i) => i.path).sort()).toEqual([
      'credentials',
      'endpoints.override',
      'readTimeoutMs',
    ]);
    expect(err.message).not.toContain(SECRET);
  });

  it('follows the SDK endpoint tables: shared endpoints for cn-hangzhou, regional elsewhere', () => {
    expect(defaultEndpoint('vpc', 'cn-hangzhou')).toBe('vpc.aliyuncs.com');
    expect(defaultEndpoint('ecs', 'cn-hangzhou')).toBe('ecs-cn-hangzhou.aliyuncs.com');
    expect(defaultEndpoint('vpc', 'cn-shanghai')).toBe('vpc.cn-shanghai.aliyuncs.com');
    expect(defaultEndpoint('ecs', 'ap-southeast-1')).toBe('ecs.ap-southeast-1.aliyuncs.com');
  });

  it('routes VPC and ECS calls through their own endpoint functions', async () => {
    const vpcSrv = await canned(() => ({ body: { HaVips: { HaVip: [] } } }));
    const ecsSrv = await canned(() => ({ body: { Instances: { Instance: [] } } }));
    const regions: string[] = [];
    const a = createAlibabaCloudApi({
      credentials: { accessKeyId: AK, accessKeySecret: SECRET },
      protocol: 'http',
      endpoints: {
        vpc: (r) => {
          regions.push(r);
          return vpcSrv.endpoint;
        },
        ecs: () => ecsSrv.endpoint,
      },
    });
    await a.listHaVips({ regionId: 'eu-central-1' });
    await a.describeInstances({ regionId: 'eu-central-1', instanceIds: ['i-1'] });
    expect(vpcSrv.requests.map((r) => r.action)).toEqual(['DescribeHaVips']);
    expect(ecsSrv.requests.map((r) => r.action)).toEqual(['DescribeInstances']);
    expect(regions).toEqual(['eu-central-1']);
  });
});

describe('Cloud Assistant: RunCommand and DescribeInvocationResults', () => {
  const run = (a: CloudApi, extra: Partial<Parameters<CloudApi['runCommand']>[0]> = {}) =>
    a.runCommand({
      regionId: region,
      instanceId: 'i-1',
      commandContent: SCRIPT,
      timeoutSeconds: 30,
      clientToken: 'tok',
      name: 'havip-announce',
      ...extra,
    });
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  const result = (extra: Record<string, unknown> = {}) => ({
    InvokeId: 't-1',
    InstanceId: 'i-1',
    InvocationStatus: 'Success',
    ExitCode: 0,
    Output: b64('announced 10.0.1.100\n'),
    ErrorCode: '',
    ...extra,
  });
  const results = (...items: unknown[]) => ({
    body: {
      RequestId: 'req-dir',
      Invocation: {
        TotalCount: items.length,
        PageNumber: 1,
        PageSize: 10,
        InvocationResults: { InvocationResult: items },
      },
    },
  });
  const describeResult = (a: CloudApi) =>
    a.describeInvocationResult({ regionId: region, invokeId: 't-1', instanceId: 'i-1' });

  it('RunCommand returns the invocation id and request id', async () => {
    const srv = await canned(() => ({ body: { RequestId: 'req-run', InvokeId: 't-abc', CommandId: 'c-1' } }));
    expect(await run(api(srv))).toEqual({ invokeId: 't-abc', requestId: 'req-run' });
  });

  it('an answer without InvokeId is a lost response: repeat with the same ClientToken', async () => {
    const srv = await canned(() => ({ body: { RequestId: 'req-run', InvokeId: '' } }));
    const err = await run(api(srv)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudResponseLostError);
    expect((err as CloudResponseLostError).action).toBe('RunCommand');
    expect(String((err as Error).cause)).toContain('ClientToken');
    expect(srv.requests).toHaveLength(1);
  });

  it('a dropped RunCommand answer is a lost response, sent once', async () => {
    const srv = await canned(() => 'drop');
    const err = await run(api(srv)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudResponseLostError);
    expect(srv.requests).toHaveLength(1);
  });

  it('rejects an unusable request before sending anything, naming each field', async () => {
    const srv = await canned(() => ok);
    const err = (await run(api(srv), {
      commandContent: 'x'.repeat(19_000),
      timeoutSeconds: 0,
      name: 'n'.repeat(129),
    }).catch((e: unknown) => e)) as InvalidInputError;
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.code).toBe('cloud.invalid-request');
    expect(err.issues.map((i) => i.path)).toEqual(['commandContent', 'timeoutSeconds', 'name']);
    expect(err.issues[0]?.message).toContain('24576');
    const empty = (await run(api(srv), { commandContent: '  \n' }).catch(
      (e: unknown) => e,
    )) as InvalidInputError;
    expect(empty.issues.map((i) => i.path)).toEqual(['commandContent']);
    expect(srv.requests).toHaveLength(0);
  });

  it('reads status, exit code, error code and Base64 output of the one result asked for', async () => {
    const srv = await canned(() =>
      results(
        result({ InvokeId: 't-other' }),
        result({ InstanceId: 'i-2' }),
        result({
          InvocationStatus: 'Failed',
          ExitCode: '1',
          ErrorCode: 'ExitCodeNonzero',
          Output: b64('ü boom'),
        }),
      ),
    );
    expect(await describeResult(api(srv))).toEqual({
      invokeId: 't-1',
      instanceId: 'i-1',
      status: 'Failed',
      exitCode: 1,
      output: 'ü boom',
      errorCode: 'ExitCodeNonzero',
    });
  });

  it('a running invocation has no exit code or output yet; no record at all is undefined', async () => {
    const srv = await canned((_r, n) =>
      n === 1 ? results(result({ InvocationStatus: 'Running', ExitCode: null, Output: '' })) : results(),
    );
    expect(await describeResult(api(srv))).toEqual({
      invokeId: 't-1',
      instanceId: 'i-1',
      status: 'Running',
      exitCode: undefined,
      output: undefined,
      errorCode: undefined,
    });
    expect(await describeResult(api(srv))).toBeUndefined();
  });

  it('an answer with no Invocation object at all is "no record yet"', async () => {
    const srv = await canned(() => ({ body: { RequestId: 'r' } }));
    expect(await describeResult(api(srv))).toBeUndefined();
  });

  it('keeps the last ~4 KiB of a long output, marking the cut', async () => {
    const long = `${'a'.repeat(10_000)}THE-END`;
    const srv = await canned(() => results(result({ Output: b64(long) })));
    const out = (await describeResult(api(srv)))?.output ?? '';
    expect(out.length).toBeLessThanOrEqual(4096 + 40);
    expect(out.endsWith('THE-END')).toBe(true);
    expect(out).toMatch(/^\[\d+ characters truncated\]\n/);
    const cut = Number(/^\[(\d+)/.exec(out)?.[1]);
    expect(cut + (out.length - out.indexOf('\n') - 1)).toBe(long.length);
  });

  it('a result without InvocationStatus is an invalid response naming the field', async () => {
    const srv = await canned(() => results(result({ InvocationStatus: undefined })));
    const err = (await describeResult(api(srv)).catch((e: unknown) => e)) as CloudError;
    expect(err).toBeInstanceOf(CloudError);
    expect(err.alibabaCode).toBe('InvalidResponse');
    expect(err.message).toContain('Invocation.InvocationResults.InvocationResult[0].InvocationStatus');
  });

  const table: Array<[status: number, code: string, expected: string, retryable: boolean, hint: string]> = [
    [404, 'InvalidInstance.NotFound', 'cloud.not-found', false, 'check the id and region'],
    [400, 'InvalidInstanceStatus', 'cloud.conflict', false, 'only on Running instances'],
    [400, 'InvalidInstance.NoClient', 'cloud.conflict', false, 'install the Cloud Assistant agent'],
    [404, 'InvalidCmdType.NotFound', 'cloud.invalid-request', false, ''],
    [403, 'CmdContent.ExceedLimit', 'cloud.invalid-request', false, ''],
    [400, 'Throttling.User', 'cloud.throttled', true, 'retry with backoff'],
    [500, 'InternalError.Dispatch', 'cloud.unavailable', true, ''],
  ];
  it.each(table)(
    'RunCommand HTTP %i %s → %s (retryable %s)',
    async (status, code, expected, retryable, hint) => {
      const srv = await canned(() => ({
        status,
        body: { Code: code, Message: `msg ${code}`, RequestId: 'r-e' },
      }));
      const err = (await run(api(srv)).catch((e: unknown) => e)) as CloudError;
      expect(err).toBeInstanceOf(CloudError);
      expect([err.code, err.retryable, err.alibabaCode]).toEqual([expected, retryable, code]);
      expect(err.message).toContain('InstanceId i-1');
      expect(err.message).toContain(hint);
      expect(srv.requests).toHaveLength(1);
    },
  );
});
