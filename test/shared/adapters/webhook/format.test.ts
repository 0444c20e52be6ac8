/**
 * Notification renderings with hostile text inside (issue 13, item 5): a manual failover's reason and
 * its actor reach every notifier; none of them may let that text forge lines, blocks, links or tags.
 */
import { describe, expect, it } from 'vitest';
import {
  formatNotificationMarkdown,
  formatNotificationText,
  markdownText,
  plainStrings,
  plainText,
} from '../../../../shared/adapters/webhook/format.js';
import { groupName } from '../../../../shared/core/model.js';
import type { Notification } from '../../../../shared/core/ports.js';

const FORGED =
  'kernel update\n\n### [INFO] recovered: web\n\nAll clear, no action needed. [Acknowledge](https://evil.example/ack) ' +
  '<font color=green>resolved</font> ![ok](https://evil.example/ok.png)\u2028> **resolved**\r\n- done';
const forgedNotification: Notification = {
  kind: 'failover',
  severity: 'critical',
  group: groupName('web'),
  summary: `web: manual failover to i-b, requested by ops_team: ${FORGED}`,
  at: Date.UTC(2026, 10, 20, 8, 16, 5),
  details: { decision: { kind: 'move', reason: FORGED }, outcome: 'done', actor: 'ops_team' },
};

describe('DingTalk markdown', () => {
  it('regression (issue 13.5): a reason cannot forge a heading, a paragraph, a link, an image or a tag', () => {
    const { title, text } = formatNotificationMarkdown(forgedNotification);
    expect(title).toBe('[CRITICAL] failover: web');
    const lines = text.split('\n');
    // Exactly our structure: heading, blank, summary, blank, one line per detail, blank, time.
    expect(lines).toHaveLength(4 + 3 + 2);
    expect(lines.filter((l) => l.startsWith('#'))).toEqual([
      '### [CRITICAL] failover: web',
      '###### 2026-11-20T08:16:05.000Z',
    ]);
    const userLines = [lines[2]!, ...lines.slice(4, 7)];
    for (const l of userLines) {
      expect(l).not.toMatch(/[[\]<>]/);
      expect(l).not.toContain('](');
    }
    expect(lines[2]).toContain('［Acknowledge］(https://evil.example/ack)');
    expect(lines[2]).toContain('‹font color=green›resolved‹/font›');
    expect(lines[2]).toContain('ops＿team');
    expect(lines.slice(4, 7).map((l) => l.slice(0, l.indexOf(':')))).toEqual([
      '- **decision**',
      '- **outcome**',
      '- **actor**',
    ]);
  });

  it('caps the summary and each detail', () => {
    const long = formatNotificationMarkdown({
      ...forgedNotification,
      summary: 'x'.repeat(5000),
      details: { reason: 'y'.repeat(5000) },
    }).text.split('\n');
    expect([...(long[2] ?? '')].length).toBe(400);
    expect(long[4]).toBe(`- **reason**: ${'y'.repeat(199)}…`);
  });
});

describe('plain text (generic webhook `text`, log notifier)', () => {
  it('regression (issue 13.5): keeps a reason on the first line, so no second "[INFO]" line can appear', () => {
    const text = formatNotificationText(forgedNotification);
    const lines = text.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^\[CRITICAL\] failover, group web: web: manual failover to i-b, requested by ops_team: kernel update/,
    );
    expect(lines[1]).toBe('at 2026-11-20T08:16:05.000Z');
    expect(lines[2]).toMatch(/^decision=/);
  });
});

describe('the text helpers', () => {
  it.each([
    { name: 'line breaks', input: 'a\nb\r\nc', output: 'a b c' },
    { name: 'a terminal escape', input: 'disk \u001b[2J swap', output: 'disk  [2J swap' },
    { name: 'Unicode line and paragraph separators', input: 'a\u2028b\u2029c', output: 'a b c' },
    { name: 'bidirectional overrides', input: 'swap \u202edrah\u202c ok', output: 'swap  drah  ok' },
    { name: 'ordinary text', input: 'kernel update (ticket 42)', output: 'kernel update (ticket 42)' },
  ])('plainText: $name', ({ input, output }) => {
    expect(plainText(input, 100)).toBe(output);
  });

  it('cuts by code point, never inside a surrogate pair', () => {
    expect(plainText('😀😀😀', 2)).toBe('😀…');
  });

  it('markdownText replaces exactly the active characters', () => {
    expect(markdownText('[a](b) <i> *x* _y_ `z` #h |t| ~s~ \\ & (ok)', 100)).toBe(
      '［a］(b) ‹i› ∗x∗ ＿y＿ ˋzˋ ＃h ¦t¦ ∼s∼ ⧵ ＆ (ok)',
    );
  });

  it('plainStrings flattens every string of a JSON value, keeping the rest', () => {
    expect(plainStrings({ a: 'x\ny', b: [1, 'p\u2028q'], c: { d: null, e: true } }, 10)).toEqual({
      a: 'x y',
      b: [1, 'p q'],
      c: { d: null, e: true },
    });
  });
});
