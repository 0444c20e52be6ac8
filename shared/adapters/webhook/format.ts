/**
 * Human renderings of a {@link Notification}: plain text for generic webhooks, markdown for chat robots.
 *
 * A notification carries text people typed (a manual failover's reason, the actor's name) inside text the
 * orchestrator wrote. Every rendering keeps that text on its own line and capped in length, and the
 * markdown rendering makes it inert, so a reason cannot forge a heading, a link or an "all clear" block
 * inside a critical message.
 */
import type { Notification } from '../../core/ports.js';
import { redact } from '../logger/redact.js';

const MAX_SUMMARY_CHARS = 400;
const MAX_VALUE_CHARS = 200;
const MAX_DETAIL_LINES = 20;
/** Strings inside the JSON webhook's `details` (a reason is at most 500 characters plus its context). */
const MAX_DETAIL_STRING_CHARS = 1000;

/** Control characters, Unicode line separators and bidirectional overrides: never part of a line. */
const NOT_PLAIN_RE = /[\p{Cc}\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]+/gu;

/**
 * The characters markdown (and the HTML DingTalk also renders) acts on, with look-alikes that render as
 * themselves. Look-alikes rather than backslash escapes: a renderer that ignores escapes would still
 * build the link or tag, a look-alike never forms one.
 */
const MARKDOWN_INERT: Readonly<Record<string, string>> = {
  '[': '［',
  ']': '］',
  '<': '‹',
  '>': '›',
  '&': '＆',
  '*': '∗',
  _: '＿',
  '`': 'ˋ',
  '#': '＃',
  '|': '¦',
  '~': '∼',
  '\\': '⧵',
};
const MARKDOWN_ACTIVE_RE = /[[\]<>&*_`#|~\\]/g;

/** One line: control characters and line or direction marks become a space; capped at `max` characters. */
export function plainText(s: string, max: number): string {
  const line = s.replace(NOT_PLAIN_RE, ' ');
  const chars = [...line]; // by code point, so the cut never splits a surrogate pair
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : line;
}

/** {@link plainText}, with every markdown- or HTML-active character replaced by an inert look-alike. */
export function markdownText(s: string, max: number): string {
  return plainText(s, max).replace(MARKDOWN_ACTIVE_RE, (c) => MARKDOWN_INERT[c] ?? c);
}

/** Every string inside `value` (plain JSON data) as {@link plainText}. */
export function plainStrings(value: unknown, max = MAX_DETAIL_STRING_CHARS): unknown {
  if (typeof value === 'string') return plainText(value, max);
  if (Array.isArray(value)) return value.map((v) => plainStrings(v, max));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainStrings(v, max)]));
  return value;
}

/** The summary as one capped line: what a chat line or a JSON receiver shows. */
export const summaryLine = (n: Notification): string => plainText(n.summary, MAX_SUMMARY_CHARS);

function isoTime(at: number): string {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? String(at) : d.toISOString();
}

function renderValue(v: unknown): string {
  return typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
}

/** Detail entries with credentials redacted, bounded in count; values are raw (each format escapes). */
function detailLines(n: Notification): [string, string][] {
  const safe = redact(n.details);
  if (typeof safe !== 'object' || safe === null || Array.isArray(safe)) return [];
  const entries = Object.entries(safe).filter(([, v]) => v !== undefined);
  const lines = entries.slice(0, MAX_DETAIL_LINES).map(([k, v]): [string, string] => [k, renderValue(v)]);
  if (entries.length > MAX_DETAIL_LINES) lines.push(['…', `${entries.length - MAX_DETAIL_LINES} more`]);
  return lines;
}

/** One-paragraph plain text: `[CRITICAL] failover, group web: <summary>` plus time and details. */
export function formatNotificationText(n: Notification): string {
  const head = `[${n.severity.toUpperCase()}] ${n.kind}, group ${n.group}: ${summaryLine(n)}`;
  const details = detailLines(n).map(([k, v]) => `${plainText(k, 64)}=${plainText(v, MAX_VALUE_CHARS)}`);
  return [head, `at ${isoTime(n.at)}`, ...(details.length > 0 ? [details.join(', ')] : [])].join('\n');
}

/** Markdown title and body (DingTalk renders a subset of markdown: headings, bold, lists, links, font tags). */
export function formatNotificationMarkdown(n: Notification): { title: string; text: string } {
  const title = `[${n.severity.toUpperCase()}] ${n.kind}: ${n.group}`;
  const lines = [`### ${title}`, '', markdownText(n.summary, MAX_SUMMARY_CHARS), ''];
  for (const [k, v] of detailLines(n))
    lines.push(`- **${markdownText(k, 64)}**: ${markdownText(v, MAX_VALUE_CHARS)}`);
  lines.push('', `###### ${isoTime(n.at)}`);
  return { title, text: lines.join('\n') };
}
