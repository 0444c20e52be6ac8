/**
 * The `mns` report sink as `havip agent` builds it from its configuration: the real publisher, signing
 * with the instance role's STS credentials from the metadata simulator, publishing to the MNS simulator,
 * whose delivery is parsed and verified by the orchestrator's own parser (report-signals.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMetadataSimulator } from '../../../shared/adapters/metadata/simulator.js';
import { type MnsSimulator, startMnsSimulator } from '../../../shared/adapters/mns/simulator/index.js';
import { parseAgentConfig } from '../../../shared/agent/config.js';
import { createSinkFromConfig, loadAgentSecrets } from '../../../shared/agent/setup.js';
import { retryableFailure } from '../../../shared/agent/sinks.js';
import { reportAuthority } from '../../../shared/app/agent-keys.js';
import { loadTopology } from '../../../shared/core/config.js';
import { InvalidInputError } from '../../../shared/core/errors.js';
import { encodeReport, signReport } from '../../../shared/events/agent-report.js';
import { parseHeartbeatMessage } from '../../../shared/events/mns.js';

const KEY = 'group-key-for-the-setup-test-0123456789';
const A = 'i-bp1setup000000000001';
const B = 'i-bp1setup000000000002';
const TOPIC = 'havip-heartbeats';
const HOUR = 3_600_000;

let now = Date.parse('2026-03-01T00:00:00Z');
const clock = { now: () => now };
let mns: MnsSimulator;
let meta: Awaited<ReturnType<typeof startMetadataSimulator>>;
const delivered: Buffer[] = [];

const topology = loadTopology(
  `region: cn-hangzhou
groups:
  - name: web
    vSwitchId: vsw-bp1setup000000000001
    haVipId: havip-bp1setup000000000001
    members:
      - { id: ${A}, priority: 100, ip: 192.168.0.11 }
      - { id: ${B}, priority: 10, ip: 192.168.0.12 }
`,
  { source: 'setup.test' },
).topology;
const authority = reportAuthority(topology, new Map([['web', Buffer.from(KEY, 'utf8')]]));

beforeAll(async () => {
  mns = await startMnsSimulator({ clock, autoDeliver: false });
  mns.createTopic(TOPIC);
  mns.subscribe(TOPIC, { name: 'on-heartbeat', format: 'JSON', deliver: (e) => void delivered.push(e) });
  meta = await startMetadataSimulator({ clock, onIssue: (c) => mns.addAccessKey(c) });
  meta.addInstance({ instanceId: A, cloud: 'alibaba', roleName: 'havip-agent' });
});
afterAll(async () => {
  await mns.close();
  await meta.close();
});

function configFor(sink: Record<string, unknown>) {
  return parseAgentConfig(
    JSON.stringify({
      advert: { bind: '127.0.0.1' },
      groups: [{ name: 'web', key: { env: 'WEB_KEY' }, peers: [{ id: B, address: '127.0.0.2' }] }],
      reports: { sink },
      metadata: { baseUrl: meta.baseUrl(A) },
    }),
    A,
  );
}

async function sinkFor(sink: Record<string, unknown>, env: Record<string, string> = {}) {
  const config = configFor(sink);
  const secrets = await loadAgentSecrets(config, {
    env: { WEB_KEY: KEY },
    readFile: async () => '',
    mode: async () => 0o600,
  });
  return createSinkFromConfig(config, secrets, { env, clock });
}

const report = (sequence: number) =>
  encodeReport(
    signReport(
      {
        type: 'heartbeat.timeout',
        instanceId: B,
        group: 'web',
        reporter: A,
        sequence,
        reason: 'peer-silent',
        reporterChecks: 'ok',
        lastSeenAt: new Date(now - 3000).toISOString(),
        sentAt: new Date(now).toISOString(),
      },
      KEY,
    ),
  );

describe('the mns sink of havip agent', () => {
  it('publishes a signed report with the role credentials; on-heartbeat verifies it into a peer report', async () => {
    const sink = await sinkFor({ type: 'mns', endpoint: mns.url, topic: TOPIC });
    await sink.publish(report(1));
    await mns.drain();
    expect(delivered).toHaveLength(1);
    const parsed = parseHeartbeatMessage(delivered[0], { reports: authority });
    expect(parsed.signals).toEqual([
      expect.objectContaining({ kind: 'peer-report', memberId: B, reporter: A, reason: 'peer-silent' }),
    ]);
    expect(mns.published(TOPIC).at(-1)?.accessKeyId).toBe(meta.issued(A)[0]?.accessKeyId);
  });

  it('refreshes the STS credentials before they expire and signs with the new ones', async () => {
    const sink = await sinkFor({ type: 'mns', endpoint: mns.url, topic: TOPIC });
    await sink.publish(report(2));
    const first = meta.issued(A).at(-1)!;
    now = first.expiresAt - 10 * 60_000; // inside the refresh lead (15 min), after the rotation (30 min)
    await sink.publish(report(3));
    const second = meta.issued(A).at(-1)!;
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(mns.published(TOPIC).at(-1)?.accessKeyId).toBe(second.accessKeyId);
    now += HOUR;
  });

  it('fails retryably, without a request storm, while the metadata service is down and nothing is cached', async () => {
    const sink = await sinkFor({ type: 'mns', endpoint: mns.url, topic: TOPIC });
    meta.setAvailable(A, false);
    const before = meta.requestCount(A);
    const errors = [];
    for (let i = 0; i < 5; i++) errors.push(await sink.publish(report(10 + i)).catch((e: unknown) => e));
    meta.setAvailable(A, true);
    expect(errors.every((e) => e instanceof Error && retryableFailure(e))).toBe(true);
    // One refresh attempt (a token request, a role read at most); the other four wait out the backoff.
    expect(meta.requestCount(A) - before).toBeLessThanOrEqual(2);
  });

  it('with credentials: env, names the missing variable before anything runs', async () => {
    await expect(
      sinkFor({ type: 'mns', endpoint: mns.url, topic: TOPIC, credentials: 'env' }),
    ).rejects.toThrow(InvalidInputError);
  });
});
