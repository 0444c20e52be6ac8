/**
 * MNS topic trigger → the core's signals: host agent reports (`havip-report/1`, verified by
 * report-signals.ts), `heartbeat-timeout`, and `heartbeat` for a watcher's `heartbeat.ok` or an alarm
 * back to OK.
 *
 * FC's MNS topic trigger delivers a message either as a `JSON` envelope (`Message` holds the message
 * body as a string, plus `MessageId`, `TopicName`, `PublishTime`, …) or as `STREAM` (the raw message
 * body, or `{"body": …, "attrs": {…}}` when message attributes are forwarded). Message bodies are signed
 * agent reports, unsigned heartbeat-watcher messages, or CloudMonitor alarm notifications written to the
 * topic. Unsigned messages about a member of a group with an agent key are refused (report-signals.ts).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { findDuplicateKey } from '../core/json.js';
import { memberId } from '../core/model.js';
import type { Signal, SignalSource } from '../core/signals.js';
import { isAgentReport, parseAgentReport } from './agent-report.js';
import {
  checkJsonTree,
  DEFAULT_MAX_EVENT_BYTES,
  decodeText,
  invalidEvent,
  isPlainObject,
  joinPath,
  limitOption,
  rejectDuplicateKeys,
  zodIssues,
} from './decode.js';
import type { ParseResult } from './parse-result.js';
import { type ReportAuthority, refuseUnsignedForKeyedMembers, reportSignals } from './report-signals.js';

export type MnsNotifyFormat = 'JSON' | 'STREAM' | 'auto';

export interface MnsParseOptions {
  /** The trigger's `notifyContentFormat`; `auto` (default) recognises both. */
  readonly format?: MnsNotifyFormat;
  /** Maximum body size in bytes (default 256 KiB; MNS messages themselves are at most 64 KiB). */
  readonly maxBytes?: number;
  /** The agent keys and group membership that verify reports; without it every report is refused. */
  readonly reports?: ReportAuthority | undefined;
}

/** Heartbeat members are ECS instances or, for ENI groups, ENIs. */
const MEMBER_ID_RE = /^(?:i|eni)-[a-z0-9]{1,62}$/;
const MEMBER_HINT = 'a member id looks like "i-bp1abc..." or "eni-bp1abc..." (lowercase letters and digits)';

/** MNS message ids are 32 hex characters; the bound keeps the de-duplication key within the store's limit. */
const MAX_MESSAGE_ID_CHARS = 128;

const EnvelopeSchema = z.looseObject({
  Message: z.string(),
  MessageId: z.string().min(1).max(MAX_MESSAGE_ID_CHARS).optional(),
  TopicName: z.string().optional(),
  PublishTime: z.union([z.number(), z.string()]).optional(),
});

/**
 * What a message body may name and how its signals are labelled. The MNS path takes ECS and ENI ids; the
 * Tencent CMQ path (`events/tencent/cmq.ts`) decodes the same bodies with CVM and ENI ids.
 */
export interface HeartbeatDialect {
  /** The signal source of a heartbeat message (alarms are always `cloudmonitor-alarm`). */
  readonly source: Extract<SignalSource, 'mns' | 'cmq'>;
  /** Names the queue in error messages, e.g. `MNS message`. */
  readonly what: string;
  readonly memberIdPattern: RegExp;
  readonly memberHint: string;
}

export const MNS_DIALECT: HeartbeatDialect = {
  source: 'mns',
  what: 'MNS message',
  memberIdPattern: MEMBER_ID_RE,
  memberHint: MEMBER_HINT,
};

const heartbeatSchema = (memberIdPattern: RegExp) =>
  z.looseObject({
    type: z.enum(['heartbeat.timeout', 'heartbeat.ok']),
    instanceId: z.string().regex(memberIdPattern),
    lastSeenAt: z.iso.datetime({ offset: true }).optional(),
  });
const heartbeatSchemas = new Map<RegExp, ReturnType<typeof heartbeatSchema>>();

const StringOrMap = z.union([z.string(), z.record(z.string(), z.unknown())]);
const AlarmSchema = z.looseObject({
  alertState: z.string().min(1).optional(),
  curLevel: z.string().min(1).optional(),
  metricName: z.string().optional(),
  ruleName: z.string().optional(),
  resources: StringOrMap.optional(),
  dimensions: StringOrMap.optional(),
  metricData: z.looseObject({ instanceId: z.string().optional() }).optional(),
});

