/**
 * ECS: DescribeInstances, DescribeInstanceStatus and DescribeNetworkInterfaces; the instance
 * lifecycle (StopInstance and StartInstance through their transitional states, and the operator's
 * release), and the `Instance:StateChange` events every status change emits.
 */
import { EventBus, type EventSink } from './common/event-bus.js';
import { counterId } from './common/random.js';
import { mutation, type Operations, read, type SimContext } from './context.js';
import { byIds, byParam, describePage } from './describe.js';
import { E } from './errors.js';
import { ecsStateChangeEvent, type SimEcsStateChangeEvent, type SimInstanceEventState } from './events.js';
import { bool, jsonIdList, type Params, repeatList, required } from './params.js';
import { renderEni, renderInstance } from './render.js';
import type { EniRec, InstanceRec, World, WorldView } from './world.js';

/** How many events {@link Ecs.events} keeps for `recentEvents()`. */
const RECENT_EVENTS = 500;

export class Ecs {
  readonly events = new EventBus<SimEcsStateChangeEvent>(RECENT_EVENTS);
  private eventSeq = 0;

  constructor(
    private readonly ctx: SimContext,
    private readonly accountId: string,
  ) {}

  operations(): Operations {
    const world = this.ctx.world;
    return {
      DescribeInstances: read((p, v) => describeInstances(world, p, v)),
      DescribeInstanceStatus: read((p, v) => describeInstanceStatus(world, p, v)),
      DescribeNetworkInterfaces: read((p, v) => describeNetworkInterfaces(world, p, v)),
      StopInstance: mutation((p) => {
        this.stop(required(p, 'InstanceId'), bool(p, 'ForceStop') ?? false);
        return {};
      }),
      StartInstance: mutation((p) => {
        this.start(required(p, 'InstanceId'));
        return {};
      }),
    };
  }

  /** ECS answers status conflicts on stop/start with 403 `IncorrectInstanceStatus`. */
  stop(instanceId: string, _force: boolean): void {
    const i = this.ctx.world.instances.get(instanceId);
    if (i === undefined) throw E.instanceNotFound(instanceId);
    if (i.status !== 'Running') throw E.instanceStatus(403, instanceId, i.status, 'Running');
    this.setStatus(i, 'Stopping');
    this.ctx.transition('instance', () => {
      const cur = this.ctx.world.instances.get(instanceId);
      if (cur?.status === 'Stopping') this.setStatus(cur, 'Stopped');
    });
  }

  start(instanceId: string): void {
    const i = this.ctx.world.instances.get(instanceId);
    if (i === undefined) throw E.instanceNotFound(instanceId);
    if (i.status !== 'Stopped') throw E.instanceStatus(403, instanceId, i.status, 'Stopped');
    this.setStatus(i, 'Starting');
    this.ctx.transition('instance', () => {
      const cur = this.ctx.world.instances.get(instanceId);
      if (cur?.status === 'Starting') this.setStatus(cur, 'Running');
    });
  }

  /**
   * Release an instance at once. Like the cloud, this unbinds it from its HaVips and EIPs and detaches
   * its secondary ENIs (whose own HaVip bindings stay). Emits a `Deleted` state change.
   */
  release(instanceId: string): void {
    const { world } = this.ctx;
    const i = world.instances.get(instanceId);
    if (i === undefined) throw E.instanceNotFound(instanceId);
    world.instances.delete(instanceId);
    for (const [id, n] of world.enis) {
      if (n.instanceId === instanceId) world.enis.set(id, { ...n, instanceId: undefined });
    }
    for (const [id, e] of world.eips) {
      if (e.instanceId === instanceId)
        world.eips.set(id, { ...e, status: 'Available', instanceId: undefined, instanceType: undefined });
    }
    for (const [id, h] of world.haVips) {
      if (!h.bindings.includes(instanceId)) continue;
      const bindings = h.bindings.filter((b) => b !== instanceId);
      const settled = h.pending === undefined;
      world.haVips.set(id, {
        ...h,
        bindings,
        bindingType: bindings.length === 0 && settled ? undefined : h.bindingType,
        status: settled ? (bindings.length > 0 ? 'InUse' : 'Available') : h.status,
      });
    }
    this.ctx.commit();
    this.emit(i, 'Deleted');
  }

  /** Receive every ECS state-change event (EventBridge format). Returns an unsubscribe function. */
  onEvent(sink: EventSink<SimEcsStateChangeEvent>): () => void {
    return this.events.subscribe(sink);
  }

  private setStatus(i: InstanceRec, status: InstanceRec['status']): void {
    this.ctx.world.instances.set(i.instanceId, { ...i, status });
    // A master that stops sending traffic (Stopping) loses the HaVip in commit(); starting again does
    // not bring it back: only a new announcement does.
    this.ctx.commit();
    if (status !== 'Pending') this.emit(i, status);
  }

  private emit(i: InstanceRec, state: SimInstanceEventState): void {
    this.events.publish(
      ecsStateChangeEvent({
        id: counterId(2, ++this.eventSeq),
        accountId: this.accountId,
        regionId: i.regionId,
        instanceId: i.instanceId,
        state,
        at: this.ctx.clock.now(),
      }),
    );
  }
}

function describeInstances(world: World, p: Params, view: WorldView): Record<string, unknown> {
  return describePage<InstanceRec>(
    world,
    {
      pageSize: [10, 100],
      records: (v) => v.instances,
      filters: (q) => [
        { values: jsonIdList(q, 'InstanceIds', 100), field: (i) => i.instanceId },
        byParam(q, 'VpcId', (i) => i.vpcId),
        byParam(q, 'VSwitchId', (i) => i.vSwitchId),
        byParam(q, 'Status', (i) => i.status),
      ],
      nextToken: true,
      list: ['Instances', 'Instance'],
      render: renderInstance,
    },
    p,
    view,
  );
}

function describeInstanceStatus(world: World, p: Params, view: WorldView): Record<string, unknown> {
  return describePage<InstanceRec>(
    world,
    {
      pageSize: [10, 50],
      records: (v) => v.instances,
      filters: (q) => [byIds(repeatList(q, 'InstanceId', 100), (i) => i.instanceId)],
      list: ['InstanceStatuses', 'InstanceStatus'],
      render: (i) => ({ InstanceId: i.instanceId, Status: i.status }),
    },
    p,
    view,
  );
}

function describeNetworkInterfaces(world: World, p: Params, view: WorldView): Record<string, unknown> {
  return describePage<EniRec>(
    world,
    {
      pageSize: [10, 100],
      records: (v) => v.enis,
      filters: (q) => [
        byIds(repeatList(q, 'NetworkInterfaceId', 100), (n) => n.networkInterfaceId),
        byParam(q, 'InstanceId', (n) => n.instanceId),
        byParam(q, 'VSwitchId', (n) => n.vSwitchId),
        byParam(q, 'VpcId', (n) => n.vpcId),
        byParam(q, 'Status', (n) => (n.instanceId === undefined ? 'Available' : 'InUse')),
      ],
      nextToken: true,
      list: ['NetworkInterfaceSets', 'NetworkInterfaceSet'],
      render: renderEni,
    },
    p,
    view,
  );
}
