/**
 * Live validation rules over hand-built cloud snapshots: a clean world gives no findings, then each
 * rule is broken once and must report exactly its own finding at the right path.
 */
import { describe, expect, it } from 'vitest';
import { parseTopology } from '../../../shared/core/config.js';
import type { Topology } from '../../../shared/core/model.js';
import type {
  CloudApi,
  EipState,
  HaVipState,
  InstanceState,
  NetworkInterfaceState,
} from '../../../shared/core/ports.js';
import {
  type CloudSnapshot,
  collectSnapshot,
  LIVE_CODES,
  type LiveCode,
  validateLive,
  validateLiveSnapshot,
} from '../../../shared/core/validate-live.js';

const R = 'cn-hangzhou';

const TOPOLOGY = `
region: ${R}
groups:
  - name: web
    vSwitchId: vsw-a
    haVipId: havip-web
    eip: { allocationId: eip-web, mode: havip }
    members: [{ id: i-web1, priority: 100, ip: 10.0.0.11 }, { id: i-web2, priority: 10, ip: 10.0.0.12 }]
  - name: db
    vSwitchId: vsw-a
    haVipId: havip-db
    members: [{ id: eni-db1, priority: 100, ip: 10.0.0.21 }, { id: eni-db2, priority: 50, ip: 10.0.0.22 }]
  - name: nat
    vSwitchId: vsw-b
    eip: { allocationId: eip-nat, mode: direct }
    members: [{ id: i-nat1, priority: 100, ip: 10.0.1.11 }, { id: i-nat2, priority: 50, ip: 10.0.1.12 }]
`;

const topology = (): Topology => parseTopology(TOPOLOGY);

function haVip(id: string, over: Partial<HaVipState> = {}): HaVipState {
  return {
    haVipId: id,
    regionId: R,
    ipAddress: '10.0.0.100',
    status: 'Available',
    vpcId: 'vpc-1',
    vSwitchId: 'vsw-a',
    masterInstanceId: undefined,
    associatedInstanceType: undefined,
    associatedInstances: [],
    associatedEipAddresses: [],
    ...over,
  };
}
function instance(id: string, ip: string, over: Partial<InstanceState> = {}): InstanceState {
  return {
    instanceId: id,
    regionId: R,
    status: 'Running',
    vpcId: 'vpc-1',
    vSwitchId: 'vsw-a',
    privateIpAddresses: [ip],
    operationLocks: [],
    ...over,
  };
}
function eni(
  id: string,
  ip: string,
  instanceId: string | undefined,
  over: Partial<NetworkInterfaceState> = {},
) {
  return {
    networkInterfaceId: id,
    regionId: R,
    status: instanceId ? 'InUse' : 'Available',
    instanceId,
    vpcId: 'vpc-1',
    vSwitchId: 'vsw-a',
    privateIpAddress: ip,
    ...over,
  } satisfies NetworkInterfaceState;
}
function eip(id: string, over: Partial<EipState> = {}): EipState {
  return {
    allocationId: id,
    regionId: R,
    ipAddress: '47.0.0.1',
    status: 'Available',
    instanceId: undefined,
    instanceType: undefined,
    ...over,
  };
}

/** A world in which the topology is fully valid; web holds its HaVip and its EIP follows. */
function clean(): {
  regions: string[];
  haVips: HaVipState[];
  instances: InstanceState[];
  enis: NetworkInterfaceState[];
  eips: EipState[];
} {
  return {
    regions: [R],
    haVips: [
      haVip('havip-web', {
        status: 'InUse',
        masterInstanceId: 'i-web1',
        associatedInstanceType: 'EcsInstance',
        associatedInstances: ['i-web1'],
        associatedEipAddresses: ['47.0.0.1'],
      }),
      haVip('havip-db', { ipAddress: '10.0.0.200' }),
      // Not in the topology: counted for quotas, otherwise ignored.
      haVip('havip-other', { vSwitchId: 'vsw-z' }),
    ],
    instances: [
      instance('i-web1', '10.0.0.11'),
      instance('i-web2', '10.0.0.12'),
      instance('i-nat1', '10.0.1.11', { vSwitchId: 'vsw-b' }),
      instance('i-nat2', '10.0.1.12', { vSwitchId: 'vsw-b' }),
      instance('i-host1', '10.0.0.31'),
      instance('i-host2', '10.0.0.32'),
    ],
    enis: [eni('eni-db1', '10.0.0.21', 'i-host1'), eni('eni-db2', '10.0.0.22', 'i-host2')],
    eips: [
      eip('eip-web', { status: 'InUse', instanceId: 'havip-web', instanceType: 'HaVip' }),
      eip('eip-nat', {
        ipAddress: '47.0.0.2',
        status: 'InUse',
        instanceId: 'i-nat1',
        instanceType: 'EcsInstance',
      }),
    ],
  };
}
type World = ReturnType<typeof clean>;

