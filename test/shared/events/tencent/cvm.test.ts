import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../../shared/core/errors.js';
import { memberId } from '../../../../shared/core/model.js';
import { parseTencentCvmEvent } from '../../../../shared/events/tencent/cvm.js';

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../../../fixtures/events/${name}`, import.meta.url));

const INS = memberId('ins-demo0001');

/** A CloudMonitor CVM event as EventBridge delivers it, with overrides. */
function monitorEvent(type: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: `ev-${type}`,
    source: 'cvm.cloud.tencent',
    type,
    subject: 'ins-demo0001',
    time: 1795162532000,
    region: 'ap-guangzhou',
    status: '1',
    data: { appId: '1250000011', instanceId: 'ins-demo0001', projectId: '0' },
    ...over,
  };
}

function issuesOf(run: () => unknown) {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputError);
    return (e as InvalidInputError).issues;
  }
  throw new Error('expected an InvalidInputError');
}

describe('parseTencentCvmEvent: CloudMonitor events', () => {
  it('the documented ping_unreachable sample → heartbeat-timeout for the instance', () => {
    expect(parseTencentCvmEvent(fixture('tencent-eb-cvm-ping-unreachable.json'))).toEqual({
      signals: [
        {
          kind: 'heartbeat-timeout',
          memberId: INS,
          eventId: '13a3f42d-7258-4ada-da6d-023a333b4662',
          source: 'eventbridge',
        },
      ],
      ignored: [],
    });
  });

  const table: {
    type: string;
    over?: Record<string, unknown>;
    kind?: string;
    cause?: string;
    ignored?: RegExp;
  }[] = [
    { type: 'cvm:ErrorEvent:ping_unreachable', kind: 'heartbeat-timeout' },
    { type: 'cvm:ErrorEvent:PingUnreachable', kind: 'heartbeat-timeout' },
    { type: 'PingUnreachable', kind: 'heartbeat-timeout' },
    { type: 'cvm:ErrorEvent:ping_unreachable', over: { status: '0' }, kind: 'heartbeat' },
    { type: 'cvm:ErrorEvent:GuestReboot', over: { status: '-' }, kind: 'heartbeat-timeout' },
    { type: 'cvm:ErrorEvent:guest_reboot', over: { status: 0 }, kind: 'heartbeat' },
    { type: 'cvm:ErrorEvent:GuestCoreError', kind: 'drain', cause: 'system-failure' },
    { type: 'cvm:ErrorEvent:GuestRestarted_HostFailure', kind: 'drain', cause: 'system-failure' },
    { type: 'cvm:ErrorEvent:guest_restarted_host_failure', kind: 'drain', cause: 'system-failure' },
    { type: 'cvm:ErrorEvent:GuestCoreError', over: { status: '0' }, ignored: /resolved/ },
    { type: 'cvm:ErrorEvent:GuestOom', ignored: /keeps running/ },
    { type: 'cvm:ErrorEvent:DiskReadonly', ignored: /not acted on/ },
    { type: 'cvm:ErrorEvent:SomethingNew', ignored: /"SomethingNew" is not acted on/ },
    { type: 'cvm:ErrorEvent:ping_unreachable', over: { source: 'cdb.cloud.tencent' }, ignored: /not CVM/ },
    { type: 'cdb:ErrorEvent:OutOfMemory', ignored: /not a CVM event type/ },
    // The instance from the subject when data does not name it (bare id and resource description).
    { type: 'cvm:ErrorEvent:ping_unreachable', over: { data: {} }, kind: 'heartbeat-timeout' },
    {
      type: 'cvm:ErrorEvent:GuestCoreError',
      over: { data: {}, subject: 'qcs::cvm:ap-guangzhou:uin/100000000001:instance/ins-demo0001' },
      kind: 'drain',
      cause: 'system-failure',
    },
  ];
  it.each(table)('$type with $over', ({ type, over, kind, cause, ignored }) => {
    const r = parseTencentCvmEvent(JSON.stringify(monitorEvent(type, over)));
    if (ignored !== undefined) {
      expect(r.signals).toEqual([]);
      expect(r.ignored[0]?.reason).toMatch(ignored);
      return;
    }
    expect(r.ignored).toEqual([]);
    expect(r.signals).toHaveLength(1);
    expect(r.signals[0]).toMatchObject({ kind, memberId: INS, eventId: `ev-${type}`, source: 'eventbridge' });
    if (cause !== undefined) {
      const name = type.split(':').pop();
      expect(r.signals[0]).toMatchObject({ cause, eventType: name });
    }
  });
});

describe('parseTencentCvmEvent: EventList batches', () => {
  it('the batch fixture: a host failure drains, an OOM is ignored', () => {
    const r = parseTencentCvmEvent(fixture('tencent-eb-cvm-host-failure-batch.json'));
    expect(r.signals).toEqual([
      {
        kind: 'drain',
        cause: 'system-failure',
        eventType: 'GuestRestarted_HostFailure',
        memberId: INS,
        eventId: '5b0f7a52-0d3c-4a52-9c3e-6e1a00000001',
        source: 'eventbridge',
      },
    ]);
    expect(r.ignored).toEqual([
      { eventId: '5b0f7a52-0d3c-4a52-9c3e-6e1a00000002', reason: expect.stringMatching(/GuestOom/) },
    ]);
  });

  it('a malformed element is ignored with its issues; the others still count', () => {
    const good = monitorEvent('cvm:ErrorEvent:GuestCoreError');
    const bad = monitorEvent('cvm:ErrorEvent:GuestCoreError', {
      id: 'bad',
      data: { instanceId: 'i-bp1alibaba' },
    });
    const r = parseTencentCvmEvent({ EventList: [bad, good] });
    expect(r.signals.map((s) => s.eventId)).toEqual([good.id]);
    expect(r.ignored[0]).toMatchObject({ eventId: 'bad' });
    expect(r.ignored[0]?.issues?.map((i) => i.path)).toEqual(['EventList[0].data.instanceId']);
  });

  it('an empty EventList yields nothing', () => {
    expect(parseTencentCvmEvent('{"EventList":[]}')).toEqual({ signals: [], ignored: [] });
  });
});

describe('parseTencentCvmEvent: bad input names the field', () => {
  const cases: { title: string; body: unknown; path: string }[] = [
    { title: 'not JSON', body: '{"id":', path: '' },
    { title: 'an array instead of EventList', body: [monitorEvent('PingUnreachable')], path: '' },
    { title: 'EventList not an array', body: { EventList: {} }, path: 'EventList' },
    {
      title: 'batch over the limit',
      body: { EventList: Array(101).fill(monitorEvent('PingUnreachable')) },
      path: 'EventList',
    },
    {
      title: 'no specversion',
      body: { ...monitorEvent('PingUnreachable'), specversion: undefined },
      path: 'specversion',
    },
    { title: 'id not a string', body: monitorEvent('PingUnreachable', { id: 7 }), path: 'id' },
    { title: 'time an object', body: monitorEvent('PingUnreachable', { time: {} }), path: 'time' },
    { title: 'data an array', body: monitorEvent('PingUnreachable', { data: [] }), path: 'data' },
    {
      title: 'an Alibaba id',
      body: monitorEvent('GuestCoreError', { data: { instanceId: 'i-bp1x' } }),
      path: 'data.instanceId',
    },
    {
      title: 'no instance at all',
      body: monitorEvent('GuestCoreError', { data: {}, subject: 'qcs::cvm' }),
      path: 'data.instanceId',
    },
    {
      title: 'a bad subject id',
      body: monitorEvent('GuestCoreError', { data: {}, subject: 'ins-BAD!' }),
      path: 'subject',
    },
    { title: '__proto__ key', body: '{"__proto__":{},"id":"x"}', path: '__proto__' },
  ];
  it.each(cases)('$title → $path', ({ body, path }) => {
    const issues = issuesOf(() =>
      parseTencentCvmEvent(typeof body === 'string' ? body : JSON.stringify(body)),
    );
    expect(issues.map((i) => i.path)).toContain(path);
    expect(issues.every((i) => i.message.length > 0)).toBe(true);
  });
});
