/**
 * The on-heartbeat path end to end with host agent reports: a signed report delivered as an MNS message
 * is verified, recorded and acted on within that one invocation. The cloud is the simulator; the witness
 * probe is the real network prober against real HTTP health endpoints on loopback addresses (one that
 * answers, one that accepts connections and never answers, like a frozen host), so the reconcile must
 * run the probe and bound it by its timeout. (`announce: none`: a move ends `unverified`, nothing announces.)
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createNetworkProber } from '../../../shared/adapters/probe/index.js';
import { handleHeartbeatMessage } from '../../../shared/app/handlers.js';
import { memberId } from '../../../shared/core/model.js';
import { type AgentReport, encodeReport, signReport } from '../../../shared/events/agent-report.js';
import { BACKUP, createWorld, HAVIP, PRIMARY, type World } from '../../support/world.js';

const KEY = 'web-group-key-0123456789abcdef';
const LOOPBACK: Readonly<Record<string, string>> = {
  '192.168.0.11': '127.0.0.11',
  '192.168.0.12': '127.0.0.12',
};

/** A member's agent health endpoint: answers 200, or (frozen) accepts and never answers. */
class HealthEndpoint {
  requests = 0;
  frozen = false;
  private readonly hung: ServerResponse[] = [];
  constructor(readonly server: Server) {
    server.on('request', (req, res) => {
      if (req.url === '/health') this.requests++;
      if (this.frozen) this.hung.push(res);
      else res.writeHead(200).end('ok');
    });
  }
  static async listen(host: string, port: number): Promise<HealthEndpoint> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
    return new HealthEndpoint(server);
  }
  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }
  async close(): Promise<void> {
    for (const res of this.hung) res.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const topology = (healthPort: number) => `
region: cn-hangzhou
groups:
  - name: web
    vSwitchId: vsw-bp1test0000000000001
    haVipId: ${HAVIP}
    nopreempt: true
    announce: none
    agent: { healthPort: ${healthPort} }
    members:
      - { id: ${PRIMARY}, priority: 100, ip: 192.168.0.11 }
      - { id: ${BACKUP}, priority: 10, ip: 192.168.0.12 }
`;

let world: World | undefined;
const endpoints: HealthEndpoint[] = [];
afterEach(async () => {
  await world?.close();
  world = undefined;
  await Promise.all(endpoints.splice(0).map((e) => e.close()));
});

async function setUp(): Promise<{ w: World; primary: HealthEndpoint; backup: HealthEndpoint }> {
  const primary = await HealthEndpoint.listen('127.0.0.11', 0);
  const backup = await HealthEndpoint.listen('127.0.0.12', primary.port);
  endpoints.push(primary, backup);
  world = await createWorld({
    topology: topology(primary.port),
    agentKeys: new Map([['web', Buffer.from(KEY)]]),
    prober: createNetworkProber({ hostFor: (t) => LOOPBACK[t.ip] ?? t.ip }),
  });
  return { w: world, primary, backup };
}

let sequence = 1_767_225_600_000;
/** The MNS message (JSON envelope) of a report, signed with `key`. */
function message(over: Partial<AgentReport>, key = KEY): string {
  sequence++;
  const report: AgentReport = {
    type: 'heartbeat.timeout',
    instanceId: PRIMARY,
    group: 'web',
    reporter: BACKUP,
    sequence,
    reason: 'peer-silent',
    reporterChecks: 'ok',
    lastSeenAt: '2026-01-01T00:00:00.000Z',
    sentAt: '2026-01-01T00:00:03.000Z',
    ...over,
  };
  return JSON.stringify({ Message: encodeReport(signReport(report, key)), MessageId: `MSG-${sequence}` });
}

const deliver = (w: World, body: string) =>
  handleHeartbeatMessage(w.service, w.logger, Buffer.from(body), `inv-${sequence}`);
/** The members the HaVip is bound to (`announce: none`: nothing claims it on the data plane). */
const bound = (w: World) => [...(w.sim.haVip(HAVIP)?.associatedInstances ?? [])];

describe('agent reports on the on-heartbeat path', () => {
  it('moves the address in the same invocation when the witness probe confirms (a frozen holder)', async () => {
    const { w, primary } = await setUp();
    primary.frozen = true;
    const result = await deliver(w, message({}));
    expect(result).toMatchObject({ outcome: 'processed', results: [{ group: 'web', status: 'unverified' }] });
    expect(bound(w)).toEqual([BACKUP]);
    // The probe of the holder ran (and its timeout ended the wait: the endpoint never answered).
    expect(primary.requests).toBeGreaterThan(0);
  });

  it('keeps the address on a live holder when its only peer reports it silent (the probe answers)', async () => {
    const { w, primary } = await setUp();
    const result = await deliver(w, message({}));
    expect(result).toMatchObject({ outcome: 'processed', results: [{ group: 'web', status: 'noop' }] });
    expect(bound(w)).toEqual([PRIMARY]);
    expect(primary.requests).toBeGreaterThan(0);
    expect(w.logger.entries.some((e) => JSON.stringify(e).includes('answers the witness probe'))).toBe(true);
  });

  it('moves the address on the holder’s own failed checks, with no probe needed', async () => {
    const { w, primary, backup } = await setUp();
    const own = message({
      instanceId: PRIMARY,
      reporter: PRIMARY,
      reason: 'checks-failed',
      lastSeenAt: undefined,
      reporterChecks: 'failing',
    });
    expect(await deliver(w, own)).toMatchObject({ results: [{ group: 'web', status: 'unverified' }] });
    expect(bound(w)).toEqual([BACKUP]);
    expect(primary.requests + backup.requests).toBe(0);
  });

  it('does not count a report from a reporter whose own checks fail, and runs no probe for it', async () => {
    const { w, primary } = await setUp();
    primary.frozen = true;
    const result = await deliver(w, message({ reporterChecks: 'failing' }));
    expect(result).toMatchObject({ results: [{ group: 'web', status: 'noop' }] });
    expect(bound(w)).toEqual([PRIMARY]);
    expect(primary.requests).toBe(0);
  });

  it('refuses a forged report and a replayed one: recorded nowhere, the address stays', async () => {
    const { w, primary } = await setUp();
    primary.frozen = true;
    const forged = await deliver(w, message({}, 'not-the-group-key-0123456789'));
    expect(forged).toMatchObject({ outcome: 'rejected', error: { code: 'report.refused' } });
    const suspect = memberId(PRIMARY);
    expect((await w.store.latestSignals([suspect])).get(suspect)).toEqual({});
    primary.frozen = false;
    const first = message({});
    expect(await deliver(w, first)).toMatchObject({ results: [{ status: 'noop' }] });
    primary.frozen = true;
    const replay = await deliver(w, first);
    expect(replay).toMatchObject({ outcome: 'ignored', results: [] });
    expect(bound(w)).toEqual([PRIMARY]);
  });
});
