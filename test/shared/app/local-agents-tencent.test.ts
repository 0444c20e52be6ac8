/**
 * `havip local --cloud tencent` with real agent processes, end to end: one `havip agent` OS process per
 * member on its own loopback address, reports published to the Tencent simulator's CMQ topic (the agent's
 * `cmq` sink, TC3-signed with the CAM role credentials the metadata simulator issues per instance) and
 * delivered to the havip-heartbeat handler as SCF's CMQ trigger would, the spot notice from the metadata
 * simulator in Tencent's layout, the move on the Tencent
 * simulator (scope, announce, `DescribeHaVips` → `InstanceId`), and the new holder's agent announcing
 * through the simulator's ARP data plane. Every wait is for a condition, with a generous deadline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTencentLocal, type TencentLocalMode } from '../../../shared/app/local.js';
import { memberId } from '../../../shared/core/model.js';
import {
  closeLeavingNoAgents,
  expectOneAgentProcessPerMember,
  headlessWithAgents,
} from '../../support/local-agents.js';

const A = 'ins-demoweb1';
const B = 'ins-demoweb2';
const HAVIP = 'havip-demoweb1';
const DEADLINE_MS = 90_000;

let local: TencentLocalMode;
const lines: string[] = [];

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}\n${lines.slice(-30).join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Who holds the HAVIP, as the orchestrator's own adapter reads it: `DescribeHaVips` → `InstanceId`. */
async function instanceId(): Promise<string | undefined> {
  const [h] = (await local.runtime.tencent?.describeHaVips({
    regionId: 'ap-guangzhou',
    haVipIds: [HAVIP],
  })) ?? [undefined];
  return h?.instanceId;
}

interface Health {
  peers: { state: string }[];
  takeover?: { held: string[] };
}
const health = (id: string): Promise<Health | undefined> =>
  fetch(local.agents!.agent(id).healthUrl, { signal: AbortSignal.timeout(2_000) })
    .then((r) => r.json() as Promise<Health>)
    .catch(() => undefined);

/** The HAVIP is `id`'s on the wire, it serves, and its agent holds the address (it was told by heartbeat). */
const heldBy = (id: string) =>
  waitFor(`${id} to hold the HAVIP`, async () => {
    const vip = local.sim.haVip(HAVIP)?.vip;
    const held = (await health(id))?.takeover?.held ?? [];
    return (
      (await instanceId()) === id &&
      local.sim.servingInstance(HAVIP) === id &&
      held.some((h) => h.endsWith(` ${vip}`))
    );
  });

const peersAlive = async () => {
  for (const a of local.agents!.agents)
    await waitFor(`${a.memberId} to hear its peer`, async () =>
      (await health(a.memberId))?.peers.every((p) => p.state === 'alive'),
    );
};

/** The report, handled by the havip-heartbeat handler after the CMQ topic delivered it. */
const reported = (reporter: string, suspect: string, reason: string) =>
  waitFor(`${reporter}'s ${reason} report about ${suspect}`, async () =>
    local
      .delivered()
      .find(
        (d) =>
          d.reporter === reporter &&
          d.suspect === suspect &&
          d.reason === reason &&
          d.outcome === 'processed',
      ),
  );

/**
 * The report came through the topic: delivered by the CMQ subscription (a message id), published with
 * the reporter's own CAM role credentials, and stored with the CMQ source — a report posted to the API's
 * `POST /v1/reports` would be stored with source `http`, as the agents' heartbeats are.
 */
async function expectViaTopic(d: { via: string; messageId: string }, reporter: string, suspect: string) {
  expect(d.via).toBe('cmq');
  expect(d.messageId).toMatch(/\S/);
  expect(local.sim.cmq.stats.published).toBeGreaterThanOrEqual(local.delivered().length);
  expect(local.metadata!.issued(reporter).length).toBeGreaterThan(0);
  const id = memberId(suspect);
  const stored = (await local.runtime.store.latestSignals([id])).get(id);
  // The agent's heartbeats still go to the API (source http); its reports are the `report:` events.
  const reports = (Object.values(stored ?? {}).flat() as { source?: string; eventId?: string }[]).filter(
    (x) => x.eventId?.startsWith(`report:web:${reporter}:`),
  );
  expect(reports.length).toBeGreaterThan(0);
  expect(reports.map((x) => x.source)).toEqual(reports.map(() => 'cmq'));
}

beforeAll(async () => {
  local = await startTencentLocal(headlessWithAgents('examples/tencent/topology.yaml', lines));
  await heldBy(A);
  await peersAlive();
}, 180_000);

afterAll(() => closeLeavingNoAgents(local), 60_000);

describe('Tencent local mode with one agent process per member', () => {
  it('runs one agent process per member, each naming its instance on its command line', () => {
    expectOneAgentProcessPerMember(local.agents!, [A, B]);
  });

  it('freezing the holder’s agent moves the HAVIP to the peer, whose agent then holds it', async () => {
    const agentA = local.agents!.agent(A);
    agentA.freeze();
    try {
      await expectViaTopic(await reported(B, A, 'peer-silent'), B, A);
      await heldBy(B);
    } finally {
      agentA.thaw();
    }
    // Thawed, A's agent learns from its next heartbeat that it no longer holds the address.
    await waitFor(`${A}'s agent to let go of the address`, async () => {
      const held = (await health(A))?.takeover?.held;
      return held !== undefined && held.length === 0;
    });
    await peersAlive();
  }, 180_000);

  it('a spot notice in Tencent’s metadata drains the holder: its agent reports it and the HAVIP moves', async () => {
    local.metadata!.setSpotTermination(B, Date.now() + 120_000);
    await expectViaTopic(await reported(B, B, 'spot-termination'), B, B);
    await heldBy(A);
    const group = (await (
      await fetch(`${local.apiUrl}/v1/groups/web`, { headers: { authorization: `Bearer ${local.token}` } })
    ).json()) as { members: { id: string; eligible: boolean; reasons: string[] }[] };
    const b = group.members.find((m) => m.id === B);
    expect(b?.eligible).toBe(false);
    expect(b?.reasons.join(' ')).toMatch(/drain|spot/i);
  }, 180_000);
});
