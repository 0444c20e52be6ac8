/**
 * The simulator's state. Records are immutable: a change replaces the record in its map. Each map
 * keeps, per record, the versions of the last `historyMs`, so "the world as it was N ms ago" (stale
 * describes) is exact while memory grows with the number of changes in the window, not with the
 * number of changes times the size of the world. The world is built from a seed in `build-world.ts`.
 */
import { VersionedMap } from './common/versioned-map.js';
import type {
  SimEipView,
  SimEniView,
  SimHaVipInstanceType,
  SimHaVipStatus,
  SimInstanceView,
  SimInvocationStatus,
} from './types.js';

export interface VSwitchRec {
  readonly vSwitchId: string;
  readonly vpcId: string;
  readonly regionId: string;
  readonly zoneId: string;
  readonly cidr: string | undefined;
}

/** Records are the ground-truth views plus what only the world keeps (creation times). */
export type InstanceRec = SimInstanceView & { readonly creationTime: string };

export type EniRec = Omit<SimEniView, 'status'> & { readonly creationTime: string };

export interface PendingHaVipOp {
  readonly op: 'associate' | 'unassociate';
  readonly instanceId: string;
  readonly instanceType: SimHaVipInstanceType;
}

export interface HaVipRec {
  readonly haVipId: string;
  readonly regionId: string;
  readonly vpcId: string;
  readonly vSwitchId: string;
  readonly ipAddress: string;
  readonly status: SimHaVipStatus;
  /** Completed bindings, in binding order. */
  readonly bindings: readonly string[];
  readonly bindingType: SimHaVipInstanceType | undefined;
  /** The bound target that last announced the address by ARP while live (`MasterInstanceId`). */
  readonly master: string | undefined;
  readonly pending: PendingHaVipOp | undefined;
  readonly createTime: string;
}

export type EipRec = SimEipView & { readonly allocationTime: string };

/** One Cloud Assistant invocation on one instance. */
export interface InvocationRec {
  readonly invokeId: string;
  readonly regionId: string;
  readonly instanceId: string;
  readonly name: string;
  /** `RunShellScript`, `RunBatScript` or `RunPowerShellScript`. */
  readonly commandType: string;
  readonly commandContent: string;
  readonly status: SimInvocationStatus;
  readonly exitCode: number | undefined;
  readonly output: string;
  readonly errorCode: string | undefined;
  readonly errorInfo: string | undefined;
  readonly startTime: string;
  readonly finishedTime: string | undefined;
}

/** A consistent, read-only picture of the mutable part of the world. */
export interface WorldView {
  readonly haVips: ReadonlyMap<string, HaVipRec>;
  readonly instances: ReadonlyMap<string, InstanceRec>;
  readonly enis: ReadonlyMap<string, EniRec>;
  readonly eips: ReadonlyMap<string, EipRec>;
  readonly invocations: ReadonlyMap<string, InvocationRec>;
}

export class World implements WorldView {
  readonly regions = new Set<string>();
  readonly vpcs = new Map<string, { vpcId: string; regionId: string }>();
  readonly vSwitches = new Map<string, VSwitchRec>();
  readonly haVips = new VersionedMap<HaVipRec>();
  readonly instances = new VersionedMap<InstanceRec>();
  readonly enis = new VersionedMap<EniRec>();
  readonly eips = new VersionedMap<EipRec>();
  readonly invocations = new VersionedMap<InvocationRec>();
  private committed = false;

  /**
   * Records the changes since the last commit as the state at `now`, keeping `keepMs` of history.
   * The first commit is dated at minus infinity: before the simulator existed the world was the seed.
   */
  commit(now: number, keepMs: number): void {
    const at = this.committed ? now : Number.NEGATIVE_INFINITY;
    this.committed = true;
    const keepFrom = now - keepMs;
    this.haVips.commit(at, keepFrom);
    this.instances.commit(at, keepFrom);
    this.enis.commit(at, keepFrom);
    this.eips.commit(at, keepFrom);
    this.invocations.commit(at, keepFrom);
  }

  /** The world as it was at time `t` (no further back than the kept history). */
  viewAt(t: number): WorldView {
    return {
      haVips: this.haVips.at(t),
      instances: this.instances.at(t),
      enis: this.enis.at(t),
      eips: this.eips.at(t),
      invocations: this.invocations.at(t),
    };
  }

  /** A bound target is *live* (can hold the HaVip's traffic) when its instance is Running. */
  isLive(id: string): boolean {
    if (id.startsWith('eni-')) {
      const eni = this.enis.get(id);
      return eni?.instanceId !== undefined && this.instances.get(eni.instanceId)?.status === 'Running';
    }
    return this.instances.get(id)?.status === 'Running';
  }

  /** The instance that sends a target's ARP: the instance itself, or the instance an ENI is attached to. */
  hostOf(id: string): InstanceRec | undefined {
    if (id.startsWith('eni-')) {
      const host = this.enis.get(id)?.instanceId;
      return host === undefined ? undefined : this.instances.get(host);
    }
    return this.instances.get(id);
  }

  /** The private IPv4 of a target (keepalived's tie-break). */
  addressOf(id: string): string | undefined {
    return id.startsWith('eni-') ? this.enis.get(id)?.privateIp : this.instances.get(id)?.privateIp;
  }

  /**
   * The data plane keeps a master only while it is bound and live: unbinding it, stopping its instance
   * (or the ENI's host) or releasing the instance clears `MasterInstanceId`. Nobody is promoted here;
   * only a new announcement names a new master. Returns whether anything changed.
   */
  clearLostMasters(): boolean {
    let changed = false;
    for (const [id, h] of this.haVips) {
      if (h.master !== undefined && !(h.bindings.includes(h.master) && this.isLive(h.master))) {
        this.haVips.set(id, { ...h, master: undefined });
        changed = true;
      }
    }
    return changed;
  }

  /** HaVips bound (or being bound) to `id`. */
  haVipsOf(id: string): HaVipRec[] {
    return [...this.haVips.values()].filter(
      (h) => h.bindings.includes(id) || (h.pending?.op === 'associate' && h.pending.instanceId === id),
    );
  }
}
