/**
 * Edge helpers shared by the trigger parsers: bounded decoding of FC event bodies, a structural check
 * of parsed JSON, and rendering zod issues as {@link InputIssue}s with exact paths.
 */
import type { z } from 'zod';
import { type ErrorCode, type InputIssue, InvalidInputError } from '../core/errors.js';
import { findDuplicateKey } from '../core/json.js';
import type { IgnoredEvent } from './parse-result.js';

/** Default cap on an event body (bytes). FC async events are far smaller; a huge body is an attack or a bug. */
export const DEFAULT_MAX_EVENT_BYTES = 256 * 1024;
/** Deeper JSON than this is rejected: no real trigger payload nests anywhere near it. */
export const MAX_JSON_DEPTH = 32;
/** Keys that could reach an object's prototype if some later code merged the parsed object. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** ECS instance ids: `i-` followed by lowercase letters and digits. */
export const INSTANCE_ID_RE = /^i-[a-z0-9]{1,62}$/;

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Build the error every parser throws for bad input. */
export function invalidEvent(
  summary: string,
  issues: readonly InputIssue[],
  code: ErrorCode = 'event.invalid',
): InvalidInputError {
  return new InvalidInputError(code, summary, issues);
}

const IDENT_RE = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Render a path like `[2].data.state`; `prefix` is prepended verbatim (it is already rendered). */
export function formatPath(segments: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const seg of segments) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const s = String(seg);
      if (IDENT_RE.test(s)) out += out === '' ? s : `.${s}`;
      else out += `[${JSON.stringify(s)}]`;
    }
  }
  return out;
}

/** Append one rendered segment to a rendered path. */
export function joinPath(prefix: string, key: string): string {
  return formatPath([key], prefix);
}

/**
 * Zod issues → InputIssues. `hints` maps a path with array indexes removed (e.g. `data.state`) to the
 * fix an operator should apply; the message keeps zod's "expected X, received Y".
 */
export function zodIssues(
  error: z.ZodError,
  prefix: string,
  hints: Readonly<Record<string, string>> = {},
): InputIssue[] {
  return error.issues.flatMap((issue): InputIssue[] => {
    const key = issue.path.filter((s) => typeof s !== 'number').join('.');
    const hint = hints[key];
    if (issue.code === 'unrecognized_keys') {
      // One issue per unknown key, each at its own path, so a typo is pinpointed.
      return issue.keys.map((k) => ({
        path: formatPath([...issue.path, k], prefix),
        message: 'unknown field',
        hint: hint === undefined ? 'remove it or fix its spelling' : `remove it or fix its spelling; ${hint}`,
      }));
    }
    const path = formatPath(issue.path, prefix);
    return [hint === undefined ? { path, message: issue.message } : { path, message: issue.message, hint }];
  });
}

export interface DecodeOptions {
  /** Maximum body size in bytes. */
  readonly maxBytes: number;
  /** Name used in messages, e.g. `ECS event`. */
  readonly what: string;
}

/**
 * FC hands events over as a Buffer (sometimes a string). Returns the UTF-8 text, or `undefined` when the
 * caller already passed a parsed value (local mode, tests).
 */
export function decodeText(body: unknown, opts: DecodeOptions): string | undefined {
  if (typeof body === 'string') {
    const size = Buffer.byteLength(body, 'utf8');
    if (size > opts.maxBytes) throw tooLarge(size, opts);
    return body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
  }
  if (body instanceof Uint8Array) {
    if (body.byteLength > opts.maxBytes) throw tooLarge(body.byteLength, opts);
    try {
      // fatal: a body that is not UTF-8 is not one of the JSON documents any trigger sends.
      return new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      throw invalidEvent(`${opts.what} is not valid UTF-8`, [
        {
          path: '',
          message: 'the body contains bytes that are not valid UTF-8',
          hint: 'send UTF-8 encoded JSON',
        },
      ]);
    }
  }
  return undefined;
}

function tooLarge(size: number, opts: DecodeOptions): InvalidInputError {
  return invalidEvent(`${opts.what} is too large`, [
    {
      path: '',
      message: `the body is ${size} bytes; the limit is ${opts.maxBytes} bytes`,
      hint: 'send smaller events (split batches) or raise the configured maximum',
    },
  ]);
}

