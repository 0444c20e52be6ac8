/**
 * The machinery every step shares, against the simulator (through our adapter) and the SQLite store:
 * retries of retryable errors only, one ClientToken for every attempt of a step, a re-read after a lost
 * response, the deadline, and the fence before every attempt.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  CloudError,
  CloudResponseLostError,
  DeadlineExceededError,
  StaleEpochError,
} from '../../../../shared/core/errors.js';
import type { CloudApi, HaVipState } from '../../../../shared/core/ports.js';
import { clientToken, stepKey } from '../../../../shared/core/saga.js';
import { A, attach, B, overriding, type RigOptions, SagaRig } from '../../../support/saga-rig.js';

const rigs: SagaRig[] = [];
async function rig(opts: RigOptions = {}) {
  const r = new SagaRig(opts);
  rigs.push(r);
  const lease = await r.takeLease();
  const { haVip } = await r.observe();
  const token = clientToken(r.group.name, lease.epoch, stepKey(attach(B)));
  return { r, lease, token, attachB: () => r.run([attach(B)], { haVip }) };
}
afterEach(async () => {
  while (rigs.length > 0) await rigs.pop()?.close();
});

/** Replaces `associateHaVip`: `first` decides what the first attempts do; later ones reach the cloud. */
function associateFaults(
  first: ((req: Parameters<CloudApi['associateHaVip']>[0], cloud: CloudApi, r: SagaRig) => Promise<never>)[],
  tokens: string[],
): RigOptions['wrapCloud'] {
  return (cloud, r) =>
    overriding(cloud, {
      associateHaVip: (req) => {
        tokens.push(req.clientToken);
        const fault = first.shift();
        return fault ? fault(req, cloud, r) : cloud.associateHaVip(req);
      },
    });
}

describe('mutations', () => {
  it('retryable errors (5xx) are retried inside the deadline with the same ClientToken', async () => {
    const { r, token, attachB } = await rig();
    r.sim.faults.failNext({ action: 'AssociateHaVip', count: 2, code: 'ServiceUnavailable' });
    const [report] = await attachB();
    expect(report).toMatchObject({ outcome: 'done', clientToken: token });
    expect(r.calls('AssociateHaVip')).toEqual([1, 2, 3].map(() => `AssociateHaVip ${token}`));
    expect(r.bound()).toContain(B);
  });

  it('a non-retryable error is thrown at once: one attempt, nothing changed', async () => {
    const tokens: string[] = [];
    const refused = new CloudError({
      action: 'AssociateHaVip',
      alibabaCode: 'Forbidden.RAM',
      message: 'not allowed',
      retryable: false,
    });
    const { r, attachB } = await rig({
      wrapCloud: associateFaults([() => Promise.reject(refused)], tokens),
    });
    await expect(attachB()).rejects.toBe(refused);
    expect(tokens).toHaveLength(1);
    expect(r.bound()).toEqual([A]);
  });

  it('a lost response after the change committed: the state is re-read, the call is not sent again', async () => {
    const { r, token, attachB } = await rig();
    r.sim.faults.dropNextResponse({ action: 'AssociateHaVip' });
    const [report] = await attachB();
    expect(report).toMatchObject({ outcome: 'done', clientToken: token });
    expect(r.calls('AssociateHaVip')).toEqual([`AssociateHaVip ${token}`]);
    const lost = r.log.indexOf(`AssociateHaVip ${token}`);
    expect(r.log[lost + 1]).toBe('DescribeHaVips');
    expect(r.bound().sort()).toEqual([A, B].sort());
  });

  it('a lost request (nothing visible on re-read) is sent again with the same ClientToken', async () => {
    const tokens: string[] = [];
    const { r, token, attachB } = await rig({
      wrapCloud: associateFaults(
        [() => Promise.reject(new CloudResponseLostError('AssociateHaVip'))],
        tokens,
      ),
    });
    const [report] = await attachB();
    expect(report).toMatchObject({ outcome: 'done' });
    expect(tokens).toEqual([token, token]);
    expect(r.bound().sort()).toEqual([A, B].sort());
  });

  it('gives up at the deadline when every attempt fails, with the attempts counted', async () => {
    const { r, attachB } = await rig({ deadlineMs: 200 });
    r.sim.faults.setFailureRate({ probability: 1, action: 'AssociateHaVip' });
    const failure = await attachB().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DeadlineExceededError);
    const { attempts } = (failure as DeadlineExceededError).details as { attempts: number };
    expect(attempts).toBe(r.calls('AssociateHaVip').length);
    expect(attempts).toBeGreaterThan(1);
    expect(r.bound()).toEqual([A]);
  });
});

describe('the fence', () => {
  it('comes before every attempt: a retry after the lease was taken over is never sent', async () => {
    const tokens: string[] = [];
    const takeover = async (_req: unknown, _cloud: CloudApi, r: SagaRig): Promise<never> => {
      await r.store.releaseLease(r.group.name, r.lease.epoch);
      await r.store.acquireLease(r.group.name, 'newer actor', 60_000, Date.now());
      throw new CloudError({
        action: 'AssociateHaVip',
        alibabaCode: 'ServiceUnavailable',
        message: 'try again',
        retryable: true,
      });
    };
    const { r, attachB } = await rig({ wrapCloud: associateFaults([takeover], tokens) });
    await expect(attachB()).rejects.toBeInstanceOf(StaleEpochError);
    expect(tokens).toHaveLength(1);
    expect(r.bound()).toEqual([A]);
  });

  it('renews a lease past half its TTL before the next mutation', async () => {
    const r = new SagaRig();
    rigs.push(r);
    const lease = await r.takeLease(1_000); // the saga's TTL is 60 s: this lease is past half of it
    const { haVip } = await r.observe();
    await r.run([attach(B)], { haVip });
    const renewed = await r.store.getLease(r.group.name);
    expect(renewed?.epoch).toBe(lease.epoch);
    expect(renewed?.expiresAt).toBeGreaterThan(lease.expiresAt + 30_000);
  });
});

describe('reads kept for heartbeats', () => {
  it('a read is handed to the observer while the lease is live, not when the run outlived it meanwhile', async () => {
    let stall = false;
    const { r } = await rig({
      wrapCloud: (cloud, self) =>
        overriding(cloud, {
          describeHaVips: async (req) => {
            if (stall) {
              // The run stalls inside its read (a GC pause, a slow answer) until its lease has run out,
              // and another invocation takes the group meanwhile.
              stall = false;
              await new Promise((res) => setTimeout(res, 300));
              await self.store.acquireLease(self.group.name, 'the-next-owner', 60_000, Date.now());
            }
            return cloud.describeHaVips(req);
          },
        }),
    });
    const seen: string[][] = [];
    const observed = async (s: HaVipState) => {
      seen.push([...s.associatedInstances]);
    };
    await r.run([attach(B)], { observed });
    expect(seen.at(-1)?.sort()).toEqual([A, B].sort());

    seen.length = 0;
    await r.store.releaseLease(r.group.name, r.lease.epoch);
    await r.takeLease(200);
    stall = true;
    const verifyA = { op: 'verify', member: A, waitSeconds: 0 } as const;
    await r.run([verifyA], { observed, leaseTtlMs: 200 }).catch(() => undefined);
    expect(seen).toEqual([]);
  });
});
