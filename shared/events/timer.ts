/**
 * FC timer trigger → sweep scope. FC sends `{"triggerTime","triggerName","payload"}` where `payload` is
 * the string configured on the trigger; we read it as JSON (`{"sweep":"all"}`, `{"groups":["a","b"]}`).
 */
import { z } from 'zod';
import {
  checkJsonTree,
  DEFAULT_MAX_EVENT_BYTES,
  invalidEvent,
  isPlainObject,
  limitOption,
  parseJsonBody,
  parseJsonText,
  zodIssues,
} from './decode.js';

export type SweepScope = { readonly kind: 'all' } | { readonly kind: 'groups'; readonly groups: string[] };

export interface TimerEvent {
  readonly triggerTime?: string;
  readonly triggerName?: string;
  readonly scope: SweepScope;
}

export interface TimerParseOptions {
  readonly maxBytes?: number;
}

const TimerSchema = z.looseObject({
  triggerTime: z.string().optional(),
  triggerName: z.string().optional(),
  payload: z.union([z.string(), z.record(z.string(), z.unknown()), z.null()]).optional(),
});

const GroupName = z
  .string()
  .min(1)
  .max(128)
  .refine((s) => s.trim() === s, 'group names have no leading or trailing spaces');

// Strict: a typo such as {"group":["a"]} must fail loudly instead of silently sweeping everything.
const PayloadSchema = z
  .strictObject({
    sweep: z.literal('all').optional(),
    groups: z.array(GroupName).min(1).max(1000).optional(),
  })
  .refine((p) => !(p.sweep !== undefined && p.groups !== undefined), {
    message: 'give either "sweep" or "groups", not both',
  });

const HINTS: Record<string, string> = {
  triggerTime: 'triggerTime is a timestamp string',
  triggerName: 'triggerName is a string',
  payload: 'configure the trigger payload as a JSON string such as {"sweep":"all"} or {"groups":["web"]}',
  sweep: 'the only sweep value is "all"',
  groups: 'groups is a non-empty array of group names, e.g. ["web","db"]',
};
const PAYLOAD_HINTS: Record<string, string> = {
  ...HINTS,
  '': 'the payload accepts only {"sweep":"all"} or {"groups":[...]}',
};

/** One platform's timer event: its schema, its hints, and where its trigger fields and payload sit. */
export interface TimerFormat<S extends z.ZodType> {
  readonly schema: S;
  readonly hints: Readonly<Record<string, string>>;
  /** The event's shape, for the hint when it is not a JSON object. */
  readonly looksLike: string;
  readonly read: (ev: z.output<S>) => {
    readonly triggerTime: string | undefined;
    readonly triggerName: string | undefined;
    readonly scope: SweepScope;
  };
}

/** Parse a timer event of `format`. Throws `InvalidInputError` (`event.invalid`) naming the field otherwise. */
export function parseTimerFormat<S extends z.ZodType>(
  body: unknown,
  opts: TimerParseOptions,
  format: TimerFormat<S>,
): TimerEvent {
  const maxBytes = limitOption(opts.maxBytes, DEFAULT_MAX_EVENT_BYTES, 'maxBytes');
  const doc = parseJsonBody(body, { maxBytes, what: 'timer event' });
  if (!isPlainObject(doc)) {
    throw invalidEvent('invalid timer event', [
      { path: '', message: 'expected a JSON object', hint: format.looksLike },
    ]);
  }
  const parsed = format.schema.safeParse(doc);
  if (!parsed.success) throw invalidEvent('invalid timer event', zodIssues(parsed.error, '', format.hints));
  const { triggerTime, triggerName, scope } = format.read(parsed.data);
  return {
    ...(triggerTime === undefined ? {} : { triggerTime }),
    ...(triggerName === undefined ? {} : { triggerName }),
    scope,
  };
}

const FC_TIMER: TimerFormat<typeof TimerSchema> = {
  schema: TimerSchema,
  hints: HINTS,
  looksLike: 'FC timer events look like {"triggerTime","triggerName","payload"}',
  read: (ev) => ({
    triggerTime: ev.triggerTime,
    triggerName: ev.triggerName,
    scope: parseSweepScope(ev.payload),
  }),
};

/**
 * Parse a timer trigger event. An absent or empty payload, the plain text `all`, and `{"sweep":"all"}`
 * all mean "sweep every group". Throws `InvalidInputError` (`event.invalid`) otherwise.
 */
export function parseTimerEvent(body: unknown, opts: TimerParseOptions = {}): TimerEvent {
  return parseTimerFormat(body, opts, FC_TIMER);
}

/**
 * A timer's configured text (or object) → what to sweep; `path` names where it sat in the event (FC's
 * `payload`, SCF's `Message`).
 */
export function parseSweepScope(
  payload: string | Record<string, unknown> | null | undefined,
  path = 'payload',
): SweepScope {
  if (payload === undefined || payload === null) return { kind: 'all' };
  let value: unknown = payload;
  if (typeof payload === 'string') {
    const text = payload.trim();
    if (text === '' || text === 'all') return { kind: 'all' };
    value = parseJsonText(text, 'timer payload', path);
    checkJsonTree(value, 'timer payload', path);
  }
  if (!isPlainObject(value)) {
    throw invalidEvent('invalid timer payload', [
      { path, message: 'expected a JSON object', hint: HINTS.payload ?? '' },
    ]);
  }
  const p = PayloadSchema.safeParse(value);
  if (!p.success) throw invalidEvent('invalid timer payload', zodIssues(p.error, path, PAYLOAD_HINTS));
  if (p.data.groups === undefined) return { kind: 'all' };
  return { kind: 'groups', groups: [...new Set(p.data.groups)] };
}
