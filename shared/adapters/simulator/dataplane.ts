/**
 * The data plane: ARP announcements decide `MasterInstanceId`, the VPC sends a HaVip's traffic to its
 * master while it is bound and live, and simulated keepalived announces a HaVip that lost its master.
 */
import { ipv4ToNumber } from '../../core/election.js';
import type { StatsCounter } from './common/stats.js';
import type { SimContext } from './context.js';
import type { SimAnnounceResult } from './types.js';
import type { HaVipRec, World } from './world.js';

export class DataPlane {
  /** HaVips with a keepalived takeover timer running. */
  private readonly takeovers = new Set<string>();

  constructor(
    private readonly ctx: SimContext,
    private readonly stats: StatsCounter,
    private readonly keepalivedTakeoverMs: number,
  ) {}

  /**
   * An ARP announcement (gratuitous ARP) of `address` from an instance (or from one of its ENIs when an
   * `eni-` id is given). The VPC makes the announcer the HaVip's master only when the address is a
   * HaVip's address in the announcer's vSwitch, the announcer (the instance or its ENI) is bound to
   * that HaVip, and the instance is Running; anything else is ignored, as the VPC ignores ARP from
   * hosts that are not bound. Repeating an accepted announcement is harmless.
   */
  announce(instanceId: string, address: string): SimAnnounceResult {
    const r = resolveAnnouncement(this.ctx.world, instanceId, address);
    this.stats.announcement(r.accepted);
    if (!r.accepted) return r;
    const h = this.ctx.world.haVips.get(r.haVipId!)!;
    if (h.master !== r.masterInstanceId) {
      this.ctx.world.haVips.set(h.haVipId, { ...h, master: r.masterInstanceId });
      this.ctx.commit();
    }
    return r;
  }

  /**
   * Which target receives the HaVip's traffic now: the master while it is bound and live, else nobody
   * (traffic to the address is dropped). Ground truth, never stale.
   */
  servingInstance(haVipId: string): string | undefined {
    const h = this.ctx.world.haVips.get(haVipId);
    if (h?.master === undefined) return undefined;
    return h.bindings.includes(h.master) && this.ctx.world.isLive(h.master) ? h.master : undefined;
  }

  /**
   * Simulated keepalived: for every HaVip without a master that has a bound, Running, not-stuck
   * keepalived host, the best of them (priority, then higher IP) announces the address after
   * `keepalivedTakeoverMs`. It never preempts a live master (as with `nopreempt`).
   */
  scheduleTakeovers(): void {
    for (const h of this.ctx.world.haVips.values()) {
      if (h.master !== undefined || this.takeovers.has(h.haVipId)) continue;
      if (this.keepalivedCandidate(h) === undefined) continue;
      const haVipId = h.haVipId;
      this.takeovers.add(haVipId);
      this.ctx.scheduler.after(this.keepalivedTakeoverMs, () => {
        this.takeovers.delete(haVipId);
        const cur = this.ctx.world.haVips.get(haVipId);
        if (cur === undefined || cur.master !== undefined) return;
        const winner = this.keepalivedCandidate(cur);
        if (winner !== undefined) this.announce(winner, cur.ipAddress);
      });
    }
  }

  private keepalivedCandidate(h: HaVipRec): string | undefined {
    const { world } = this.ctx;
    let best: { id: string; priority: number; ip: number } | undefined;
    for (const b of h.bindings) {
      const host = world.hostOf(b);
      if (host?.keepalived === undefined || host.status !== 'Running') continue;
      if (this.ctx.faults.keepalivedStuckOn(host.instanceId)) continue;
      const priority = host.keepalived.priorities[h.haVipId] ?? host.keepalived.priority;
      const ip = ipv4ToNumber(world.addressOf(b) ?? '') ?? 0;
      if (
        best === undefined ||
        priority > best.priority ||
        (priority === best.priority && (ip > best.ip || (ip === best.ip && b > best.id)))
      )
        best = { id: b, priority, ip };
    }
    return best?.id;
  }
}

function resolveAnnouncement(world: World, id: string, address: string): SimAnnounceResult {
  const ignored = (reason: string): SimAnnounceResult => ({ accepted: false, reason });
  if (ipv4ToNumber(address) === undefined)
    return ignored(`${JSON.stringify(address)} is not an IPv4 address`);
  const host = world.hostOf(id);
  if (host === undefined) {
    return ignored(
      id.startsWith('eni-') && world.enis.has(id)
        ? `ENI ${id} is not attached to an instance, so nothing sends its ARP`
        : `${id} does not exist`,
    );
  }
  if (host.status !== 'Running') {
    return ignored(`instance ${host.instanceId} is ${host.status}; only a Running instance sends ARP`);
  }
  // The announcer's interfaces: an ENI id names one; an instance speaks on its own and its ENIs.
  const targets = id.startsWith('eni-')
    ? [id]
    : [id, ...[...world.enis.values()].filter((n) => n.instanceId === id).map((n) => n.networkInterfaceId)];
  let unbound: HaVipRec | undefined;
  for (const t of targets) {
    const vSwitchId = t.startsWith('eni-') ? world.enis.get(t)?.vSwitchId : host.vSwitchId;
    for (const h of world.haVips.values()) {
      if (h.ipAddress !== address || h.vSwitchId !== vSwitchId || h.regionId !== host.regionId) continue;
      if (h.bindings.includes(t)) return { accepted: true, haVipId: h.haVipId, masterInstanceId: t };
      unbound ??= h;
    }
  }
  if (unbound !== undefined) {
    return ignored(
      `${id} is not bound to HaVip ${unbound.haVipId} (${address}); the VPC ignores ARP from unbound instances`,
    );
  }
  return ignored(`${address} is not the address of a HaVip in the vSwitch of ${id}`);
}
