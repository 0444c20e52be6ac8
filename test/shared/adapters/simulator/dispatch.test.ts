/**
 * Request dispatch (`dispatch.ts`): ClientToken idempotency (same token and parameters: the original
 * answer without a second effect; other parameters: refused; failed calls do not consume the token),
 * token validation, and the answer to an action the simulator does not model. The fault gate in
 * front of every call is tested in common/faults.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  assoc,
  expectAliError,
  harnessPerTest,
  REGION,
  type RuleCase,
  refusedCalls,
  unassoc,
} from '../../../support/simulator.js';

const { harness } = harnessPerTest();

const CASES: readonly RuleCase[] = [
  {
    name: 'ClientToken longer than 64 characters',
    code: 'InvalidParameter',
    status: 400,
    call: (v) => assoc(v, 'havip-2', 'i-a2', { clientToken: 'x'.repeat(65) }),
  },
];

refusedCalls(CASES, harness);

describe('ClientToken idempotency', () => {
  it('the same token and parameters return the original result with no second effect', async () => {
    const x = await harness();
    const first = await assoc(x.vpc, 'havip-2', 'i-a2', { clientToken: 'group-web:7:attach:i-a2' });
    // Executed again, this would be refused: the HaVip is Associating.
    const again = await assoc(x.vpc, 'havip-2', 'i-a2', { clientToken: 'group-web:7:attach:i-a2' });
    expect(again.body?.requestId).toBe(first.body?.requestId);
    expect(x.cloud.pendingTransitions()).toBe(1);
    await x.cloud.settle();
    // Still the original result after completion (executed again it would be InvalidAssociation.Duplicated).
    const late = await assoc(x.vpc, 'havip-2', 'i-a2', { clientToken: 'group-web:7:attach:i-a2' });
    expect(late.body?.requestId).toBe(first.body?.requestId);
    expect(x.cloud.haVip('havip-2')?.associatedInstances).toEqual(['i-a2']);
    expect(x.cloud.stats().calls.AssociateHaVip).toBe(3);
  });

  it('the same token with different parameters is IdempotentParameterMismatch', async () => {
    const x = await harness();
    await assoc(x.vpc, 'havip-2', 'i-a2', { clientToken: 'tok-1' });
    await x.cloud.settle();
    await expectAliError(
      assoc(x.vpc, 'havip-2', 'i-e1', { clientToken: 'tok-1' }),
      'IdempotentParameterMismatch',
      400,
    );
    expect(x.cloud.haVip('havip-2')?.associatedInstances).toEqual(['i-a2']);
  });

  it('tokens are scoped by action, and a failed call does not consume its token', async () => {
    const x = await harness();
    await assoc(x.vpc, 'havip-2', 'i-a2', { clientToken: 'tok-2' });
    await x.cloud.settle();
    // Same token on another action is a different request.
    await unassoc(x.vpc, 'havip-2', 'i-a2', { clientToken: 'tok-2', force: 'True' });
    await x.cloud.settle();
    expect(x.cloud.haVip('havip-2')?.associatedInstances).toEqual([]);

    x.cloud.faults.failNext({ action: 'AssociateHaVip' });
    await expectAliError(
      assoc(x.vpc, 'havip-1', 'i-a2', { clientToken: 'tok-3' }),
      'ServiceUnavailable',
      503,
    );
    await assoc(x.vpc, 'havip-1', 'i-a2', { clientToken: 'tok-3' });
    await x.cloud.settle();
    expect(x.cloud.haVip('havip-1')?.associatedInstances).toEqual(['i-a1', 'i-a2']);
  });
});

describe('operations', () => {
  it('answers InvalidAction.NotFound for an operation it does not model', async () => {
    const h = await harness();
    const r = await h.cloud.handle({
      version: '2016-04-28',
      action: 'CreateHaVip',
      params: { RegionId: REGION },
    });
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({
      Code: 'InvalidAction.NotFound',
      RequestId: r.requestId,
      HostId: 'vpc.aliyuncs.com',
    });
  });
});
