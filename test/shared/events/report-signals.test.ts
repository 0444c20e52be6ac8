/**
 * Host agent reports through the MNS parser: what a verified report becomes, what is refused (and
 * with which field), and the unsigned messages about members of a keyed group.
 */
import { describe, expect, it } from 'vitest';
import { reportAuthority } from '../../../shared/app/agent-keys.js';
import { loadTopology } from '../../../shared/core/config.js';
import { InvalidInputError } from '../../../shared/core/errors.js';
import { type AgentReport, encodeReport, signReport } from '../../../shared/events/agent-report.js';
import { parseHeartbeatMessage } from '../../../shared/events/mns.js';
import { reportEventId, SPOT_REPORT_EVENT_TYPE } from '../../../shared/events/report-signals.js';

const A = 'i-bp1web0000000000001';
const B = 'i-bp1web0000000000002';
const OTHER = 'i-bp1api0000000000001';
const { topology } = loadTopology(
  `
region: cn-hangzhou
groups:
  - name: web
    vSwitchId: vsw-bp1test0000000000001
    haVipId: havip-bp1test0000000000001
    members:
      - { id: ${A}, priority: 100, ip: 192.168.0.11 }
      - { id: ${B}, priority: 10, ip: 192.168.0.12 }
  - name: api
    vSwitchId: vsw-bp1test0000000000001
    haVipId: havip-bp1test0000000000002
    members:
      - { id: ${OTHER}, priority: 100, ip: 192.168.0.13 }
`,
  { source: 'report test' },
);
const KEY = 'web-group-key-0123456789abcdef';
const authority = reportAuthority(topology, new Map([['web', Buffer.from(KEY)]]));

const base: AgentReport = {
  type: 'heartbeat.timeout',
  instanceId: A,
  group: 'web',
  reporter: B,
  sequence: 1_767_225_600_123,
  reason: 'peer-silent',
  reporterChecks: 'ok',
  lastSeenAt: '2026-01-01T00:00:00.000Z',
  sentAt: '2026-01-01T00:00:03.010Z',
};
const envelope = (body: string, messageId = 'MSG-1') =>
  JSON.stringify({ Message: body, MessageId: messageId });
const signed = (over: Partial<AgentReport> = {}, key: string = KEY) =>
  encodeReport(signReport({ ...base, ...over }, key));
const parse = (body: string) => parseHeartbeatMessage(envelope(body), { reports: authority });

function refusal(run: () => unknown): { code: string; paths: string[]; message: string } {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputError);
    const err = e as InvalidInputError;
    return { code: err.code, paths: err.issues.map((i) => i.path), message: err.message };
  }
  throw new Error('expected a refusal');
}

