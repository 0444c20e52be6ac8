/**
 * The saga runner against the simulator (through our adapter) and the SQLite store: the order of journal
 * writes, fences and cloud calls; what a step leaves to the detach after it; reports.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DeadlineExceededError, StaleEpochError } from '../../../../shared/core/errors.js';
import { clientToken, stepKey } from '../../../../shared/core/saga.js';
import { A, attach, B, detach, overriding, SagaRig } from '../../../support/saga-rig.js';

const rigs: SagaRig[] = [];
function rig(...args: ConstructorParameters<typeof SagaRig>): SagaRig {
  const r = new SagaRig(...args);
  rigs.push(r);
  return r;
}
afterEach(async () => {
  while (rigs.length > 0) await rigs.pop()?.close();
});

const announce = { op: 'announce', member: B, host: B } as const;
const verify = { op: 'verify', member: B, waitSeconds: 1 } as const;
const isMutation = (e: string) => /^(Associate|Unassociate|RunCommand|StopInstance)/.test(e);

describe('SagaRunner', () => {
  it('journals each step and checks the fence before it, and fences every mutation', async () => {
    const r = rig();
    await r.takeLease();
    const { haVip } = await r.observe();
    await r.run([attach(B), detach(A)], { haVip });
    const journals = r.log.filter((e) => e.startsWith('journal'));
    expect(journals).toEqual([
      `journal ATTACHING ${stepKey(attach(B))}`,
      `journal DETACHING ${stepKey(detach(A))}`,
    ]);
    // Every journal write is preceded by a fence; every mutation too, after its step's journal write.
    r.log.forEach((e, i) => {
      if (e.startsWith('journal') || isMutation(e)) expect(r.log[i - 1]).toBe('fence');
    });
    const step = (m: string) => r.log.indexOf(r.log.find((e) => e.startsWith(m)) as string);
    expect(step('journal ATTACHING')).toBeLessThan(step('AssociateHaVip'));
    expect(step('journal DETACHING')).toBeLessThan(step('UnassociateHaVip'));
    expect(r.bound()).toEqual([B]);
  });

  it('reports every step in plan order, with the ClientToken derived from (group, epoch, step)', async () => {
    const r = rig();
    const lease = await r.takeLease();
    const { haVip } = await r.observe();
    const steps = [attach(B), detach(A)];
    const reports = await r.run(steps, { haVip });
    expect(reports.map((s) => [s.key, s.outcome, s.clientToken])).toEqual(
      steps.map((s) => [stepKey(s), 'done', clientToken(r.group.name, lease.epoch, stepKey(s))]),
    );
  });

  it('stops before the first step when the lease was taken over, sending nothing', async () => {
    const r = rig();
    const lease = await r.takeLease();
    const { haVip } = await r.observe();
    await r.store.releaseLease(r.group.name, lease.epoch);
    await r.store.acquireLease(r.group.name, 'newer actor', 60_000, Date.now());
    await expect(r.run([attach(B), detach(A)], { haVip })).rejects.toBeInstanceOf(StaleEpochError);
    expect(r.log.filter(isMutation)).toEqual([]);
    expect(r.bound()).toEqual([A]);
  });

  it("reads the HaVip afresh for a detach after its journal write; that read is the attach's settle poll", async () => {
    const r = rig();
    await r.takeLease();
    const { haVip } = await r.observe();
    await r.run([attach(B), detach(A)], { haVip });
    const associated = r.log.findIndex((e) => e.startsWith('AssociateHaVip'));
    const journaled = r.log.indexOf(`journal DETACHING ${stepKey(detach(A))}`);
    const unassociated = r.log.findIndex((e) => e.startsWith('UnassociateHaVip'));
    // Nothing is read between the attach and the detach's journal write…
    expect(r.log.slice(associated + 1, journaled).filter((e) => e === 'DescribeHaVips')).toEqual([]);
    // …and the detach reads (and waits for the attach to settle) before it unbinds anything.
    expect(r.log.slice(journaled, unassociated)).toContain('DescribeHaVips');
  });

  it('a new holder unbound between its attach and the detach: the old holder is never detached', async () => {
    let released = false;
    const r = rig({
      deadlineMs: 300,
      // The new holder's instance is released as the detach's journal is written (the cloud unbinds it).
      wrapCloud: (cloud, self) =>
        overriding(cloud, {
          describeHaVips: (req) => {
            if (!released && self.log.some((e) => e.startsWith('journal DETACHING'))) {
              released = true;
              self.sim.deleteInstance(B);
            }
            return cloud.describeHaVips(req);
          },
        }),
    });
    await r.takeLease();
    const { haVip } = await r.observe();
    await expect(r.run([attach(B), detach(A)], { haVip })).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(released).toBe(true);
    expect(r.calls('UnassociateHaVip')).toEqual([]);
    expect(r.bound()).toEqual([A]);
  });

  it("the announce command's result is read beside the detach's fresh read; the detach waits for it", async () => {
    const r = rig({ announce: 'cloud-assistant' });
    await r.takeLease();
    const { haVip } = await r.observe();
    const reports = await r.run([attach(B), announce, detach(A), verify], { haVip });
    expect(reports.map((s) => `${s.key}=${s.outcome}`)).toEqual([
      `attach-havip:${B}=done`,
      `announce:${B}=done`,
      `detach-havip:${A}=done`,
      `verify:${B}=done`,
    ]);
    const journaled = r.log.findIndex((e) => e.startsWith('journal DETACHING'));
    const unassociated = r.log.findIndex((e) => e.startsWith('UnassociateHaVip'));
    const lastResultRead = r.log.lastIndexOf('DescribeInvocationResults');
    expect(r.log.indexOf('DescribeInvocationResults')).toBeGreaterThan(journaled);
    expect(lastResultRead).toBeLessThan(unassociated);
    // The HaVip read the detach acts on comes after the detach's journal write, beside the result reads.
    expect(r.log.slice(journaled, unassociated)).toContain('DescribeHaVips');
    expect(r.sim.servingInstance(r.group.haVipId as string)).toBe(B);
  });

  it('when the announce command takes several polls, the HaVip is read again after it, before the detach', async () => {
    const r = rig({ announce: 'cloud-assistant', cloudAssistantDelayMs: 40 });
    await r.takeLease();
    const { haVip } = await r.observe();
    await r.run([attach(B), announce, detach(A), verify], { haVip });
    const journaled = r.log.findIndex((e) => e.startsWith('journal DETACHING'));
    const unassociated = r.log.findIndex((e) => e.startsWith('UnassociateHaVip'));
    const window = r.log.slice(journaled, unassociated);
    expect(window.filter((e) => e === 'DescribeInvocationResults').length).toBeGreaterThan(1);
    expect(window.filter((e) => e === 'DescribeHaVips').length).toBeGreaterThan(1);
    expect(window.lastIndexOf('DescribeHaVips')).toBeGreaterThan(
      window.lastIndexOf('DescribeInvocationResults'),
    );
  });
});
