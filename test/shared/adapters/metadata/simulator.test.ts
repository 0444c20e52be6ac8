/**
 * The metadata simulator: credentials that expire and rotate, registered with the MNS simulator so the
 * agent's publisher keeps working across rotations; admin routes for the spot notice and outages.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMetadataClient } from '../../../../shared/adapters/metadata/client.js';
import { roleCredentials, staticCredentials } from '../../../../shared/adapters/metadata/credentials.js';
import {
  type MetadataSimulator,
  startMetadataSimulator,
} from '../../../../shared/adapters/metadata/simulator.js';
import { createMnsPublisher } from '../../../../shared/adapters/mns/publisher.js';
import { type MnsSimulator, startMnsSimulator } from '../../../../shared/adapters/mns/simulator/index.js';
import { CloudError } from '../../../../shared/core/errors.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 20, 0, 0, 0);
let clock: { t: number; now: () => number };
let meta: MetadataSimulator;
let mns: MnsSimulator;

beforeEach(async () => {
  clock = { t: T0, now: () => clock.t };
  mns = await startMnsSimulator({ clock, autoDeliver: false });
  mns.createTopic('havip-heartbeats');
  meta = await startMetadataSimulator({ clock, onIssue: (c) => mns.addAccessKey(c) });
});
afterEach(async () => {
  await meta.close();
  await mns.close();
});

describe('rotating role credentials', () => {
  it('issue the next set 30 minutes before the current one expires', async () => {
    const base = meta.addInstance({ instanceId: 'i-a', cloud: 'alibaba', roleName: 'agent' });
    const client = createMetadataClient({ cloud: 'alibaba', baseUrl: base, clock });
    const first = await client.roleCredentials('agent');
    clock.t = T0 + 5.5 * HOUR - 1;
    expect((await client.roleCredentials('agent')).accessKeyId).toBe(first.accessKeyId);
    clock.t += 1;
    const second = await client.roleCredentials('agent');
    expect(second.accessKeyId).not.toBe(first.accessKeyId);
    expect(second.expiresAt).toBe(clock.t + 6 * HOUR);
    expect(meta.issued('i-a').map((c) => c.accessKeyId)).toEqual([first.accessKeyId, second.accessKeyId]);
  });

  it('give each instance its own keys', async () => {
    const a = createMetadataClient({
      cloud: 'alibaba',
      baseUrl: meta.addInstance({ instanceId: 'i-a', cloud: 'alibaba', roleName: 'r' }),
    });
    const b = createMetadataClient({
      cloud: 'alibaba',
      baseUrl: meta.addInstance({ instanceId: 'i-b', cloud: 'alibaba', roleName: 'r' }),
    });
    expect((await a.roleCredentials('r')).accessKeyId).not.toBe((await b.roleCredentials('r')).accessKeyId);
  });

  it('keep the agent publishing across rotations, while an expired set is refused by MNS', async () => {
    const base = meta.addInstance({ instanceId: 'i-a', cloud: 'alibaba', roleName: 'agent' });
    const metadata = createMetadataClient({ cloud: 'alibaba', baseUrl: base, clock });
    const publisher = createMnsPublisher({
      endpoint: mns.url,
      topic: 'havip-heartbeats',
      credentials: roleCredentials({ metadata, clock }),
      clock,
    });
    const signers: string[] = [];
    for (let hour = 0; hour <= 13; hour++) {
      clock.t = T0 + hour * HOUR;
      await publisher.publish(JSON.stringify({ type: 'heartbeat.ok', instanceId: 'i-bp1a', hour }));
      signers.push(mns.published().at(-1)!.accessKeyId);
    }
    const issued = meta.issued('i-a').map((c) => c.accessKeyId);
    expect(issued.length).toBeGreaterThanOrEqual(3);
    expect(new Set(signers)).toEqual(new Set(issued));

    // The first set expired hours ago: MNS refuses it.
    const first = meta.issued('i-a')[0]!;
    const stale = createMnsPublisher({
      endpoint: mns.url,
      topic: 'havip-heartbeats',
      credentials: staticCredentials(first),
      clock,
    });
    const e = await stale.publish('{"type":"heartbeat.ok","instanceId":"i-bp1a"}').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CloudError);
    expect((e as CloudError).alibabaCode).toBe('SecurityTokenExpired');
  });
});

describe("Tencent's layout", () => {
  it('lists the CAM role and answers its temporary credentials as CVM does (ExpiredTime in seconds, Code)', async () => {
    const base = meta.addInstance({ instanceId: 'ins-cam1', cloud: 'tencent', roleName: 'havip-agent' });
    const roles = await fetch(`${base}/latest/meta-data/cam/security-credentials/`);
    expect(await roles.text()).toBe('havip-agent');
    const doc = (await (
      await fetch(`${base}/latest/meta-data/cam/security-credentials/havip-agent`)
    ).json()) as Record<string, unknown>;
    const issued = meta.issued('ins-cam1')[0]!;
    expect(doc).toEqual({
      TmpSecretId: issued.accessKeyId,
      TmpSecretKey: issued.accessKeySecret,
      Token: issued.securityToken,
      ExpiredTime: Math.floor(issued.expiresAt / 1000),
      Expiration: new Date(issued.expiresAt).toISOString().replace('.000Z', 'Z'),
      Code: 'Success',
    });
    // An instance without a role has none to list, as a CVM without a CAM role.
    const bare = meta.addInstance({ instanceId: 'ins-cam2', cloud: 'tencent' });
    expect((await fetch(`${bare}/latest/meta-data/cam/security-credentials/`)).status).toBe(404);
  });
});

describe('admin routes', () => {
  it('post and withdraw the spot notice, and take an instance’s metadata down', async () => {
    const base = meta.addInstance({ instanceId: 'ins-1', cloud: 'tencent' });
    const put = (path: string, body: unknown) =>
      fetch(`${meta.url}/__admin/instances/ins-1/${path}`, { method: 'PUT', body: JSON.stringify(body) });

    expect((await put('spot-termination', { terminationTime: '2026-11-20T00:02:00Z' })).status).toBe(200);
    expect(await (await fetch(`${base}/latest/meta-data/spot/termination-time`)).text()).toBe(
      '2026-11-20 08:02:00',
    );
    await put('spot-termination', { terminationTime: null });
    expect((await fetch(`${base}/latest/meta-data/spot/termination-time`)).status).toBe(404);

    await put('available', { available: false });
    expect((await fetch(`${base}/latest/meta-data/instance-id`)).status).toBe(503);
    await put('available', { available: true });
    expect(await (await fetch(`${base}/latest/meta-data/instance-id`)).text()).toBe('ins-1');

    const bad = await put('spot-termination', { terminationTime: 'tomorrow' });
    expect(bad.status).toBe(400);
    expect(
      (await fetch(`${meta.url}/__admin/instances/nope/available`, { method: 'PUT', body: '{}' })).status,
    ).toBe(404);
  });

  it('answers 404 for unknown instances and paths, and refuses bad token TTLs', async () => {
    const base = meta.addInstance({ instanceId: 'i-a', cloud: 'alibaba' });
    expect((await fetch(`${meta.url}/i-unknown/latest/meta-data/instance-id`)).status).toBe(404);
    expect((await fetch(`${base}/latest/meta-data/nothing`)).status).toBe(404);
    const put = (ttl: string) =>
      fetch(`${base}/latest/api/token`, {
        method: 'PUT',
        headers: { 'X-aliyun-ecs-metadata-token-ttl-seconds': ttl },
      });
    expect((await put('0')).status).toBe(400);
    expect((await put('21601')).status).toBe(400);
    expect((await put('21600')).status).toBe(200);
  });

  it('refuses bad instances', () => {
    expect(() => meta.addInstance({ instanceId: '../x', cloud: 'alibaba' })).toThrow(/instanceId/);
    meta.addInstance({ instanceId: 'i-a', cloud: 'alibaba' });
    expect(() => meta.addInstance({ instanceId: 'i-a', cloud: 'alibaba' })).toThrow(/already added/);
    expect(() => meta.setSpotTermination('i-none', 1)).toThrow(/addInstance/);
  });
});
