/**
 * CVM: DescribeInstances and DescribeInstancesStatus, StopInstances and StartInstances, and the instance
 * lifecycle they (or an operator) drive (stop: RUNNING → STOPPING → STOPPED; start: STOPPED → STARTING → RUNNING, each second step after the
 * `instance` transition delay). A HAVIP holder that stops stops serving, but nobody is promoted: only
 * an announcement moves the HAVIP. Every state change is published to the state-change subscribers.
 */
import { EventBus, type EventSink } from '../simulator/common/event-bus.js';
import { counterId } from '../simulator/common/random.js';
import { CloudAuditEvents } from './audit.js';
import { type Call, mutation, type Operations, read, type TencentSimContext } from './context.js';
import { E, TencentSimApiError } from './errors.js';
import { filterList, offsetLimit, type Params, stringList } from './params.js';
import { byValues, describeList, renderInstance } from './render.js';
import { type InstanceRec, isoTime, type TencentSimInstanceState } from './world.js';

/** One CVM state change, as the simulator records it (not a Tencent event format). */
export interface TencentInstanceStateChange {
  readonly id: string;
  readonly regionId: string;
  readonly instanceId: string;
  readonly previousState: TencentSimInstanceState;
  readonly state: TencentSimInstanceState;
  /** ISO 8601 on the simulator clock. */
  readonly time: string;
}

const FILTERS = [
  'instance-id',
  'zone',
  'vpc-id',
  'subnet-id',
  'instance-state',
  'private-ip-address',
] as const;
const FIELDS: Readonly<Record<(typeof FILTERS)[number], (i: InstanceRec) => string>> = {
  'instance-id': (i) => i.instanceId,
  zone: (i) => i.zone,
  'vpc-id': (i) => i.vpcId,
  'subnet-id': (i) => i.subnetId,
  'instance-state': (i) => i.state,
  'private-ip-address': (i) => i.privateIp,
};

export class Cvm {
  readonly events = new EventBus<TencentInstanceStateChange>(500);
  /** What EventBridge would deliver for the CVM calls made (CloudAudit; see audit.ts). */
  readonly audit = new CloudAuditEvents();
  private eventSeq = 0;

  constructor(private readonly ctx: TencentSimContext) {}

  operations(): Operations {
    return {
      DescribeInstances: read('cvm', ['InstanceIds', 'Filters', 'Offset', 'Limit'], (p, call) =>
        describeInstances(p, call),
      ),
      DescribeInstancesStatus: read('cvm', ['InstanceIds', 'Offset', 'Limit'], (p, call) =>
        describeInstancesStatus(p, call),
      ),
      StopInstances: mutation('cvm', ['InstanceIds', 'ForceStop', 'StopType', 'StoppedMode'], (p, call) => {
        const instanceIds = this.each(p, call, 'RUNNING', (id) => this.stop(id));
        const { region, requestId } = call;
        const at = this.ctx.clock.now();
        this.audit.record({
          eventName: 'StopInstances',
          callType: 'ApiCall',
          region,
          instanceIds,
          requestId,
          at,
        });
        return {};
      }),
      StartInstances: mutation('cvm', ['InstanceIds', 'LaunchTemplate'], (p, call) => {
        const instanceIds = this.each(p, call, 'STOPPED', (id) => this.start(id));
        const { region, requestId } = call;
        this.audit.record({
          eventName: 'StartInstances',
          callType: 'ApiCall',
          region,
          instanceIds,
          requestId,
          at: this.ctx.clock.now(),
        });
        return {};
      }),
    };
  }

  /**
   * StopInstances / StartInstances: every id must exist in the region and be in `needed` before any
   * changes (the API refuses the whole call), then each one starts its transition. Returns the ids run.
   */
  private each(p: Params, call: Call, needed: TencentSimInstanceState, run: (id: string) => void): string[] {
    const ids = stringList(p, 'InstanceIds', 100);
    if (ids === undefined || ids.length === 0) throw E.missing('InstanceIds');
    for (const id of ids) {
      const i = this.ctx.world.instances.get(id);
      if (i !== undefined && i.regionId !== call.region) throw notFound(id);
      this.require(id, needed);
    }
    const distinct = [...new Set(ids)];
    for (const id of distinct) run(id);
    return distinct;
  }

