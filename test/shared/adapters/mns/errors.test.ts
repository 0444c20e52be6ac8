import { describe, expect, it } from 'vitest';
import { classifyMnsError, mnsCallError } from '../../../../shared/adapters/mns/errors.js';

describe('classifyMnsError', () => {
  it.each([
    ['QpsLimitExceeded', 400, 'cloud.throttled', true],
    ['Throttling.User', 400, 'cloud.throttled', true],
    ['HTTP429', 429, 'cloud.throttled', true],
    ['InternalError', 500, 'cloud.unavailable', true],
    ['InternalServerError', 500, 'cloud.unavailable', true],
    ['ServiceUnavailable', 503, 'cloud.unavailable', true],
    ['HTTP502', 502, 'cloud.unavailable', true],
    ['SecurityTokenExpired', 403, 'cloud.forbidden', true],
    ['SignatureDoesNotMatch', 403, 'cloud.forbidden', false],
    ['InvalidAccessKeyId', 403, 'cloud.forbidden', false],
    ['AccessDenied', 403, 'cloud.forbidden', false],
    ['TimeExpired', 408, 'cloud.forbidden', false],
    ['InvalidSecurityToken', 403, 'cloud.forbidden', false],
    ['MissingAuthorizationHeader', 400, 'cloud.forbidden', false],
    ['TopicNotExist', 404, 'cloud.not-found', false],
    ['InvalidArgument', 400, 'cloud.invalid-request', false],
    ['MalformedXML', 400, 'cloud.invalid-request', false],
    ['InvalidDegist', 400, 'cloud.invalid-request', false],
    ['HTTP403', 403, 'cloud.forbidden', false],
    ['HTTP404', 404, 'cloud.not-found', false],
    ['HTTP408', 408, 'cloud.unavailable', true],
    ['SomethingNew', 400, 'cloud.error', false],
  ])('%s (HTTP %i) → %s, retryable %s', (code, status, stable, retryable) => {
    expect(classifyMnsError(code, status)).toMatchObject({ code: stable, retryable });
  });

  it('names the fix for permission problems in the message, and redacts echoed secrets', () => {
    const e = mnsCallError(
      { status: 403, mnsCode: 'AccessDenied', message: 'denied for key-secret-123456', requestId: 'R1' },
      ['key-secret-123456', ''],
    );
    expect(e.message).toMatch(/mns:PublishMessage/);
    expect(e.message).toMatch(/request id R1/);
    expect(e.message).not.toContain('key-secret-123456');
    expect(e.toJSON()).toMatchObject({
      code: 'cloud.forbidden',
      alibabaCode: 'AccessDenied',
      requestId: 'R1',
      statusCode: 403,
    });
  });
});