const replace = <T>(xs: T[], pred: (x: T) => boolean, f: (x: T) => T): T[] =>
  xs.map((x) => (pred(x) ? f(x) : x));

/** A change to a clean world that should break exactly one rule. */
type Breaker = (w: World) => World;
const patchHaVip =
  (id: string, over: Partial<HaVipState>): Breaker =>
  (w) => ({
    ...w,
    haVips: replace(
      w.haVips,
      (h) => h.haVipId === id,
      (h) => ({ ...h, ...over }),
    ),
  });
const patchInstance =
  (id: string, over: Partial<InstanceState>): Breaker =>
  (w) => ({
    ...w,
    instances: replace(
      w.instances,
      (i) => i.instanceId === id,
      (i) => ({ ...i, ...over }),
    ),
  });
const patchEni =
  (id: string, over: Partial<NetworkInterfaceState>): Breaker =>
  (w) => ({
    ...w,
    enis: replace(
      w.enis,
      (e) => e.networkInterfaceId === id,
      (e) => ({ ...e, ...over }),
    ),
  });
const patchEip =
  (id: string, over: Partial<EipState>): Breaker =>
  (w) => ({
    ...w,
    eips: replace(
      w.eips,
      (e) => e.allocationId === id,
      (e) => ({ ...e, ...over }),
    ),
  });
const dropHaVip =
  (id: string): Breaker =>
  (w) => ({ ...w, haVips: w.haVips.filter((h) => h.haVipId !== id) });
const dropInstance =
  (id: string): Breaker =>
  (w) => ({ ...w, instances: w.instances.filter((i) => i.instanceId !== id) });
const dropEni =
  (id: string): Breaker =>
  (w) => ({ ...w, enis: w.enis.filter((e) => e.networkInterfaceId !== id) });
const dropEip =
  (id: string): Breaker =>
  (w) => ({ ...w, eips: w.eips.filter((e) => e.allocationId !== id) });
const addHaVips =
  (hs: HaVipState[]): Breaker =>
  (w) => ({ ...w, haVips: [...w.haVips, ...hs] });

