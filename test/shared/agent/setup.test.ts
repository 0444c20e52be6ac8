/**
 * The topic sinks as `havip agent` builds them from its configuration. The `mns` report sink: the real publisher, signing
 * with the instance role's STS credentials from the metadata simulator, publishing to the MNS simulator,
 * whose delivery is parsed and verified by the orchestrator's own parser (report-signals.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMetadataSimulator } from '../../../shared/adapters/metadata/simulator.js';
import { type MnsSimulator, startMnsSimulator } from '../../../shared/adapters/mns/simulator/index.js';
import {
  ManualClock,
  type SimulatorServer,
  startTencentSimulatorServer,
  TencentSimulatedCloud,
  tencentDemoSeed,
} from '../../../shared/adapters/tencent-simulator/index.js';
import { parseAgentConfig } from '../../../shared/agent/config.js';
import { createSinkFromConfig, loadAgentSecrets } from '../../../shared/agent/setup.js';
import { retryableFailure } from '../../../shared/agent/sinks.js';
import { reportAuthority } from '../../../shared/app/agent-keys.js';
import { loadTopology } from '../../../shared/core/config.js';
import { InvalidInputError } from '../../../shared/core/errors.js';
import { encodeReport, signReport } from '../../../shared/events/agent-report.js';
import { parseHeartbeatMessage } from '../../../shared/events/mns.js';
import { parseCmqMessage } from '../../../shared/events/tencent/cmq.js';
import { TENCENT_PAIR, TENCENT_PAIR_YAML } from '../../support/tencent-topology.js';

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

/** A signed peer-silent report of `reporter` about `suspect`, sent at `at`. */
const signedReport = (reporter: string, suspect: string, sequence: number, at: number) =>
  encodeReport(
    signReport(
      {
        type: 'heartbeat.timeout',
        instanceId: suspect,
        group: 'web',
        reporter,
        sequence,
        reason: 'peer-silent',
        reporterChecks: 'ok',
        lastSeenAt: new Date(at - 3000).toISOString(),
        sentAt: new Date(at).toISOString(),
      },
      KEY,
    ),
  );
const report = (sequence: number) => signedReport(A, B, sequence, now);

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

/**
 * The `cmq` sink as `havip agent` builds it on Tencent: the real CMQ publisher, signing TC3 with the CVM
 * role's temporary credentials from the metadata simulator (Tencent's layout), publishing to the Tencent
 * simulator, whose delivery the havip-heartbeat function's parser verifies. One clock for all three,
 * so credential expiry and the signature window agree.
 */
