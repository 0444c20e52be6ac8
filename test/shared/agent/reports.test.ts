import { describe, expect, it } from 'vitest';
import { ReportScheduler, reportKey } from '../../../shared/agent/reports.js';

const SELF = 'i-self';

describe('report scheduler', () => {
  it('reports a silent peer at once, repeats it while it lasts, and stops after recovery', () => {
    const s = new ReportScheduler(SELF, 30_000);
    expect(s.peerSilent('web', 'i-b', 500, 1000)).toEqual({
      group: 'web',
      suspect: 'i-b',
      reason: 'peer-silent',
      lastSeenAt: 500,
    });
    expect(s.due(30_999)).toEqual([]);
    expect(s.nextDueAt()).toBe(31_000);
    expect(s.due(31_000).map((i) => i.reason)).toEqual(['peer-silent']);
    expect(s.due(31_000)).toEqual([]);
    expect(s.peerRecovered('web', 'i-b').reason).toBe('recovered');
    expect(s.due(100_000)).toEqual([]);
    expect(s.nextDueAt()).toBeUndefined();
  });

  it.each([
    { up: false, reasons: ['checks-failed', 'checks-failed'] },
    { up: true, reasons: ['recovered', 'recovered'] },
  ])('own checks up=$up: one report about itself per group', ({ up, reasons }) => {
    const s = new ReportScheduler(SELF, 30_000);
    const out = s.checksChanged(['web', 'db'], up, 0);
    expect(out.map((i) => [i.group, i.suspect, i.reason])).toEqual([
      ['web', SELF, reasons[0]],
      ['db', SELF, reasons[1]],
    ]);
  });

  it('keeps a spot notice apart from the check state: recovering checks does not end the drain request', () => {
    const s = new ReportScheduler(SELF, 10_000);
    const [spot] = s.spotNotice(['web'], 0);
    const [failed] = s.checksChanged(['web'], false, 0);
    expect(reportKey(spot!)).not.toBe(reportKey(failed!));
    s.checksChanged(['web'], true, 1000);
    expect(s.due(10_000).map((i) => i.reason)).toEqual(['spot-termination']);
  });

  it('with repeatSeconds 0 reports each change once only', () => {
    const s = new ReportScheduler(SELF, 0);
    s.peerSilent('web', 'i-b', undefined, 0);
    expect(s.due(1e9)).toEqual([]);
    expect(s.nextDueAt()).toBeUndefined();
  });

  it('keys one outstanding report per group and suspect: silent and recovered replace each other', () => {
    const s = new ReportScheduler(SELF, 0);
    expect(reportKey(s.peerSilent('web', 'i-b', 1, 2))).toBe(reportKey(s.peerRecovered('web', 'i-b')));
    expect(reportKey(s.peerSilent('web', 'i-b', 1, 2))).not.toBe(reportKey(s.peerSilent('db', 'i-b', 1, 2)));
  });
});
