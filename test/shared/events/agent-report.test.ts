import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../shared/core/errors.js';
import {
  type AgentReport,
  encodeReport,
  isAgentReport,
  parseAgentReport,
  reportCanonicalString,
  signReport,
  verifyReport,
} from '../../../shared/events/agent-report.js';

const KEY = 'web-key-0123456789abcdef';
const REPORT: AgentReport = {
  type: 'heartbeat.timeout',
  instanceId: 'i-bbb',
  group: 'web',
  reporter: 'i-aaa',
  sequence: 1767225600123,
  reason: 'peer-silent',
  reporterChecks: 'ok',
  lastSeenAt: '2026-01-01T00:00:00.000Z',
  sentAt: '2026-01-01T00:00:03.010Z',
};

const issuesOf = (body: unknown) => {
  try {
    parseAgentReport(body);
  } catch (e) {
    if (e instanceof InvalidInputError) return e.issues.map((i) => `${i.path}: ${i.message}`);
    throw e;
  }
  return [];
};

describe('agent report codec', () => {
  it('signs the documented canonical string', () => {
    const canonical =
      'havip-report/1\nheartbeat.timeout\nweb\ni-bbb\ni-aaa\n1767225600123\npeer-silent\nok\n2026-01-01T00:00:00.000Z\n2026-01-01T00:00:03.010Z';
    expect(reportCanonicalString(REPORT)).toBe(canonical);
    expect(signReport(REPORT, KEY).mac).toBe(createHmac('sha256', KEY).update(canonical).digest('hex'));
    const { lastSeenAt: _, ...withoutLastSeen } = REPORT;
    expect(reportCanonicalString(withoutLastSeen)).toContain('\nok\n\n2026-01-01T00:00:03.010Z');
  });

  it('round-trips through the message body and verifies with the group key only', () => {
    const body = encodeReport(signReport(REPORT, KEY));
    const parsed = parseAgentReport(body);
    expect(parsed).toEqual({
      format: 'havip-report/1',
      ...REPORT,
      mac: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(verifyReport(parsed, KEY)).toBe(true);
    expect(verifyReport(parsed, 'another-key-0123456789')).toBe(false);
    expect(isAgentReport(JSON.parse(body))).toBe(true);
    expect(isAgentReport({ type: 'heartbeat.timeout', instanceId: 'i-x' })).toBe(false);
    // It stays a heartbeat message: the fields the MNS parser reads are there.
    expect(JSON.parse(body)).toMatchObject({
      type: 'heartbeat.timeout',
      instanceId: 'i-bbb',
      lastSeenAt: REPORT.lastSeenAt,
    });
  });

  it.each<{ name: string; change: Partial<Record<keyof AgentReport, unknown>>; issue: RegExp }>([
    {
      name: 'a reason with the wrong type',
      change: { type: 'heartbeat.ok' },
      issue: /^type: reason "peer-silent" travels with type "heartbeat.timeout"/,
    },
    {
      name: 'checks-failed about someone else',
      change: { reason: 'checks-failed' },
      issue: /^instanceId: a "checks-failed" report is about the reporter itself/,
    },
    {
      name: 'peer-silent about the reporter',
      change: { instanceId: 'i-aaa' },
      issue: /^instanceId: a "peer-silent" report names a peer/,
    },
    { name: 'an unknown reason', change: { reason: 'bored' }, issue: /^reason: / },
    { name: 'a sequence of 0', change: { sequence: 0 }, issue: /^sequence: / },
    {
      name: 'a local time',
      change: { sentAt: '2026-01-01T08:00:00+08:00' },
      issue: /^sentAt: is not an ISO 8601 UTC timestamp/,
    },
    { name: 'a bad member id', change: { reporter: 'web-1' }, issue: /^reporter: is not a member id/ },
  ])('names the field with $name', ({ change, issue }) => {
    const body = { ...signReport(REPORT, KEY), ...change };
    expect(
      issuesOf(body).some((i) => issue.test(i)),
      issuesOf(body).join('\n'),
    ).toBe(true);
  });

  it.each([
    ['Tencent CVMs', 'ins-bbb00001', 'ins-aaa00001'],
    ['ENIs', 'eni-bbb00001', 'eni-aaa00001'],
  ])('carries members of every kind a topology names (%s)', (_, suspect, reporter) => {
    const parsed = parseAgentReport(
      encodeReport(signReport({ ...REPORT, instanceId: suspect, reporter }, KEY)),
    );
    expect(parsed).toMatchObject({ instanceId: suspect, reporter });
    expect(verifyReport(parsed, KEY)).toBe(true);
    expect(issuesOf({ ...signReport(REPORT, KEY), reporter: 'vm-aaa00001' })).toContain(
      'reporter: is not a member id',
    );
  });

  it('refuses an unknown field, a key given twice and text that is not JSON', () => {
    expect(issuesOf({ ...signReport(REPORT, KEY), extra: 1 })).toContain('extra: unknown field');
    const body = encodeReport(signReport(REPORT, KEY));
    expect(issuesOf(body.replace('"group":"web"', '"group":"web","group":"db"'))[0]).toMatch(/^group: /);
    expect(() => parseAgentReport('{not json')).toThrow(/not valid JSON/);
  });
});
