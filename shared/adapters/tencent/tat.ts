/**
 * TAT (TencentCloud Automation Tools, the Cloud Assistant equivalent): RunCommand of one shell script on
 * one instance (an unusable request is refused before anything is sent) and DescribeInvocationTasks
 * for that instance, asking for the output (`HideOutput` defaults to true), decoded and cut to what a
 * journal entry can hold.
 */
import { CloudResponseLostError, type InputIssue, InvalidInputError } from '../../core/errors.js';
import type { TencentCloudApi, TencentInvocationTask } from '../../core/tencent-ports.js';
import { decodeOutput } from '../command-output.js';
import { type Caller, requestIdOf } from './caller.js';
import { DescribeInvocationTasksBody, RunCommandBody } from './schemas.js';
import * as wire from './wire.js';

/** What `CommandName` may hold: letters, digits, CJK, `_`, `-` and `.`. */
const COMMAND_NAME = /^[\p{L}\p{N}_.-]+$/u;

/**
 * TAT RunCommand. A body without `InvocationId` after a successful call is treated like a lost answer:
 * the command may have been accepted. TAT takes no ClientToken, so repeating it may run the script a
 * second time (the announce script is harmless to repeat).
 */
export async function runCommand(
  caller: Caller,
  req: Parameters<TencentCloudApi['runCommand']>[0],
): Promise<{ readonly invocationId: string; readonly requestId: string | undefined }> {
  const contentBase64 = Buffer.from(req.content, 'utf8').toString('base64');
  const issues = runCommandIssues(req, contentBase64);
  if (issues.length > 0)
    throw new InvalidInputError('cloud.invalid-request', 'invalid RunCommand request', issues);
  const response = await caller.call(
    req.regionId,
    wire.runCommand({
      contentBase64,
      instanceId: req.instanceId,
      commandName: req.commandName,
      timeoutSeconds: req.timeoutSeconds,
    }),
  );
  const parsed = RunCommandBody.safeParse(response);
  const invocationId = parsed.success ? parsed.data.InvocationId : undefined;
  if (invocationId === undefined) {
    throw new CloudResponseLostError(
      'RunCommand',
      new Error(
        `the answer carried no InvocationId (request id ${requestIdOf(response) ?? 'none'}); list the instance's invocation tasks to learn whether it ran`,
      ),
    );
  }
  return { invocationId, requestId: requestIdOf(response) };
}

export async function describeInvocationTask(
  caller: Caller,
  req: { regionId: string; invocationId: string; instanceId: string },
): Promise<TencentInvocationTask | undefined> {
  const body = await caller.read(
    req.regionId,
    wire.describeInvocationTasks({ invocationId: req.invocationId, instanceId: req.instanceId }),
    DescribeInvocationTasksBody,
  );
  // The service filters by both ids; we double-check so a sloppy answer cannot report another run.
  const t = body.InvocationTaskSet.find(
    (i) => i.InvocationId === req.invocationId && i.InstanceId === req.instanceId,
  );
  if (t === undefined) return undefined;
  return {
    invocationId: t.InvocationId,
    invocationTaskId: t.InvocationTaskId,
    instanceId: t.InstanceId,
    status: t.TaskStatus,
    exitCode: t.TaskResult?.ExitCode ?? undefined,
    output: decodeOutput(t.TaskResult?.Output),
    errorInfo: t.ErrorInfo,
  };
}

function runCommandIssues(
  req: Parameters<TencentCloudApi['runCommand']>[0],
  contentBase64: string,
): InputIssue[] {
  const issues: InputIssue[] = [];
  if (req.content.trim() === '')
    issues.push({ path: 'content', message: 'must not be empty', hint: 'pass the shell script to run' });
  if (contentBase64.length > wire.LIMITS.commandContentBytes)
    issues.push({
      path: 'content',
      message: `is ${contentBase64.length} bytes after Base64 encoding; RunCommand accepts at most ${wire.LIMITS.commandContentBytes}`,
      hint: 'shorten the script or install it on the instance and run it by path',
    });
  if (!Number.isInteger(req.timeoutSeconds) || req.timeoutSeconds < 1 || req.timeoutSeconds > 86_400)
    issues.push({
      path: 'timeoutSeconds',
      message: 'must be an integer number of seconds between 1 and 86400',
    });
  const nameBytes = Buffer.byteLength(req.commandName, 'utf8');
  if (nameBytes === 0 || nameBytes > wire.LIMITS.commandNameBytes || !COMMAND_NAME.test(req.commandName))
    issues.push({
      path: 'commandName',
      message: `must be 1 to ${wire.LIMITS.commandNameBytes} bytes of letters, digits, _, - and .`,
    });
  if (req.instanceId === '') issues.push({ path: 'instanceId', message: 'must not be empty' });
  return issues;
}
