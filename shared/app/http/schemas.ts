/**
 * Request validation for the HTTP API: JSON bodies, query strings and path parameters. Every failure is an
 * `InvalidInputError` (`request.invalid`) whose issues name the field (`reason`, `query.limit`,
 * `path.group`) and say how to fix it.
 */
import { z } from 'zod';
import { type InputIssue, InvalidInputError } from '../../core/errors.js';
import { findDuplicateKey } from '../../core/json.js';
import { checkTencentMemberId } from '../../core/validate/tencent/field-rules.js';
import { checkGroupName, checkMemberId, type Problem } from '../../core/validate.js';
import { UnsupportedMediaTypeError } from './errors.js';

/**
 * A member id of either cloud, checked with the topology's own rules: Alibaba `i-…` / `eni-…`, Tencent
 * `ins-…` / `eni-…` (a Tencent agent beats and reports with its CVM id). An id neither accepts gets the
 * Alibaba rule's message.
 */
function memberIdProblem(id: string): Problem | undefined {
  const problem = checkMemberId(id);
  return problem === undefined || checkTencentMemberId(id) === undefined ? undefined : problem;
}

/** A member id (`i-…`, `ins-…` or `eni-…`). */
export const memberIdSchema = z
  .string({ error: 'must be a member id string like i-bp1demo0000000000001' })
  .superRefine((v, ctx) => {
    const problem = memberIdProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem.message });
  });

/**
 * Control characters (line breaks, tabs, escapes), the Unicode line separators and the bidirectional
 * overrides. A reason is journaled, shown in terminals and sent to chat robots: one plain line only, so it
 * cannot forge a second line or block of a notification, or reorder what an operator reads.
 */
const NOT_ONE_LINE_RE = /[\p{Cc}\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

const reasonSchema = z
  .string({ error: 'must be a non-empty string' })
  .refine((s) => s.trim().length > 0, 'must be a non-empty string')
  .refine((s) => s.length <= 500, 'must be at most 500 characters')
  .refine(
    (s) => !NOT_ONE_LINE_RE.test(s),
    'must be one line of text: no line breaks, tabs, control or bidirectional-override characters',
  );

const forceSchema = z.boolean({ error: 'must be true or false' });

/** `POST /v1/groups/:name/failover`. */
export const FailoverBody = z.strictObject({
  to: memberIdSchema.optional(),
  reason: reasonSchema,
  force: forceSchema.optional(),
});
export type FailoverBody = z.infer<typeof FailoverBody>;

/** `POST /v1/groups/:name/plan`: like failover, every field optional (no body = the automatic decision). */
export const PlanBody = z.strictObject({
  to: memberIdSchema.optional(),
  reason: reasonSchema.optional(),
  force: forceSchema.optional(),
});
export type PlanBody = z.infer<typeof PlanBody>;

/** `POST /v1/members/:id/drain`. */
export const DrainBody = z.strictObject({ reason: reasonSchema });
/** `POST /v1/members/:id/undrain`: the reason is optional (undraining restores the normal rules). */
export const UndrainBody = z.strictObject({ reason: reasonSchema.optional() });
/** `POST /v1/validate` takes no parameters. */
export const EmptyBody = z.strictObject({});

/** `POST /v1/heartbeats`. */
export const HeartbeatBody = z.strictObject({
  instanceId: memberIdSchema,
  sequence: z
    .number({ error: 'must be a non-negative integer' })
    .int('must be a non-negative integer')
    .min(0, 'must be a non-negative integer')
    .optional(),
});
export type HeartbeatBody = z.infer<typeof HeartbeatBody>;

/** `GET /v1/history`. */
export const HistoryQuery = z.strictObject({
  group: z
    .string()
    .superRefine((v, ctx) => {
      const problem = checkGroupName(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem.message });
    })
    .optional(),
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'must be a whole number from 1 to 500')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 500, 'must be a whole number from 1 to 500')
    .default(50),
});
export type HistoryQuery = z.infer<typeof HistoryQuery>;

/** Routes without query parameters still reject unknown ones, so a typo never passes silently. */
export const NoQuery = z.strictObject({});

