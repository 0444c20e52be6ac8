/**
 * The CloudAudit events the Tencent simulator emits for CVM stops and starts, read by the parser the
 * `havip-cvm-events` function uses: `StopInstances` through the official SDK is an `ApiCall`, an
 * operator's stop (the admin route) a `ConsoleCall`; both become `instance-state` Stopping (down) for the
 * instances stopped (a start: Starting, up), and a refused call emits nothing.
 */
import { describe, expect, it } from 'vitest';
import type { TencentCloudAuditEvent } from '../../../../shared/adapters/tencent-simulator/index.js';
import { memberId } from '../../../../shared/core/model.js';
import { parseTencentCvmEvent } from '../../../../shared/events/tencent/cvm.js';
import { sdkFailure, useTencentSimulator } from '../../../support/tencent-simulator.js';

const downSignals = (e: TencentCloudAuditEvent) =>
  parseTencentCvmEvent(JSON.stringify(e)).signals.map((s) =>
    s.kind === 'instance-state' ? [s.memberId, s.status, s.effect, s.eventId] : [s.kind],
  );

describe('CloudAudit events of CVM stops', () => {
  const start = useTencentSimulator(undefined, { transitionDelays: { instance: 60_000 } });

  it('StopInstances through the API → one ApiCall event naming every instance, with the RequestId', async () => {
    const { sdk, cloud } = await start();
    const seen: TencentCloudAuditEvent[] = [];
    const off = cloud.onCloudEvent((e) => seen.push(e));
    const answer = await sdk.cvm.StopInstances({ InstanceIds: ['ins-web1', 'ins-web2', 'ins-web1'] });
    off();
    expect(seen).toHaveLength(1);
    const [event] = seen as [TencentCloudAuditEvent];
    expect(event).toMatchObject({
      source: 'cvm.cloud.tencent',
      type: 'cvm:CloudEvent:ApiCall',
      region: 'ap-guangzhou',
      data: { eventName: 'StopInstances', eventType: 'ApiCall', requestID: answer.RequestId },
    });
    expect(JSON.parse(String(event.data.requestParameters))).toEqual({
      InstanceIds: ['ins-web1', 'ins-web2'],
    });
    expect(downSignals(event)).toEqual([
      [memberId('ins-web1'), 'Stopping', 'down', event.id],
      [memberId('ins-web2'), 'Stopping', 'down', event.id],
    ]);
    expect(cloud.recentCloudEvents()).toEqual([event]);
  });

  it('an operator’s stop (admin route) → a ConsoleCall event for that instance', async () => {
    const { server, cloud } = await start();
    const res = await fetch(`${server.url}/__admin/instances/ins-web2/stop`, { method: 'POST' });
    expect(res.status).toBe(200);
    const [event] = cloud.recentCloudEvents() as [TencentCloudAuditEvent];
    expect(event.type).toBe('cvm:CloudEvent:ConsoleCall');
    expect(event.subject).toMatch(/:instance\/ins-web2$/);
    expect(downSignals(event)).toEqual([[memberId('ins-web2'), 'Stopping', 'down', event.id]]);
  });

  it('StartInstances through the API and an operator’s start → Starting (up) for the instance', async () => {
    const { sdk, cloud } = await start();
    // ins-db1 is seeded STOPPED.
    const answer = await sdk.cvm.StartInstances({ InstanceIds: ['ins-db1'] });
    const [api] = cloud.recentCloudEvents() as [TencentCloudAuditEvent];
    expect(api).toMatchObject({
      type: 'cvm:CloudEvent:ApiCall',
      data: { eventName: 'StartInstances', requestID: answer.RequestId },
    });
    expect(downSignals(api)).toEqual([[memberId('ins-db1'), 'Starting', 'up', api.id]]);
    await sdk.cvm.StopInstances({ InstanceIds: ['ins-web1'] });
    await cloud.settle();
    cloud.startInstance('ins-web1');
    const console = cloud.recentCloudEvents().at(-1) as TencentCloudAuditEvent;
    expect(console).toMatchObject({
      type: 'cvm:CloudEvent:ConsoleCall',
      data: { eventName: 'StartInstances' },
    });
    expect(downSignals(console)).toEqual([[memberId('ins-web1'), 'Starting', 'up', console.id]]);
  });

  it('a refused stop emits nothing, and each event has its own id', async () => {
    const { sdk, cloud } = await start();
    expect((await sdkFailure(sdk.cvm.StopInstances({ InstanceIds: ['ins-web1', 'ins-db1'] }))).code).toBe(
      'UnsupportedOperation.InstanceStateStopped',
    );
    expect(() => cloud.stopInstance('ins-db1')).toThrow(/STOPPED/);
    expect(cloud.recentCloudEvents()).toEqual([]);
    await sdk.cvm.StopInstances({ InstanceIds: ['ins-web1'] });
    cloud.stopInstance('ins-web2');
    const ids = cloud.recentCloudEvents().map((e) => e.id);
    expect(new Set(ids).size).toBe(2);
  });
});