describe('validateLiveSnapshot', () => {
  it('a world that matches the topology has no findings', () => {
    expect(validateLiveSnapshot(topology(), clean())).toEqual([]);
  });

  it('an unbound EIP and an unbound HaVip are fine too', () => {
    const w = clean();
    w.haVips = replace(
      w.haVips,
      (h) => h.haVipId === 'havip-web',
      (h) => ({ ...h, associatedInstances: [], associatedEipAddresses: [] }),
    );
    w.eips = w.eips.map((e) => ({
      ...e,
      status: 'Available',
      instanceId: undefined,
      instanceType: undefined,
    }));
    expect(validateLiveSnapshot(topology(), w)).toEqual([]);
  });

  const cases: Array<[title: string, breakIt: Breaker, code: LiveCode, path: string]> = [
    ['HaVip missing', dropHaVip('havip-db'), 'live.havip.missing', 'groups[1].haVipId'],
    [
      'HaVip being created',
      patchHaVip('havip-db', { status: 'Creating' }),
      'live.havip.status',
      'groups[1].haVipId',
    ],
    [
      'HaVip being deleted',
      patchHaVip('havip-db', { status: 'Deleting' }),
      'live.havip.status',
      'groups[1].haVipId',
    ],
    [
      'HaVip in another vSwitch (ENIs stay in the group vSwitch)',
      patchHaVip('havip-db', { vSwitchId: 'vsw-other' }),
      'live.havip.vswitch',
      'groups[1].vSwitchId',
    ],
    [
      'HaVip bound to an instance outside the group',
      patchHaVip('havip-web', { associatedInstances: ['i-web1', 'i-stranger'] }),
      'live.havip.foreign-binding',
      'groups[0].haVipId',
    ],
    [
      'HaVip already carrying another EIP',
      patchHaVip('havip-web', { associatedEipAddresses: ['47.9.9.9'] }),
      'live.havip.other-eip',
      'groups[0].haVipId',
    ],
    ['ECS member missing', dropInstance('i-web2'), 'live.member.missing', 'groups[0].members[1].id'],
    ['ENI member missing', dropEni('eni-db2'), 'live.member.missing', 'groups[1].members[1].id'],
    [
      'ECS member in another vSwitch of the same VPC',
      patchInstance('i-web2', { vSwitchId: 'vsw-x' }),
      'live.member.vswitch',
      'groups[0].members[1].id',
    ],
    [
      'ENI member in another VPC than the HaVip (vSwitch id as configured)',
      patchEni('eni-db1', { vpcId: 'vpc-2' }),
      'live.member.vpc',
      'groups[1].members[0].id',
    ],
    [
      'ECS member with a different primary IP',
      patchInstance('i-web1', { privateIpAddresses: ['10.0.0.99'] }),
      'live.member.ip',
      'groups[0].members[0].ip',
    ],
    [
      'ENI member with a different primary IP',
      patchEni('eni-db2', { privateIpAddress: '10.0.0.99' }),
      'live.member.ip',
      'groups[1].members[1].ip',
    ],
    [
      'ENI member not attached to an instance',
      patchEni('eni-db1', { instanceId: undefined, status: 'Available' }),
      'live.member.eni-detached',
      'groups[1].members[0].id',
    ],
    [
      'ECS member stopped',
      patchInstance('i-nat2', { status: 'Stopped' }),
      'live.member.not-running',
      'groups[2].members[1].id',
    ],
    [
      'ENI member whose instance is stopped',
      patchInstance('i-host2', { status: 'Stopped' }),
      'live.member.not-running',
      'groups[1].members[1].id',
    ],
    [
      'ECS member locked',
      patchInstance('i-web2', { operationLocks: ['financial'] }),
      'live.member.locked',
      'groups[0].members[1].id',
    ],
    [
      'too many HaVips on one instance counting HaVips outside the topology',
      addHaVips(
        ['h1', 'h2', 'h3', 'h4', 'h5'].map((id) =>
          haVip(`havip-${id}`, { associatedInstances: ['i-web2'], status: 'InUse' }),
        ),
      ),
      'live.member.havips.quota',
      'groups[0].members[1].id',
    ],
    ['EIP missing', dropEip('eip-web'), 'live.eip.missing', 'groups[0].eip.allocationId'],
    [
      'havip-mode EIP bound to an instance instead of the HaVip',
      patchEip('eip-web', { instanceId: 'i-web1', instanceType: 'EcsInstance' }),
      'live.eip.bound-elsewhere',
      'groups[0].eip.allocationId',
    ],
    [
      'direct-mode EIP bound to a non-member',
      patchEip('eip-nat', { instanceId: 'i-stranger' }),
      'live.eip.bound-elsewhere',
      'groups[2].eip.allocationId',
    ],
    [
      'EIP in transition',
      patchEip('eip-nat', { status: 'Associating' }),
      'live.eip.status',
      'groups[2].eip.allocationId',
    ],
  ];

  const rows = cases.map(([title, breakIt, code, path]) => [title, code, path, breakIt] as const);
  it.each(rows)('%s → %s at %s', (_title, code, path, breakIt) => {
    const findings = validateLiveSnapshot(topology(), breakIt(clean()));
    expect(findings.map((f) => [f.code, f.path, f.severity])).toEqual([[code, path, LIVE_CODES[code]]]);
    const [f] = findings;
    expect(f?.message.length).toBeGreaterThan(10);
    expect(f?.hint.length).toBeGreaterThan(10);
  });

  it('every documented code is exercised by the table above', () => {
    const covered = new Set(cases.map((c) => c[2]));
    expect([...covered].sort()).toEqual(Object.keys(LIVE_CODES).sort());
  });

  it('a secondary address names the primary in the message', () => {
    const w = clean();
    w.instances = replace(
      w.instances,
      (i) => i.instanceId === 'i-web1',
      (i) => ({
        ...i,
        privateIpAddresses: ['10.0.0.50', '10.0.0.11'],
      }),
    );
    const [f] = validateLiveSnapshot(topology(), w);
    expect(f?.message).toContain('secondary');
    expect(f?.hint).toContain('10.0.0.50');
  });

  it('a HaVip in a region that was not listed is not reported missing', () => {
    const w = clean();
    w.regions = [];
    w.haVips = w.haVips.filter((h) => h.haVipId !== 'havip-db');
    expect(validateLiveSnapshot(topology(), w)).toEqual([]);
  });

  it('the HaVip quota counts a member once even when it appears in several groups, and sorts by path', () => {
    const t = parseTopology(
      TOPOLOGY.replace(
        'members: [{ id: eni-db1, priority: 100, ip: 10.0.0.21 }, { id: eni-db2, priority: 50, ip: 10.0.0.22 }]',
        'members: [{ id: i-web2, priority: 100, ip: 10.0.0.12 }]',
      ),
    );
    const w = clean();
    w.haVips.push(
      ...['h1', 'h2', 'h3', 'h4'].map((id) =>
        haVip(`havip-${id}`, { associatedInstances: ['i-web2'], status: 'InUse' }),
      ),
    );
    // web + db (both in the topology) + 4 outside = 6 > 5, reported once at the first occurrence.
    const quota = validateLiveSnapshot(t, w).filter((f) => f.code === 'live.member.havips.quota');
    expect(quota.map((f) => f.path)).toEqual(['groups[0].members[1].id']);
    expect(quota[0]?.message).toContain('6 HaVips');
  });
});

