/**
 * Cloud Assistant: RunCommand starts an invocation per instance that stays `Running` for
 * `cloudAssistantDelayMs`, then the agent runs the script on the host (or cannot: the documented
 * ErrorCode / ErrorInfo values); DescribeInvocationResults reads them back. A script that runs `arping`
 * for a HaVip address announces it (`dataplane.ts`). Request decoding and the answer shapes are in
 * `assistant-wire.ts`.
 */
import { invocationKey, renderInvocationResult, runCommandParams } from './assistant-wire.js';
import type { CloudAssistantMode } from './common/faults.js';
import { addressesInScript } from './common/script.js';
import { mutation, type Operations, read, requireRegion, type SimContext } from './context.js';
import type { DataPlane } from './dataplane.js';
import { byParam, describePage } from './describe.js';
import { SimApiError } from './errors.js';
import { optional, type Params } from './params.js';
import type { InstanceRec, InvocationRec, World, WorldView } from './world.js';

/** Invocations kept (per instance); the oldest are forgotten first. */
const MAX_INVOCATIONS = 10_000;

type RunOutcome = Partial<InvocationRec> & Pick<InvocationRec, 'status'>;

export class CloudAssistant {
  private invokeSeq = 0;

  constructor(
    private readonly ctx: SimContext,
    private readonly dataPlane: DataPlane,
    private readonly delayMs: number,
  ) {}

  operations(): Operations {
    return {
      RunCommand: mutation((p) => this.runCommand(p)),
      DescribeInvocationResults: read((p, v) => describeInvocationResults(this.ctx.world, p, v)),
    };
  }

  private runCommand(p: Params): Record<string, unknown> {
    const { world } = this.ctx;
    const regionId = requireRegion(world, p);
    const req = runCommandParams(p);
    for (const id of req.instanceIds) requireRunnable(world, regionId, id);
    const seq = ++this.invokeSeq;
    const invokeId = `t-sim${seq.toString(16).padStart(12, '0')}`;
    const startTime = isoSeconds(this.ctx.clock.now());
    for (const instanceId of req.instanceIds) {
      const rec: InvocationRec = {
        invokeId,
        regionId,
        instanceId,
        name: req.name,
        commandType: req.type,
        commandContent: req.script,
        status: 'Running',
        exitCode: undefined,
        output: '',
        errorCode: undefined,
        errorInfo: undefined,
        startTime,
        finishedTime: undefined,
      };
      world.invocations.set(invocationKey(invokeId, instanceId), rec);
    }
    while (world.invocations.size > MAX_INVOCATIONS) {
      world.invocations.delete(world.invocations.keys().next().value as string);
    }
    this.ctx.commit();
    this.ctx.scheduler.after(this.delayMs, () => {
      for (const instanceId of req.instanceIds) this.execute(invocationKey(invokeId, instanceId));
    });
    return { InvokeId: invokeId, CommandId: `c-sim${seq.toString(16).padStart(12, '0')}` };
  }

  /** The agent picks the command up and runs it (or cannot). */
  private execute(key: string): void {
    const rec = this.ctx.world.invocations.get(key);
    if (rec === undefined || rec.status !== 'Running') return;
    const result = this.runOnHost(rec);
    const finishedTime = isoSeconds(this.ctx.clock.now());
    this.ctx.world.invocations.set(key, { ...rec, finishedTime, ...result });
    this.ctx.commit();
  }

  /** The outcome of one run, with the documented ErrorCode / ErrorInfo values. */
  private runOnHost(rec: InvocationRec): RunOutcome {
    const inst = this.ctx.world.instances.get(rec.instanceId);
    if (inst === undefined) {
      return {
        status: 'Error',
        errorCode: 'InstanceReleased',
        errorInfo: 'the instance has released when create task',
      };
    }
    const failed = refusedRun(inst, rec) ?? agentFault(this.ctx.faults.cloudAssistantOn(rec.instanceId));
    if (failed !== undefined) return failed;
    // The host sends the ARP whether or not the VPC acts on it: the script succeeds either way.
    let output = '';
    for (const address of haVipAddressesIn(this.ctx.world, rec.commandContent, inst)) {
      this.dataPlane.announce(rec.instanceId, address);
      output += `announced ${address}\n`;
    }
    return { status: 'Success', exitCode: 0, output };
  }
}

/** RunCommand runs only on instances of the region that are Running. */
function requireRunnable(world: World, regionId: string, id: string): void {
  const i = world.instances.get(id);
  if (i === undefined || i.regionId !== regionId) {
    throw new SimApiError(404, 'InvalidInstance.NotFound', `The specified instance ${id} does not exist.`);
  }
  if (i.status !== 'Running') {
    throw new SimApiError(
      400,
      'InvalidInstanceStatus',
      `The specified instance ${id} is ${i.status}; Cloud Assistant runs commands only on Running instances.`,
    );
  }
}

/** Why the agent does not run the command on a host that exists, when it does not. */
function refusedRun(inst: InstanceRec, rec: InvocationRec): RunOutcome | undefined {
  if (inst.status !== 'Running') {
    return {
      status: 'Aborted',
      errorCode: 'InstanceNotRunning',
      errorInfo: 'the instance is not running when create task',
    };
  }
  if (rec.commandType !== 'RunShellScript') {
    return {
      status: 'Failed',
      errorCode: 'CommandNotApplicable',
      errorInfo: 'the command is not applicable',
    };
  }
  return undefined;
}

/** What an agent fault (`faults.setCloudAssistant`) makes of the run, if any. */
function agentFault(mode: CloudAssistantMode): RunOutcome | undefined {
  if (mode === 'offline') {
    // The command is never delivered: Aborted ("failed to be sent to the instance"), no exit code.
    return {
      status: 'Aborted',
      errorCode: 'ClientNotRunning',
      errorInfo: 'the aliyun service is not running on the instance',
    };
  }
  if (mode === 'fail') {
    return {
      status: 'Failed',
      exitCode: 1,
      output: 'simulated failure: the script exited with status 1\n',
      errorCode: 'ExitCodeNonzero',
      errorInfo: 'the command execution exit code is not zero',
    };
  }
  return undefined;
}

/** HaVip addresses (of the instance's vSwitches) that the script sends gratuitous ARP for. */
function haVipAddressesIn(world: World, script: string, inst: InstanceRec): string[] {
  const vSwitches = new Set([inst.vSwitchId]);
  for (const n of world.enis.values()) if (n.instanceId === inst.instanceId) vSwitches.add(n.vSwitchId);
  const known = new Set(
    [...world.haVips.values()]
      .filter((h) => h.regionId === inst.regionId && vSwitches.has(h.vSwitchId))
      .map((h) => h.ipAddress),
  );
  return addressesInScript(script).filter((a) => known.has(a));
}

function describeInvocationResults(world: World, p: Params, view: WorldView): Record<string, unknown> {
  // Output is Base64 unless PlainText is asked for (the documented default is Base64).
  const plain = optional(p, 'ContentEncoding')?.toLowerCase() === 'plaintext';
  return {
    Invocation: describePage<InvocationRec>(
      world,
      {
        pageSize: [10, 50],
        records: (v) => v.invocations,
        filters: (q) => [
          byParam(q, 'InvokeId', (r) => r.invokeId),
          byParam(q, 'InstanceId', (r) => r.instanceId),
        ],
        nextToken: true,
        list: ['InvocationResults', 'InvocationResult'],
        render: (r) => renderInvocationResult(r, plain),
      },
      p,
      view,
    ),
  };
}

/** Alibaba's timestamps: ISO 8601 in UTC, to the second. */
function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
