import { describe, expect, it } from 'vitest';
import { classifyAlibabaError, redact, toCloudError } from '../../../../shared/adapters/alibaba/errors.js';
import { CloudError, CloudResponseLostError, HavipError } from '../../../../shared/core/errors.js';

describe('classifyAlibabaError', () => {
  const table: Array<[code: string, status: number | undefined, expected: string, retryable: boolean]> = [
    // flow control
    ['Throttling', 400, 'cloud.throttled', true],
    ['Throttling.User', 400, 'cloud.throttled', true],
    ['Throttling.Api', 503, 'cloud.throttled', true],
    ['SomethingElse', 429, 'cloud.throttled', true],
    // service trouble
    ['ServiceUnavailable', 503, 'cloud.unavailable', true],
    ['SystemBusy', 400, 'cloud.unavailable', true],
    ['InternalError', 500, 'cloud.unavailable', true],
    ['UnknownError', 500, 'cloud.unavailable', true],
    ['WhateverWentWrong', 502, 'cloud.unavailable', true],
    // a change in flight on the same resource: settles by itself
    ['OperationConflict', 400, 'cloud.conflict', true],
    ['LastTokenProcessing', 400, 'cloud.conflict', true],
    ['OperationFailed.DistibuteLock', 400, 'cloud.conflict', true],
    ['TaskConflict', 400, 'cloud.conflict', true],
    ['IncorrectHaVipStatus', 400, 'cloud.conflict', true],
    ['IncorrectEipStatus', 400, 'cloud.conflict', true],
    ['InvalidBindingStatus', 400, 'cloud.conflict', true],
    ['IncorrectInstanceStatus', 403, 'cloud.conflict', true],
    ['IncorrectStatus.HaVip', 400, 'cloud.conflict', true],
    // permanent conflicts and absent things
    ['InvalidAssociation.Duplicated', 400, 'cloud.conflict', false],
    ['ResourceNotAssociated', 400, 'cloud.not-found', false],
    ['InvalidHaVipId.NotFound', 404, 'cloud.not-found', false],
    ['InvalidInstanceId.NotFound', 404, 'cloud.not-found', false],
    ['InvalidAllocationId.NotFound', 400, 'cloud.not-found', false],
    ['ResourceNotExist', 400, 'cloud.not-found', false],
    ['Weird', 404, 'cloud.not-found', false],
    // permissions and credentials (checked before the NotFound pattern)
    ['Forbidden.UnassociateMaster', 400, 'cloud.forbidden', false],
    ['Forbidden.RAM', 403, 'cloud.forbidden', false],
    ['Forbbiden', 403, 'cloud.forbidden', false],
    ['NoPermission', 403, 'cloud.forbidden', false],
    ['InvalidAccessKeyId.NotFound', 404, 'cloud.forbidden', false],
    ['SignatureDoesNotMatch', 400, 'cloud.forbidden', false],
    ['InvalidSecurityToken.Expired', 400, 'cloud.forbidden', false],
    ['Weird', 403, 'cloud.forbidden', false],
    ['Forbidden.RegionNotFound', 404, 'cloud.invalid-request', false],
    // quotas
    ['CountLimitExceeded.HaVipOnECSInstance', 400, 'cloud.quota', false],
    ['QuotaExceeded.HaVip', 400, 'cloud.quota', false],
    ['InstanceLimitExceeded', 400, 'cloud.quota', false],
    // bad requests
    ['InvalidParameter', 400, 'cloud.invalid-request', false],
    ['InvalidRegionId.Malformed', 400, 'cloud.invalid-request', false],
    ['MissingParameter', 400, 'cloud.invalid-request', false],
    ['NotBelongToSameVSwitch', 400, 'cloud.invalid-request', false],
    ['IdempotentParameterMismatch', 400, 'cloud.invalid-request', false],
    ['UnsupportedOperation', 400, 'cloud.invalid-request', false],
    // Cloud Assistant (RunCommand): the instance cannot run commands now; only an upgrading agent recovers
    ['InvalidInstance.NotFound', 404, 'cloud.not-found', false],
    ['InvalidInvokeId.NotFound', 400, 'cloud.not-found', false],
    ['InvalidInstanceStatus', 400, 'cloud.conflict', false],
    ['InstanceNotRunning', 400, 'cloud.conflict', false],
    ['InvalidInstance.NoClient', 400, 'cloud.conflict', false],
    ['ClientNotRunning', 400, 'cloud.conflict', false],
    ['ClientNotResponse', 400, 'cloud.conflict', false],
    ['ClientNeedUpgrade', 400, 'cloud.conflict', false],
    ['ClientIsUpgrading', 400, 'cloud.conflict', true],
    ['InvalidCmdType.NotFound', 404, 'cloud.invalid-request', false],
    ['CmdContent.ExceedLimit', 403, 'cloud.invalid-request', false],
    ['InstanceIds.ExceedLimit', 403, 'cloud.invalid-request', false],
    ['Invalid.CommandContent', 400, 'cloud.invalid-request', false],
    ['MissingParameter.Type', 400, 'cloud.invalid-request', false],
    ['InternalError.Dispatch', 500, 'cloud.unavailable', true],
    // unknown
    ['SomethingNew', 400, 'cloud.error', false],
    ['SomethingNew', undefined, 'cloud.error', false],
  ];
  it.each(table)('%s (HTTP %s) → %s, retryable %s', (code, status, expected, retryable) => {
    expect(classifyAlibabaError(code, status)).toEqual({ code: expected, retryable });
  });
});