const HINTS: Record<string, string> = {
  Message: 'the JSON envelope carries the message body as a string in "Message"',
  MessageId: `"MessageId" must be a non-empty string of at most ${MAX_MESSAGE_ID_CHARS} characters`,
  type: 'use "heartbeat.timeout" or "heartbeat.ok"',
  instanceId: MEMBER_HINT,
  lastSeenAt: 'use an ISO 8601 timestamp with a zone, e.g. "2026-11-20T08:15:20Z"',
  alertState: 'alertState is a string: OK, ALERT or INSUFFICIENT_DATA',
  curLevel: 'curLevel is a string: CRITICAL, WARN, INFO or OK',
  resources: 'resources is a JSON string such as "{\\"instanceId\\":\\"i-...\\"}"',
  dimensions: 'dimensions is a string such as "{userId=..., instanceId=i-...}" or a JSON object',
};

/** Alarm states that mean the member is silent / unhealthy. */
const ALARMING = new Set(['ALERT', 'CRITICAL', 'WARN']);

interface Located {
  /** The message body value (a parsed object). */
  readonly message: unknown;
  /** Rendered path of the message inside the body (`Message`, `body` or root). */
  readonly path: string;
  readonly messageId: string | undefined;
  /** Text used for the fallback event id. */
  readonly idSource: string;
}

/**
 * Parse one MNS topic-trigger invocation. Throws `InvalidInputError` (`event.invalid`) with the exact
 * path when the body or the message is malformed.
 */
export function parseHeartbeatMessage(body: unknown, opts: MnsParseOptions = {}): ParseResult {
  const format = opts.format ?? 'auto';
  if (format !== 'JSON' && format !== 'STREAM' && format !== 'auto') {
    throw invalidEvent('invalid MNS parser option', [
      {
        path: 'format',
        message: `unknown format ${JSON.stringify(format)}`,
        hint: 'use JSON, STREAM or auto',
      },
    ]);
  }
  const maxBytes = limitOption(opts.maxBytes, DEFAULT_MAX_EVENT_BYTES, 'maxBytes');
  const located = locate(body, format, maxBytes);
  checkJsonTree(located.message, 'MNS message', located.path);
  const eventId =
    located.messageId ?? `sha256:${createHash('sha256').update(located.idSource).digest('hex').slice(0, 32)}`;
  return classify(located.message, located.path, eventId, MNS_DIALECT, opts.reports);
}

function locate(body: unknown, format: MnsNotifyFormat, maxBytes: number): Located {
  const text = decodeText(body, { maxBytes, what: 'MNS message' });
  let doc: unknown;
  if (text === undefined) doc = body;
  else {
    const parsed = tryJson(text);
    if (!parsed.ok) {
      if (format === 'JSON') {
        throw invalidEvent('MNS JSON envelope is not valid JSON', [
          {
            path: '',
            message: 'the body is not JSON',
            hint: 'the trigger is configured as JSON; set format to STREAM if it sends raw message bodies',
          },
        ]);
      }
      // STREAM with a non-JSON body: the whole body is the (possibly Base64) message.
      return { message: decodeMessage(text, ''), path: '', messageId: undefined, idSource: text };
    }
    rejectDuplicateKeys(text, 'MNS message');
    doc = parsed.value;
  }
  checkJsonTree(doc, 'MNS message');
  const idSource = text ?? JSON.stringify(doc) ?? '';

  const looksLikeEnvelope = isPlainObject(doc) && 'Message' in doc;
  if (format === 'JSON' || (format === 'auto' && looksLikeEnvelope)) {
    const env = EnvelopeSchema.safeParse(doc);
    if (!env.success) throw invalidEvent('invalid MNS JSON envelope', zodIssues(env.error, '', HINTS));
    return {
      message: decodeMessage(env.data.Message, 'Message'),
      path: 'Message',
      messageId: env.data.MessageId,
      idSource: env.data.Message,
    };
  }
  if (isStreamWrapper(doc)) {
    return {
      message: decodeMessage(doc.body, 'body'),
      path: 'body',
      messageId: undefined,
      idSource: doc.body,
    };
  }
  if (isPlainObject(doc)) return { message: doc, path: '', messageId: undefined, idSource };
  if (typeof doc === 'string')
    return { message: decodeMessage(doc, ''), path: '', messageId: undefined, idSource: doc };
  throw invalidEvent('invalid MNS message', [
    {
      path: '',
      message: `expected a JSON object, got ${doc === null ? 'null' : Array.isArray(doc) ? 'an array' : typeof doc}`,
      hint: 'publish one JSON object per message',
    },
  ]);
}

/** STREAM with attributes: exactly `body` (string) and optionally `attrs`. */
function isStreamWrapper(doc: unknown): doc is { body: string; attrs?: unknown } {
  if (!isPlainObject(doc) || typeof doc.body !== 'string') return false;
  return Object.keys(doc).every((k) => k === 'body' || k === 'attrs');
}

function tryJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;

/**
 * A message body is JSON text, or Base64 of JSON text (MNS SDKs and some publishers Base64-encode by
 * default). Base64 is only accepted when it decodes to valid UTF-8 holding a JSON object, so a plain
 * string that merely looks like Base64 is never silently reinterpreted.
 */
function decodeMessage(raw: string, path: string, what = MNS_DIALECT.what): Record<string, unknown> {
  const text = raw.trim();
  const direct = tryJson(text);
  if (direct.ok && isPlainObject(direct.value)) {
    rejectDuplicateKeys(text, `${what} body`, path);
    return direct.value;
  }
  const compact = text.replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/');
  const padded = compact.length % 4 === 0 ? compact : compact + '='.repeat(4 - (compact.length % 4));
  if (compact.length >= 4 && BASE64_RE.test(padded)) {
    let decoded: string | undefined;
    try {
      decoded = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(padded, 'base64'));
    } catch {
      // not UTF-8: fall through to the error below
    }
    const inner = decoded === undefined ? undefined : tryJson(decoded);
    if (decoded !== undefined && inner?.ok && isPlainObject(inner.value)) {
      rejectDuplicateKeys(decoded, `${what} body`, path);
      return inner.value;
    }
  }
  throw invalidEvent(`${what} body is not a JSON object`, [
    {
      path,
      message: direct.ok
        ? 'the message is JSON but not an object'
        : 'the message is neither JSON nor Base64-encoded JSON',
      hint: 'publish {"type":"heartbeat.timeout","instanceId":"i-..."} or route CloudMonitor alarms to the topic',
    },
  ]);
}

/**
 * Decodes one message body (JSON text, or Base64 of JSON text) and classifies it: the part of the MNS
 * path a queue with another envelope reuses, signed agent reports included (verified with `reports`;
 * without it every report is refused). Throws `InvalidInputError` (`event.invalid`) at `path`.
 */
export function parseHeartbeatBody(
  raw: string,
  path: string,
  eventId: string,
  dialect: HeartbeatDialect = MNS_DIALECT,
  reports?: ReportAuthority,
): ParseResult {
  const message = decodeMessage(raw, path, dialect.what);
  checkJsonTree(message, dialect.what, path);
  return classify(message, path, eventId, dialect, reports);
}

function classify(
  message: unknown,
  path: string,
  eventId: string,
  dialect: HeartbeatDialect,
  reports: ReportAuthority | undefined,
): ParseResult {
  if (!isPlainObject(message)) {
    throw invalidEvent(`invalid ${dialect.what}`, [{ path, message: 'expected a JSON object' }]);
  }
  // Signed reports are de-duplicated by (group, reporter, sequence), not by MessageId: a report
  // published again is the same report.
  if (isAgentReport(message))
    return {
      signals: reportSignals(parseAgentReport(message, path), reports, dialect.source, path),
      ignored: [],
    };
  const unsigned = unsignedMessage(message, path, eventId, dialect);
  refuseUnsignedForKeyedMembers(
    unsigned.signals,
    reports,
    'type' in message ? joinPath(path, 'instanceId') : path,
  );
  return unsigned;
}

function unsignedMessage(
  message: Record<string, unknown>,
  path: string,
  eventId: string,
  dialect: HeartbeatDialect,
): ParseResult {
  if ('type' in message) return heartbeat(message, path, eventId, dialect);
  if ('alertState' in message || 'curLevel' in message) return alarm(message, path, eventId, dialect);
  throw invalidEvent(`unrecognised ${dialect.what}`, [
    {
      path,
      message:
        'neither a heartbeat message (type, instanceId) nor a CloudMonitor alarm (alertState or curLevel)',
      hint: 'publish {"type":"heartbeat.timeout","instanceId":"i-..."} or route CloudMonitor alarms to the topic',
    },
  ]);
}

function heartbeat(
  message: Record<string, unknown>,
  path: string,
  eventId: string,
  dialect: HeartbeatDialect,
): ParseResult {
  let schema = heartbeatSchemas.get(dialect.memberIdPattern);
  if (schema === undefined) {
    schema = heartbeatSchema(dialect.memberIdPattern);
    heartbeatSchemas.set(dialect.memberIdPattern, schema);
  }
  const parsed = schema.safeParse(message);
  if (!parsed.success) {
    const hints = { ...HINTS, instanceId: dialect.memberHint };
    throw invalidEvent('invalid heartbeat message', zodIssues(parsed.error, path, hints));
  }
  const m = parsed.data;
  const about = { memberId: memberId(m.instanceId), eventId, source: dialect.source } as const;
  const signal: Signal =
    m.type === 'heartbeat.ok'
      ? { ...about, kind: 'heartbeat' }
      : {
          ...about,
          kind: 'heartbeat-timeout',
          ...(m.lastSeenAt === undefined ? {} : { lastSeenAt: m.lastSeenAt }),
        };
  return { signals: [signal], ignored: [] };
}

