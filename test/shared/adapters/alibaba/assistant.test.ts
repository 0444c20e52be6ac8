/**
 * Cloud Assistant calls (`assistant.ts`) against a canned-JSON HTTP server: RunCommand (refusing an
 * unusable request before sending anything; an answer without InvokeId is a lost response) and
 * DescribeInvocationResults (the one result asked for, decoded and cut), with error mapping.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CloudError, CloudResponseLostError, InvalidInputError } from '../../../../shared/core/errors.js';
import type { CloudApi } from '../../../../shared/core/ports.js';
import { api, canned, closeCannedServers, ok, region, SCRIPT } from '../../../support/alibaba.js';

afterEach(closeCannedServers);

describe('Cloud Assistant: RunCommand and DescribeInvocationResults', () => {
  const run = (a: CloudApi, extra: Partial<Parameters<CloudApi['runCommand']>[0]> = {}) =>
    a.runCommand({
      regionId: region,
      instanceId: 'i-1',
      commandContent: SCRIPT,
      timeoutSeconds: 30,
      clientToken: 'tok',
      name: 'havip-announce',
      ...extra,
    });
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  const result = (extra: Record<string, unknown> = {}) => ({
    InvokeId: 't-1',
    InstanceId: 'i-1',
    InvocationStatus: 'Success',
    ExitCode: 0,
    Output: b64('announced 10.0.1.100\n'),
    ErrorCode: '',
    ...extra,
  });
  const results = (...items: unknown[]) => ({
    body: {
      RequestId: 'req-dir',
      Invocation: {
        TotalCount: items.length,
        PageNumber: 1,
        PageSize: 10,
        InvocationResults: { InvocationResult: items },
      },
    },
  });
  const describeResult = (a: CloudApi) =>
    a.describeInvocationResult({ regionId: region, invokeId: 't-1', instanceId: 'i-1' });

  it('RunCommand returns the invocation id and request id', async () => {
    const srv = await canned(() => ({ body: { RequestId: 'req-run', InvokeId: 't-abc', CommandId: 'c-1' } }));
    expect(await run(api(srv))).toEqual({ invokeId: 't-abc', requestId: 'req-run' });
  });

  it('an answer without InvokeId is a lost response: repeat with the same ClientToken', async () => {
    const srv = await canned(() => ({ body: { RequestId: 'req-run', InvokeId: '' } }));
    const err = await run(api(srv)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudResponseLostError);
    expect((err as CloudResponseLostError).action).toBe('RunCommand');
    expect(String((err as Error).cause)).toContain('ClientToken');
    expect(srv.requests).toHaveLength(1);
  });

  it('a dropped RunCommand answer is a lost response, sent once', async () => {
    const srv = await canned(() => 'drop');
    const err = await run(api(srv)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CloudResponseLostError);
    expect(srv.requests).toHaveLength(1);
  });

  it('rejects an unusable request before sending anything, naming each field', async () => {
    const srv = await canned(() => ok);
    const err = (await run(api(srv), {
      commandContent: 'x'.repeat(19_000),
      timeoutSeconds: 0,
      name: 'n'.repeat(129),
    }).catch((e: unknown) => e)) as InvalidInputError;
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.code).toBe('cloud.invalid-request');
    expect(err.issues.map((i) => i.path)).toEqual(['commandContent', 'timeoutSeconds', 'name']);
    expect(err.issues[0]?.message).toContain('24576');
    const empty = (await run(api(srv), { commandContent: '  \n' }).catch(
      (e: unknown) => e,
    )) as InvalidInputError;
    expect(empty.issues.map((i) => i.path)).toEqual(['commandContent']);
    expect(srv.requests).toHaveLength(0);
  });

  it('reads status, exit code, error code and Base64 output of the one result asked for', async () => {
    const srv = await canned(() =>
      results(
        result({ InvokeId: 't-other' }),
        result({ InstanceId: 'i-2' }),
        result({
          InvocationStatus: 'Failed',
          ExitCode: '1',
          ErrorCode: 'ExitCodeNonzero',
          Output: b64('ü boom'),
        }),
      ),
    );
    expect(await describeResult(api(srv))).toEqual({
      invokeId: 't-1',
      instanceId: 'i-1',
      status: 'Failed',
      exitCode: 1,
      output: 'ü boom',
      errorCode: 'ExitCodeNonzero',
    });
  });

  it('a running invocation has no exit code or output yet; no record at all is undefined', async () => {
    const srv = await canned((_r, n) =>
      n === 1 ? results(result({ InvocationStatus: 'Running', ExitCode: null, Output: '' })) : results(),
    );
    expect(await describeResult(api(srv))).toEqual({
      invokeId: 't-1',
      instanceId: 'i-1',
      status: 'Running',
      exitCode: undefined,
      output: undefined,
      errorCode: undefined,
    });
    expect(await describeResult(api(srv))).toBeUndefined();
  });

  it('an answer with no Invocation object at all is "no record yet"', async () => {
    const srv = await canned(() => ({ body: { RequestId: 'r' } }));
    expect(await describeResult(api(srv))).toBeUndefined();
  });

  it('keeps the last ~4 KiB of a long output, marking the cut', async () => {
    const long = `${'a'.repeat(10_000)}THE-END`;
    const srv = await canned(() => results(result({ Output: b64(long) })));
    const out = (await describeResult(api(srv)))?.output ?? '';
    expect(out.length).toBeLessThanOrEqual(4096 + 40);
    expect(out.endsWith('THE-END')).toBe(true);
    expect(out).toMatch(/^\[\d+ characters truncated\]\n/);
    const cut = Number(/^\[(\d+)/.exec(out)?.[1]);
    expect(cut + (out.length - out.indexOf('\n') - 1)).toBe(long.length);
  });

  it('a result without InvocationStatus is an invalid response naming the field', async () => {
    const srv = await canned(() => results(result({ InvocationStatus: undefined })));
    const err = (await describeResult(api(srv)).catch((e: unknown) => e)) as CloudError;
    expect(err).toBeInstanceOf(CloudError);
    expect(err.alibabaCode).toBe('InvalidResponse');
    expect(err.message).toContain('Invocation.InvocationResults.InvocationResult[0].InvocationStatus');
  });

  const table: Array<[status: number, code: string, expected: string, retryable: boolean, hint: string]> = [
    [404, 'InvalidInstance.NotFound', 'cloud.not-found', false, 'check the id and region'],
    [400, 'InvalidInstanceStatus', 'cloud.conflict', false, 'only on Running instances'],
    [400, 'InvalidInstance.NoClient', 'cloud.conflict', false, 'install the Cloud Assistant agent'],
    [404, 'InvalidCmdType.NotFound', 'cloud.invalid-request', false, ''],
    [403, 'CmdContent.ExceedLimit', 'cloud.invalid-request', false, ''],
    [400, 'Throttling.User', 'cloud.throttled', true, 'retry with backoff'],
    [500, 'InternalError.Dispatch', 'cloud.unavailable', true, ''],
  ];
  it.each(table)(
    'RunCommand HTTP %i %s → %s (retryable %s)',
    async (status, code, expected, retryable, hint) => {
      const srv = await canned(() => ({
        status,
        body: { Code: code, Message: `msg ${code}`, RequestId: 'r-e' },
      }));
      const err = (await run(api(srv)).catch((e: unknown) => e)) as CloudError;
      expect(err).toBeInstanceOf(CloudError);
      expect([err.code, err.retryable, err.alibabaCode]).toEqual([expected, retryable, code]);
      expect(err.message).toContain('InstanceId i-1');
      expect(err.message).toContain(hint);
      expect(srv.requests).toHaveLength(1);
    },
  );
});