/** The shape the v7 OpenAPI client throws for an HTTP error answer. */
function sdkError(code: string, statusCode: number, message = 'm', requestId = 'req-1') {
  const e = new Error(`${code}: code: ${statusCode}, ${message} request id: ${requestId}`) as Error &
    Record<string, unknown>;
  e.name =
    statusCode >= 500 ? 'ServerError' : code.includes('Throttling') ? 'ThrottlingError' : 'ClientError';
  e.code = code;
  e.statusCode = statusCode;
  e.requestId = requestId;
  e.data = { Code: code, Message: message, RequestId: requestId };
  return e;
}

function sysError(code: string, message = 'boom', name = 'Error') {
  const e = new Error(message) as Error & { code?: string };
  e.name = name;
  e.code = code;
  return e;
}

const read = { action: 'DescribeHaVips', mutation: false, subject: 'region cn-hangzhou', service: 'vpc' };
const write = {
  action: 'AssociateHaVip',
  mutation: true,
  subject: 'region cn-hangzhou, HaVipId havip-1',
  service: 'vpc',
};

describe('toCloudError', () => {
  it('carries Alibaba code, request id, status and the classification', () => {
    const e = toCloudError(
      sdkError('IncorrectHaVipStatus', 400, 'The HaVip is associating.', 'ABC-123'),
      write,
    );
    expect(e).toBeInstanceOf(CloudError);
    const c = e as CloudError;
    expect(c.code).toBe('cloud.conflict');
    expect(c.retryable).toBe(true);
    expect(c.alibabaCode).toBe('IncorrectHaVipStatus');
    expect(c.requestId).toBe('ABC-123');
    expect(c.statusCode).toBe(400);
    expect(c.message).toContain('The HaVip is associating.');
    expect(c.message).toContain('HaVipId havip-1');
  });

  it('names the RAM permission for a forbidden call', () => {
    const e = toCloudError(sdkError('Forbidden.RAM', 403), write) as CloudError;
    expect(e.code).toBe('cloud.forbidden');
    expect(e.message).toContain('vpc:AssociateHaVip');
  });

  it('drops the literal "undefined" request id the client produces when the body has none', () => {
    const e = toCloudError(sdkError('ServiceUnavailable', 503, 'busy', 'undefined'), read) as CloudError;
    expect(e.requestId).toBeUndefined();
    expect(e.code).toBe('cloud.unavailable');
  });

  it.each(['ECONNRESET', 'EPIPE', 'ETIMEDOUT'])('a %s on a mutation is a lost response', (code) => {
    const e = toCloudError(sysError(code, 'socket hang up'), write);
    expect(e).toBeInstanceOf(CloudResponseLostError);
    expect(e.code).toBe('cloud.response-lost');
    expect(e.retryable).toBe(true);
  });

  it('a read timeout on a mutation is a lost response; on a read it is retryable unavailability', () => {
    const timeout = () => sysError('', 'ReadTimeout(10). POST http://x/?a=b failed.', 'RequestTimeoutError');
    expect(toCloudError(timeout(), write)).toBeInstanceOf(CloudResponseLostError);
    const onRead = toCloudError(timeout(), read) as CloudError;
    expect(onRead).toBeInstanceOf(CloudError);
    expect(onRead.code).toBe('cloud.unavailable');
    expect(onRead.alibabaCode).toBe('RequestTimeout');
    expect(onRead.retryable).toBe(true);
  });

  it('a refused connection never reached the service, even for a mutation', () => {
    const e = toCloudError(sysError('ECONNREFUSED'), write) as CloudError;
    expect(e).toBeInstanceOf(CloudError);
    expect(e.code).toBe('cloud.unavailable');
    expect(e.alibabaCode).toBe('Network.ECONNREFUSED');
  });

  it('an unparseable body is a lost response for a mutation', () => {
    expect(toCloudError(new SyntaxError('Unexpected token <'), write)).toBeInstanceOf(CloudResponseLostError);
    expect((toCloudError(new SyntaxError('Unexpected token <'), read) as CloudError).alibabaCode).toBe(
      'InvalidResponse',
    );
  });

  it('passes HavipErrors through unchanged', () => {
    const original = new HavipError('cloud.forbidden', 'x');
    expect(toCloudError(original, read)).toBe(original);
  });

  it('never keeps a signed URL in the message or the cause', () => {
    const raw = sysError(
      'ECONNRESET',
      'socket hang up POST http://127.0.0.1:1/?AccessKeyId=AKID&SecurityToken=TOKEN&Signature=SIG failed.',
    );
    for (const ctx of [read, write]) {
      const e = toCloudError(raw, ctx);
      const text = JSON.stringify({ m: e.message, c: String((e.cause as Error).message), j: e.toJSON() });
      expect(text).not.toMatch(/AKID|TOKEN|SIG/);
    }
  });
});

describe('redact', () => {
  it('removes query strings and credential-looking parameters', () => {
    expect(redact('GET https://vpc.aliyuncs.com/?Signature=abc&x=1 failed')).toBe(
      'GET https://vpc.aliyuncs.com/?<redacted> failed',
    );
    expect(redact('AccessKeyId=AK1, SecurityToken=T')).toBe(
      'AccessKeyId=<redacted>, SecurityToken=<redacted>',
    );
  });
});