function alarm(
  message: Record<string, unknown>,
  path: string,
  eventId: string,
  dialect: HeartbeatDialect,
): ParseResult {
  const parsed = AlarmSchema.safeParse(message);
  if (!parsed.success) throw invalidEvent('invalid CloudMonitor alarm', zodIssues(parsed.error, path, HINTS));
  const a = parsed.data;
  // alertState (OK | ALERT | INSUFFICIENT_DATA) is the callback form; curLevel the MNS form.
  const stateKey = a.alertState !== undefined ? 'alertState' : 'curLevel';
  const level = (a.alertState ?? a.curLevel ?? '').toUpperCase();
  const what = a.ruleName ?? a.metricName ?? 'alarm';
  if (level === 'INSUFFICIENT_DATA') {
    return {
      signals: [],
      ignored: [{ eventId, reason: `${what}: INSUFFICIENT_DATA says nothing about the member` }],
    };
  }
  if (!ALARMING.has(level) && level !== 'OK') {
    return {
      signals: [],
      ignored: [
        {
          eventId,
          reason: `${what}: ${stateKey} "${level}" is not acted on (only ALERT, CRITICAL, WARN and OK)`,
        },
      ],
    };
  }
  const about = {
    memberId: memberId(alarmInstanceId(a, path, dialect)),
    eventId,
    source: 'cloudmonitor-alarm',
  } as const;
  const signal: Signal =
    level === 'OK' ? { ...about, kind: 'heartbeat' } : { ...about, kind: 'heartbeat-timeout' };
  return { signals: [signal], ignored: [] };
}

/** Where CloudMonitor names the instance: `resources`, then `dimensions`, then `metricData.instanceId`. */
function alarmInstanceId(a: z.infer<typeof AlarmSchema>, path: string, dialect: HeartbeatDialect): string {
  const candidates: { value: unknown; path: string }[] = [];
  for (const key of ['resources', 'dimensions'] as const) {
    const v = a[key];
    if (v === undefined) continue;
    const map = typeof v === 'string' ? parseLooseMap(v) : new Map(Object.entries(v));
    const keyPath = joinPath(path, key);
    if (map === undefined) {
      throw invalidEvent('invalid CloudMonitor alarm', [
        { path: keyPath, message: `cannot read ${JSON.stringify(v)}`, hint: HINTS[key] ?? '' },
      ]);
    }
    if (map.has('instanceId'))
      candidates.push({ value: map.get('instanceId'), path: `${keyPath}.instanceId` });
  }
  if (a.metricData?.instanceId !== undefined) {
    candidates.push({
      value: a.metricData.instanceId,
      path: joinPath(joinPath(path, 'metricData'), 'instanceId'),
    });
  }
  const first = candidates[0];
  if (first === undefined) {
    throw invalidEvent('invalid CloudMonitor alarm', [
      {
        path: joinPath(path, 'resources'),
        message: 'no instanceId in resources, dimensions or metricData',
        hint: 'scope the alarm rule to ECS instances so the notification names the instance',
      },
    ]);
  }
  if (typeof first.value !== 'string' || !dialect.memberIdPattern.test(first.value)) {
    throw invalidEvent('invalid CloudMonitor alarm', [
      {
        path: first.path,
        message: `${JSON.stringify(first.value)} is not an instance id`,
        hint: dialect.memberHint,
      },
    ]);
  }
  return first.value;
}

/**
 * `resources` is a JSON string; callback-style `dimensions` is Java's map form `{userId=1, instanceId=i-x}`.
 * Read both into a Map (never into a plain object, so no key can reach a prototype).
 */
export function parseLooseMap(s: string): Map<string, unknown> | undefined {
  const json = tryJson(s);
  if (json.ok) {
    // Two instanceIds would leave it to the parser which member the alarm names.
    if (!isPlainObject(json.value) || findDuplicateKey(s) !== undefined) return undefined;
    return new Map(Object.entries(json.value));
  }
  const trimmed = s.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) return undefined;
  const inner = trimmed.slice(1, -1).trim();
  const map = new Map<string, unknown>();
  if (inner === '') return map;
  for (const part of inner.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    map.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return map;
}