describe('the cmq sink of havip agent', () => {
  const T_A = TENCENT_PAIR.primary;
  const T_B = TENCENT_PAIR.backup;
  let t = Date.parse('2026-03-01T00:00:00Z');
  const tclock = { now: () => t };
  const cloud = new TencentSimulatedCloud(tencentDemoSeed(), {
    clock: new ManualClock(t),
    credentials: { secretId: 'AKIDsetupconfigured', secretKey: 'configured-secret-key-0001' },
  });
  const events: string[] = [];
  let server: SimulatorServer;
  let tmeta: Awaited<ReturnType<typeof startMetadataSimulator>>;
  const tencentAuthority = reportAuthority(
    loadTopology(TENCENT_PAIR_YAML, { source: 'setup.test' }).topology,
    new Map([['web', Buffer.from(KEY, 'utf8')]]),
  );

  beforeAll(async () => {
    server = await startTencentSimulatorServer({ cloud, now: tclock.now });
    cloud.cmq.createTopic(TOPIC, 'ap-guangzhou');
    cloud.cmq.subscribe(TOPIC, { name: 'havip-heartbeat', deliver: (e) => void events.push(e) });
    tmeta = await startMetadataSimulator({
      clock: tclock,
      onIssue: (c) =>
        cloud.addTemporaryCredentials({
          secretId: c.accessKeyId,
          secretKey: c.accessKeySecret,
          token: c.securityToken,
          expiresAt: c.expiresAt,
        }),
    });
    tmeta.addInstance({ instanceId: T_A, cloud: 'tencent', roleName: 'havip-agent' });
    tmeta.addInstance({ instanceId: T_B, cloud: 'tencent' });
  });
  afterAll(async () => {
    await server.close();
    await tmeta.close();
  });

  async function cmqSink(
    member: string,
    sink: Record<string, unknown> = {},
    env: Record<string, string> = {},
  ) {
    const config = parseAgentConfig(
      JSON.stringify({
        advert: { bind: '127.0.0.1' },
        groups: [
          {
            name: 'web',
            key: { env: 'WEB_KEY' },
            peers: [{ id: member === T_A ? T_B : T_A, address: '127.0.0.2' }],
          },
        ],
        reports: {
          sink: {
            type: 'cmq',
            topic: TOPIC,
            region: 'ap-guangzhou',
            endpoint: `http://${server.endpoint}`,
            ...sink,
          },
        },
        metadata: { baseUrl: tmeta.baseUrl(member) },
      }),
      member,
    );
    const secrets = await loadAgentSecrets(config, {
      env: { WEB_KEY: KEY },
      readFile: async () => '',
      mode: async () => 0o600,
    });
    return createSinkFromConfig(config, secrets, { env, clock: tclock });
  }

  const tencentReport = (sequence: number) => signedReport(T_A, T_B, sequence, t);

  it('publishes a signed report with the CAM role credentials; havip-heartbeat verifies it into a peer report', async () => {
    const sink = await cmqSink(T_A);
    await sink.publish(tencentReport(1));
    await cloud.cmq.drain();
    expect(events).toHaveLength(1);
    const parsed = parseCmqMessage(events[0], { reports: tencentAuthority });
    expect(parsed.signals).toEqual([
      expect.objectContaining({ kind: 'peer-report', memberId: T_B, reporter: T_A, reason: 'peer-silent' }),
    ]);
    expect(tmeta.issued(T_A)).toHaveLength(1);
  });

  it('a token the API refuses (revoked early) is replaced by the rotated credentials within the same publish', async () => {
    const sink = await cmqSink(T_A);
    await sink.publish(tencentReport(2));
    const first = tmeta.issued(T_A).at(-1)!;
    // Past the metadata service's rotation (30 min ahead) but before the agent's own refresh (15 min).
    t = first.expiresAt - 20 * 60_000;
    cloud.addTemporaryCredentials({
      secretId: first.accessKeyId,
      secretKey: first.accessKeySecret,
      token: first.securityToken,
      expiresAt: t - 1,
    });
    const before = cloud.cmq.stats.published;
    await sink.publish(tencentReport(3));
    expect(cloud.cmq.stats.published).toBe(before + 1);
    expect(tmeta.issued(T_A).at(-1)!.accessKeyId).not.toBe(first.accessKeyId);
    t += 3_600_000;
  });

  it('without a CAM role, fails finally and says which role and policy to attach', async () => {
    const sink = await cmqSink(T_B);
    const e = await sink.publish(tencentReport(4)).catch((x: unknown) => x as Error);
    expect(retryableFailure(e)).toBe(false);
    expect(e?.message).toMatch(/no CAM role.*tdmq:PublishCmqMsg/);
  });

  it('with credentials: env, signs with the environment keys, and names the missing variable when unset', async () => {
    const env = {
      TENCENTCLOUD_SECRET_ID: 'AKIDsetupconfigured',
      TENCENTCLOUD_SECRET_KEY: 'configured-secret-key-0001',
    };
    const before = cloud.cmq.stats.published;
    await (await cmqSink(T_B, { credentials: 'env' }, env)).publish(tencentReport(5));
    expect(cloud.cmq.stats.published).toBe(before + 1);
    await expect(cmqSink(T_B, { credentials: 'env' })).rejects.toThrow(/TENCENTCLOUD_SECRET_ID/);
  });

  it('never puts the role credentials in what it throws', async () => {
    cloud.faults.failNext({ action: 'PublishCmqMsg', code: 'InternalError' });
    const e = await (await cmqSink(T_A)).publish(tencentReport(6)).catch((x: unknown) => x as Error);
    expect(retryableFailure(e)).toBe(true);
    const text = `${e?.message} ${JSON.stringify(e)}`;
    for (const c of tmeta.issued(T_A)) {
      expect(text).not.toContain(c.accessKeySecret);
      expect(text).not.toContain(c.securityToken);
    }
  });
});
