/**
 * The Tencent simulator's state. Records are immutable: a change replaces the record in its map. The
 * mutable maps keep the versions of the last `historyMs`, so "the world as it was N ms ago" (stale
 * describes) is exact. The world is built from a seed in `build-world.ts`.
 */
import { VersionedMap } from '../simulator/common/versioned-map.js';

export type TencentSimInstanceState = 'RUNNING' | 'STOPPED' | 'STARTING' | 'STOPPING' | 'REBOOTING';
export type TencentSimTargetType = 'CVM' | 'ENI';
export type TencentSimTaskStatus = 'RUNNING' | 'SUCCESS' | 'FAILED';

export interface SubnetRec {
  readonly subnetId: string;
  readonly vpcId: string;
  readonly regionId: string;
  readonly zone: string;
  readonly cidr: string | undefined;
}

export interface InstanceRec {
  readonly instanceId: string;
  readonly regionId: string;
  readonly vpcId: string;
  readonly subnetId: string;
  readonly zone: string;
  readonly privateIp: string;
  readonly instanceType: string;
  readonly state: TencentSimInstanceState;
  readonly name: string;
  readonly primaryNetworkInterfaceId: string;
  /** Whether the TAT agent is installed (run-time faults make it offline or failing). */
  readonly tatAgent: 'online' | 'missing';
  readonly createdTime: string;
}

export interface EniRec {
  readonly networkInterfaceId: string;
  readonly regionId: string;
  readonly vpcId: string;
  readonly subnetId: string;
  readonly zone: string;
  readonly privateIp: string;
  readonly primary: boolean;
  /** The instance it is attached to; undefined when detached. */
  readonly instanceId: string | undefined;
  readonly createdTime: string;
}

export interface ScopeEntry {
  readonly instanceId: string;
  readonly type: TencentSimTargetType;
}

/** Who the VPC sends the HAVIP's traffic to: the instance, and the ENI that announced it. */
export interface Holder {
  readonly instanceId: string;
  readonly networkInterfaceId: string;
}

export interface HaVipRec {
  readonly haVipId: string;
  readonly regionId: string;
  readonly vpcId: string;
  readonly subnetId: string;
  readonly vip: string;
  readonly name: string;
  readonly checkAssociate: boolean;
  /** The drift scope, in association order. */
  readonly scope: readonly ScopeEntry[];
  /** The last accepted announcer; stays until another announcement (or an unbind) moves it. */
  readonly holder: Holder | undefined;
  /** The public IP of the bound EIP. */
  readonly addressIp: string | undefined;
  /** `YYYY-MM-DD hh:mm:ss` of the last move, `0000-00-00 00:00:00` before any. */
  readonly flushedTime: string;
  /** The VPC task running on the HAVIP (its EIP), which makes other EIP changes mutex-fail. */
  readonly runningTask: string | undefined;
  readonly createdTime: string;
}

export interface EipRec {
  readonly addressId: string;
  readonly regionId: string;
  readonly addressIp: string;
  /** The HAVIP it is bound to. */
  readonly haVipId: string | undefined;
}

/** An asynchronous VPC task; its id is the RequestId of the call that started it. */
export interface TaskRec {
  readonly taskId: string;
  readonly regionId: string;
  readonly action: string;
  readonly haVipId: string;
  readonly status: TencentSimTaskStatus;
  readonly output: string;
}

/** One instance's TAT execution task. */
export interface TatTaskRec {
  readonly invocationTaskId: string;
  readonly invocationId: string;
  readonly commandId: string;
  readonly regionId: string;
  readonly instanceId: string;
  readonly commandName: string;
  readonly commandType: string;
  /** The decoded script. */
  readonly content: string;
  readonly timeoutSeconds: number;
  readonly status: string;
  readonly exitCode: number | undefined;
  readonly output: string;
  readonly errorInfo: string;
  readonly createdTime: string;
  readonly startTime: string | undefined;
  readonly endTime: string | undefined;
}

/** A consistent, read-only picture of the mutable part of the world. */
export interface TencentWorldView {
  readonly haVips: ReadonlyMap<string, HaVipRec>;
  readonly instances: ReadonlyMap<string, InstanceRec>;
  readonly enis: ReadonlyMap<string, EniRec>;
  readonly eips: ReadonlyMap<string, EipRec>;
  readonly tasks: ReadonlyMap<string, TaskRec>;
  readonly tatTasks: ReadonlyMap<string, TatTaskRec>;
}

export class TencentWorld implements TencentWorldView {
  readonly regions = new Set<string>();
  readonly vpcs = new Map<string, { readonly vpcId: string; readonly regionId: string }>();
  readonly subnets = new Map<string, SubnetRec>();
  readonly haVips = new VersionedMap<HaVipRec>();
  readonly instances = new VersionedMap<InstanceRec>();
  readonly enis = new VersionedMap<EniRec>();
  readonly eips = new VersionedMap<EipRec>();
  readonly tasks = new VersionedMap<TaskRec>();
  readonly tatTasks = new VersionedMap<TatTaskRec>();
  private committed = false;

  /** Records the changes since the last commit as the state at `now` (the first commit: the seed, forever). */
  commit(now: number, keepMs: number): void {
    const at = this.committed ? now : Number.NEGATIVE_INFINITY;
    this.committed = true;
    const keepFrom = now - keepMs;
    for (const m of [this.haVips, this.instances, this.enis, this.eips, this.tasks, this.tatTasks])
      (m as VersionedMap<unknown>).commit(at, keepFrom);
  }

  /** The world as it was at time `t` (no further back than the kept history). */
  viewAt(t: number): TencentWorldView {
    return {
      haVips: this.haVips.at(t),
      instances: this.instances.at(t),
      enis: this.enis.at(t),
      eips: this.eips.at(t),
      tasks: this.tasks.at(t),
      tatTasks: this.tatTasks.at(t),
    };
  }

  /** The instance behind a target: the instance itself, or the instance an ENI is attached to. */
  hostOf(id: string): InstanceRec | undefined {
    if (id.startsWith('eni-')) {
      const host = this.enis.get(id)?.instanceId;
      return host === undefined ? undefined : this.instances.get(host);
    }
    return this.instances.get(id);
  }

  /** The ENIs of an instance, primary first. */
  enisOf(instanceId: string): EniRec[] {
    return [...this.enis.values()]
      .filter((n) => n.instanceId === instanceId)
      .sort((a, b) => Number(b.primary) - Number(a.primary));
  }

  /** HAVIPs whose drift scope names `id` (an instance or an ENI). */
  scopesOf(id: string): HaVipRec[] {
    return [...this.haVips.values()].filter((h) => h.scope.some((s) => s.instanceId === id));
  }
}

/** `YYYY-MM-DD hh:mm:ss` in UTC, as the VPC API writes times. */
export function vpcTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** `YYYY-MM-DDThh:mm:ssZ`, as the CVM and TAT APIs write times. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const NEVER_FLUSHED = '0000-00-00 00:00:00';
