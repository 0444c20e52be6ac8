/**
 * The data plane: on Tencent Cloud a HAVIP moves only by ARP. The instance that announces the address
 * (gratuitous ARP from keepalived, the host agent or a TAT command) receives its traffic, and
 * `DescribeHaVips` → `InstanceId` names it. With the drift-scope check on (`CheckAssociate`), an
 * announcer outside the scope is ignored; with it off, any RUNNING instance in the subnet takes it.
 * Nobody is promoted automatically: a stopped holder stops serving but stays named until another
 * instance announces. The switch takes the `arp` transition delay (Tencent: "may take 10 seconds").
 */
import { ipv4ToNumber } from '../../core/election.js';
import type { StatsCounter } from '../simulator/common/stats.js';
import type { TencentSimContext } from './context.js';
import { type EniRec, type HaVipRec, type Holder, type InstanceRec, vpcTime } from './world.js';

/** The VPC's answer to one ARP announcement. */
export interface TencentAnnounceResult {
  /** Whether the announcement makes (or keeps) the announcer the HAVIP's holder. */
  readonly accepted: boolean;
  /** Why it was ignored. */
  readonly reason?: string;
  readonly haVipId?: string;
  readonly instanceId?: string;
  readonly networkInterfaceId?: string;
  /** When accepted: in how many ms the switch takes effect (the `arp` transition delay). */
  readonly effectiveInMs?: number;
}

export class TencentDataPlane {
  constructor(
    private readonly ctx: TencentSimContext,
    private readonly stats: StatsCounter,
  ) {}

  /**
   * An ARP announcement of `address` from an instance (from its interface in the HAVIP's subnet) or from
   * one ENI (an `eni-` id). Ignored unless the announcer's instance is RUNNING, the address is a HAVIP of
   * that subnet and, with `CheckAssociate` on, the announcer is in the drift scope. Repeating an
   * accepted announcement changes nothing.
   */
  announce(id: string, address: string): TencentAnnounceResult {
    const r = this.resolve(id, address);
    this.stats.announcement(r.result.accepted);
    if (!r.result.accepted || r.haVip === undefined || r.holder === undefined) return r.result;
    const delay = this.ctx.faults.transitionDelay('arp');
    const { haVip, holder } = r;
    if (delay === 0) this.apply(haVip.haVipId, holder, id, address);
    else this.ctx.transition('arp', () => this.apply(haVip.haVipId, holder, id, address));
    return { ...r.result, effectiveInMs: delay };
  }

  /** Which instance receives the HAVIP's traffic now: its holder while RUNNING, else nobody. */
  servingInstance(haVipId: string): string | undefined {
    const h = this.ctx.world.haVips.get(haVipId)?.holder;
    if (h === undefined) return undefined;
    return this.ctx.world.instances.get(h.instanceId)?.state === 'RUNNING' ? h.instanceId : undefined;
  }

  /** Applies a switch when it takes effect, if the announcement would still be accepted then. */
  private apply(haVipId: string, holder: Holder, id: string, address: string): void {
    const again = this.resolve(id, address);
    const h = this.ctx.world.haVips.get(haVipId);
    if (!again.result.accepted || h === undefined || again.haVip?.haVipId !== haVipId) return;
    if (
      h.holder?.instanceId === holder.instanceId &&
      h.holder.networkInterfaceId === holder.networkInterfaceId
    )
      return;
    this.ctx.world.haVips.set(haVipId, { ...h, holder, flushedTime: vpcTime(this.ctx.clock.now()) });
    this.ctx.commit();
  }

  private resolve(
    id: string,
    address: string,
  ): { result: TencentAnnounceResult; haVip?: HaVipRec; holder?: Holder } {
    const ignored = (reason: string) => ({ result: { accepted: false, reason } });
    if (ipv4ToNumber(address) === undefined)
      return ignored(`${JSON.stringify(address)} is not an IPv4 address`);
    const { world } = this.ctx;
    const host = world.hostOf(id);
    if (host === undefined)
      return ignored(
        id.startsWith('eni-') && world.enis.has(id)
          ? `ENI ${id} is not attached to an instance, so nothing sends its ARP`
          : `${id} does not exist`,
      );
    if (host.state !== 'RUNNING')
      return ignored(`instance ${host.instanceId} is ${host.state}; only a RUNNING instance sends ARP`);
    const interfaces = id.startsWith('eni-') ? [world.enis.get(id) as EniRec] : world.enisOf(host.instanceId);
    let outside: HaVipRec | undefined;
    for (const n of interfaces) {
      const h = [...world.haVips.values()].find(
        (x) => x.vip === address && x.subnetId === n.subnetId && x.regionId === host.regionId,
      );
      if (h === undefined) continue;
      if (h.checkAssociate && !inScope(h, host, n)) {
        outside ??= h;
        continue;
      }
      const holder = { instanceId: host.instanceId, networkInterfaceId: n.networkInterfaceId };
      return { result: { accepted: true, haVipId: h.haVipId, ...holder }, haVip: h, holder };
    }
    if (outside !== undefined)
      return ignored(
        `${id} is outside the drift scope of ${outside.haVipId} (${address}) and its scope check is on; the VPC ignores its ARP`,
      );
    return ignored(`${address} is not the address of a HAVIP in a subnet of ${id}`);
  }
}

/** Whether the announcing interface is in the scope: its instance (CVM scope) or the ENI itself (ENI scope). */
function inScope(h: HaVipRec, host: InstanceRec, n: EniRec): boolean {
  return h.scope.some((s) =>
    s.type === 'CVM' ? s.instanceId === host.instanceId : s.instanceId === n.networkInterfaceId,
  );
}
