/**
 * Tencent error codes → the project's error classes and retryability, and transport failures → lost
 * responses (mutations) or retryable unavailability (reads). Table-driven: the pure mapping.
 */
import { describe, expect, it } from 'vitest';
import { TencentAnswerError, toCloudError } from '../../../../shared/adapters/tencent/errors.js';
import { classifyTencentError } from '../../../../shared/adapters/tencent/index.js';
import { CloudError, CloudResponseLostError } from '../../../../shared/core/errors.js';

describe('classifyTencentError', () => {
  it.each([
    ['RequestLimitExceeded', undefined, 'cloud.throttled', true],
    ['RequestLimitExceeded.UinLimitExceeded', undefined, 'cloud.throttled', true],
    ['InternalError', undefined, 'cloud.unavailable', true],
    ['InternalError.UnexpectedInternal', undefined, 'cloud.unavailable', true],
    ['UnsupportedOperation.MutexOperationTaskRunning', undefined, 'cloud.conflict', true],
    ['UnsupportedOperation.BindEIP', undefined, 'cloud.conflict', false],
    ['UnsupportedOperation.UnbindEIP', undefined, 'cloud.not-found', false],
    ['UnsupportedOperation', undefined, 'cloud.invalid-request', false],
    ['InvalidParameterValue.DuplicatedHaVipAssociations', undefined, 'cloud.conflict', false],
    ['InvalidParameterValue.LimitExceeded', undefined, 'cloud.invalid-request', false],
    ['LimitExceeded', undefined, 'cloud.quota', false],
    ['AuthFailure.SignatureFailure', undefined, 'cloud.forbidden', false],
    ['AuthFailure.SignatureExpire', undefined, 'cloud.forbidden', false],
    ['UnauthorizedOperation', undefined, 'cloud.forbidden', false],
    ['ResourceNotFound', undefined, 'cloud.not-found', false],
    ['InvalidInstanceId.NotFound', undefined, 'cloud.not-found', false],
    ['ResourceInUse', undefined, 'cloud.conflict', false],
    ['ResourceUnavailable.AgentStatusNotOnline', undefined, 'cloud.conflict', false],
    ['MissingParameter', undefined, 'cloud.invalid-request', false],
    ['InvalidAction', undefined, 'cloud.invalid-request', false],
    ['HTTP503', 503, 'cloud.unavailable', true],
    ['HTTP429', 429, 'cloud.throttled', true],
    ['HTTP403', 403, 'cloud.forbidden', false],
    ['SomethingNew', undefined, 'cloud.error', false],
  ] as const)('%s (HTTP %s) → %s, retryable %s', (code, status, expected, retryable) => {
    expect(classifyTencentError(code, status)).toEqual({ code: expected, retryable });
  });
});

describe('toCloudError', () => {
  const ctx = (mutation: boolean) => ({
    action: 'AssociateHaVipInstance',
    mutation,
    subject: 'havip-1',
    service: 'vpc',
  });
  const socket = (code: string) =>
    Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(code), { code }) });

  it('keeps the API code, request id and a hint', () => {
    const e = toCloudError(
      new TencentAnswerError('AuthFailure.SignatureExpire', 'expired', 'req-1', 200),
      ctx(false),
    );
    expect(e).toBeInstanceOf(CloudError);
    expect(e).toMatchObject({
      provider: 'tencent',
      providerCode: 'AuthFailure.SignatureExpire',
      requestId: 'req-1',
    });
    expect(e.message).toMatch(/NTP/);
  });

  it.each(['ECONNRESET', 'UND_ERR_SOCKET'])(
    'a %s after sending: a mutation is lost, a read unavailable',
    (code) => {
      expect(toCloudError(socket(code), ctx(true))).toBeInstanceOf(CloudResponseLostError);
      expect(toCloudError(socket(code), ctx(false))).toMatchObject({
        code: 'cloud.unavailable',
        retryable: true,
      });
    },
  );

  it('a refused connection was never sent: retryable, never lost', () => {
    expect(toCloudError(socket('ECONNREFUSED'), ctx(true))).toMatchObject({
      code: 'cloud.unavailable',
      retryable: true,
      providerCode: 'Network.ECONNREFUSED',
    });
  });

  it('an unreadable 200 answer to a mutation is lost (the server may have acted)', () => {
    expect(toCloudError(new SyntaxError('bad json'), ctx(true))).toBeInstanceOf(CloudResponseLostError);
  });
});
