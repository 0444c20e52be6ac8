import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { memberId } from '../../../shared/core/model.js';
import type { Signal } from '../../../shared/core/signals.js';
import { parseHeartbeatMessage, parseLooseMap } from '../../../shared/events/mns.js';

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../../fixtures/events/${name}`, import.meta.url));
const DEMO = memberId('i-bp1demo0000000000001');

describe('parseHeartbeatMessage: fixtures', () => {
  const cases: { file: string; format?: 'JSON' | 'STREAM' | 'auto'; signals: Signal[] }[] = [
    {
      file: 'mns-topic-json-envelope.json',
      signals: [
        {
          kind: 'heartbeat-timeout',
          memberId: DEMO,
          lastSeenAt: '2026-11-20T08:15:20Z',
          eventId: '2F5B3C082B923D4EAC694B76D928****',
          source: 'mns',
        },
      ],
    },
    {
      file: 'mns-topic-json-envelope.json',
      format: 'JSON',
      signals: [expect.objectContaining({ kind: 'heartbeat-timeout', memberId: DEMO }) as Signal],
    },
    {
      file: 'mns-topic-json-envelope-ok.json',
      signals: [
        {
          kind: 'heartbeat',
          memberId: DEMO,
          eventId: '3A6C4D193C034E5FBD7A5C87E039000A',
          source: 'mns',
        },
      ],
    },
    {
      file: 'mns-topic-json-envelope-base64.json',
      signals: [
        {
          kind: 'heartbeat-timeout',
          memberId: memberId('i-bp1demo0000000000002'),
          lastSeenAt: '2026-11-20T08:15:20.250+08:00',
          eventId: '4B7D5E2A4D145F60CE8B6D98F14A000B',
          source: 'mns',
        },
      ],
    },
    {
      file: 'mns-topic-json-envelope-cloudmonitor-alarm.json',
      signals: [
        {
          kind: 'heartbeat-timeout',
          memberId: DEMO,
          eventId: '5C8E6F3B5E2560718F9C7EA9025B000C',
          source: 'cloudmonitor-alarm',
        },
      ],
    },
    {
      file: 'mns-stream-cloudmonitor-alarm-ok.json',
      format: 'STREAM',
      signals: [
        {
          kind: 'heartbeat',
          memberId: DEMO,
          eventId: expect.stringMatching(/^sha256:[0-9a-f]{32}$/),
          source: 'cloudmonitor-alarm',
        },
      ],
    },
    {
      file: 'mns-stream-cloudmonitor-alarm-callback-dimensions.json',
      signals: [
        {
          kind: 'heartbeat-timeout',
          memberId: DEMO,
          eventId: expect.any(String),
          source: 'cloudmonitor-alarm',
        },
      ],
    },
    {
      file: 'mns-stream-raw-heartbeat-timeout.json',
      format: 'STREAM',
      signals: [
        {
          kind: 'heartbeat-timeout',
          memberId: DEMO,
          lastSeenAt: '2026-11-20T08:15:20Z',
          eventId: expect.any(String),
          source: 'mns',
        },
      ],
    },
    {
      file: 'mns-stream-with-attrs.json',
      format: 'STREAM',
      signals: [
        expect.objectContaining({
          kind: 'heartbeat-timeout',
          memberId: memberId('i-bp1demo0000000000002'),
        }) as Signal,
      ],
    },
  ];

  it.each(cases)('$file ($format)', ({ file, format, signals }) => {
    const result = parseHeartbeatMessage(fixture(file), format === undefined ? {} : { format });
    expect(result.signals).toEqual(signals);
    expect(result.ignored).toEqual([]);
  });

  it('ignores INSUFFICIENT_DATA with a reason', () => {
    const result = parseHeartbeatMessage(fixture('mns-stream-cloudmonitor-alarm-insufficient-data.json'));
    expect(result.signals).toEqual([]);
    expect(result.ignored).toEqual([
      { eventId: expect.any(String), reason: expect.stringContaining('INSUFFICIENT_DATA') },
    ]);
  });
});

describe('parseHeartbeatMessage: alarm levels', () => {
  const alarm = (extra: Record<string, unknown>) =>
    JSON.stringify({ resources: `{"instanceId":"${DEMO}"}`, metricName: 'heartbeat_count', ...extra });
  it.each([
    [{ curLevel: 'CRITICAL' }, 'heartbeat-timeout'],
    [{ curLevel: 'WARN' }, 'heartbeat-timeout'],
    [{ curLevel: 'OK' }, 'heartbeat'],
    [{ alertState: 'ALERT' }, 'heartbeat-timeout'],
    [{ alertState: 'alert' }, 'heartbeat-timeout'],
    [{ alertState: 'OK', curLevel: 'CRITICAL' }, 'heartbeat'],
  ])('%j → %s', (levels, kind) => {
    expect(parseHeartbeatMessage(alarm(levels)).signals).toEqual([
      expect.objectContaining({ kind, memberId: DEMO }),
    ]);
  });

  it.each([{ curLevel: 'INFO' }, { alertState: 'INSUFFICIENT_DATA' }, { curLevel: 'SOMETHING' }])(
    '%j → ignored',
    (levels) => {
      const r = parseHeartbeatMessage(alarm(levels));
      expect(r.signals).toEqual([]);
      expect(r.ignored).toHaveLength(1);
    },
  );

  it.each([
    ['resources as an object', { resources: { instanceId: 'i-aaa' } }, 'i-aaa'],
    ['dimensions JSON string', { resources: undefined, dimensions: '{"instanceId":"i-bbb"}' }, 'i-bbb'],
    ['dimensions map form', { resources: undefined, dimensions: '{userId=1, instanceId=i-ccc}' }, 'i-ccc'],
    ['metricData fallback', { resources: undefined, metricData: { instanceId: 'i-ddd' } }, 'i-ddd'],
    [
      'resources before dimensions',
      { resources: '{"instanceId":"i-eee"}', dimensions: '{instanceId=i-fff}' },
      'i-eee',
    ],
  ])('instance from %s', (_name, extra, id) => {
    expect(parseHeartbeatMessage(alarm({ curLevel: 'CRITICAL', ...extra })).signals[0]?.memberId).toBe(id);
  });
});

describe('parseHeartbeatMessage: event ids and encodings', () => {
  const msg = JSON.stringify({ type: 'heartbeat.timeout', instanceId: DEMO });

  it('hashes the body when there is no MessageId, stably', () => {
    const a = parseHeartbeatMessage(msg).signals[0]?.eventId;
    const b = parseHeartbeatMessage(Buffer.from(msg)).signals[0]?.eventId;
    const other = parseHeartbeatMessage(JSON.stringify({ type: 'heartbeat.ok', instanceId: DEMO })).signals[0]
      ?.eventId;
    expect(a).toMatch(/^sha256:[0-9a-f]{32}$/);
    expect(b).toBe(a);
    expect(other).not.toBe(a);
  });

  it.each([
    ['standard Base64', Buffer.from(msg).toString('base64')],
    [
      'Base64 with line breaks',
      Buffer.from(msg)
        .toString('base64')
        .replace(/(.{20})/g, '$1\n'),
    ],
    ['URL-safe Base64 without padding', Buffer.from(msg).toString('base64url')],
  ])('decodes a %s STREAM body', (_name, body) => {
    expect(parseHeartbeatMessage(body, { format: 'STREAM' }).signals).toEqual([
      expect.objectContaining({ kind: 'heartbeat-timeout', memberId: DEMO }),
    ]);
  });

  it('decodes a Base64 Message inside the JSON envelope', () => {
    const env = { Message: Buffer.from(msg).toString('base64'), MessageId: 'm-1', TopicName: 't' };
    expect(parseHeartbeatMessage(JSON.stringify(env), { format: 'JSON' }).signals[0]).toMatchObject({
      eventId: 'm-1',
    });
  });

  it('accepts ENI member ids in heartbeat messages', () => {
    const r = parseHeartbeatMessage(JSON.stringify({ type: 'heartbeat.timeout', instanceId: 'eni-bp1abc' }));
    expect(r.signals[0]?.memberId).toBe('eni-bp1abc');
  });
});

describe('parseLooseMap', () => {
  it.each([
    ['{"instanceId":"i-a"}', [['instanceId', 'i-a']]],
    [
      '{userId=1, instanceId=i-a}',
      [
        ['userId', '1'],
        ['instanceId', 'i-a'],
      ],
    ],
    ['{}', []],
    ['{ }', []],
  ])('%s', (input, entries) => {
    expect([...(parseLooseMap(input) ?? new Map()).entries()]).toEqual(entries);
  });
  it.each(['oops', '[1,2]', '{a}', '{=b}'])('rejects %s', (input) => {
    expect(parseLooseMap(input)).toBeUndefined();
  });
});
