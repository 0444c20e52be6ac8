/**
 * The Tencent simulator's admin API over HTTP: operator actions, fault switches and their effect on
 * what the official SDK sees, and bad admin input answered with the field.
 */
import { describe, expect, it } from 'vitest';
import { sdkFailure, useTencentSimulator } from '../../../support/tencent-simulator.js';

async function admin(url: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${url}/__admin${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('the Tencent simulator admin API', () => {
  const start = useTencentSimulator();

  it('stops an instance, announces a HAVIP and turns its scope check off', async () => {
    const { server, cloud, sdk } = await start();
    expect((await admin(server.url, 'POST', '/instances/ins-web1/stop')).body).toMatchObject({
      instance: { state: 'STOPPING' },
    });
    await admin(server.url, 'POST', '/settle');
    expect(cloud.instance('ins-web1')?.state).toBe('STOPPED');
    const ignored = await admin(server.url, 'POST', '/instances/ins-web2/announce', {
      address: '10.0.1.100',
    });
    expect(ignored).toMatchObject({ status: 200, body: { accepted: false } });
    await admin(server.url, 'POST', '/havips/havip-web/check-associate', { enabled: false });
    const taken = await admin(server.url, 'POST', '/instances/ins-web2/announce', { address: '10.0.1.100' });
    expect(taken.body).toMatchObject({ accepted: true, instanceId: 'ins-web2' });
    const answer = await sdk.vpc.DescribeHaVips({ HaVipIds: ['havip-web'] });
    expect(answer.HaVipSet?.[0]).toMatchObject({ InstanceId: 'ins-web2', CheckAssociate: false });
  });

  it('injects failures the SDK sees, and resets them', async () => {
    const { server, sdk } = await start();
    await admin(server.url, 'POST', '/faults/fail-next', { action: 'DescribeHaVips', code: 'InternalError' });
    expect((await sdkFailure(sdk.vpc.DescribeHaVips({}))).code).toBe('InternalError');
    await admin(server.url, 'POST', '/faults/tat-agent', { instanceId: 'ins-web2', mode: 'offline' });
    const run = sdk.tat.RunCommand({
      Content: Buffer.from('true').toString('base64'),
      InstanceIds: ['ins-web2'],
    });
    expect((await sdkFailure(run)).code).toBe('ResourceUnavailable.AgentStatusNotOnline');
    await admin(server.url, 'POST', '/faults/reset');
    expect((await admin(server.url, 'GET', '/faults')).body).toMatchObject({
      failNext: [],
      failNextTasks: 0,
    });
    expect((await sdk.vpc.DescribeHaVips({})).TotalCount).toBe(2);
  });

  it('answers bad admin input with 400 naming the field, unknown routes with 404, API refusals with 409', async () => {
    const { server } = await start();
    const bad = await admin(server.url, 'POST', '/faults/latency', { ms: -1 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('ms');
    expect((await admin(server.url, 'GET', '/nope')).status).toBe(404);
    const refused = await admin(server.url, 'POST', '/instances/ins-db1/stop');
    expect(refused).toMatchObject({
      status: 409,
      body: { error: { code: 'UnsupportedOperation.InstanceStateStopped' } },
    });
  });
});
