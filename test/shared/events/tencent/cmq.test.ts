import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { reportAuthority } from '../../../../shared/app/agent-keys.js';
import { loadTopology } from '../../../../shared/core/config.js';
import { InvalidInputError } from '../../../../shared/core/errors.js';
import { memberId } from '../../../../shared/core/model.js';
import { encodeReport, signReport } from '../../../../shared/events/agent-report.js';
import { parseHeartbeatMessage } from '../../../../shared/events/mns.js';
import { parseCmqMessage } from '../../../../shared/events/tencent/cmq.js';
import { TENCENT_PAIR_YAML } from '../../../support/tencent-topology.js';

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`../../../fixtures/events/${name}`, import.meta.url));

const record = (msgBody: string, over: Record<string, unknown> = {}) => ({
  CMQ: { type: 'topic', topicName: 'havip-heartbeats', msgId: 'm-1', msgBody, ...over },
});
const envelope = (...records: unknown[]) => JSON.stringify({ Records: records });

describe('parseCmqMessage', () => {
  it('the fixture → heartbeat-timeout for the CVM member, keyed by msgId, source cmq', () => {
    expect(parseCmqMessage(fixture('tencent-cmq-heartbeat-timeout.json'))).toEqual({
      signals: [
        {
          kind: 'heartbeat-timeout',
          memberId: memberId('ins-demo0001'),
          eventId: '123345346',
          source: 'cmq',
          lastSeenAt: '2026-11-20T08:15:20Z',
        },
      ],
      ignored: [],
    });
  });

  const bodies: { title: string; body: string; kind?: string; source?: string; ignored?: RegExp }[] = [
    {
      title: 'heartbeat.ok',
      body: '{"type":"heartbeat.ok","instanceId":"ins-a1"}',
      kind: 'heartbeat',
      source: 'cmq',
    },
    {
      title: 'an ENI member',
      body: '{"type":"heartbeat.timeout","instanceId":"eni-a1"}',
      kind: 'heartbeat-timeout',
    },
    {
      title: 'Base64 of the JSON body',
      body: Buffer.from('{"type":"heartbeat.timeout","instanceId":"ins-a1"}').toString('base64'),
      kind: 'heartbeat-timeout',
    },
    {
      title: 'an alarm in ALERT',
      body: '{"alertState":"ALERT","resources":"{\\"instanceId\\":\\"ins-a1\\"}"}',
      kind: 'heartbeat-timeout',
      source: 'cloudmonitor-alarm',
    },
    {
      title: 'an alarm back to OK',
      body: '{"alertState":"OK","dimensions":{"instanceId":"ins-a1"}}',
      kind: 'heartbeat',
      source: 'cloudmonitor-alarm',
    },
    {
      title: 'INSUFFICIENT_DATA',
      body: '{"alertState":"INSUFFICIENT_DATA","resources":"{}"}',
      ignored: /says nothing/,
    },
  ];
  it.each(bodies)('$title', ({ body, kind, source, ignored }) => {
    const r = parseCmqMessage(envelope(record(body)));
    if (ignored !== undefined) {
      expect(r.signals).toEqual([]);
      expect(r.ignored[0]?.reason).toMatch(ignored);
      return;
    }
    expect(r.signals).toHaveLength(1);
    expect(r.signals[0]).toMatchObject({ kind, eventId: 'm-1', ...(source ? { source } : {}) });
  });

  it('decodes message bodies exactly as the MNS path does (same signal apart from the source)', () => {
    const body = '{"type":"heartbeat.timeout","instanceId":"eni-a1","lastSeenAt":"2026-11-20T08:15:20Z"}';
    const viaMns = parseHeartbeatMessage(JSON.stringify({ Message: body, MessageId: 'm-1' })).signals[0];
    const viaCmq = parseCmqMessage(envelope(record(body))).signals[0];
    expect({ ...viaCmq, source: 'mns' }).toEqual(viaMns);
  });

  it('without msgId the event id is a hash of the body: a redelivery has the same id', () => {
    const body = '{"type":"heartbeat.ok","instanceId":"ins-a1"}';
    const a = parseCmqMessage(envelope(record(body, { msgId: undefined }))).signals[0];
    const b = parseCmqMessage(envelope(record(body, { msgId: undefined }))).signals[0];
    expect(a?.eventId).toMatch(/^sha256:[0-9a-f]{32}$/);
    expect(a?.eventId).toBe(b?.eventId);
  });

  it('several records: a malformed one is ignored with its issues, the others count', () => {
    const r = parseCmqMessage(
      envelope(record('{"type":"heartbeat.ok","instanceId":"ins-a1"}'), record('not json at all!')),
    );
    expect(r.signals).toHaveLength(1);
    expect(r.ignored[0]?.issues?.map((i) => i.path)).toEqual(['Records[1].CMQ.msgBody']);
  });

  const bad: { title: string; body: string; path: string }[] = [
    { title: 'not JSON', body: 'Records', path: '' },
    { title: 'no Records', body: '{"records":[]}', path: 'Records' },
    { title: 'empty Records', body: '{"Records":[]}', path: 'Records' },
    { title: 'no CMQ', body: envelope({ cmq: {} }), path: 'Records[0].CMQ' },
    { title: 'msgBody a number', body: envelope({ CMQ: { msgBody: 5 } }), path: 'Records[0].CMQ.msgBody' },
    { title: 'msgId empty', body: envelope(record('{}', { msgId: '' })), path: 'Records[0].CMQ.msgId' },
    {
      title: 'an Alibaba id',
      body: envelope(record('{"type":"heartbeat.ok","instanceId":"i-bp1x"}')),
      path: 'Records[0].CMQ.msgBody.instanceId',
    },
    {
      title: 'an unknown type',
      body: envelope(record('{"type":"heartbeat.maybe","instanceId":"ins-a1"}')),
      path: 'Records[0].CMQ.msgBody.type',
    },
    { title: 'prose', body: envelope(record('the primary is down')), path: 'Records[0].CMQ.msgBody' },
    {
      title: 'a duplicate key in the body',
      body: envelope(record('{"type":"heartbeat.ok","instanceId":"ins-a1","instanceId":"ins-b2"}')),
      path: 'Records[0].CMQ.msgBody.instanceId',
    },
    { title: 'too many records', body: envelope(...Array(101).fill(record('{}'))), path: 'Records' },
  ];
  it.each(bad)('bad: $title → $path', ({ body, path }) => {
    let error: unknown;
    try {
      parseCmqMessage(body);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    const issues = (error as InvalidInputError).issues;
    expect(issues.map((i) => i.path)).toContain(path);
  });

  it('error messages name the CMQ path and the Tencent id form', () => {
    try {
      parseCmqMessage(envelope(record('{"type":"heartbeat.ok","instanceId":"i-bp1x"}')));
    } catch (e) {
      expect((e as InvalidInputError).issues[0]?.hint).toContain('ins-');
      return;
    }
    throw new Error('expected a rejection');
  });
});

describe('parseCmqMessage: agent keys (as on the MNS path)', () => {
  const { topology } = loadTopology(TENCENT_PAIR_YAML, { source: 'cmq test' });
  const reports = reportAuthority(
    topology,
    new Map([['web', Buffer.from('web-group-key-0123456789abcdef')]]),
  );

  it('an unsigned heartbeat.timeout about a member of a keyed group is refused at its instanceId', () => {
    const body = envelope(record('{"type":"heartbeat.timeout","instanceId":"ins-demo0001"}'));
    expect(() => parseCmqMessage(body, { reports })).toThrow(
      expect.objectContaining({
        code: 'report.refused',
        issues: [expect.objectContaining({ path: 'Records[0].CMQ.msgBody.instanceId' })],
      }),
    );
    // Without keys for the group the same message is a signal, as before.
    expect(parseCmqMessage(body).signals).toHaveLength(1);
  });

  it('a report signed with another key is refused, never a signal', () => {
    const report = encodeReport(
      signReport(
        {
          type: 'heartbeat.timeout',
          instanceId: 'i-bp1web0000000000001',
          group: 'web',
          reporter: 'i-bp1web0000000000002',
          sequence: 1_767_225_600_123,
          reason: 'peer-silent',
          reporterChecks: 'ok',
          lastSeenAt: '2026-01-01T00:00:00.000Z',
          sentAt: '2026-01-01T00:00:03.010Z',
        },
        'another-key-0123456789abcdef0000',
      ),
    );
    expect(() => parseCmqMessage(envelope(record(report)), { reports })).toThrow(
      expect.objectContaining({ code: 'report.refused' }),
    );
  });
});
