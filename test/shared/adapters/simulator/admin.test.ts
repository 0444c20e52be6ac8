/**
 * The admin API (`admin.ts`) under `/__admin/`: ground truth, stats, events and settle; operator
 * actions on instances, including the host agent's ARP announcement; the fault switches; and bad
 * bodies and unknown routes answered with the offending path or 404.
 */
import { describe, expect, it } from 'vitest';
import { $Vpc, admin, bind, harnessPerTest, REGION } from '../../../support/simulator.js';

const { harness } = harnessPerTest();
const describeHaVips = (x: { vpc: Awaited<ReturnType<typeof harness>>['vpc'] }) =>
  x.vpc.describeHaVips(new $Vpc.DescribeHaVipsRequest({ regionId: REGION }));

describe('admin endpoint', () => {
  it('reports state, stats, faults and events, drives operator actions, and resets faults', async () => {
    const x = await harness();
    await describeHaVips(x);
    const stop = await admin(x, 'POST', '/instances/i-a1/stop', { force: true });
    expect(stop).toMatchObject({
      status: 200,
      json: { ok: true, instance: { instanceId: 'i-a1', status: 'Stopping' } },
    });
    expect((await admin(x, 'POST', '/settle')).status).toBe(200);
    const state = await admin(x, 'GET', '/state');
    expect(state.json.instances.find((i: { instanceId: string }) => i.instanceId === 'i-a1').status).toBe(
      'Stopped',
    );
    expect(
      state.json.haVips.find((v: { haVipId: string }) => v.haVipId === 'havip-1').masterInstanceId,
    ).toBeUndefined();
    expect(
      (await admin(x, 'GET', '/events')).json.events.map((e: { data: { state: string } }) => e.data.state),
    ).toEqual(['Stopping', 'Stopped']);
    expect((await admin(x, 'GET', '/stats')).json).toMatchObject({
      calls: { DescribeHaVips: 1 },
      throttled: 0,
    });
    expect((await admin(x, 'POST', '/instances/i-a1/stop')).json).toMatchObject({
      error: { code: 'IncorrectInstanceStatus' },
    });
    expect((await admin(x, 'POST', '/instances/i-nope/start')).status).toBe(404);

    await admin(x, 'POST', '/faults/latency', { ms: 100 });
    await admin(x, 'POST', '/faults/throttle', { ratePerSecond: 1, burst: 1 });
    expect((await admin(x, 'GET', '/faults')).json).toMatchObject({
      latencyMs: 100,
      throttle: { ratePerSecond: 1, burst: 1 },
    });
    expect((await admin(x, 'DELETE', '/faults/throttle')).json.faults.throttle).toBeNull();
    const reset = await admin(x, 'POST', '/faults/reset');
    expect(reset.json.faults).toMatchObject({
      latencyMs: 0,
      throttle: null,
      stalenessMs: 0,
      failNext: [],
      dropNext: [],
    });
    await admin(x, 'POST', '/stats/reset');
    expect((await admin(x, 'GET', '/stats')).json).toEqual({
      calls: {},
      faults: {},
      throttled: 0,
      announcements: { accepted: 0, ignored: 0 },
    });
  });

  it('rejects invalid bodies with the offending path, and unknown routes with 404', async () => {
    const x = await harness();
    const bad = await admin(x, 'POST', '/faults/throttle', { ratePerSecond: -1, burst: 0 });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('simulator.admin-invalid');
    expect(bad.json.error.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      'burst',
      'ratePerSecond',
    ]);
    const notJson = await fetch(`${x.server.url}/__admin/faults/latency`, { method: 'POST', body: '{nope' });
    expect(notJson.status).toBe(400);
    expect((await admin(x, 'GET', '/nothing-here')).status).toBe(404);
    expect(x.cloud.faults.config().throttle).toBeNull();
  });
});

describe('admin routes for the data plane', () => {
  it('POST /instances/{id}/announce is the simulated host agent', async () => {
    const x = await harness();
    await bind(x, 'havip-2', 'i-a2');
    await x.cloud.settle();
    expect(await admin(x, 'POST', '/instances/i-a2/announce', { address: '10.0.1.101' })).toEqual({
      status: 200,
      json: { ok: true, accepted: true, haVipId: 'havip-2', masterInstanceId: 'i-a2' },
    });
    const ignored = await admin(x, 'POST', '/instances/i-e1/announce', { address: '10.0.1.101' });
    expect(ignored).toMatchObject({ status: 200, json: { ok: true, accepted: false } });
    expect(String(ignored.json.reason)).toMatch(/not bound/);
    expect(await admin(x, 'POST', '/instances/i-a2/announce', {})).toMatchObject({
      status: 400,
      json: { error: { code: 'simulator.admin-invalid', issues: [{ path: 'address' }] } },
    });
    expect((await admin(x, 'GET', '/stats')).json.announcements).toEqual({ accepted: 1, ignored: 1 });
  });

  it('POST /faults/keepalived-stuck and /faults/cloud-assistant set the knobs; reset clears them', async () => {
    const x = await harness();
    await admin(x, 'POST', '/faults/keepalived-stuck', { instanceId: '*', stuck: true });
    await admin(x, 'POST', '/faults/cloud-assistant', { instanceId: 'i-a1', mode: 'offline' });
    expect((await admin(x, 'GET', '/faults')).json).toMatchObject({
      keepalivedStuck: ['*'],
      cloudAssistant: { 'i-a1': 'offline' },
    });
    expect(
      await admin(x, 'POST', '/faults/cloud-assistant', { instanceId: 'i-a1', mode: 'broken' }),
    ).toMatchObject({
      status: 400,
      json: { error: { issues: [{ path: 'mode' }] } },
    });
    expect(
      await admin(x, 'POST', '/faults/keepalived-stuck', { instanceId: 'eni-1', stuck: true }),
    ).toMatchObject({
      status: 400,
      json: { error: { code: 'simulator.fault-invalid' } },
    });
    expect((await admin(x, 'POST', '/faults/reset')).json.faults).toMatchObject({
      keepalivedStuck: [],
      cloudAssistant: {},
    });
  });
});
