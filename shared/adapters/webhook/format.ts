/** Human renderings of a {@link Notification}: plain text for generic webhooks, markdown for chat robots. */
import type { Notification } from '../../core/ports.js';
import { redact } from '../logger/redact.js';

const MAX_VALUE_CHARS = 200;
const MAX_DETAIL_LINES = 20;

function isoTime(at: number): string {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? String(at) : d.toISOString();
}

function renderValue(v: unknown): string {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return s.length > MAX_VALUE_CHARS ? `${s.slice(0, MAX_VALUE_CHARS)}…` : s;
}

/** Detail entries with credentials redacted, bounded in count and length. */
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
  const head = `[${n.severity.toUpperCase()}] ${n.kind}, group ${n.group}: ${n.summary}`;
  const details = detailLines(n).map(([k, v]) => `${k}=${v}`);
  return [head, `at ${isoTime(n.at)}`, ...(details.length > 0 ? [details.join(', ')] : [])].join('\n');
}

/** Markdown title and body (DingTalk renders a subset of markdown: headings, bold, lists). */
export function formatNotificationMarkdown(n: Notification): { title: string; text: string } {
  const title = `[${n.severity.toUpperCase()}] ${n.kind}: ${n.group}`;
  const lines = [`### ${title}`, '', n.summary, ''];
  for (const [k, v] of detailLines(n)) lines.push(`- **${k}**: ${v}`);
  lines.push('', `###### ${isoTime(n.at)}`);
  return { title, text: lines.join('\n') };
}
