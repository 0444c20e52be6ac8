/**
 * The engine on Tencent groups, end to end over the in-memory Tencent fake: the same election, saga and
 * journal as on Alibaba, with the Tencent switch (drift scope, TAT announce, InstanceId verify, EIP task).
 * Assertions read the fake's ground truth (holder, scope, effects), never the engine's own view.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../../shared/adapters/logger/index.js';
import { createSqliteStore } from '../../../shared/adapters/sqlite/index.js';
import { systemClock } from '../../../shared/app/runtime.js';
import { loadTopology } from '../../../shared/core/config.js';
import { Engine } from '../../../shared/core/engine.js';
import { ConfigError } from '../../../shared/core/errors.js';
import { memberId } from '../../../shared/core/model.js';
import { TENCENT_PAIR as P, seedTencentPair, tencentPairYaml } from '../../support/tencent-fake.js';
import { createTencentWorld, type TencentWorld, UNREACHABLE_ALIBABA } from '../../support/tencent-world.js';
import { RecordingNotifier } from '../../support/world.js';

const worlds: TencentWorld[] = [];
function world(...args: Parameters<typeof createTencentWorld>): TencentWorld {
  const w = createTencentWorld(...args);
  worlds.push(w);
  return w;
}
afterEach(async () => {
  while (worlds.length > 0) await worlds.pop()?.close();
});

const ops = (r: { steps: readonly { key: string; outcome: string }[] }) =>
  r.steps.map((s) => `${s.key}=${s.outcome}`);

describe('engine on Tencent Cloud', () => {
  it('holder stopped → scope narrowed to the backup, TAT announces, InstanceId verified, old holder dropped', async () => {
    const w = world(tencentPairYaml(), (f) => seedTencentPair(f));
    w.fake.setState(P.primary, 'STOPPED');
    const r = await w.reconcile();
    expect(r).toMatchObject({
      status: 'done',
      decision: { kind: 'move', from: P.primary, to: P.backup, cause: 'failover' },
    });
    expect(ops(r)).toEqual([
      `scope-add:${P.backup}=done`,
      `announce:${P.backup}=done`,
      `verify:${P.backup}=done`,
      `scope-drop:${P.primary}=done`,
    ]);
    expect(w.fake.holder(P.haVipId)).toBe(P.backup);
    expect(w.fake.scopeOf(P.haVipId)).toEqual([P.backup]);
    expect(w.fake.effects).toEqual([
      `AssociateHaVipInstance ${P.haVipId} ${P.backup}`,
      `ARP ${P.haVipId} ${P.backup}`,
      `DisassociateHaVipInstance ${P.haVipId} ${P.primary}`,
    ]);
    expect(await w.store.readJournal(w.group.name)).toMatchObject({ phase: 'DONE' });
    expect(w.notifier.sent.map((n) => n.kind)).toEqual(['failover']);
  });

  it('a settled group costs one sweep of reads and no mutation; replaying the sweep changes nothing', async () => {
    const w = world(tencentPairYaml(), (f) => seedTencentPair(f));
    for (let i = 0; i < 3; i++) expect((await w.reconcile()).status).toBe('noop');
    expect(w.fake.effects).toEqual([]);
    expect(await w.store.getLease(w.group.name)).toBeUndefined();
  });

  it('nopreempt: the recovered primary does not take the HAVIP back; the scope stays on the holder', async () => {
    const w = world(tencentPairYaml(), (f) => seedTencentPair(f));
    w.fake.setState(P.primary, 'STOPPED');
    await w.reconcile();
    w.fake.setState(P.primary, 'RUNNING');
    const r = await w.reconcile();
    expect(r.decision).toMatchObject({ kind: 'noop', holder: P.backup });
    expect(w.fake.holder(P.haVipId)).toBe(P.backup);
    expect(w.fake.scopeOf(P.haVipId)).toEqual([P.backup]);
  });

  it('a backup that does not announce: switch-incomplete, and the old holder keeps its place in the scope', async () => {
    const w = world(tencentPairYaml('', 'agent'), (f) => seedTencentPair(f));
    w.fake.setState(P.primary, 'STOPPED');
    const r = await w.reconcile();
    expect(r.status).toBe('switch-incomplete');
    expect(ops(r)).toEqual([
      `scope-add:${P.backup}=done`,
      `verify:${P.backup}=incomplete`,
      `scope-drop:${P.primary}=skipped`,
    ]);
    expect(w.fake.scopeOf(P.haVipId)).toEqual([P.backup, P.primary].sort());
    // The agent announces later: the next sweep completes the switch and narrows the scope.
    expect(w.fake.announce(P.haVipId, P.backup)).toBe(true);
    const next = await w.reconcile();
    expect(next.decision).toMatchObject({ kind: 'noop', holder: P.backup });
    expect(w.fake.scopeOf(P.haVipId)).toEqual([P.backup]);
  });

  it('announce: agent — once verified, the observation kept for heartbeats names the new holder', async () => {
    const w = world(tencentPairYaml('', 'agent'), (f) => seedTencentPair(f));
    w.fake.setState(P.primary, 'STOPPED');
    // The backup's agent: it announces once the move verifies it (what its heartbeat reply says then).
    let agentRunning = true;
    const agent = (async () => {
      while (agentRunning) {
        const j = await w.store.readJournal(w.group.name);
        if (j?.step === `verify:${P.backup}`) w.fake.announce(P.haVipId, P.backup);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const r = await w.reconcile();
    agentRunning = false;
    await agent;
    expect(r.status).toBe('done');
    expect(w.fake.holder(P.haVipId)).toBe(P.backup);
    const kept = (await w.store.latestObservations([w.group.name])).get(w.group.name);
    expect(kept?.haVip?.masterInstanceId).toBe(P.backup);
    expect(kept?.haVip?.associatedInstances).toEqual([P.backup]);
  });

  it('no holder: attaches the elected member (scope, announce, verify) and binds the configured EIP', async () => {
    const w = world(tencentPairYaml('\n    eip: { addressIp: 203.0.113.7 }'), (f) =>
      seedTencentPair(f, { held: false }),
    );
    const r = await w.reconcile();
    expect(r).toMatchObject({ status: 'done', decision: { kind: 'attach', target: P.primary } });
    expect(ops(r)).toEqual([
      `scope-add:${P.primary}=done`,
      `announce:${P.primary}=done`,
      `verify:${P.primary}=done`,
      `havip-eip:${P.haVipId}=done`,
    ]);
    expect(w.fake.haVips.get(P.haVipId)?.addressIp).toBe('203.0.113.7');
  });

  it('retries RequestLimitExceeded, InternalError and a running mutex task, then succeeds', async () => {
    const w = world(tencentPairYaml('\n    eip: { addressIp: 203.0.113.7 }'), (f) => seedTencentPair(f));
    w.fake.setState(P.primary, 'STOPPED');
    w.fake.failNext('AssociateHaVipInstance', 'RequestLimitExceeded', 'InternalError.ServerError');
    w.fake.failNext('HaVipAssociateAddressIp', 'UnsupportedOperation.MutexOperationTaskRunning');
    w.fake.failNext('DescribeHaVips', 'RequestLimitExceeded');
    const r = await w.reconcile();
    expect(r.status).toBe('done');
    expect(w.fake.holder(P.haVipId)).toBe(P.backup);
    expect(w.fake.haVips.get(P.haVipId)?.addressIp).toBe('203.0.113.7');
    expect(w.fake.calls.AssociateHaVipInstance).toBe(3);
    expect(w.fake.effects.filter((e) => e.startsWith('Associate'))).toHaveLength(1);
  });

  it('a refused mutation is not retried: the run fails, journaled, and the HAVIP stays where it was', async () => {
    const w = world(tencentPairYaml(), (f) => seedTencentPair(f));
    w.fake.setState(P.primary, 'STOPPED');
    w.fake.failNext('AssociateHaVipInstance', 'UnauthorizedOperation');
    const r = await w.reconcile();
    expect(r.status).toBe('failed');
    expect(w.fake.calls.AssociateHaVipInstance).toBe(1);
    expect(w.fake.holder(P.haVipId)).toBe(P.primary);
    expect(await w.store.readJournal(w.group.name)).toMatchObject({ phase: 'FAILED' });
  });

  it('a lost answer is re-read, not re-sent', async () => {
    const w = world(tencentPairYaml(), (f) => seedTencentPair(f));
    w.fake.setState(P.primary, 'STOPPED');
    w.fake.loseNext('AssociateHaVipInstance');
    w.fake.loseNext('DisassociateHaVipInstance');
    const r = await w.reconcile();
    expect(r.status).toBe('done');
    expect(w.fake.calls.AssociateHaVipInstance).toBe(1);
    expect(w.fake.calls.DisassociateHaVipInstance).toBe(1);
    expect(w.fake.scopeOf(P.haVipId)).toEqual([P.backup]);
  });

  it('without a known drift scope (international API), announce and verify alone move the HAVIP', async () => {
    const w = world(tencentPairYaml(), (f) => seedTencentPair(f), { fake: { associations: 'unknown' } });
    w.fake.setState(P.primary, 'STOPPED');
    const r = await w.reconcile();
    expect(r.status).toBe('done');
    expect(ops(r)).toEqual([`announce:${P.backup}=done`, `verify:${P.backup}=done`]);
    expect(w.fake.holder(P.haVipId)).toBe(P.backup);
    expect(w.fake.calls.AssociateHaVipInstance).toBeUndefined();
  });

  it('manual failover overrides nopreempt and moves to the named member', async () => {
    const w = world(tencentPairYaml(), (f) => seedTencentPair(f));
    const r = await w.reconcile('manual', {
      manual: { to: memberId(P.backup), force: false, reason: 'maintenance', actor: 'ops' },
    });
    expect(r).toMatchObject({ status: 'done', decision: { kind: 'move', cause: 'manual', to: P.backup } });
    expect(w.fake.holder(P.haVipId)).toBe(P.backup);
  });

  it('an instance outside the group holding the HAVIP is a foreign holder: alert, no action', async () => {
    const w = world(tencentPairYaml(), (f) => {
      seedTencentPair(f);
      f.addInstance({ instanceId: 'ins-0other01', ip: '10.0.1.99' });
      f.haVips.get(P.haVipId)?.scope.push({ instanceId: 'ins-0other01', instanceType: 'CVM' });
      f.announce(P.haVipId, 'ins-0other01');
      f.effects.length = 0;
    });
    const r = await w.reconcile();
    expect(r.decision).toMatchObject({ kind: 'alert', alert: 'foreign-association' });
    expect(w.fake.effects).toEqual([]);
  });

  it.each([
    { name: 'before the scope changed', action: 'AssociateHaVipInstance', phase: 'ATTACHING' },
    {
      name: 'after the new holder serves, before the old one is dropped',
      action: 'DisassociateHaVipInstance',
      phase: 'DETACHING',
    },
  ])('rolls a switch interrupted $name forward from the cloud state', async ({ action, phase }) => {
    const w = world(tencentPairYaml(), (f) => seedTencentPair(f));
    w.fake.setState(P.primary, 'STOPPED');
    // The run's deadline passes while the call keeps being throttled: its journal stays unfinished.
    w.fake.failNext(action, ...Array.from({ length: 200 }, () => 'RequestLimitExceeded'));
    const first = await w.reconcile('sweep', { deadlineMs: 300 });
    expect(first.status).toBe('failed');
    expect(await w.store.readJournal(w.group.name)).toMatchObject({ phase });
    w.fake.clearFaults();
    const second = await w.reconcile();
    expect(second.resumedFrom).toMatchObject({ phase });
    expect(second.status).toBe('done');
    expect(w.fake.holder(P.haVipId)).toBe(P.backup);
    expect(w.fake.scopeOf(P.haVipId)).toEqual([P.backup]);
    expect(await w.store.readJournal(w.group.name)).toMatchObject({ phase: 'DONE' });
  });

  it('refuses to start without a Tencent port when the topology has Tencent groups', () => {
    const { topology } = loadTopology(tencentPairYaml());
    expect(
      () =>
        new Engine(
          {
            cloud: UNREACHABLE_ALIBABA,
            store: createSqliteStore({ path: ':memory:' }),
            notifier: new RecordingNotifier(),
            clock: systemClock,
            logger: createMemoryLogger(),
          },
          topology,
        ),
    ).toThrow(ConfigError);
  });
});