const invalid = (summary: string, issues: readonly InputIssue[]) =>
  new InvalidInputError('request.invalid', summary, issues);

function toIssues(error: z.ZodError, prefix: string, allowed: readonly string[]): InputIssue[] {
  const at = (path: readonly PropertyKey[]) =>
    [prefix, ...path.map(String)].filter((p) => p !== '').join('.');
  return error.issues.flatMap((i): InputIssue[] => {
    if (i.code === 'unrecognized_keys') {
      const hint = allowed.length === 0 ? 'this request takes none' : `allowed: ${allowed.join(', ')}`;
      return i.keys.map((k) => ({ path: at([...i.path, k]), message: 'unknown field', hint }));
    }
    // zod reports a missing required field as a type error on undefined; the schema message covers both.
    return [{ path: at(i.path), message: i.message }];
  });
}

function fieldsOf(schema: z.ZodObject): string[] {
  return Object.keys(schema.shape);
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;.*)?$/i;

/**
 * Parses a JSON request body against a strict object schema. An empty body counts as absent: `undefined`
 * when `optional`, otherwise it is validated as `{}` (so the missing required fields are named).
 */
export function parseJsonBody<S extends z.ZodObject>(
  bytes: Uint8Array,
  contentType: string | undefined,
  schema: S,
  opts: { optional?: boolean } = {},
): z.output<S> | undefined {
  let value: unknown = {};
  if (bytes.byteLength > 0) {
    if (contentType === undefined || !JSON_TYPE.test(contentType))
      throw new UnsupportedMediaTypeError(contentType);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw invalid('invalid request body', [
        { path: 'body', message: 'is not valid UTF-8', hint: 'send UTF-8 JSON' },
      ]);
    }
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw invalid('invalid request body', [
        { path: 'body', message: `is not valid JSON: ${e instanceof Error ? e.message : String(e)}` },
      ]);
    }
    // JSON.parse keeps the last of two equal keys; another client library may have meant the first.
    const dup = findDuplicateKey(text);
    if (dup !== undefined) {
      throw invalid('invalid request body', [
        {
          path: dup.path.map(String).join('.'),
          message: 'is given more than once',
          hint: 'give each field once',
        },
      ]);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw invalid('invalid request body', [
        {
          path: 'body',
          message: 'must be a JSON object',
          hint: `fields: ${fieldsOf(schema).join(', ') || 'none'}`,
        },
      ]);
    }
  } else if (opts.optional) {
    return undefined;
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalid('invalid request body', toIssues(parsed.error, '', fieldsOf(schema)));
  return parsed.data;
}

/**
 * Parses the query string. Each parameter may appear once: a repeated one is ambiguous and refused rather
 * than silently taking the first or the last.
 */
export function parseQuery<S extends z.ZodObject>(queries: Record<string, string[]>, schema: S): z.output<S> {
  // No prototype: assigning `__proto__` to a plain object would drop the parameter silently instead of
  // making it the own key the strict schema refuses.
  const single = Object.create(null) as Record<string, string>;
  const issues: InputIssue[] = [];
  for (const [k, values] of Object.entries(queries)) {
    if (values.length > 1)
      issues.push({ path: `query.${k}`, message: 'is given more than once; give it once' });
    if (values[0] !== undefined) single[k] = values[0];
  }
  const parsed = schema.safeParse(single);
  if (!parsed.success) issues.push(...toIssues(parsed.error, 'query', fieldsOf(schema)));
  if (issues.length > 0) throw invalid('invalid query string', issues);
  return parsed.data as z.output<S>;
}

/** A group name from the path, checked with the topology's own naming rule. */
export function groupParam(value: string): string {
  const problem = checkGroupName(value);
  if (problem)
    throw invalid('invalid group name in the path', [
      { path: 'path.group', message: problem.message, hint: problem.hint },
    ]);
  return value;
}

/** A member id (`i-…`, `ins-…` or `eni-…`) from the path. */
export function memberParam(value: string): string {
  const problem = memberIdProblem(value);
  if (problem)
    throw invalid('invalid member id in the path', [
      { path: 'path.member', message: problem.message, hint: problem.hint },
    ]);
  return value;
}