  stop(instanceId: string): void {
    const i = this.require(instanceId, 'RUNNING');
    this.setState(i, 'STOPPING');
    this.ctx.transition('instance', () => this.finish(instanceId, 'STOPPING', 'STOPPED'));
  }

  /** A stop by an operator in the console: the same transition, audited as a `ConsoleCall`. */
  consoleStop(instanceId: string): void {
    const i = this.require(instanceId, 'RUNNING');
    this.stop(instanceId);
    const at = this.ctx.clock.now();
    this.audit.record({
      eventName: 'StopInstances',
      callType: 'ConsoleCall',
      region: i.regionId,
      instanceIds: [instanceId],
      at,
    });
  }

  start(instanceId: string): void {
    const i = this.require(instanceId, 'STOPPED');
    this.setState(i, 'STARTING');
    this.ctx.transition('instance', () => this.finish(instanceId, 'STARTING', 'RUNNING'));
  }

  /** A start by an operator in the console: the same transition, audited as a `ConsoleCall`. */
  consoleStart(instanceId: string): void {
    const i = this.require(instanceId, 'STOPPED');
    this.start(instanceId);
    this.audit.record({
      eventName: 'StartInstances',
      callType: 'ConsoleCall',
      region: i.regionId,
      instanceIds: [instanceId],
      at: this.ctx.clock.now(),
    });
  }

  onStateChange(sink: EventSink<TencentInstanceStateChange>): () => void {
    return this.events.subscribe(sink);
  }

  /** The instance, which must be in `needed` (CVM's `UnsupportedOperation.InstanceState<State>` otherwise). */
  private require(instanceId: string, needed: TencentSimInstanceState): InstanceRec {
    const i = this.ctx.world.instances.get(instanceId);
    if (i === undefined) throw notFound(instanceId);
    if (i.state !== needed)
      throw new TencentSimApiError(
        `UnsupportedOperation.InstanceState${pascal(i.state)}`,
        `The instance \`${instanceId}\` is ${i.state}; this operation needs it ${needed}.`,
      );
    return i;
  }

  private finish(instanceId: string, from: TencentSimInstanceState, to: TencentSimInstanceState): void {
    const cur = this.ctx.world.instances.get(instanceId);
    if (cur?.state === from) this.setState(cur, to);
  }

  private setState(i: InstanceRec, state: TencentSimInstanceState): void {
    this.ctx.world.instances.set(i.instanceId, { ...i, state });
    this.ctx.commit();
    this.events.publish({
      id: counterId(2, ++this.eventSeq).toLowerCase(),
      regionId: i.regionId,
      instanceId: i.instanceId,
      previousState: i.state,
      state,
      time: isoTime(this.ctx.clock.now()),
    });
  }
}

const notFound = (instanceId: string) =>
  new TencentSimApiError('InvalidInstanceId.NotFound', `The instance \`${instanceId}\` does not exist.`);

function pascal(state: string): string {
  return state
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

function describeInstances(p: Params, call: Call): Record<string, unknown> {
  const ids = stringList(p, 'InstanceIds', 100);
  const filters = filterList(p, FILTERS);
  if (ids !== undefined && filters.length > 0) throw E.coexist('InstanceIds', 'Filters');
  return describeList({
    records: [...call.view.instances.values()].filter((i) => i.regionId === call.region),
    filters: [
      byValues(ids, (i: InstanceRec) => i.instanceId),
      ...filters.map((f) => byValues(f.values, FIELDS[f.name as (typeof FILTERS)[number]])),
    ],
    page: offsetLimit(p),
    list: 'InstanceSet',
    render: renderInstance,
  });
}

function describeInstancesStatus(p: Params, call: Call): Record<string, unknown> {
  const ids = stringList(p, 'InstanceIds', 100);
  return describeList({
    records: [...call.view.instances.values()].filter((i) => i.regionId === call.region),
    filters: [byValues(ids, (i: InstanceRec) => i.instanceId)],
    page: offsetLimit(p),
    list: 'InstanceStatusSet',
    render: (i) => ({ InstanceId: i.instanceId, InstanceState: i.state }),
  });
}
