/** The signal row every adapter keeps: its order, its layout, and what reading it back accepts. */
import { describe, expect, it } from 'vitest';
import {
  decodeLegacySignal,
  decodeSignal,
  encodeSignal,
  isNewerSignal,
  type StoredSignal,
} from '../../../../shared/adapters/state-store/index.js';
import { StoreError } from '../../../../shared/core/errors.js';
import { memberId } from '../../../../shared/core/model.js';
import type { SignalRecord } from '../../../../shared/core/signals.js';

const T0 = 1_700_000_000_000;

describe('isNewerSignal', () => {
  it.each([
    { label: 'both sequenced: the higher wins', c: [T0 - 9, 6], e: [T0, 5], newer: true },
    { label: 'both sequenced: a lower one loses, even later', c: [T0 + 9, 4], e: [T0, 5], newer: false },
    { label: 'both sequenced: a tie is not newer', c: [T0 + 9, 5], e: [T0, 5], newer: false },
    { label: 'unsequenced: the later arrival wins', c: [T0 + 1, undefined], e: [T0, undefined], newer: true },
    {
      label: 'unsequenced: the same arrival is not newer',
      c: [T0, undefined],
      e: [T0, undefined],
      newer: false,
    },
    { label: 'one sequenced: time decides', c: [T0 + 1, 1], e: [T0, undefined], newer: true },
    { label: 'the other sequenced: time decides', c: [T0 - 1, undefined], e: [T0, 9], newer: false },
  ] as const)('$label', ({ c, e, newer }) => {
    const order = ([receivedAt, sequence]: readonly [number, number | undefined]) => ({
      receivedAt,
      sequence,
    });
    expect(isNewerSignal(order(c), order(e))).toBe(newer);
  });
});

