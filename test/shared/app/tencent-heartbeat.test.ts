/**
 * Who a Tencent agent is told it holds while a move is in flight: the member the saga verifies, for as
 * long as the run that moves it holds its lease; the observation otherwise. Real SQLite store (leases and
 * journal with their conditional writes), the example topology.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../../shared/adapters/sqlite/index.js';
import { withTencentMovesInFlight } from '../../../shared/app/tencent-heartbeat.js';
import { loadTopology } from '../../../shared/core/config.js';
import type { Decision, Group, GroupName, MemberId } from '../../../shared/core/model.js';
import type { JournalPhase, ObservationRecord, StateStore } from '../../../shared/core/ports.js';

const EXAMPLE = readFileSync(new URL('../../../examples/tencent/topology.yaml', import.meta.url), 'utf8');
const A = 'ins-demoweb1' as MemberId;
const B = 'ins-demoweb2' as MemberId;
const NOW = 1_767_225_600_000;
const TTL = 60_000;

function groupWith(announce: string, cloud = 'tencent'): Group {
  const text = EXAMPLE.replace('announce: cloud-assistant', `announce: ${announce}`);
  const { topology } = loadTopology(text, { source: 'test' });
  const g = topology.groups[0]!;
  return cloud === 'tencent' ? g : ({ ...g, cloud } as Group);
}

const observedHeldBy = (g: Group, holder: MemberId): Map<GroupName, ObservationRecord> =>
  new Map([
    [
      g.name,
      {
        group: g.name,
        observedAt: NOW - 1_000,
        haVip: {
          haVipId: 'havip-demoweb1',
          regionId: 'ap-guangzhou',
          ipAddress: '10.0.1.200',
          status: 'InUse',
          vpcId: 'vpc-demo0001',
          vSwitchId: 'subnet-demo0001',
          masterInstanceId: holder,
          associatedInstanceType: 'EcsInstance',
          associatedInstances: [holder],
          associatedEipAddresses: [],
        },
      },
    ],
  ]);

const move: Decision = {
  kind: 'move',
  from: A,
  to: B,
  cause: 'failover',
  forced: false,
  reason: 'test',
};

let store: StateStore;
beforeEach(() => {
  store = createSqliteStore({ path: ':memory:' });
});
afterEach(() => store.close());

/** Takes the lease and journals one step of the move A → B; returns the lease's epoch. */
async function journal(g: Group, phase: JournalPhase, step: string): Promise<number> {
  const taken = await store.acquireLease(g.name, 'run-1', TTL, NOW);
  if (!taken.acquired) throw new Error('lease not taken');
  const epoch = taken.lease.epoch;
  await store.writeJournal(
    { group: g.name, epoch, phase, decision: move, step, updatedAt: NOW, detail: undefined },
    NOW,
  );
  return epoch;
}

const holders = async (g: Group, now = NOW) =>
  (await withTencentMovesInFlight(store, [g], observedHeldBy(g, A), now)).get(g.name)?.haVip
    ?.associatedInstances;

describe('the holder a Tencent agent is told about', () => {
  it('is the observed one while nothing moves', async () => {
    expect(await holders(groupWith('agent'))).toEqual([A]);
  });

  it('is the member a move verifies, while the run holds its lease (announce: agent)', async () => {
    const g = groupWith('agent');
    await journal(g, 'VERIFYING', `verify:${B}`);
    expect(await holders(g)).toEqual([B]);
  });

  it.each([
    ['scope still being narrowed', 'ATTACHING', `scope-add:${B}`],
    ['old member being dropped after the move was verified', 'DETACHING', `scope-drop:${A}`],
    ['a step naming no member of the group', 'VERIFYING', 'verify:ins-stranger'],
  ] as const)('is the observed one with the %s', async (_why, phase, step) => {
    const g = groupWith('agent');
    await journal(g, phase, step);
    expect(await holders(g)).toEqual([A]);
  });

  it('is the observed one once the run released its lease, or its lease expired', async () => {
    const g = groupWith('agent');
    const epoch = await journal(g, 'VERIFYING', `verify:${B}`);
    expect(await holders(g, NOW + TTL)).toEqual([A]);
    await store.releaseLease(g.name, epoch);
    expect(await holders(g)).toEqual([A]);
  });

  it.each([
    ['TAT announces (announce: cloud-assistant)', groupWith('cloud-assistant')],
    ['keepalived announces', groupWith('keepalived')],
    ['the group is on Alibaba Cloud', groupWith('agent', 'alibaba')],
  ])('is the observed one when %s', async (_why, g) => {
    await journal(g, 'VERIFYING', `verify:${B}`);
    expect(await holders(g)).toEqual([A]);
  });

  it('leaves a group never observed as it is (its address is not known)', async () => {
    const g = groupWith('agent');
    await journal(g, 'VERIFYING', `verify:${B}`);
    expect((await withTencentMovesInFlight(store, [g], new Map(), NOW)).size).toBe(0);
  });
});
