/**
 * Cloud Assistant calls: RunCommand (one shell script on one instance; an unusable request is refused
 * before anything is sent) and DescribeInvocationResults for that instance, with the output decoded and
 * cut to what a journal entry can hold.
 */
import { CloudResponseLostError, type InputIssue, InvalidInputError } from '../../core/errors.js';
import type { CloudApi, InvocationResult } from '../../core/ports.js';
import { decodeOutput } from '../command-output.js';
import { type Caller, requestIdOf } from './caller.js';
import { DescribeInvocationResultsBody, RunCommandBody } from './schemas.js';
import * as wire from './wire.js';

export { MAX_OUTPUT_CHARS } from '../command-output.js';

/**
 * Cloud Assistant RunCommand. A body without `InvokeId` after a successful call is treated like a lost
 * answer: the command may have been accepted, and repeating the call with the same ClientToken returns
 * the original invocation instead of running the script twice.
 */
export async function runCommand(
  caller: Caller,
  req: Parameters<CloudApi['runCommand']>[0],
): Promise<{ readonly invokeId: string; readonly requestId: string | undefined }> {
  const issues = runCommandIssues(req);
  if (issues.length > 0)
    throw new InvalidInputError('cloud.invalid-request', 'invalid RunCommand request', issues);
  const body = await caller.call(req.regionId, wire.runCommand(req));
  const parsed = RunCommandBody.safeParse(body);
  const invokeId = parsed.success ? parsed.data.InvokeId : undefined;
  if (invokeId === undefined) {
    throw new CloudResponseLostError(
      'RunCommand',
      new Error(
        `the answer carried no InvokeId (request id ${requestIdOf(body) ?? 'none'}); repeat the call with the same ClientToken to learn it`,
      ),
    );
  }
  return { invokeId, requestId: parsed.success ? parsed.data.RequestId : undefined };
}

export async function describeInvocationResult(
  caller: Caller,
  req: { regionId: string; invokeId: string; instanceId: string },
): Promise<InvocationResult | undefined> {
  const body = await caller.read(
    req.regionId,
    wire.describeInvocationResults(req),
    DescribeInvocationResultsBody,
  );
  const items = body.Invocation?.InvocationResults?.InvocationResult ?? [];
  // The service filters by both ids; we double-check so a sloppy answer cannot report another run.
  const r = items.find((i) => i.InvokeId === req.invokeId && i.InstanceId === req.instanceId);
  if (r === undefined) return undefined;
  return {
    invokeId: r.InvokeId,
    instanceId: r.InstanceId,
    status: r.InvocationStatus,
    exitCode: r.ExitCode,
    output: decodeOutput(r.Output),
    errorCode: r.ErrorCode,
  };
}

function runCommandIssues(req: Parameters<CloudApi['runCommand']>[0]): InputIssue[] {
  const issues: InputIssue[] = [];
  if (req.commandContent.trim() === '')
    issues.push({
      path: 'commandContent',
      message: 'must not be empty',
      hint: 'pass the shell script to run',
    });
  const encoded = Buffer.byteLength(Buffer.from(req.commandContent, 'utf8').toString('base64'));
  if (encoded > wire.LIMITS.commandContentBytes)
    issues.push({
      path: 'commandContent',
      message: `is ${encoded} bytes after Base64 encoding; RunCommand accepts at most ${wire.LIMITS.commandContentBytes}`,
      hint: 'shorten the script or install it on the instance and run it by path',
    });
  if (!Number.isInteger(req.timeoutSeconds) || req.timeoutSeconds < 1 || req.timeoutSeconds > 86_400)
    issues.push({
      path: 'timeoutSeconds',
      message: 'must be an integer number of seconds between 1 and 86400',
    });
  if (req.name === '' || req.name.length > wire.LIMITS.commandNameChars)
    issues.push({ path: 'name', message: `must be 1 to ${wire.LIMITS.commandNameChars} characters` });
  if (req.instanceId === '') issues.push({ path: 'instanceId', message: 'must not be empty' });
  return issues;
}