describe('encodeSignal / decodeSignal', () => {
  const stop: SignalRecord = {
    memberId: memberId('i-a'),
    kind: 'instance-state',
    source: 'eventbridge',
    status: 'Stopped',
    effect: 'down',
    eventTime: '2026-11-20T08:15:30Z',
    sequence: Date.UTC(2026, 10, 20, 8, 15, 30),
    eventId: 'ev-1',
    receivedAt: T0,
  };

  it('keeps key, order and event id in columns and the rest of the signal as the payload', () => {
    const row = encodeSignal(stop);
    expect(row).toEqual({
      memberId: 'i-a',
      kind: 'instance-state',
      receivedAt: T0,
      sequence: Date.UTC(2026, 10, 20, 8, 15, 30),
      eventId: 'ev-1',
      payload: expect.any(String),
    });
    expect(JSON.parse(row.payload)).toEqual({
      source: 'eventbridge',
      status: 'Stopped',
      effect: 'down',
      eventTime: '2026-11-20T08:15:30Z',
    });
    expect(decodeSignal('row', row)).toEqual(stop);
  });

  it('only heartbeats and state changes carry a sequence column', () => {
    const drain: SignalRecord = {
      memberId: memberId('i-a'),
      kind: 'drain',
      source: 'http',
      cause: 'manual',
      reason: 'swap',
      actor: 'ops',
      receivedAt: T0,
    };
    expect(encodeSignal(drain)).toMatchObject({ sequence: undefined, eventId: undefined });
    expect(JSON.parse(encodeSignal(drain).payload)).toEqual({
      source: 'http',
      cause: 'manual',
      reason: 'swap',
      actor: 'ops',
    });
  });

  it.each([
    {
      label: 'a version-1 value (plain text)',
      payload: 'Stopped',
      message: /row A payload is not valid JSON/,
    },
    {
      label: 'a JSON payload that is not an object',
      payload: '"Stopped"',
      message: /row A payload does not match/,
    },
    {
      label: 'a payload without the fields of its kind',
      payload: '{"source":"eventbridge"}',
      message:
        /row A does not match the expected shape \(status: .*\); it was written by an incompatible version/,
    },
    {
      label: 'a payload of an unknown source',
      payload: '{"source":"pigeon","status":"Stopped","effect":"down"}',
      message: /row A does not match the expected shape \(source:/,
    },
  ])('refuses $label, naming the row', ({ payload, message }) => {
    const row: StoredSignal = { ...encodeSignal(stop), payload };
    let caught: unknown;
    try {
      decodeSignal('row A', row);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(StoreError);
    expect((caught as StoreError).message).toMatch(message);
  });

  it('the columns win over payload fields of the same name', () => {
    const row: StoredSignal = {
      ...encodeSignal(stop),
      payload: JSON.stringify({
        ...JSON.parse(encodeSignal(stop).payload),
        memberId: 'i-forged',
        receivedAt: 1,
      }),
    };
    expect(decodeSignal('row', row)).toEqual(stop);
  });

  describe('a peer report', () => {
    const report: SignalRecord = {
      memberId: memberId('i-a'),
      kind: 'peer-report',
      source: 'mns',
      group: 'web',
      reporter: memberId('i-b'),
      reason: 'peer-silent',
      reporterChecks: 'ok',
      sequence: 42,
      sentAt: '2026-11-20T08:15:23.010Z',
      eventId: 'report:web:i-b:42',
      receivedAt: T0,
    };

    it('is kept in one slot per reporter, its sequence in the order column', () => {
      const row = encodeSignal(report);
      expect(row).toMatchObject({ kind: 'peer-report:i-b', sequence: 42 });
      expect(JSON.parse(row.payload)).toEqual({
        source: 'mns',
        group: 'web',
        reporter: 'i-b',
        reason: 'peer-silent',
        reporterChecks: 'ok',
        sentAt: '2026-11-20T08:15:23.010Z',
      });
      expect(decodeSignal('row', row)).toEqual(report);
    });

    it('is refused when its payload names another reporter than its slot', () => {
      const row: StoredSignal = { ...encodeSignal(report), kind: 'peer-report:i-c' };
      expect(() => decodeSignal('row P', row)).toThrow(/row P is kept under "peer-report:i-c"/);
    });
  });
});

describe('decodeLegacySignal: version-1 rows, as the version-1 writers spelled `value`', () => {
  const row = (kind: string, value: string, over: { sequence?: number; eventId?: string } = {}) => ({
    memberId: 'i-a',
    kind,
    receivedAt: T0,
    sequence: over.sequence,
    eventId: over.eventId,
    value,
  });
  const a = memberId('i-a');
  const at = { memberId: a, receivedAt: T0 };

  it.each([
    {
      label: 'an ECS stop (status; event time as the sequence)',
      row: row('instance-state', 'Stopped', { sequence: T0 - 5, eventId: 'ev-1' }),
      signal: {
        ...at,
        kind: 'instance-state',
        source: 'eventbridge',
        status: 'Stopped',
        effect: 'down',
        sequence: T0 - 5,
        eventId: 'ev-1',
      },
    },
    {
      label: 'an ECS start',
      row: row('instance-state', 'Running'),
      signal: { ...at, kind: 'instance-state', source: 'eventbridge', status: 'Running', effect: 'up' },
    },
    {
      label: 'an operator drain',
      row: row('drain', 'manual: kernel upgrade (alice)'),
      signal: {
        ...at,
        kind: 'drain',
        source: 'http',
        cause: 'manual',
        reason: 'kernel upgrade',
        actor: 'alice',
      },
    },
    {
      label: 'an operator drain whose reason has parentheses',
      row: row('drain', 'manual: swap (ticket 12) now (ops)'),
      signal: {
        ...at,
        kind: 'drain',
        source: 'http',
        cause: 'manual',
        reason: 'swap (ticket 12) now',
        actor: 'ops',
      },
    },
    {
      label: 'a spot interruption',
      row: row('drain', 'spot-interruption: PreemptibleInstanceInterruption', { eventId: 'ev-2' }),
      signal: {
        ...at,
        kind: 'drain',
        source: 'eventbridge',
        cause: 'spot-interruption',
        eventType: 'PreemptibleInstanceInterruption',
        eventId: 'ev-2',
      },
    },
    {
      label: 'a maintenance notice',
      row: row('drain', 'maintenance: SystemMaintenance.Reboot'),
      signal: {
        ...at,
        kind: 'drain',
        source: 'eventbridge',
        cause: 'maintenance',
        eventType: 'SystemMaintenance.Reboot',
      },
    },
    {
      label: "a what-if scenario's drain",
      row: row('drain', 'scenario'),
      signal: { ...at, kind: 'drain', source: 'scenario', cause: 'manual', reason: 'scenario' },
    },
    {
      label: 'a drain no version-1 writer spelled so (kept as an operator drain, never dropped)',
      row: row('drain', 'hand-written'),
      signal: { ...at, kind: 'drain', source: 'http', cause: 'manual', reason: 'hand-written' },
    },
    {
      label: 'an operator undrain',
      row: row('undrain', 'manual'),
      signal: { ...at, kind: 'undrain', source: 'http', reason: 'manual' },
    },
    {
      label: 'a heartbeat timeout with its lastSeenAt',
      row: row('heartbeat-timeout', '2026-11-20T08:15:30Z', { eventId: 'MSG-1' }),
      signal: {
        ...at,
        kind: 'heartbeat-timeout',
        source: 'mns',
        lastSeenAt: '2026-11-20T08:15:30Z',
        eventId: 'MSG-1',
      },
    },
    {
      label: 'a heartbeat timeout without one',
      row: row('heartbeat-timeout', ''),
      signal: { ...at, kind: 'heartbeat-timeout', source: 'mns' },
    },
    {
      label: "an agent's API heartbeat",
      row: row('heartbeat', 'ok', { sequence: 17 }),
      signal: { ...at, kind: 'heartbeat', source: 'http', sequence: 17 },
    },
    {
      label: 'a heartbeat alarm back to OK',
      row: row('heartbeat', 'alarm-ok', { eventId: 'MSG-2' }),
      signal: { ...at, kind: 'heartbeat', source: 'mns', eventId: 'MSG-2' },
    },
  ])('$label', ({ row: r, signal }) => {
    const decoded = decodeLegacySignal('row', r);
    expect(JSON.parse(JSON.stringify(decoded))).toEqual(signal);
    // What it becomes is a signal of the current layout: it survives a round trip.
    expect(decodeSignal('row', encodeSignal(decoded))).toEqual(decoded);
  });

  it.each([
    {
      label: 'a state no version-1 writer recorded',
      row: row('instance-state', 'Starting'),
      message: /row L is a version-1 "instance-state" row whose value "Starting"/,
    },
    {
      label: 'a heartbeat value no writer produced',
      row: row('heartbeat', 'maybe'),
      message: /whose value "maybe" no version-1 writer produced; delete the row/,
    },
    {
      label: 'a kind version 1 never wrote',
      row: row('peer-report', 'x'),
      message: /row L is a version-1 row of kind "peer-report"/,
    },
  ])('refuses $label, naming the row', ({ row: r, message }) => {
    expect(() => decodeLegacySignal('row L', r)).toThrow(StoreError);
    expect(() => decodeLegacySignal('row L', r)).toThrow(message);
  });
});