describe('verified agent reports from the MNS topic', () => {
  it('a peer-silent report becomes a peer report about the suspect, de-duplicated by (group, reporter, sequence)', () => {
    const r = parse(signed());
    expect(r).toEqual({
      signals: [
        {
          kind: 'peer-report',
          memberId: A,
          reporter: B,
          group: 'web',
          reason: 'peer-silent',
          reporterChecks: 'ok',
          sequence: base.sequence,
          lastSeenAt: base.lastSeenAt,
          sentAt: base.sentAt,
          source: 'mns',
          eventId: reportEventId(base),
        },
      ],
      ignored: [],
    });
    // Published twice (a new MessageId), it is the same report.
    expect(
      parseHeartbeatMessage(envelope(signed(), 'MSG-2'), { reports: authority }).signals[0]?.eventId,
    ).toBe(`report:web:${B}:${base.sequence}`);
  });

  it.each([
    {
      over: { reason: 'recovered' as const, type: 'heartbeat.ok' as const },
      kind: 'peer-report',
      reason: 'recovered',
    },
    {
      over: {
        reason: 'checks-failed' as const,
        instanceId: B,
        reporterChecks: 'failing' as const,
        lastSeenAt: undefined,
      },
      kind: 'self-report',
      reason: 'checks-failed',
    },
    {
      over: {
        reason: 'recovered' as const,
        type: 'heartbeat.ok' as const,
        instanceId: B,
        lastSeenAt: undefined,
      },
      kind: 'self-report',
      reason: 'recovered',
    },
  ])('$kind $reason', ({ over, kind, reason }) => {
    expect(parse(signed(over)).signals[0]).toMatchObject({ kind, reason, group: 'web' });
  });

  it('a spot notice becomes a drain of the reporter', () => {
    const spot = signed({ reason: 'spot-termination', instanceId: B, lastSeenAt: undefined });
    expect(parse(spot).signals).toEqual([
      {
        kind: 'drain',
        cause: 'spot-interruption',
        eventType: SPOT_REPORT_EVENT_TYPE,
        memberId: B,
        source: 'mns',
        eventId: `report:web:${B}:${base.sequence}`,
      },
    ]);
  });

  it('reads a report published as a STREAM body too', () => {
    expect(parseHeartbeatMessage(signed(), { reports: authority }).signals[0]?.kind).toBe('peer-report');
  });

  it.each([
    {
      label: 'a forged MAC (another key)',
      body: () => signed({}, 'another-key-0123456789abcdef'),
      path: 'Message.mac',
    },
    {
      label: 'a tampered field (the MAC no longer covers it)',
      body: () => signed().replace('"reporterChecks":"ok"', '"reporterChecks":"failing"'),
      path: 'Message.mac',
    },
    { label: 'a group outside the topology', body: () => signed({ group: 'db' }), path: 'Message.group' },
    { label: 'a group without an agent key', body: () => signed({ group: 'api' }), path: 'Message.group' },
    {
      label: 'a reporter outside the group',
      body: () => signed({ reporter: OTHER }),
      path: 'Message.reporter',
    },
    {
      label: 'a suspect outside the group',
      body: () => signed({ instanceId: OTHER }),
      path: 'Message.instanceId',
    },
  ])('refuses $label, naming the field', ({ body, path }) => {
    const r = refusal(() => parse(body()));
    expect(r).toMatchObject({ code: 'report.refused', paths: [path] });
    expect(r.message).not.toContain(KEY);
  });

  it('refuses every report when the orchestrator has no keys at all', () => {
    const r = refusal(() => parseHeartbeatMessage(envelope(signed())));
    expect(r).toMatchObject({ code: 'report.refused', paths: ['Message.group'] });
  });

  it.each([
    {
      label: 'no MAC',
      body: () => JSON.stringify({ ...JSON.parse(signed()), mac: undefined }),
      path: 'Message.mac',
    },
    {
      label: 'a report without its format (it claims a reporter)',
      body: () => JSON.stringify({ ...JSON.parse(signed()), format: undefined }),
      path: 'Message.format',
    },
    {
      label: 'a reason that travels with the other type',
      body: () => signed({ reason: 'recovered' }),
      path: 'Message.type',
    },
  ])('rejects a malformed report ($label) as invalid, never as an unsigned message', ({ body, path }) => {
    expect(refusal(() => parse(body()))).toMatchObject({
      code: 'event.invalid',
      paths: expect.arrayContaining([path]),
    });
  });
});

describe('unsigned messages about members of a keyed group', () => {
  it.each([
    { label: 'heartbeat.timeout', body: { type: 'heartbeat.timeout', instanceId: A } },
    { label: 'heartbeat.ok (a forged sign of life)', body: { type: 'heartbeat.ok', instanceId: B } },
  ])('refuses $label', ({ body }) => {
    const r = refusal(() => parse(JSON.stringify(body)));
    expect(r).toMatchObject({ code: 'report.refused', paths: ['Message.instanceId'] });
    expect(r.message).toContain('which has an agent key');
  });

  it('refuses a CloudMonitor alarm naming such a member', () => {
    const alarm = { alertState: 'ALERT', resources: JSON.stringify({ instanceId: A }) };
    expect(refusal(() => parse(JSON.stringify(alarm)))).toMatchObject({
      code: 'report.refused',
      paths: ['Message'],
    });
  });

  it('keeps them for members of groups without a key', () => {
    expect(parse(JSON.stringify({ type: 'heartbeat.timeout', instanceId: OTHER })).signals).toEqual([
      expect.objectContaining({ kind: 'heartbeat-timeout', memberId: OTHER }),
    ]);
  });
});
