/**
 * The Tencent side of the failover-latency benchmark (`bench/failover-latency.ts --cloud tencent`):
 * `havip local --cloud tencent` with real agent processes on the example topology
 * (`examples/tencent/topology.yaml`; local mode makes its `announce` the agents'). Reports travel over
 * the Tencent simulator's CMQ topic to the havip-heartbeat handler; a CVM stop reaches the
 * havip-cvm-events handler as its CloudAudit `ConsoleCall` event.
 *
 * No API moves a HAVIP on Tencent, so the phases after the decision mean:
 *
 *   decision  delivered → the move's first HAVIP call reaches the VPC (AssociateHaVipInstance widening
 *             the drift scope to the peer; for a freeze after the witness probe);
 *   switch    → the peer's gratuitous ARP is accepted by the VPC: the engine's verify step makes the
 *             heartbeat reply name the peer, its agent learns it on its next heartbeat and announces;
 *   announce  → the VPC has remapped the address (the simulator's `arp` transition): `DescribeHaVips`
 *             → `InstanceId` names the peer and it is RUNNING (it serves);
 *   fenced    failure → the old member is dropped from the drift scope (DisassociateHaVipInstance).
 *
 * The VPC calls and the ARP announcements are timed by wrapping the simulator object's `handle` (what
 * its HTTP server calls for every API request) and `announce` (what its admin route calls for the
 * agents' ARP): instrumentation for this benchmark only.
 */
import type { TencentSimulatedCloud } from '../shared/adapters/tencent-simulator/index.js';
import { startTencentLocal } from '../shared/app/local.js';
import {
  allEligible,
  FirstCallClock,
  type LatencyWorld,
  localOptions,
  type WorldOptions,
} from './lib/latency-world.js';

export const TENCENT_HAVIP = 'havip-demoweb1';
/** The HAVIP calls a move makes: the drift scope widened to the peer, the old member dropped. */
const SCOPE_CALLS: ReadonlySet<string> = new Set(['AssociateHaVipInstance', 'DisassociateHaVipInstance']);
/** Accepted announcements kept (agents refresh theirs; a run needs only the latest few). */
const KEEP_ANNOUNCEMENTS = 1_000;

/** Tencent local mode with agents, read as the benchmark's {@link LatencyWorld}. */
export async function startTencentLatencyWorld(opts: WorldOptions): Promise<LatencyWorld> {
  const local = await startTencentLocal(localOptions('examples/tencent/topology.yaml', opts));
  const { sim } = local;
  const decision = new FirstCallClock(SCOPE_CALLS);
  const arp = instrument(sim, decision);
  const stops: { at: number; instanceId: string }[] = [];
  const unsubscribe = sim.onCloudEvent((e) => {
    const at = Date.now();
    const params = JSON.parse(String(e.data.requestParameters)) as { InstanceIds: string[] };
    for (const instanceId of params.InstanceIds) stops.push({ at, instanceId });
  });
  const scope = () => sim.haVip(TENCENT_HAVIP)?.scope.map((s) => s.instanceId) ?? [];
  const alone = (id: string | undefined) => id !== undefined && scope().join() === id;
  return {
    agents: local.agents!,
    simulatorUrl: local.simulatorUrl,
    settledHolder: () => {
      const serving = sim.servingInstance(TENCENT_HAVIP);
      return alone(serving) ? serving : undefined;
    },
    running: (id) => sim.instance(id)?.state === 'RUNNING',
    switched: (to) => arp.acceptedAt(to, decision.since) !== undefined,
    serving: () => sim.servingInstance(TENCENT_HAVIP),
    fenced: (to) => alone(to),
    markDecision: (since) => decision.mark(since),
    decidedAt: () => decision.at,
    stopEventAt: (id, since) => stops.find((x) => x.at >= since && x.instanceId === id)?.at,
    allEligible: () => allEligible(local, 'web'),
    delivered: () => local.delivered(),
    close: async () => {
      unsubscribe();
      await local.close();
    },
  };
}

/** Times every VPC call (for the decision) and every accepted ARP announcement (for the switch). */
function instrument(sim: TencentSimulatedCloud, decision: FirstCallClock) {
  const handle = sim.handle.bind(sim);
  const announce = sim.announce.bind(sim);
  const accepted: { at: number; instanceId: string }[] = [];
  sim.handle = (req) => {
    decision.saw(req.action);
    return handle(req);
  };
  sim.announce = (id, address) => {
    const r = announce(id, address);
    if (r.accepted && r.instanceId !== undefined) {
      accepted.push({ at: Date.now(), instanceId: r.instanceId });
      if (accepted.length > KEEP_ANNOUNCEMENTS) accepted.shift();
    }
    return r;
  };
  return {
    acceptedAt: (id: string, since: number) => accepted.find((a) => a.instanceId === id && a.at >= since)?.at,
  };
}
