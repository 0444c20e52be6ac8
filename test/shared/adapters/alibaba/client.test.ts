/**
 * The Alibaba adapter (`client.ts` and the calls behind it) against a canned-JSON HTTP server: what
 * goes on the wire for every operation, with both signature styles and STS tokens, and the RequestId
 * of a mutation.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CloudApi } from '../../../../shared/core/ports.js';
import {
  AK,
  api,
  canned,
  closeCannedServers,
  ok,
  params,
  region,
  SCRIPT,
  SECRET,
  TOKEN,
} from '../../../support/alibaba.js';

afterEach(closeCannedServers);

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