/**
 * Parse JSON text, turning syntax errors into an `event.invalid` issue at the root and refusing a key
 * given twice in one object (see {@link rejectDuplicateKeys}).
 */
export function parseJsonText(text: string, what: string, path = ''): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    throw invalidEvent(`${what} is not valid JSON`, [
      {
        path,
        message: `not valid JSON: ${detail}`,
        hint: 'send the event body unchanged as a JSON document',
      },
    ]);
  }
  rejectDuplicateKeys(text, what, path);
  return value;
}

/**
 * Throws `event.invalid` at the repeated key when valid JSON `text` gives one key twice in an object:
 * JSON.parse would keep the last copy while whatever filtered the event may have read the first.
 */
export function rejectDuplicateKeys(text: string, what: string, prefix = ''): void {
  const dup = findDuplicateKey(text);
  if (dup === undefined) return;
  throw invalidEvent(`${what} gives a key twice`, [
    {
      path: formatPath(dup.path, prefix),
      message: `the key ${JSON.stringify(dup.key)} appears more than once in the same object`,
      hint: 'give each key once; JSON parsers disagree on which copy wins',
    },
  ]);
}

/**
 * Reject prototype-pollution keys and absurd nesting anywhere in a parsed document. JSON.parse makes
 * `__proto__` an own property, harmless by itself, but a later spread or merge into another object would
 * turn it into a prototype change; refusing the document is simpler than auditing every consumer.
 * Iterative, so a hostile deeply nested body cannot overflow the stack.
 */
export function checkJsonTree(root: unknown, what: string, rootPath = ''): void {
  const stack: { value: unknown; path: string; depth: number }[] = [
    { value: root, path: rootPath, depth: 0 },
  ];
  const seen = new Set<object>();
  const issues: InputIssue[] = [];
  while (stack.length > 0 && issues.length < 10) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (seen.has(value)) continue;
    seen.add(value);
    if (depth >= MAX_JSON_DEPTH) {
      issues.push({
        path,
        message: `nested deeper than ${MAX_JSON_DEPTH} levels`,
        hint: 'trigger payloads are shallow; check what is publishing to this trigger',
      });
      continue;
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--)
        stack.push({ value: value[i], path: `${path}[${i}]`, depth: depth + 1 });
      continue;
    }
    for (const key of Object.keys(value)) {
      const childPath = formatPath([key], path);
      if (FORBIDDEN_KEYS.has(key)) {
        issues.push({
          path: childPath,
          message: `the key "${key}" is not allowed`,
          hint: 'remove it; it is never part of a trigger payload',
        });
        continue;
      }
      stack.push({ value: (value as Record<string, unknown>)[key], path: childPath, depth: depth + 1 });
    }
  }
  if (issues.length > 0) throw invalidEvent(`${what} contains disallowed structure`, issues);
}

/** Decode (bounded), parse and structurally check a JSON body; passes already-parsed values through the check. */
export function parseJsonBody(body: unknown, opts: DecodeOptions): unknown {
  const text = decodeText(body, opts);
  const value = text === undefined ? body : parseJsonText(text, opts.what);
  checkJsonTree(value, opts.what);
  return value;
}

/** Positive integer option check, so a misconfigured limit fails loudly instead of disabling the guard. */
export function limitOption(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidInputError('config.invalid', `invalid parser option ${name}`, [
      {
        path: name,
        message: `must be a positive integer, got ${String(value)}`,
        hint: `omit it to use ${fallback}`,
      },
    ]);
  }
  return value;
}

/**
 * What a malformed batch element becomes: an ignored entry with its issues, so one bad element does not
 * hold up the good ones. Anything but bad input is rethrown.
 */
export function malformedElement(
  error: unknown,
  element: unknown,
  prefix: string,
  what = 'event',
): IgnoredEvent {
  if (!(error instanceof InvalidInputError)) throw error;
  const eventId = isPlainObject(element) && typeof element.id === 'string' ? element.id : undefined;
  const reason = `malformed ${what} at ${prefix}: ${error.issues.map((x) => `${x.path || prefix}: ${x.message}`).join('; ')}`;
  return eventId === undefined ? { reason, issues: error.issues } : { eventId, reason, issues: error.issues };
}
