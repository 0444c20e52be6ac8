/**
 * Local mode with real agent processes, end to end: one `havip agent` OS process per member on its own
 * loopback address, reports over the embedded MNS topic into the on-heartbeat handler, takeover through
 * the simulator's data plane. Every wait is for a condition, with a generous deadline (no timing asserted).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalMode, startLocal } from '../../../shared/app/local.js';
import {
  closeLeavingNoAgents,
  expectOneAgentProcessPerMember,
  headlessWithAgents,
} from '../../support/local-agents.js';

const A = 'i-bp1demo0000000000001';
const B = 'i-bp1demo0000000000002';
const HAVIP = 'havip-bp1demo0000000000001';
const DEADLINE_MS = 90_000;

let local: LocalMode;
const lines: string[] = [];

async function waitFor<T>(what: string, probe: () => T | undefined | false): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}\n${lines.slice(-30).join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const bound = () => local.sim.haVip(HAVIP)?.associatedInstances ?? [];
const serving = () => local.sim.servingInstance(HAVIP);
/** The address is bound to `id` alone and the data plane sends its traffic there. */
const servedBy = (id: string) =>
  waitFor(`${id} to serve the HaVip`, () => bound().join() === id && serving() === id);

/** Both agents hear each other (their health endpoints say so). */
async function peersAlive(): Promise<void> {
  heard.clear();
  for (const a of local.agents!.agents)
    await waitFor(
      `${a.memberId} to hear its peer`,
      () => a.memberId !== '' && heard.get(a.memberId) === true,
    );
}
const heard = new Map<string, boolean>();
let polling = true;
async function pollHealth(): Promise<void> {
  while (polling) {
    for (const a of local.agents?.agents ?? []) {
      const body = await fetch(a.healthUrl, { signal: AbortSignal.timeout(1_000) })
        .then((r) => r.json() as Promise<{ peers: { state: string }[] }>)
        .catch(() => undefined);
      if (body !== undefined)
        heard.set(
          a.memberId,
          body.peers.every((p) => p.state === 'alive'),
        );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  local = await startLocal(headlessWithAgents('examples/local-demo.yaml', lines));
  void pollHealth();
  await servedBy(A);
  await peersAlive();
}, 180_000);

afterAll(async () => {
  polling = false;
  await closeLeavingNoAgents(local);
}, 60_000);

describe('local mode with one agent process per member', () => {
  it('runs one agent process per member, each naming its instance on its command line', () => {
    expectOneAgentProcessPerMember(local.agents!, [A, B]);
  });

  it('freezing the holder’s agent moves the address to the peer, which serves it', async () => {
    const agentA = local.agents!.agent(A);
    agentA.freeze();
    try {
      await servedBy(B);
      await waitFor('B’s report that A is silent', () =>
        local
          .reports!.delivered()
          .some((d) => d.reporter === B && d.suspect === A && d.reason === 'peer-silent'),
      );
    } finally {
      agentA.thaw();
    }
    await peersAlive();
  }, 180_000);

  it('killing the holder’s service moves the address back', async () => {
    const holder = local.agents!.agent(B);
    const since = local.reports!.delivered().length;
    holder.service.stop();
    try {
      await servedBy(A);
      await waitFor('B’s report that its checks fail', () =>
        local
          .reports!.delivered()
          .some((d) => d.reporter === B && d.suspect === B && d.reason === 'checks-failed'),
      );
    } finally {
      holder.service.start();
    }
    await waitFor(`${B} to report its checks recovered`, () =>
      local
        .reports!.delivered()
        .slice(since)
        .some((d) => d.reporter === B && d.suspect === B && d.reason === 'recovered'),
    );
  }, 180_000);

  it('a healthy pair whose holder’s outbound adverts are cut does not move: the witness probe answers', async () => {
    const before = local.reports!.delivered().length;
    local.agents!.cutOutboundAdverts(A, true);
    try {
      // B reports A silent; the on-heartbeat handler has run the witness probe on A's health endpoint.
      const handled = await waitFor('B’s report about A to be handled', () =>
        local
          .reports!.delivered()
          .slice(before)
          .find((d) => d.reporter === B && d.suspect === A && d.reason === 'peer-silent'),
      );
      expect(handled.statuses).toEqual(['web:noop']);
      await local.sweep();
      expect(bound()).toEqual([A]);
      expect(serving()).toBe(A);
    } finally {
      local.agents!.cutOutboundAdverts(A, false);
    }
  }, 180_000);
});