/** A CloudApi over a snapshot that counts calls: enough to check what collectSnapshot asks for. */
function fakeCloud(w: World): CloudApi & { calls: Array<[string, unknown]> } {
  const calls: Array<[string, unknown]> = [];
  const notUsed = () => Promise.reject(new Error('not used by live validation'));
  return {
    calls,
    describeHaVips: notUsed,
    listHaVips: async (req) => {
      calls.push(['listHaVips', req]);
      return w.haVips.filter((h) => h.regionId === req.regionId);
    },
    describeInstances: async (req) => {
      calls.push(['describeInstances', req]);
      return w.instances.filter((i) => req.instanceIds.includes(i.instanceId));
    },
    describeNetworkInterfaces: async (req) => {
      calls.push(['describeNetworkInterfaces', req]);
      return w.enis.filter((e) => req.networkInterfaceIds.includes(e.networkInterfaceId));
    },
    describeEipAddresses: async (req) => {
      calls.push(['describeEipAddresses', req]);
      return w.eips.filter((e) => req.allocationIds.includes(e.allocationId));
    },
    associateHaVip: notUsed,
    unassociateHaVip: notUsed,
    associateEipAddress: notUsed,
    unassociateEipAddress: notUsed,
    stopInstance: notUsed,
    runCommand: notUsed,
    describeInvocationResult: notUsed,
  };
}

describe('collectSnapshot', () => {
  it('batches: one listing per region, one describe per kind, then the ENI owners', async () => {
    const cloud = fakeCloud(clean());
    const snap: CloudSnapshot = await collectSnapshot(cloud, topology());
    expect(cloud.calls.map(([op]) => op).sort()).toEqual([
      'describeEipAddresses',
      'describeInstances',
      'describeInstances',
      'describeNetworkInterfaces',
      'listHaVips',
    ]);
    const describes = cloud.calls.filter(([op]) => op === 'describeInstances').map(([, r]) => r);
    expect(describes).toContainEqual({ regionId: R, instanceIds: ['i-web1', 'i-web2', 'i-nat1', 'i-nat2'] });
    expect(describes).toContainEqual({ regionId: R, instanceIds: ['i-host1', 'i-host2'] });
    expect(snap.regions).toEqual([R]);
    expect(snap.haVips.map((h) => h.haVipId)).toContain('havip-other');
  });

  it('validateLive reports what the cloud shows', async () => {
    const w = clean();
    w.instances = replace(
      w.instances,
      (i) => i.instanceId === 'i-web2',
      (i) => ({ ...i, status: 'Stopped' }),
    );
    const findings = await validateLive(fakeCloud(w), topology());
    expect(findings.map((f) => f.code)).toEqual(['live.member.not-running']);
  });
});
