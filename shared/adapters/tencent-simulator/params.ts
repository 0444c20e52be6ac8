/**
 * Decoding of API 3.0 request bodies: a JSON object per action, with the types its request model
 * gives (strings, integers, booleans, lists, `Filters: [{Name, Values}]`, `Offset`/`Limit`). An
 * unknown key is refused (`UnknownParameter`), as the API refuses it: a typo in a client fails loudly.
 */
import { E } from './errors.js';

export type Params = Readonly<Record<string, unknown>>;

/** Refuses any key the action does not take. */
export function allowOnly(p: Params, allowed: readonly string[]): void {
  for (const k of Object.keys(p)) if (!allowed.includes(k)) throw E.unknownParameter(k);
}

export function optionalString(p: Params, name: string): string | undefined {
  const v = p[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw E.invalid(name, 'expected a string');
  return v;
}

export function requiredString(p: Params, name: string): string {
  const v = optionalString(p, name);
  if (v === undefined || v === '') throw E.missing(name);
  return v;
}

export function optionalBool(p: Params, name: string): boolean | undefined {
  const v = p[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw E.invalid(name, 'expected a boolean');
  return v;
}

export function integer(
  p: Params,
  name: string,
  range: { min: number; max: number; fallback: number },
): number {
  const v = p[name];
  if (v === undefined || v === null) return range.fallback;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw E.invalid(name, 'expected an integer');
  if (v < range.min || v > range.max)
    throw E.invalidValue(
      name,
      `expected ${range.min} to ${range.max}, got ${v}`,
      'InvalidParameterValue.Range',
    );
  return v;
}

/** A list of strings of at most `max` entries; undefined when absent. */
export function stringList(p: Params, name: string, max: number): string[] | undefined {
  const v = p[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
    throw E.invalid(name, 'expected a list of strings');
  if (v.length > max) throw E.tooMany(name, max, v.length);
  return v as string[];
}

/** A list of objects (e.g. `HaVipAssociationSet`) of at most `max` entries; `[]` when absent. */
export function objectList(p: Params, name: string, max: number): Params[] {
  const v = p[name];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x)))
    throw E.invalid(name, 'expected a list of objects');
  if (v.length > max) throw E.tooMany(name, max, v.length);
  return v as Params[];
}

/** `Offset` (from 0) and `Limit` (1 to `maxLimit`, default 20). */
export function offsetLimit(p: Params, maxLimit = 100, defaultLimit = 20): { offset: number; limit: number } {
  return {
    offset: integer(p, 'Offset', { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 0 }),
    limit: integer(p, 'Limit', { min: 1, max: maxLimit, fallback: defaultLimit }),
  };
}

export interface NamedFilter {
  readonly name: string;
  readonly values: readonly string[];
}

/** `Filters: [{Name, Values}]`: at most 10 filters of 5 values each (the documented limits), known names only. */
export function filterList(p: Params, allowed: readonly string[]): NamedFilter[] {
  const list = objectList(p, 'Filters', 10);
  return list.map((f, i) => {
    const name = requiredString(f, 'Name');
    if (!allowed.includes(name)) throw E.filterKey(name, allowed);
    const values = stringList(f, 'Values', 5);
    if (values === undefined || values.length === 0) throw E.missing(`Filters.${i}.Values`);
    return { name, values };
  });
}
