/**
 * ECS calls (`ecs.ts`) against a canned-JSON HTTP server: DescribeInstances chunked into JSON arrays
 * of 100 and parsed; DescribeNetworkInterfaces followed by NextToken, or by page number for a server
 * that pages by number, and never around a repeating token.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { api, canned, closeCannedServers, region } from '../../../support/alibaba.js';

afterEach(closeCannedServers);

describe('DescribeInstances, DescribeNetworkInterfaces', () => {
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
});
