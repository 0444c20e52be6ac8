/**
 * JSON input of a simulated cloud (seeds, admin request bodies): validated with zod, every problem
 * reported with its path, e.g. `regions[0].instances[2].privateIp`.
 */
import type { z } from 'zod';
import { type ErrorCode, type InputIssue, InvalidInputError } from '../../../core/errors.js';

/** A zod issue path as `a.b[2].c`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out;
}

/** Every issue of a failed parse, with its path. */
export function issuesOf(error: z.ZodError): InputIssue[] {
  return error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
}

/** `input` parsed by `schema`, or an {@link InvalidInputError} with `code` listing every problem. */
export function parseInput<T extends z.ZodType>(
  schema: T,
  input: unknown,
  code: ErrorCode,
  summary: string,
): z.output<T> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw new InvalidInputError(code, summary, issuesOf(r.error));
}

/**
 * An admin request body: JSON (an empty body is `{}`) matching `schema`, else `simulator.admin-invalid`
 * naming the route and each field.
 */
export function parseAdminBody<T extends z.ZodType>(schema: T, body: Buffer, route: string): z.output<T> {
  let json: unknown = {};
  const text = body.toString('utf8').trim();
  if (text !== '') {
    try {
      json = JSON.parse(text);
    } catch {
      throw new InvalidInputError('simulator.admin-invalid', `${route}: the body is not JSON`, [
        {
          path: '',
          message: 'expected a JSON object',
          hint: 'send Content-Type: application/json with a JSON body',
        },
      ]);
    }
  }
  return parseInput(schema, json, 'simulator.admin-invalid', `${route}: invalid body`);
}
