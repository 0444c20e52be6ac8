/**
 * Cloud Assistant in the simulator, driven through the official ECS SDK: RunCommand validation with
 * the API's error codes, invocations that run after `cloudAssistantDelayMs` on the simulator clock,
 * DescribeInvocationResults in the documented shape (parsed by the SDK), the announce effect of an
 * `arping` script, ClientToken idempotency and the agent fault knob. Time is a manual clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, type SimSeed } from '../../../../shared/adapters/simulator/index.js';
import {
  $Ecs,
  $Vpc,
  expectAliError,
  type Harness,
  startHarness,
  testSeed,
} from '../../../support/simulator.js';

const REGION = 'cn-hangzhou';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString('utf8');
const ANNOUNCE = (address: string) =>
  `#!/bin/sh\nset -eu\nADDR=${address}\nip addr add "$ADDR/32" dev eth0 || true\narping -U -c 5 -I eth0 "$ADDR"\necho "announced $ADDR"\n`;

let h: Harness | undefined;
let clock: ManualClock;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function harness(seed: SimSeed = testSeed()): Promise<Harness> {
  clock = new ManualClock();
  h = await startHarness({ seed, clock });
  return h;
}

const run = (x: Harness, extra: Partial<$Ecs.RunCommandRequest> = {}) =>
  x.ecs.runCommand(
    new $Ecs.RunCommandRequest({
      regionId: REGION,
      type: 'RunShellScript',
      commandContent: b64(ANNOUNCE('10.0.1.101')),
      contentEncoding: 'Base64',
      instanceId: ['i-a2'],
      timeout: 30,
      name: 'havip-announce',
      ...extra,
    }),
  );

const results = async (
  x: Harness,
  invokeId: string,
  extra: Partial<$Ecs.DescribeInvocationResultsRequest> = {},
) => {
  const r = await x.ecs.describeInvocationResults(
    new $Ecs.DescribeInvocationResultsRequest({ regionId: REGION, invokeId, ...extra }),
  );
  return r.body?.invocation;
};

async function bindHaVip2ToA2(x: Harness): Promise<void> {
  await x.vpc.associateHaVip(
    new $Vpc.AssociateHaVipRequest({ regionId: REGION, haVipId: 'havip-2', instanceId: 'i-a2' }),
  );
  await clock.advance(0);
}

describe('RunCommand and DescribeInvocationResults through the official SDK', () => {
  it('runs an announce script: Running, then Success with Base64 output, and the holder becomes master', async () => {
    const x = await harness();
    await bindHaVip2ToA2(x);
    const started = await run(x, { clientToken: 'announce-1' });
    const invokeId = started.body?.invokeId ?? '';
    expect(invokeId).toMatch(/^t-/);
    expect(started.body?.commandId).toMatch(/^c-/);
    expect(started.body?.requestId).toMatch(/^[0-9A-F-]{36}$/);

    const running = await results(x, invokeId);
    expect(running).toMatchObject({ totalCount: 1, pageNumber: 1, pageSize: 10 });
    expect(running?.invocationResults?.invocationResult?.[0]).toMatchObject({
      invokeId,
      instanceId: 'i-a2',
      invocationStatus: 'Running',
      invokeRecordStatus: 'Running',
      errorCode: '',
    });
    expect(running?.invocationResults?.invocationResult?.[0]?.exitCode).toBeUndefined();
    expect(x.cloud.haVip('havip-2')?.masterInstanceId).toBeUndefined();

    await clock.advance(299);
    expect((await results(x, invokeId))?.invocationResults?.invocationResult?.[0]?.invocationStatus).toBe(
      'Running',
    );
    await clock.advance(1);
    const done = (await results(x, invokeId))?.invocationResults?.invocationResult?.[0];
    expect(done).toMatchObject({
      invocationStatus: 'Success',
      invokeRecordStatus: 'Finished',
      exitCode: 0,
      errorCode: '',
      instanceId: 'i-a2',
    });
    expect(unb64(done?.output)).toBe('announced 10.0.1.101\n');
    expect(done?.finishedTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(x.cloud.haVip('havip-2')?.masterInstanceId).toBe('i-a2');
    expect(x.cloud.stats()).toMatchObject({
      calls: { RunCommand: 1, DescribeInvocationResults: 3 },
      announcements: { accepted: 1, ignored: 0 },
    });
  });

  it('plain-text content is accepted, and ContentEncoding=PlainText returns plain output', async () => {
    const x = await harness();
    await bindHaVip2ToA2(x);
    const started = await run(x, { commandContent: ANNOUNCE('10.0.1.101'), contentEncoding: undefined });
    await clock.advance(300);
    const r = await results(x, started.body?.invokeId ?? '', { contentEncoding: 'PlainText' });
    expect(r?.invocationResults?.invocationResult?.[0]?.output).toBe('announced 10.0.1.101\n');
    expect(x.cloud.invocation(started.body?.invokeId ?? '')?.commandContent).toBe(ANNOUNCE('10.0.1.101'));
  });

  it('the host sends its ARP either way: an unbound instance exits 0, but the VPC ignores it', async () => {
    const x = await harness();
    const started = await run(x, { commandContent: b64(ANNOUNCE('10.0.1.100')) });
    await clock.advance(300);
    const r = (await results(x, started.body?.invokeId ?? ''))?.invocationResults?.invocationResult?.[0];
    expect([r?.invocationStatus, r?.exitCode, unb64(r?.output)]).toEqual([
      'Success',
      0,
      'announced 10.0.1.100\n',
    ]);
    expect(x.cloud.haVip('havip-1')?.masterInstanceId).toBe('i-a1');
    expect(x.cloud.stats().announcements).toEqual({ accepted: 0, ignored: 1 });
  });

  it.each([
    ['a script without arping', 'ip addr add 10.0.1.101/32 dev eth0'],
    ['arping for an address that is no HaVip', 'arping -U -c 3 10.0.1.77'],
  ])('%s succeeds without announcing anything', async (_name, script) => {
    const x = await harness();
    await bindHaVip2ToA2(x);
    const started = await run(x, { commandContent: b64(script) });
    await clock.advance(300);
    const r = (await results(x, started.body?.invokeId ?? ''))?.invocationResults?.invocationResult?.[0];
    expect([r?.invocationStatus, r?.exitCode, r?.output]).toEqual(['Success', 0, '']);
    expect(x.cloud.haVip('havip-2')?.masterInstanceId).toBeUndefined();
    expect(x.cloud.stats().announcements).toEqual({ accepted: 0, ignored: 0 });
  });

  it('one invocation on several instances has one result per instance, filterable by InstanceId', async () => {
    const x = await harness();
    const started = await run(x, { instanceId: ['i-a1', 'i-a2'], commandContent: b64('echo hi') });
    const invokeId = started.body?.invokeId ?? '';
    await clock.advance(300);
    const all = await results(x, invokeId);
    expect(all?.totalCount).toBe(2);
    expect(all?.invocationResults?.invocationResult?.map((r) => [r.instanceId, r.invocationStatus])).toEqual([
      ['i-a1', 'Success'],
      ['i-a2', 'Success'],
    ]);
    const one = await results(x, invokeId, { instanceId: 'i-a2' });
    expect(one?.invocationResults?.invocationResult?.map((r) => r.instanceId)).toEqual(['i-a2']);
  });

  it('a script at the size limit (24 KB after Base64) goes through the wire and runs', async () => {
    const x = await harness();
    const script = `# ${'x'.repeat(18_000)}\ntrue\n`;
    expect(b64(script).length).toBeLessThanOrEqual(24 * 1024);
    const started = await run(x, { commandContent: b64(script) });
    await clock.advance(300);
    expect(x.cloud.invocation(started.body?.invokeId ?? '')).toMatchObject({
      status: 'Success',
      commandContent: script,
    });
  });

  it('an unknown InvokeId has no results', async () => {
    const x = await harness();
    const r = await results(x, 't-nope');
    expect(r?.totalCount).toBe(0);
    expect(r?.invocationResults?.invocationResult ?? []).toEqual([]);
  });
});

describe('RunCommand refusals: the API error code, and nothing runs', () => {
  const cases: Array<[name: string, code: string, status: number, extra: Partial<$Ecs.RunCommandRequest>]> = [
    ['missing Type', 'MissingParameter.Type', 400, { type: undefined }],
    ['an unknown Type', 'InvalidCmdType.NotFound', 404, { type: 'Shell' }],
    ['missing CommandContent', 'MissingParameter.CommandContent', 400, { commandContent: undefined }],
    ['content that is not Base64', 'Invalid.CommandContent', 400, { commandContent: 'arping -U 10.0.1.101' }],
    [
      'content over 24 KB after encoding',
      'CmdContent.ExceedLimit',
      403,
      { commandContent: b64('#'.repeat(18_500)) },
    ],
    ['no InstanceId', 'MissingParameter.InstanceIds', 400, { instanceId: [] }],
    [
      'more than 100 instances',
      'InstanceIds.ExceedLimit',
      403,
      { instanceId: Array.from({ length: 101 }, (_, i) => `i-x${i}`) },
    ],
    ['an unknown instance', 'InvalidInstance.NotFound', 404, { instanceId: ['i-nope'] }],
    ['an instance of another region', 'InvalidInstance.NotFound', 404, { instanceId: ['i-s1'] }],
    ['a Stopped instance', 'InvalidInstanceStatus', 400, { instanceId: ['i-a2', 'i-a3'] }],
    ['a scheduled run', 'InvalidParameter', 400, { repeatMode: 'Period', frequency: 'rate(5m)' }],
    ['a Timeout that is no number of seconds', 'InvalidParameter', 400, { timeout: 0 }],
  ];
  it.each(cases)('%s → %s', async (_name, code, status, extra) => {
    const x = await harness();
    const before = x.cloud.snapshot();
    const pending = x.cloud.pendingTransitions();
    await expectAliError(run(x, extra), code, status);
    expect(x.cloud.snapshot()).toEqual(before);
    expect(x.cloud.pendingTransitions()).toBe(pending);
  });
});

describe('RunCommand ClientToken idempotency', () => {
  it('the same token and parameters return the same invocation; other parameters are refused', async () => {
    const x = await harness();
    const first = await run(x, { clientToken: 'tok-a' });
    const again = await run(x, { clientToken: 'tok-a' });
    expect(again.body?.invokeId).toBe(first.body?.invokeId);
    expect(x.cloud.snapshot().invocations).toHaveLength(1);
    await expectAliError(
      run(x, { clientToken: 'tok-a', instanceId: ['i-a1'] }),
      'IdempotentParameterMismatch',
      400,
    );
    await clock.advance(300);
    const late = await run(x, { clientToken: 'tok-a' });
    expect(late.body?.invokeId).toBe(first.body?.invokeId);
    expect(x.cloud.stats().calls.RunCommand).toBe(4);
  });
});

describe('what can go wrong on the host', () => {
  const status = async (x: Harness, invokeId: string) =>
    (await results(x, invokeId))?.invocationResults?.invocationResult?.[0];

  it('an offline agent: Aborted with ClientNotRunning, no exit code, no announcement', async () => {
    const x = await harness();
    await bindHaVip2ToA2(x);
    x.cloud.faults.setCloudAssistant('i-a2', 'offline');
    const started = await run(x);
    await clock.advance(300);
    const r = await status(x, started.body?.invokeId ?? '');
    expect(r).toMatchObject({
      invocationStatus: 'Aborted',
      errorCode: 'ClientNotRunning',
      errorInfo: 'the aliyun service is not running on the instance',
    });
    expect(r?.exitCode).toBeUndefined();
    expect(x.cloud.haVip('havip-2')?.masterInstanceId).toBeUndefined();
  });

  it('a failing script: Failed, exit 1, ExitCodeNonzero, with its output', async () => {
    const x = await harness();
    await bindHaVip2ToA2(x);
    x.cloud.faults.setCloudAssistant('*', 'fail');
    const started = await run(x);
    await clock.advance(300);
    const r = await status(x, started.body?.invokeId ?? '');
    expect([r?.invocationStatus, r?.exitCode, r?.errorCode]).toEqual(['Failed', 1, 'ExitCodeNonzero']);
    expect(unb64(r?.output)).toContain('exited with status 1');
    expect(x.cloud.haVip('havip-2')?.masterInstanceId).toBeUndefined();
  });

  it('a per-instance setting wins over *, and reset() brings every agent back', async () => {
    const x = await harness();
    x.cloud.faults.setCloudAssistant('*', 'offline');
    x.cloud.faults.setCloudAssistant('i-a1', 'ok');
    const a1 = await run(x, { instanceId: ['i-a1'], commandContent: b64('true') });
    const a2 = await run(x, { instanceId: ['i-a2'], commandContent: b64('true') });
    await clock.advance(300);
    expect((await status(x, a1.body?.invokeId ?? ''))?.invocationStatus).toBe('Success');
    expect((await status(x, a2.body?.invokeId ?? ''))?.invocationStatus).toBe('Aborted');
    x.cloud.faults.reset();
    const again = await run(x, { instanceId: ['i-a2'], commandContent: b64('true') });
    await clock.advance(300);
    expect((await status(x, again.body?.invokeId ?? ''))?.invocationStatus).toBe('Success');
  });

  it('an instance that stops before the agent picks the command up: Aborted, InstanceNotRunning', async () => {
    const x = await harness();
    await bindHaVip2ToA2(x);
    const started = await run(x);
    x.cloud.stopInstance('i-a2');
    await clock.advance(300);
    expect(await status(x, started.body?.invokeId ?? '')).toMatchObject({
      invocationStatus: 'Aborted',
      errorCode: 'InstanceNotRunning',
    });
    expect(x.cloud.haVip('havip-2')?.masterInstanceId).toBeUndefined();
  });

  it('an instance released meanwhile: Error, InstanceReleased', async () => {
    const x = await harness();
    const started = await run(x);
    x.cloud.deleteInstance('i-a2');
    await clock.advance(300);
    expect(await status(x, started.body?.invokeId ?? '')).toMatchObject({
      invocationStatus: 'Error',
      errorCode: 'InstanceReleased',
    });
  });

  it('a Windows command type on a Linux instance: Failed, CommandNotApplicable', async () => {
    const x = await harness();
    const started = await run(x, { type: 'RunPowerShellScript', commandContent: b64('Write-Host hi') });
    await x.cloud.settle();
    expect(await status(x, started.body?.invokeId ?? '')).toMatchObject({
      invocationStatus: 'Failed',
      errorCode: 'CommandNotApplicable',
    });
  });

  it('cloudAssistantDelayMs sets how long an invocation stays Running', async () => {
    clock = new ManualClock();
    h = await startHarness({ seed: testSeed(), clock, cloud: { cloudAssistantDelayMs: 5_000 } });
    const started = await run(h, { commandContent: b64('true') });
    await clock.advance(4_999);
    expect(h.cloud.invocation(started.body?.invokeId ?? '')?.status).toBe('Running');
    await clock.advance(1);
    expect(h.cloud.invocation(started.body?.invokeId ?? '')?.status).toBe('Success');
  });
});
