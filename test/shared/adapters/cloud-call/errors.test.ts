/**
 * What both cloud adapters make of a call that failed: the class of an answer by its status alone, and
 * a call without a usable answer (not sent, lost, timed out, unreadable, or failed in the client).
 */
import { describe, expect, it } from 'vitest';
import {
  type CallContext,
  classifyByStatus,
  type NoAnswer,
  noAnswerError,
} from '../../../../shared/adapters/cloud-call/errors.js';
import { CloudError, CloudResponseLostError } from '../../../../shared/core/errors.js';

describe('classifyByStatus', () => {
  it.each([
    [undefined, 'cloud.error', false],
    [200, 'cloud.error', false],
    [401, 'cloud.forbidden', false],
    [403, 'cloud.forbidden', false],
    [404, 'cloud.not-found', false],
    [500, 'cloud.unavailable', true],
    [503, 'cloud.unavailable', true],
  ])('HTTP %s → %s (retryable %s)', (status, code, retryable) => {
    expect(classifyByStatus(status)).toEqual({ code, retryable });
  });
});

describe('noAnswerError', () => {
  const ctx = (mutation: boolean): CallContext => ({
    action: 'AssociateHaVip',
    mutation,
    subject: 'region=r, havip=h',
    service: 'vpc',
  });
  const failure = (over: Partial<NoAnswer>): NoAnswer => ({
    code: '',
    notSent: false,
    timedOut: false,
    lost: false,
    badBody: false,
    text: 'boom',
    cause: new Error('boom'),
    ...over,
  });

  it.each([
    ['not sent', { code: 'ECONNREFUSED', notSent: true }, 'cloud.unavailable', 'Network.ECONNREFUSED', true],
    ['a lost read', { code: 'ECONNRESET', lost: true }, 'cloud.unavailable', 'Network.ECONNRESET', true],
    ['a timed-out read', { timedOut: true }, 'cloud.unavailable', 'RequestTimeout', true],
    ['an unreadable body', { badBody: true }, 'cloud.unavailable', 'InvalidResponse', true],
    ['a client failure with a code', { code: 'EPROTO' }, 'cloud.error', 'Client.EPROTO', false],
    ['a client failure without one', {}, 'cloud.error', 'Client.Error', false],
  ] as const)('%s of a read → %s %s', (_, over, code, providerCode, retryable) => {
    const e = noAnswerError('tencent', ctx(false), failure(over));
    expect(e).toBeInstanceOf(CloudError);
    expect([e.code, (e as CloudError).providerCode, e.retryable, (e as CloudError).provider]).toEqual([
      code,
      providerCode,
      retryable,
      'tencent',
    ]);
    expect(e.message).toContain('(region=r, havip=h)');
  });

  it('a mutation that may have reached the server is a lost response; one never sent is not', () => {
    for (const over of [{ lost: true }, { timedOut: true }, { badBody: true }])
      expect(noAnswerError('alibaba', ctx(true), failure(over))).toBeInstanceOf(CloudResponseLostError);
    const notSent = noAnswerError('alibaba', ctx(true), failure({ code: 'ENOTFOUND', notSent: true }));
    expect(notSent).toBeInstanceOf(CloudError);
    expect((notSent as CloudError).alibabaCode).toBe('Network.ENOTFOUND');
  });
});
