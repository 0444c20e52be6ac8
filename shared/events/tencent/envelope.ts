/**
 * The CloudEvents envelope Tencent's EventBridge delivers to SCF, one event or a batch in `EventList`.
 * The parsers of what is inside (`cvm.ts` for CloudMonitor events, `cloud-audit.ts` for API calls) work
 * on the validated {@link TencentCloudEvent}.
 */
import { z } from 'zod';
import type { Signal } from '../../core/signals.js';
import {
  checkJsonTree,
  invalidEvent,
  isPlainObject,
  joinPath,
  malformedElement,
  parseJsonText,
  zodIssues,
} from '../decode.js';
import { eventTimeMs, MAX_EVENT_ID_CHARS } from '../ecs.js';
import type { ParseResult } from '../parse-result.js';

export const CloudEventSchema = z.looseObject({
  id: z.string().min(1).max(MAX_EVENT_ID_CHARS),
  source: z.string().min(1),
  specversion: z.string().min(1),
  type: z.string().min(1),
  subject: z.string().optional(),
  // Milliseconds in most of Tencent's samples, seconds in one; a string is tolerated.
  time: z.union([z.number(), z.string()]).optional(),
  region: z.string().optional(),
  // CloudMonitor events: "1" abnormal, "0" resolved, "-" stateless.
  status: z.union([z.string(), z.number()]).optional(),
  data: z.unknown().optional(),
});
export type TencentCloudEvent = z.infer<typeof CloudEventSchema>;

const ENVELOPE_HINTS: Record<string, string> = {
  id: `every event needs a non-empty string "id" of at most ${MAX_EVENT_ID_CHARS} characters (used for de-duplication)`,
  source: 'Tencent EventBridge events carry "source", e.g. "cvm.cloud.tencent"',
  specversion: 'CloudEvents need "specversion": "1.0"',
  type: 'events carry "type", e.g. "cvm:ErrorEvent:ping_unreachable" or "cvm:CloudEvent:ApiCall"',
  subject: '"subject" is a string such as "ins-abcd1234"',
  time: '"time" is a timestamp in milliseconds (or seconds)',
  region: '"region" is a region id string such as "ap-guangzhou"',
  status: '"status" is "1" (abnormal), "0" (resolved) or "-"',
};

/** Validates one element: an object with a well-formed envelope, or `event.invalid` at `prefix`. */
export function parseEnvelope(value: unknown, prefix: string): TencentCloudEvent {
  if (!isPlainObject(value)) {
    throw invalidEvent('EventBridge event is not an object', [
      {
        path: prefix,
        message: `expected a JSON object, got ${describe(value)}`,
        hint: 'send the EventBridge CloudEvent (or {"EventList": [...]}) unchanged',
      },
    ]);
  }
  const parsed = CloudEventSchema.safeParse(value);
  if (!parsed.success)
    throw invalidEvent('invalid EventBridge event', zodIssues(parsed.error, prefix, ENVELOPE_HINTS));
  return parsed.data;
}

/**
 * The event's `time` as text (kept verbatim for operators) and in epoch ms: numbers below 10^12 are
 * seconds. Undefined ms when absent, unparseable or before 1970 (the signal then orders by receiver time).
 */
export function eventTime(time: number | string | undefined): { text?: string; ms?: number } {
  if (time === undefined) return {};
  const text = String(time);
  const n = typeof time === 'number' ? time : /^\d+$/.test(time) ? Number(time) : undefined;
  const ms = n === undefined ? eventTimeMs(text) : n < 1e12 ? n * 1000 : n;
  return ms !== undefined && Number.isSafeInteger(ms) && ms >= 0 ? { text, ms } : { text };
}

/**
 * `data` may arrive as a JSON string when a rule transforms the event; accept it when it holds an
 * object. A tolerance, not a documented shape (as for Alibaba's EventBridge).
 */
export function unwrapData(data: unknown, path: string): unknown {
  if (typeof data !== 'string') return data;
  const inner = parseJsonText(data, 'EventBridge event data', path);
  checkJsonTree(inner, 'EventBridge event data', path);
  return inner;
}

/** `data` as an object, or `event.invalid` at its path. */
export function dataObject(ev: TencentCloudEvent, prefix: string): Record<string, unknown> {
  const path = joinPath(prefix, 'data');
  const data = unwrapData(ev.data, path);
  if (!isPlainObject(data)) {
    throw invalidEvent(`invalid ${ev.type} event`, [
      {
        path,
        message: `expected an object, got ${describe(data)}`,
        hint: 'the event details must be an object in "data"',
      },
    ]);
  }
  return data;
}

/**
 * Runs `parseOne` on every element of `{"EventList": [...]}`, or on the document itself when it is one
 * event. In a batch a malformed element is reported in `ignored` (with its issues) and the others still
 * count; a single malformed event rejects the invocation.
 */
export function eachEvent(
  doc: unknown,
  maxBatch: number,
  parseOne: (value: unknown, prefix: string) => ParseResult,
): ParseResult {
  if (!isPlainObject(doc) || !('EventList' in doc)) {
    if (Array.isArray(doc)) {
      throw invalidEvent('EventBridge event is not an object', [
        {
          path: '',
          message: 'expected a CloudEvent or {"EventList": [...]}, got an array',
          hint: 'SCF receives batches wrapped in {"EventList": [...]}; send them unchanged',
        },
      ]);
    }
    return parseOne(doc, '');
  }
  const list = doc.EventList;
  if (!Array.isArray(list)) {
    throw invalidEvent('invalid EventBridge batch', [
      {
        path: 'EventList',
        message: `expected an array, got ${describe(list)}`,
        hint: 'EventList is a list of CloudEvents',
      },
    ]);
  }
  if (list.length > maxBatch) {
    throw invalidEvent('EventBridge batch is too large', [
      {
        path: 'EventList',
        message: `the batch has ${list.length} events; the limit is ${maxBatch}`,
        hint: 'lower the batch size of the EventBridge target or raise maxBatch',
      },
    ]);
  }
  const result: ParseResult = { signals: [], ignored: [] };
  list.forEach((element, i) => {
    const prefix = `EventList[${i}]`;
    try {
      const one = parseOne(element, prefix);
      result.signals.push(...one.signals);
      result.ignored.push(...one.ignored);
    } catch (e) {
      result.ignored.push(malformedElement(e, element, prefix));
    }
  });
  return result;
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v;
}

export function signals(...list: Signal[]): ParseResult {
  return { signals: list, ignored: [] };
}

export function ignored(ev: TencentCloudEvent, reason: string): ParseResult {
  return { signals: [], ignored: [{ eventId: ev.id, reason }] };
}
