/**
 * The campaign talks to the simulator in-process. This pins that path to the HTTP path it stands in for:
 * the same calls against two identical simulators — one over HTTP on 127.0.0.1, one through the
 * in-process transport — give the same answers and the same errors (code, Alibaba code, retryability,
 * lost answers), and leave the same ground truth.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAlibabaCloudApi } from '../../../shared/adapters/alibaba/index.js';
import {
  ManualClock,
  SimulatedCloud,
  type SimulatorServer,
  seedFromTopology,
  startSimulatorServer,
} from '../../../shared/adapters/simulator/index.js';
import { simulatorTransport } from '../../../shared/app/simulator-transport.js';
import { loadTopology } from '../../../shared/core/config.js';
import { HavipError } from '../../../shared/core/errors.js';
import type { CloudApi } from '../../../shared/core/ports.js';
import { PAIR_YAML } from '../../support/world.js';

const R = 'cn-hangzhou';
const H = 'havip-bp1test0000000000001';
const A = 'i-bp1test0000000000001';
const B = 'i-bp1test0000000000002';

const servers: SimulatorServer[] = [];
afterEach(async () => {
  while (servers.length > 0) await servers.pop()?.close();
});

function sim(): SimulatedCloud {
  const { topology } = loadTopology(PAIR_YAML);
  return new SimulatedCloud(seedFromTopology(topology, { attach: 'highest' }), {
    clock: new ManualClock(),
    transitionDelayMs: 0,
    cloudAssistantDelayMs: 0,
    randomSeed: 3,
  });
}

const creds = { accessKeyId: 'same-key', accessKeySecret: 'same-secret' };

type Outcome = { ok: unknown } | { error: Record<string, unknown> };
async function outcome(p: Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: await p };
  } catch (e) {
    if (!(e instanceof HavipError)) throw e;
    const c = e as HavipError & { alibabaCode?: string; statusCode?: number };
    return {
      error: {
        name: e.name,
        code: e.code,
        retryable: e.retryable,
        alibabaCode: c.alibabaCode,
        statusCode: c.statusCode,
      },
    };
  }
}

/** Each step: an optional fault on the simulator, then one call; the simulator settles after each. */
const steps: {
  name: string;
  fault?: (s: SimulatedCloud) => void;
  call: (c: CloudApi) => Promise<unknown>;
}[] = [
  { name: 'DescribeHaVips', call: (c) => c.describeHaVips({ regionId: R, haVipIds: [H] }) },
  { name: 'DescribeInstances', call: (c) => c.describeInstances({ regionId: R, instanceIds: [A, B] }) },
  {
    name: 'AssociateHaVip',
    call: (c) =>
      c.associateHaVip({
        regionId: R,
        haVipId: H,
        instanceId: B,
        instanceType: 'EcsInstance',
        clientToken: 't-1',
      }),
  },
  {
    name: 'AssociateHaVip again (InvalidAssociation.Duplicated)',
    call: (c) =>
      c.associateHaVip({
        regionId: R,
        haVipId: H,
        instanceId: B,
        instanceType: 'EcsInstance',
        clientToken: 't-2',
      }),
  },
  {
    name: 'UnassociateHaVip of the master without Force (Forbidden.UnassociateMaster)',
    call: (c) =>
      c.unassociateHaVip({
        regionId: R,
        haVipId: H,
        instanceId: A,
        instanceType: 'EcsInstance',
        force: false,
        clientToken: 't-3',
      }),
  },
  {
    name: 'a 5xx',
    fault: (s) => s.faults.failNext({ action: 'DescribeHaVips', code: 'ServiceUnavailable' }),
    call: (c) => c.describeHaVips({ regionId: R, haVipIds: [H] }),
  },
  {
    name: 'throttled',
    fault: (s) => s.faults.setThrottle({ ratePerSecond: 1, burst: 1 }),
    call: async (c) => {
      await c.describeInstances({ regionId: R, instanceIds: [A] });
      return c.describeInstances({ regionId: R, instanceIds: [A] });
    },
  },
  {
    name: 'a lost answer after a committed detach',
    fault: (s) => {
      s.faults.setThrottle(null);
      s.faults.dropNextResponse({ action: 'UnassociateHaVip' });
    },
    call: (c) =>
      c.unassociateHaVip({
        regionId: R,
        haVipId: H,
        instanceId: A,
        instanceType: 'EcsInstance',
        force: true,
        clientToken: 't-4',
      }),
  },
  { name: 'DescribeHaVips after', call: (c) => c.describeHaVips({ regionId: R, haVipIds: [H] }) },
  {
    name: 'RunCommand',
    call: (c) =>
      c.runCommand({
        regionId: R,
        instanceId: B,
        commandContent: 'arping -U 192.168.0.200',
        timeoutSeconds: 30,
        clientToken: 't-5',
        name: 'havip-announce',
      }),
  },
  {
    name: 'DescribeInvocationResults',
    call: (c) => c.describeInvocationResult({ regionId: R, invokeId: 't-sim000000000001', instanceId: B }),
  },
  {
    name: 'DescribeEipAddresses of an unknown id (absent)',
    call: (c) => c.describeEipAddresses({ regionId: R, allocationIds: ['eip-none'] }),
  },
];

describe('in-process transport', () => {
  it('answers every call exactly as the HTTP path does', async () => {
    const overHttp = sim();
    const inProcess = sim();
    const server = await startSimulatorServer({ cloud: overHttp });
    servers.push(server);
    const http = createAlibabaCloudApi({
      credentials: creds,
      endpoints: { override: server.endpoint },
      protocol: 'http',
    });
    const local = createAlibabaCloudApi({ credentials: creds, transport: simulatorTransport(inProcess) });
    for (const step of steps) {
      step.fault?.(overHttp);
      step.fault?.(inProcess);
      const [a, b] = [await outcome(step.call(http)), await outcome(step.call(local))];
      expect(b, step.name).toEqual(a);
      await overHttp.settle();
      await inProcess.settle();
    }
    expect(inProcess.snapshot()).toEqual(overHttp.snapshot());
    expect(inProcess.stats()).toEqual(overHttp.stats());
    // The table above exercised every error class the campaign relies on.
    expect(steps.length).toBeGreaterThan(10);
  });

  it('reports a dropped answer to a mutation as a lost response, and to a describe as retryable', async () => {
    const s = sim();
    const local = createAlibabaCloudApi({ credentials: creds, transport: simulatorTransport(s) });
    s.faults.dropNextResponse({ action: 'AssociateHaVip' });
    const lost = await outcome(
      local.associateHaVip({
        regionId: R,
        haVipId: H,
        instanceId: B,
        instanceType: 'EcsInstance',
        clientToken: 'x',
      }),
    );
    expect(lost).toMatchObject({ error: { code: 'cloud.response-lost', retryable: true } });
    await s.settle();
    // The change was committed although the caller never heard back.
    expect(s.haVip(H)?.associatedInstances).toContain(B);
  });

  it('rejects a transport that is not a function, naming the option', () => {
    expect(() => createAlibabaCloudApi({ credentials: creds, transport: 'http' as never })).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path: 'transport' })] }),
    );
  });
});
