/**
 * TAT: RunCommand starts an invocation (`inv-…`) with one task (`invt-…`) per instance, `PENDING` until
 * the agent has picked it up after `tatDelayMs`; then the script "runs" on the host: a script that
 * runs `arping` for a HAVIP address of the host's subnets announces it (`dataplane.ts`) and the task
 * ends `SUCCESS`. RunCommand refuses instances that are not RUNNING or whose agent is missing or
 * offline, as the API does; the agent fault `fail` makes the script exit 1. DescribeInvocationTasks
 * reads tasks back (output hidden unless `HideOutput: false`).
 */
import { addressesInScript } from '../simulator/common/script.js';
import { type Call, mutation, type Operations, read, type TencentSimContext } from './context.js';
import type { TencentDataPlane } from './dataplane.js';
import { E, TencentSimApiError } from './errors.js';
import {
  filterList,
  integer,
  offsetLimit,
  optionalBool,
  optionalString,
  type Params,
  requiredString,
  stringList,
} from './params.js';
import { byValues, describeList, renderTatTask } from './render.js';
import { type InstanceRec, isoTime, type TatTaskRec, type TencentWorld } from './world.js';

const RUN_PARAMS = [
  'Content',
  'InstanceIds',
  'CommandName',
  'Description',
  'CommandType',
  'WorkingDirectory',
  'Timeout',
  'SaveCommand',
  'EnableParameter',
  'DefaultParameters',
  'DefaultParameterConfs',
  'Parameters',
  'Tags',
  'Username',
  'OutputCOSBucketUrl',
  'OutputCOSKeyPrefix',
];
const MAX_CONTENT_BASE64 = 64 * 1024;
const MAX_INSTANCES = 200;
const COMMAND_NAME = /^[\p{L}\p{N}_.-]{1,60}$/u;
/** TAT tasks kept; the oldest are forgotten first. */
const MAX_TASKS = 10_000;

const TASK_FILTERS = ['invocation-id', 'invocation-task-id', 'instance-id', 'command-id'] as const;
const TASK_FIELDS: Readonly<Record<(typeof TASK_FILTERS)[number], (t: TatTaskRec) => string>> = {
  'invocation-id': (t) => t.invocationId,
  'invocation-task-id': (t) => t.invocationTaskId,
  'instance-id': (t) => t.instanceId,
  'command-id': (t) => t.commandId,
};

export class Tat {
  private seq = 0;

  constructor(
    private readonly ctx: TencentSimContext,
    private readonly dataPlane: TencentDataPlane,
    private readonly delayMs: number,
  ) {}

  operations(): Operations {
    return {
      RunCommand: mutation('tat', RUN_PARAMS, (p, call) => this.runCommand(p, call)),
      DescribeInvocationTasks: read(
        'tat',
        ['InvocationTaskIds', 'Filters', 'Limit', 'Offset', 'HideOutput'],
        (p, call) => describeInvocationTasks(p, call),
      ),
    };
  }

  private runCommand(p: Params, call: Call): Record<string, unknown> {
    const req = runCommandRequest(p);
    for (const id of req.instanceIds) this.requireRunnable(call.region, id);
    const seq = ++this.seq;
    const suffix = seq.toString(36).padStart(8, '0');
    const invocationId = `inv-${suffix}`;
    const commandId = `cmd-${suffix}`;
    const now = isoTime(this.ctx.clock.now());
    const { world } = this.ctx;
    req.instanceIds.forEach((instanceId, i) => {
      const task: TatTaskRec = {
        invocationTaskId: `invt-${suffix}${i.toString(36)}`,
        invocationId,
        commandId,
        regionId: call.region,
        instanceId,
        commandName: req.commandName,
        commandType: req.commandType,
        content: req.content,
        timeoutSeconds: req.timeoutSeconds,
        status: 'PENDING',
        exitCode: undefined,
        output: '',
        errorInfo: '',
        createdTime: now,
        startTime: undefined,
        endTime: undefined,
      };
      world.tatTasks.set(task.invocationTaskId, task);
    });
    while (world.tatTasks.size > MAX_TASKS)
      world.tatTasks.delete(world.tatTasks.keys().next().value as string);
    this.ctx.commit();
    this.ctx.scheduler.after(this.delayMs, () => {
      for (const t of [...world.tatTasks.values()].filter((x) => x.invocationId === invocationId))
        this.execute(t);
    });
    return { CommandId: commandId, InvocationId: invocationId };
  }

  /** The API's checks on one target, in its order: exists, RUNNING, agent installed and online. */
  private requireRunnable(region: string, id: string): void {
    const i = this.ctx.world.instances.get(id);
    if (i === undefined || i.regionId !== region)
      throw new TencentSimApiError(
        'ResourceNotFound.InstanceNotFound',
        `The instance \`${id}\` does not exist.`,
      );
    if (i.state !== 'RUNNING')
      throw new TencentSimApiError(
        'ResourceUnavailable.InstanceStateNotRunning',
        `The instance \`${id}\` is ${i.state}.`,
      );
    if (i.tatAgent === 'missing')
      throw new TencentSimApiError(
        'ResourceUnavailable.AgentNotInstalled',
        `The TAT agent is not installed on \`${id}\`.`,
      );
    if (this.ctx.faults.cloudAssistantOn(id) === 'offline')
      throw new TencentSimApiError(
        'ResourceUnavailable.AgentStatusNotOnline',
        `The TAT agent on \`${id}\` is offline.`,
      );
  }

