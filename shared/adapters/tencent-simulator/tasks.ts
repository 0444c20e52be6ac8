/**
 * A HAVIP's EIP: HaVipAssociateAddressIp and HaVipDisassociateAddressIp are asynchronous VPC tasks. The
 * call answers at once; the task is `RUNNING` until the `task` transition delay has passed, then
 * `SUCCESS` (the change is visible in DescribeHaVips → `AddressIp`) or `FAILED` (nothing changed).
 * DescribeVpcTaskResult reads a task by its id, the RequestId of the call. While a task runs on a HAVIP
 * another EIP change of it answers `UnsupportedOperation.MutexOperationTaskRunning`.
 */
import { ipv4ToNumber } from '../../core/election.js';
import { type Call, mutation, type Operations, read, type TencentSimContext } from './context.js';
import { E, TencentSimApiError } from './errors.js';
import { haVipIn } from './havip.js';
import { type Params, requiredString } from './params.js';
import type { EipRec, HaVipRec, TaskRec } from './world.js';

/** Tasks kept; the oldest are forgotten first. */
const MAX_TASKS = 10_000;

export function taskOperations(ctx: TencentSimContext): Operations {
  return {
    HaVipAssociateAddressIp: mutation('vpc', ['HaVipId', 'AddressIp'], (p, call) =>
      associateEip(ctx, p, call),
    ),
    HaVipDisassociateAddressIp: mutation('vpc', ['HaVipId'], (p, call) => disassociateEip(ctx, p, call)),
    DescribeVpcTaskResult: read('vpc', ['TaskId'], (p, call) => describeTask(p, call)),
  };
}

function requireIdle(h: HaVipRec): void {
  if (h.runningTask !== undefined) throw E.mutex(h.haVipId);
}

function associateEip(ctx: TencentSimContext, p: Params, call: Call): Record<string, unknown> {
  const h = haVipIn(ctx.world, call.region, requiredString(p, 'HaVipId'));
  const addressIp = requiredString(p, 'AddressIp');
  if (ipv4ToNumber(addressIp) === undefined)
    throw E.invalidValue('AddressIp', 'expected an IPv4 address', 'InvalidParameterValue.Malformed');
  const eip = eipIn(ctx, call.region, addressIp);
  requireIdle(h);
  if (h.addressIp !== undefined)
    throw new TencentSimApiError(
      'UnsupportedOperation.BindEIP',
      `${h.haVipId} already has EIP ${h.addressIp}.`,
    );
  if (eip.haVipId !== undefined)
    throw new TencentSimApiError(
      'UnsupportedOperation.BindEIP',
      `EIP ${addressIp} is bound to ${eip.haVipId}.`,
    );
  start(ctx, call, h, 'HaVipAssociateAddressIp', () => {
    const cur = ctx.world.eips.get(eip.addressId);
    const haVip = ctx.world.haVips.get(h.haVipId);
    if (
      cur === undefined ||
      cur.haVipId !== undefined ||
      haVip === undefined ||
      haVip.addressIp !== undefined
    )
      return `EIP ${addressIp} or ${h.haVipId} changed while the task ran`;
    ctx.world.eips.set(cur.addressId, { ...cur, haVipId: h.haVipId });
    ctx.world.haVips.set(h.haVipId, { ...haVip, addressIp });
    return undefined;
  });
  return {};
}

function disassociateEip(ctx: TencentSimContext, p: Params, call: Call): Record<string, unknown> {
  const h = haVipIn(ctx.world, call.region, requiredString(p, 'HaVipId'));
  requireIdle(h);
  if (h.addressIp === undefined)
    throw new TencentSimApiError('UnsupportedOperation.UnbindEIP', `${h.haVipId} has no EIP to unbind.`);
  start(ctx, call, h, 'HaVipDisassociateAddressIp', () => {
    const haVip = ctx.world.haVips.get(h.haVipId);
    if (haVip?.addressIp === undefined) return `${h.haVipId} has no EIP any more`;
    for (const e of ctx.world.eips.values())
      if (e.haVipId === h.haVipId) ctx.world.eips.set(e.addressId, { ...e, haVipId: undefined });
    ctx.world.haVips.set(h.haVipId, { ...haVip, addressIp: undefined });
    return undefined;
  });
  return {};
}

function eipIn(ctx: TencentSimContext, region: string, addressIp: string): EipRec {
  for (const e of ctx.world.eips.values()) if (e.addressIp === addressIp && e.regionId === region) return e;
  throw E.notFound('EIP', addressIp);
}

/**
 * Starts a task named by the call's RequestId; `complete` applies the change when it ends and returns
 * why it could not (the task then ends FAILED), as does an injected task failure.
 */
function start(
  ctx: TencentSimContext,
  call: Call,
  h: HaVipRec,
  action: string,
  complete: () => string | undefined,
): void {
  const { world } = ctx;
  const task: TaskRec = {
    taskId: call.requestId,
    regionId: call.region,
    action,
    haVipId: h.haVipId,
    status: 'RUNNING',
    output: '',
  };
  world.tasks.set(task.taskId, task);
  while (world.tasks.size > MAX_TASKS) world.tasks.delete(world.tasks.keys().next().value as string);
  world.haVips.set(h.haVipId, { ...h, runningTask: task.taskId });
  ctx.commit();
  ctx.transition('task', () => {
    const failure = ctx.faults.takeTaskFailure() ? 'simulated task failure' : complete();
    const cur = world.haVips.get(h.haVipId);
    if (cur !== undefined) world.haVips.set(h.haVipId, { ...cur, runningTask: undefined });
    world.tasks.set(task.taskId, {
      ...task,
      status: failure === undefined ? 'SUCCESS' : 'FAILED',
      output: failure ?? '',
    });
    ctx.commit();
  });
}

function describeTask(p: Params, call: Call): Record<string, unknown> {
  const taskId = requiredString(p, 'TaskId');
  const t = call.view.tasks.get(taskId);
  if (t === undefined || t.regionId !== call.region) throw E.notFound('task', taskId);
  return { Status: t.status, Output: t.output, Result: [] };
}
