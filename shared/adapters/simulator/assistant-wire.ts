/**
 * Cloud Assistant (ECS `RunCommand` / `DescribeInvocationResults`) request decoding and answer shapes.
 * The behaviour (running the script on the simulated host) lives in `assistant.ts`; this module holds
 * the parts that are pure: parameter validation with the API's error codes and the result rendering
 * the SDK casts (the "script" model, shared with the Tencent simulator, is in `common/script.ts`).
 */
import { SimApiError } from './errors.js';
import { optional, type Params, repeatList } from './params.js';
import type { InvocationRec } from './world.js';

/** Command types the API knows. Simulated instances are Linux: only shell scripts can run. */
const COMMAND_TYPES = ['RunShellScript', 'RunBatScript', 'RunPowerShellScript'] as const;
/** RunCommand limits from the API reference. */
const MAX_CONTENT_BASE64_BYTES = 24 * 1024;
const MAX_INSTANCES = 100;
const MAX_NAME_CHARS = 128;

export interface RunCommandRequest {
  readonly type: string;
  /** The decoded script. */
  readonly script: string;
  readonly instanceIds: readonly string[];
  readonly name: string;
  readonly timeoutSeconds: number;
}

const missing = (name: string) =>
  new SimApiError(
    400,
    `MissingParameter.${name}`,
    `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
  );

/**
 * Validates RunCommand parameters as the API does: `Type` and `CommandContent` are required, the
 * content is decoded when `ContentEncoding=Base64` (any other value means plain text, as documented),
 * at most 24 KB after Base64 encoding, 1 to 100 `InstanceId.N`. Only one-time runs are modelled.
 */
export function runCommandParams(p: Params): RunCommandRequest {
  const type = optional(p, 'Type');
  if (type === undefined) throw missing('Type');
  if (!(COMMAND_TYPES as readonly string[]).includes(type)) {
    throw new SimApiError(
      404,
      'InvalidCmdType.NotFound',
      `The specified command type ${type} does not exist; use ${COMMAND_TYPES.join(', ')}.`,
    );
  }
  const content = optional(p, 'CommandContent');
  if (content === undefined) throw missing('CommandContent');
  const base64 = optional(p, 'ContentEncoding')?.toLowerCase() === 'base64';
  let script = content;
  if (base64) {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(content) || content.length % 4 !== 0) {
      throw new SimApiError(
        400,
        'Invalid.CommandContent',
        'The specified CommandContent is not valid Base64 although ContentEncoding is Base64.',
      );
    }
    script = Buffer.from(content, 'base64').toString('utf8');
  }
  const encodedBytes = base64 ? content.length : Buffer.from(content, 'utf8').toString('base64').length;
  if (encodedBytes > MAX_CONTENT_BASE64_BYTES) {
    throw new SimApiError(
      403,
      'CmdContent.ExceedLimit',
      `The command content is ${encodedBytes} bytes after Base64 encoding; at most ${MAX_CONTENT_BASE64_BYTES} are allowed.`,
    );
  }
  const instanceIds = [...new Set(repeatList(p, 'InstanceId', Number.MAX_SAFE_INTEGER))];
  if (instanceIds.length === 0) throw missing('InstanceIds');
  if (instanceIds.length > MAX_INSTANCES) {
    throw new SimApiError(
      403,
      'InstanceIds.ExceedLimit',
      `${instanceIds.length} instances were specified; at most ${MAX_INSTANCES} are allowed per call.`,
    );
  }
  const timeoutText = optional(p, 'Timeout');
  const timeoutSeconds = timeoutText === undefined ? 60 : Number(timeoutText);
  if (!/^\d+$/.test(timeoutText ?? '60') || timeoutSeconds < 1 || timeoutSeconds > 86_400) {
    throw new SimApiError(
      400,
      'InvalidParameter',
      `The specified parameter Timeout is not valid: expected whole seconds from 1 to 86400, got ${timeoutText}.`,
    );
  }
  const name = optional(p, 'Name') ?? '';
  if (name.length > MAX_NAME_CHARS) {
    throw new SimApiError(
      400,
      'InvalidParameter',
      `The specified parameter Name is not valid: at most ${MAX_NAME_CHARS} characters.`,
    );
  }
  const repeat = optional(p, 'RepeatMode');
  if (repeat !== undefined && repeat !== 'Once') {
    throw new SimApiError(
      400,
      'InvalidParameter',
      `The specified parameter RepeatMode is not valid here: the simulator runs commands once only (got ${repeat}).`,
    );
  }
  return { type, script, instanceIds, name, timeoutSeconds };
}

/** Invocations are kept per (invocation, instance): one RunCommand may target several instances. */
export function invocationKey(invokeId: string, instanceId: string): string {
  return `${invokeId}/${instanceId}`;
}

/**
 * One `Invocation.InvocationResults.InvocationResult[]` entry as the ECS SDK model names it. `ExitCode`
 * is absent until the script has run; `Output` is Base64 unless PlainText was asked for.
 */
export function renderInvocationResult(r: InvocationRec, plain: boolean): Record<string, unknown> {
  const finished = r.status !== 'Running';
  return {
    CommandId: `c-${r.invokeId.slice(2)}`,
    InvokeId: r.invokeId,
    InstanceId: r.instanceId,
    InvocationStatus: r.status,
    InvokeRecordStatus: finished ? 'Finished' : 'Running',
    ...(r.exitCode === undefined ? {} : { ExitCode: r.exitCode }),
    Output: plain ? r.output : Buffer.from(r.output, 'utf8').toString('base64'),
    Dropped: 0,
    ErrorCode: r.errorCode ?? '',
    ErrorInfo: r.errorInfo ?? '',
    StartTime: r.startTime,
    FinishedTime: r.finishedTime ?? '',
    StopTime: '',
    Repeats: finished ? 1 : 0,
    Username: 'root',
    ContainerId: '',
    ContainerName: '',
    Tags: { Tag: [] },
  };
}