  /** The agent picks the task up and runs it (or cannot). */
  private execute(t: TatTaskRec): void {
    const cur = this.ctx.world.tatTasks.get(t.invocationTaskId);
    if (cur === undefined || cur.status !== 'PENDING') return;
    const now = isoTime(this.ctx.clock.now());
    const host = this.ctx.world.instances.get(t.instanceId);
    const outcome = this.outcome(cur, host);
    this.ctx.world.tatTasks.set(t.invocationTaskId, { ...cur, startTime: now, endTime: now, ...outcome });
    this.ctx.commit();
  }

  private outcome(t: TatTaskRec, host: InstanceRec | undefined): Partial<TatTaskRec> & { status: string } {
    const mode = this.ctx.faults.cloudAssistantOn(t.instanceId);
    if (host === undefined || host.state !== 'RUNNING' || mode === 'offline')
      return {
        status: 'DELIVER_FAILED',
        errorInfo: 'the instance or its TAT agent was not available to receive the task',
      };
    if (mode === 'fail')
      return {
        status: 'FAILED',
        exitCode: 1,
        output: 'simulated failure: the script exited with status 1\n',
      };
    // The host sends the ARP whether or not the VPC acts on it: the script succeeds either way.
    let output = '';
    for (const address of haVipAddressesIn(this.ctx.world, t.content, host)) {
      this.dataPlane.announce(t.instanceId, address);
      output += `announced ${address}\n`;
    }
    return { status: 'SUCCESS', exitCode: 0, output };
  }
}

interface RunCommandRequest {
  readonly content: string;
  readonly instanceIds: readonly string[];
  readonly commandName: string;
  readonly commandType: string;
  readonly timeoutSeconds: number;
}

/** RunCommand's parameters, checked as the API checks them. Simulated hosts are Linux: SHELL only. */
function runCommandRequest(p: Params): RunCommandRequest {
  const encoded = requiredString(p, 'Content');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 !== 0)
    throw E.invalidValue('Content', 'expected Base64', 'InvalidParameterValue.InvalidContent');
  if (encoded.length > MAX_CONTENT_BASE64)
    throw E.invalidValue(
      'Content',
      `${encoded.length} bytes; at most ${MAX_CONTENT_BASE64}`,
      'InvalidParameterValue.LimitExceeded',
    );
  const instanceIds = [...new Set(stringList(p, 'InstanceIds', MAX_INSTANCES) ?? [])];
  if (instanceIds.length === 0) throw E.missing('InstanceIds');
  const commandType = optionalString(p, 'CommandType') ?? 'SHELL';
  if (!['SHELL', 'POWERSHELL', 'BAT'].includes(commandType))
    throw E.invalidValue('CommandType', 'use SHELL, POWERSHELL or BAT');
  if (commandType !== 'SHELL')
    throw new TencentSimApiError(
      'InvalidParameterValue.AgentUnsupportedCommandType',
      `The agent runs SHELL commands only, not ${commandType}.`,
    );
  const commandName = optionalString(p, 'CommandName') ?? '';
  if (commandName !== '' && (!COMMAND_NAME.test(commandName) || Buffer.byteLength(commandName) > 60))
    throw E.invalidValue(
      'CommandName',
      'at most 60 bytes of letters, digits, _, - and .',
      'InvalidParameterValue.InvalidCommandName',
    );
  if (optionalBool(p, 'SaveCommand') === true)
    throw E.invalidValue('SaveCommand', 'the simulator runs commands once only and does not keep them');
  return {
    content: Buffer.from(encoded, 'base64').toString('utf8'),
    instanceIds,
    commandName,
    commandType,
    timeoutSeconds: integer(p, 'Timeout', { min: 1, max: 86_400, fallback: 60 }),
  };
}

/** HAVIP addresses (of the instance's subnets) that the script sends gratuitous ARP for. */
function haVipAddressesIn(world: TencentWorld, script: string, host: InstanceRec): string[] {
  const subnets = new Set(world.enisOf(host.instanceId).map((n) => n.subnetId));
  const known = new Set(
    [...world.haVips.values()]
      .filter((h) => h.regionId === host.regionId && subnets.has(h.subnetId))
      .map((h) => h.vip),
  );
  return addressesInScript(script).filter((a) => known.has(a));
}

function describeInvocationTasks(p: Params, call: Call): Record<string, unknown> {
  const ids = stringList(p, 'InvocationTaskIds', 100);
  const filters = filterList(p, TASK_FILTERS);
  if (ids !== undefined && filters.length > 0) throw E.coexist('InvocationTaskIds', 'Filters');
  const hideOutput = optionalBool(p, 'HideOutput') ?? true;
  return describeList({
    records: [...call.view.tatTasks.values()].filter((t) => t.regionId === call.region),
    filters: [
      byValues(ids, (t: TatTaskRec) => t.invocationTaskId),
      ...filters.map((f) => byValues(f.values, TASK_FIELDS[f.name as (typeof TASK_FILTERS)[number]])),
    ],
    page: offsetLimit(p),
    list: 'InvocationTaskSet',
    render: (t) => renderTatTask(t, hideOutput),
  });
}
