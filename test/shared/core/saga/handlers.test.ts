/**
 * One step handler at a time, against the simulator (through our adapter): when a step is already in
 * place (skipped, nothing sent), what it sends, and what "done" means for it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CloudError } from '../../../../shared/core/errors.js';
import { clientToken, type SagaStep, stepKey } from '../../../../shared/core/saga.js';
import { A, attach, B, detach, EIP, HAVIP, overriding, SagaRig } from '../../../support/saga-rig.js';

const rigs: SagaRig[] = [];
async function rig(...args: ConstructorParameters<typeof SagaRig>) {
  const r = new SagaRig(...args);
  rigs.push(r);
  const lease = await r.takeLease();
  const { haVip } = await r.observe();
  const run = (steps: readonly SagaStep[]) => r.run(steps, { haVip });
  return { r, lease, run };
}
afterEach(async () => {
  while (rigs.length > 0) await rigs.pop()?.close();
});

const outcomes = (reports: readonly { key: string; outcome: string; note?: string }[]) =>
  reports.map((s) => `${s.key}=${s.outcome}${s.note ? ` (${s.note})` : ''}`);
const announce: SagaStep = { op: 'announce', member: B, host: B };
const verify = (waitSeconds: number): SagaStep => ({ op: 'verify', member: B, waitSeconds });
const eipBind: SagaStep = { op: 'eip-bind', instanceId: HAVIP, instanceType: 'HaVip' };
const eipUnbind: SagaStep = { op: 'eip-unbind', instanceId: HAVIP, instanceType: 'HaVip' };
const fenceStop: SagaStep = { op: 'fence-stop', member: A };
const cloudError = (alibabaCode: string, retryable = false) =>
  new CloudError({ action: 'test', alibabaCode, message: 'injected', retryable });

describe('attach-havip', () => {
  it('a member already bound is skipped: nothing is sent', async () => {
    const { r, run } = await rig();
    expect(outcomes(await run([attach(A)]))).toEqual([`${stepKey(attach(A))}=skipped (already bound)`]);
    expect(r.calls('AssociateHaVip')).toEqual([]);
  });

  it('binds the member and is done once the binding has settled', async () => {
    const { r, run } = await rig();
    expect(outcomes(await run([attach(B)]))).toEqual([`${stepKey(attach(B))}=done`]);
    expect(r.bound().sort()).toEqual([A, B].sort());
    expect(r.sim.haVip(HAVIP)?.status).toBe('InUse');
  });
});

describe('detach-havip', () => {
  it('a member not bound is skipped: nothing is sent', async () => {
    const { r, run } = await rig();
    expect(outcomes(await run([detach(B)]))).toEqual([`${stepKey(detach(B))}=skipped (not bound)`]);
    expect(r.calls('UnassociateHaVip')).toEqual([]);
  });

  it('the only binding left is never detached', async () => {
    const { r, run } = await rig();
    expect(outcomes(await run([detach(A)]))).toEqual([
      `${stepKey(detach(A))}=skipped (${A} is the only binding left)`,
    ]);
    expect(r.bound()).toEqual([A]);
  });

  it('detaches the master with Force even when the plan did not ask, under its own ClientToken', async () => {
    const { r, lease, run } = await rig();
    const reports = await run([attach(B), detach(A, false)]);
    const key = `${stepKey(detach(A))}:force`;
    expect(reports[1]).toMatchObject({
      outcome: 'done',
      clientToken: clientToken(r.group.name, lease.epoch, key),
    });
    expect(r.calls('UnassociateHaVip')).toEqual([
      `UnassociateHaVip ${clientToken(r.group.name, lease.epoch, key)}`,
    ]);
    expect(r.bound()).toEqual([B]);
  });

  it('an "already detached" answer counts as done', async () => {
    const r = new SagaRig({
      wrapCloud: (cloud) =>
        overriding(cloud, {
          unassociateHaVip: async (req) => {
            await cloud.unassociateHaVip(req);
            throw cloudError('ResourceNotAssociated');
          },
        }),
    });
    rigs.push(r);
    await r.takeLease();
    const { haVip } = await r.observe();
    expect(outcomes(await r.run([attach(B), detach(A)], { haVip }))[1]).toBe(`${stepKey(detach(A))}=done`);
    expect(r.bound()).toEqual([B]);
  });
});

describe('announce', () => {
  it('runs the announce script on the new holder: done, and the VPC routes the HaVip to it', async () => {
    const { r, run } = await rig({ announce: 'cloud-assistant' });
    const [, done] = await run([attach(B), announce]);
    expect(done).toMatchObject({ outcome: 'done', note: expect.stringMatching(/^invocation /) });
    expect(r.sim.servingInstance(HAVIP)).toBe(B);
  });

  it.each([
    ['offline', /^announce command Aborted \(ClientNotRunning\)$/],
    ['fail', /^announce command Failed \(ExitCodeNonzero\), exit 1$/],
  ] as const)(
    'Cloud Assistant %s on the host: reported failed, not thrown; later steps still run',
    async (mode, note) => {
      const { r, run } = await rig({ announce: 'cloud-assistant' });
      r.sim.faults.setCloudAssistant(B, mode);
      const reports = await run([attach(B), announce, verify(0)]);
      expect(reports[1]).toMatchObject({ outcome: 'failed', note: expect.stringMatching(note) });
      expect(reports[2]).toMatchObject({ outcome: 'incomplete' });
    },
  );
});

describe('verify', () => {
  it('nobody announces within the wait: incomplete, with what MasterInstanceId says', async () => {
    const { run } = await rig();
    const reports = await run([attach(B), detach(A), verify(0)]);
    expect(outcomes(reports)[2]).toBe(
      `verify:${B}=incomplete (bound but not announced: MasterInstanceId is empty)`,
    );
  });

  it('done as soon as MasterInstanceId names the member (an agent announced within the wait)', async () => {
    const { r, run } = await rig();
    const address = r.sim.haVip(HAVIP)?.ipAddress as string;
    const timer = setTimeout(() => r.sim.announce(B, address), 50);
    const reports = await run([attach(B), detach(A), verify(1)]);
    clearTimeout(timer);
    expect(outcomes(reports)[2]).toBe(`verify:${B}=done (MasterInstanceId is ${B})`);
  });
});

describe('eip-unbind and eip-bind', () => {
  it('an EIP already on the HaVip: bind is skipped, unbinding it from elsewhere is skipped', async () => {
    const { r, run } = await rig();
    const elsewhere: SagaStep = { op: 'eip-unbind', instanceId: A, instanceType: 'EcsInstance' };
    expect(outcomes(await run([eipBind, elsewhere]))).toEqual([
      `eip-bind:${HAVIP}=skipped (already bound)`,
      `eip-unbind:${A}=skipped (not bound there)`,
    ]);
    expect(r.calls('AssociateEipAddress')).toEqual([]);
    expect(r.calls('UnassociateEipAddress')).toEqual([]);
  });

  it('unbinds and binds, each done once the EIP has settled there', async () => {
    const { r, run } = await rig();
    expect(outcomes(await run([eipUnbind]))).toEqual([`eip-unbind:${HAVIP}=done`]);
    expect(r.sim.eip(EIP)).toMatchObject({ status: 'Available' });
    expect(outcomes(await run([eipBind]))).toEqual([`eip-bind:${HAVIP}=done`]);
    expect(r.sim.eip(EIP)).toMatchObject({ status: 'InUse', instanceId: HAVIP });
  });
});

describe('fence-stop', () => {
  it('stops the old holder', async () => {
    const { r, run } = await rig();
    expect(outcomes(await run([fenceStop]))).toEqual([`fence-stop:${A}=done`]);
    expect(['Stopping', 'Stopped']).toContain(r.sim.instance(A)?.status);
  });

  it('is best effort: a refused stop is reported, never thrown, and the run goes on', async () => {
    const r = new SagaRig({
      wrapCloud: (cloud) =>
        overriding(cloud, {
          stopInstance: () => Promise.reject(cloudError('Forbidden.RAM')),
        }),
    });
    rigs.push(r);
    await r.takeLease();
    const { haVip } = await r.observe();
    const reports = await r.run([fenceStop, eipBind], { haVip });
    expect(reports[0]).toMatchObject({ outcome: 'failed', note: expect.stringContaining('Forbidden.RAM') });
    expect(reports[1]).toMatchObject({ outcome: 'skipped' });
  });
});
