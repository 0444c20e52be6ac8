import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../shared/core/errors.js';
import { memberId } from '../../../shared/core/model.js';
import type { Signal } from '../../../shared/core/signals.js';
import { eventTimeMs, parseEcsEvent } from '../../../shared/events/ecs.js';

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../../fixtures/events/${name}`, import.meta.url));

const DEMO = memberId('i-bp1demo0000000000001');
const SPOT = memberId('i-bp1spot000000000000002');

describe('parseEcsEvent: fixtures', () => {
  const cases: { file: string; signals: Signal[]; ignored?: RegExp }[] = [
    {
      file: 'eventbridge-ecs-statechange-stopping.json',
      signals: [
        {
          kind: 'instance-state',
          memberId: DEMO,
          status: 'Stopping',
          effect: 'down',
          eventId: '45ef4dewdwe1-7c35-447a-bd93-fab****',
          source: 'eventbridge',
          eventTime: '2026-11-20T08:15:30.512Z',
          sequence: Date.parse('2026-11-20T08:15:30.512Z'),
        },
      ],
    },
    {
      file: 'cloudmonitor-ecs-statechange-stopped.json',
      signals: [
        {
          kind: 'instance-state',
          memberId: DEMO,
          status: 'Stopped',
          effect: 'down',
          eventId: '2256A988-0B26-4E2B-820A-8A********E5',
          source: 'cloudmonitor-event',
          eventTime: '20261120T161532.058+0800',
          sequence: Date.parse('2026-11-20T16:15:32.058+08:00'),
        },
      ],
    },
    {
      file: 'eventbridge-ecs-statechange-running.json',
      signals: [
        {
          kind: 'instance-state',
          memberId: DEMO,
          status: 'Running',
          effect: 'up',
          eventId: '7f0d3c52-1a2b-4c3d-9e8f-000000000002',
          source: 'eventbridge',
          eventTime: '2026-11-20T08:20:11.004Z',
          sequence: Date.parse('2026-11-20T08:20:11.004Z'),
        },
      ],
    },
    { file: 'eventbridge-ecs-statechange-starting.json', signals: [], ignored: /Starting.*transitional/ },
    {
      file: 'eventbridge-ecs-preemptible-interruption.json',
      signals: [
        {
          kind: 'drain',
          memberId: SPOT,
          cause: 'spot-interruption',
          eventType: 'PreemptibleInstanceInterruption',
          eventId: '7f0d3c52-1a2b-4c3d-9e8f-000000000004',
          source: 'eventbridge',
        },
      ],
    },
    {
      file: 'cloudmonitor-ecs-preemptible-interruption.json',
      signals: [
        {
          kind: 'drain',
          memberId: SPOT,
          cause: 'spot-interruption',
          eventType: 'PreemptibleInstanceInterruption',
          eventId: '9A1C2B3D-0000-4E2B-820A-000000000004',
          source: 'cloudmonitor-event',
        },
      ],
    },
    {
      file: 'eventbridge-ecs-maintenance-reboot-scheduled.json',
      signals: [
        {
          kind: 'drain',
          memberId: DEMO,
          cause: 'maintenance',
          eventType: 'SystemMaintenance.Reboot',
          eventId: '7f0d3c52-1a2b-4c3d-9e8f-000000000005',
          source: 'eventbridge',
          notBefore: '2026-11-23T01:01:01Z',
        },
      ],
    },
    {
      file: 'cloudmonitor-ecs-maintenance-reboot-scheduled.json',
      signals: [
        {
          kind: 'drain',
          memberId: DEMO,
          cause: 'maintenance',
          eventType: 'SystemMaintenance.Reboot',
          eventId: '9A1C2B3D-0000-4E2B-820A-000000000001',
          source: 'cloudmonitor-event',
          notBefore: '2026-11-23T01:01:01Z',
        },
      ],
    },
    { file: 'eventbridge-ecs-maintenance-reboot-executed.json', signals: [], ignored: /Executed/ },
    // The name still says ":Scheduled"; the content's eventStatus (Avoided) must win.
    { file: 'cloudmonitor-ecs-maintenance-reboot-avoided.json', signals: [], ignored: /Avoided/ },
    { file: 'cloudmonitor-ecs-maintenance-canceled.json', signals: [], ignored: /Canceled/ },
    {
      file: 'eventbridge-ecs-systemfailure-reboot.json',
      signals: [
        {
          kind: 'drain',
          memberId: DEMO,
          cause: 'system-failure',
          eventType: 'SystemFailure.Reboot',
          eventId: '7f0d3c52-1a2b-4c3d-9e8f-000000000007',
          source: 'eventbridge',
        },
      ],
    },
    { file: 'eventbridge-oss-object-created.json', signals: [], ignored: /acs\.oss.*not ECS/ },
    { file: 'cloudmonitor-rds-event.json', signals: [], ignored: /RDS.*not ECS/ },
  ];

  it.each(cases)('$file', ({ file, signals, ignored }) => {
    const result = parseEcsEvent(fixture(file));
    expect(result.signals).toEqual(signals);
    if (ignored === undefined) expect(result.ignored).toEqual([]);
    else {
      expect(result.ignored).toHaveLength(1);
      expect(result.ignored[0]?.reason).toMatch(ignored);
      expect(result.ignored[0]?.issues).toBeUndefined();
    }
  });
});

/** A minimal EventBridge StateChange event for table rows. */
function stateChange(state: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `ev-${String(state)}`,
    source: 'acs.ecs',
    specversion: '1.0',
    type: 'ecs:Instance:StateChange',
    data: { resourceId: DEMO, state },
    ...extra,
  };
}

describe('parseEcsEvent: state mapping', () => {
  it.each([
    ['Stopping', 'down'],
    ['Stopped', 'down'],
    ['Deleted', 'down'],
    ['Running', 'up'],
  ] as const)('%s → %s', (state, effect) => {
    const { signals } = parseEcsEvent(JSON.stringify(stateChange(state)));
    expect(signals).toEqual([expect.objectContaining({ kind: 'instance-state', status: state, effect })]);
  });

  it.each(['Starting', 'Pending', 'Created', 'SomethingNew'])('%s is ignored with a reason', (state) => {
    const result = parseEcsEvent(JSON.stringify(stateChange(state)));
    expect(result.signals).toEqual([]);
    expect(result.ignored).toEqual([{ eventId: `ev-${state}`, reason: expect.stringContaining(state) }]);
  });
});

describe('parseEcsEvent: system events', () => {
  const system = (type: string, data: Record<string, unknown>) => ({
    id: 'sys-1',
    source: 'acs.ecs',
    specversion: '1.0',
    type,
    data: { instanceId: DEMO, ...data },
  });

  it.each([
    ['ecs:Instance:SystemMaintenance.Reboot', 'Scheduled', 'maintenance'],
    ['ecs:Instance:SystemMaintenance.Redeploy', 'Inquiring', 'maintenance'],
    ['ecs:Instance:SystemMaintenance.Stop', 'Executing', 'maintenance'],
    ['ecs:Instance:SystemFailure.Redeploy', 'Executing', 'system-failure'],
    ['ecs:Instance:SystemFailure.Delete', undefined, 'system-failure'],
    // Statuses we do not know yet still drain: a drain only moves the VIP when a peer is eligible.
    ['ecs:Instance:SystemMaintenance.Reboot', 'Postponed', 'maintenance'],
  ] as const)('%s %s → drain %s', (type, eventStatus, cause) => {
    const { signals, ignored } = parseEcsEvent(
      system(type, eventStatus === undefined ? {} : { eventStatus }),
    );
    expect(ignored).toEqual([]);
    expect(signals).toEqual([expect.objectContaining({ kind: 'drain', cause, memberId: DEMO })]);
  });

  it.each(['Avoided', 'Executed', 'Canceled', 'Failed'])('maintenance %s → ignored', (eventStatus) => {
    const { signals, ignored } = parseEcsEvent(
      system('ecs:Instance:SystemMaintenance.Reboot', { eventStatus }),
    );
    expect(signals).toEqual([]);
    expect(ignored[0]?.reason).toContain(eventStatus);
  });

  it('uses the CloudMonitor name suffix when the content has no eventStatus', () => {
    const ev = {
      id: 'cm-1',
      product: 'ECS',
      name: 'Instance:SystemMaintenance.Reboot:Executed',
      content: { instanceId: DEMO },
    };
    expect(parseEcsEvent(ev).signals).toEqual([]);
    const active = { ...ev, name: 'Instance:SystemMaintenance.Reboot:Executing' };
    expect(parseEcsEvent(active).signals).toEqual([
      expect.objectContaining({ kind: 'drain', cause: 'maintenance' }),
    ]);
  });

  it.each(['ecs:Disk:ErrorDetected', 'ecs:Instance:Other.Something', 'ecs:Snapshot:CreateSnapshotCompleted'])(
    'other ECS type %s → ignored',
    (type) => {
      const result = parseEcsEvent({ id: 'x', source: 'acs.ecs', specversion: '1.0', type, data: {} });
      expect(result.signals).toEqual([]);
      expect(result.ignored).toHaveLength(1);
    },
  );
});

describe('parseEcsEvent: instance id extraction', () => {
  const base = { id: 'e1', source: 'acs.ecs', specversion: '1.0', type: 'ecs:Instance:StateChange' };
  it.each([
    [
      'data.resourceId wins',
      {
        data: { resourceId: 'i-aaa', instanceId: 'i-bbb', state: 'Stopped' },
        subject: 'acs:ecs:r:1:instance/i-ccc',
      },
      'i-aaa',
    ],
    [
      'data.instanceId next',
      { data: { instanceId: 'i-bbb', state: 'Stopped' }, subject: 'acs:ecs:r:1:instance/i-ccc' },
      'i-bbb',
    ],
    ['subject ARN last', { data: { state: 'Stopped' }, subject: 'acs:ecs:r:1:instance/i-ccc' }, 'i-ccc'],
  ])('%s', (_name, extra, id) => {
    expect(parseEcsEvent({ ...base, ...extra }).signals[0]?.memberId).toBe(id);
  });

  it('falls back to the CloudMonitor top-level resourceId ARN', () => {
    const ev = {
      id: 'c',
      product: 'ECS',
      name: 'Instance:StateChange',
      resourceId: 'acs:ecs:r:1:instance/i-ddd',
      content: { state: 'Stopped' },
    };
    expect(parseEcsEvent(ev).signals[0]?.memberId).toBe('i-ddd');
  });
});

describe('parseEcsEvent: batches', () => {
  it('processes the good elements and reports the bad one with its path', () => {
    const result = parseEcsEvent(fixture('eventbridge-ecs-batch.json'));
    expect(result.signals.map((s) => [s.memberId, s.kind === 'instance-state' ? s.effect : s.kind])).toEqual([
      ['i-bp1demo0000000000001', 'down'],
      ['i-bp1demo0000000000002', 'up'],
    ]);
    expect(result.ignored).toHaveLength(2);
    const bad = result.ignored.find((i) => i.issues !== undefined);
    expect(bad?.eventId).toBe('batch-0003');
    expect(bad?.reason).toContain('[2].data.state');
    expect(bad?.issues?.[0]?.path).toBe('[2].data.state');
    const oss = result.ignored.find((i) => i.issues === undefined);
    expect(oss?.eventId).toBe('batch-0004');
  });

  it('reports a non-object element without an event id', () => {
    const result = parseEcsEvent(JSON.stringify([stateChange('Stopped'), 'nope']));
    expect(result.signals).toHaveLength(1);
    expect(result.ignored).toEqual([
      { reason: expect.stringContaining('[1]'), issues: [expect.objectContaining({ path: '[1]' })] },
    ]);
  });

  it('accepts an empty batch', () => {
    expect(parseEcsEvent('[]')).toEqual({ signals: [], ignored: [] });
  });

  it('accepts exactly maxBatch elements', () => {
    const batch = Array.from({ length: 3 }, () => stateChange('Stopped'));
    expect(parseEcsEvent(JSON.stringify(batch), { maxBatch: 3 }).signals).toHaveLength(3);
  });
});

describe('parseEcsEvent: input forms and limits', () => {
  const text = readFileSync(
    new URL('../../fixtures/events/eventbridge-ecs-statechange-stopping.json', import.meta.url),
    'utf8',
  );
  it.each([
    ['Buffer', Buffer.from(text)],
    ['string', text],
    ['string with BOM', `\uFEFF${text}`],
    ['Uint8Array', new Uint8Array(Buffer.from(text))],
    ['parsed object', JSON.parse(text) as unknown],
  ])('accepts a %s', (_name, body) => {
    expect(parseEcsEvent(body).signals).toHaveLength(1);
  });

  it('accepts a body exactly at maxBytes', () => {
    const size = Buffer.byteLength(text);
    expect(parseEcsEvent(text, { maxBytes: size }).signals).toHaveLength(1);
    expect(() => parseEcsEvent(text, { maxBytes: size - 1 })).toThrow(InvalidInputError);
  });

  it('accepts data delivered as a JSON string', () => {
    const ev = stateChange('Stopped', { data: JSON.stringify({ resourceId: DEMO, state: 'Stopped' }) });
    expect(parseEcsEvent(ev).signals[0]).toMatchObject({ memberId: DEMO, effect: 'down' });
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects the option maxBatch=%s', (maxBatch) => {
    expect(() => parseEcsEvent('[]', { maxBatch })).toThrow(/maxBatch/);
  });

  it('never lets __proto__ in a payload change any prototype', () => {
    const body =
      '[{"id":"p","source":"acs.ecs","specversion":"1.0","type":"ecs:Instance:StateChange","data":{"__proto__":{"polluted":true},"resourceId":"i-a","state":"Stopped"}}]';
    expect(() => parseEcsEvent(body)).toThrow(/__proto__/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('eventTimeMs: the order of an ECS state change', () => {
  it.each([
    ['ISO 8601 (EventBridge)', '2026-11-20T08:15:30.512Z', Date.UTC(2026, 10, 20, 8, 15, 30, 512)],
    ['CloudMonitor compact, with offset', '20261120T161532.058+0800', Date.UTC(2026, 10, 20, 8, 15, 32, 58)],
    ['CloudMonitor compact, no fraction', '20261120T161532-0130', Date.UTC(2026, 10, 20, 17, 45, 32)],
    ['absent', undefined, undefined],
    ['unparseable', 'yesterday', undefined],
    ['before 1970', '1969-12-31T23:59:59Z', undefined],
    ['beyond the Date range', '+275760-09-13T00:00:00.001Z', undefined],
  ])('%s → %s', (_name, time, ms) => {
    expect(eventTimeMs(time)).toBe(ms);
  });

  it('orders a state change by its event time, and one without a usable time by receiver time', () => {
    const at = (time: string | undefined) =>
      parseEcsEvent(stateChange('Stopped', time === undefined ? {} : { time })).signals[0];
    expect(at('2026-11-20T08:15:30Z')).toMatchObject({ sequence: Date.UTC(2026, 10, 20, 8, 15, 30) });
    expect(at('not a time')).not.toHaveProperty('sequence');
    expect(at(undefined)).not.toHaveProperty('sequence');
  });
});
