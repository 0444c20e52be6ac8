/**
 * Decoding of RPC-style parameters as the official SDKs flatten them: repeat lists as `Name.1`,
 * `Name.2`, objects in lists as `Filter.1.Key` / `Filter.1.Value.1`, JSON-array strings for ECS
 * `InstanceIds`, booleans as `true`/`false`, and Alibaba's `True`/`False` strings for HaVip `Force`.
 */
import type { Page } from './common/paging.js';
import { E, SimApiError } from './errors.js';

export type Params = Readonly<Record<string, string>>;

export function required(p: Params, name: string): string {
  const v = p[name];
  if (v === undefined || v === '') throw E.missing(name);
  return v;
}

export function optional(p: Params, name: string): string | undefined {
  const v = p[name];
  return v === undefined || v === '' ? undefined : v;
}

export function oneOf<T extends string>(p: Params, name: string, allowed: readonly T[], fallback: T): T {
  const v = optional(p, name);
  if (v === undefined) return fallback;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  if (name === 'InstanceType') throw E.invalidInstanceType(v, allowed);
  throw E.invalid(name, `use one of ${allowed.join(', ')}`);
}

/** `true`/`false` in any case (the SDK sends booleans as `true`/`false`, HaVip `Force` as `True`/`False`). */
export function bool(p: Params, name: string): boolean | undefined {
  const v = optional(p, name);
  if (v === undefined) return undefined;
  const l = v.toLowerCase();
  if (l === 'true') return true;
  if (l === 'false') return false;
  throw E.invalid(name, `expected True or False, got ${JSON.stringify(v)}`);
}

/** Indexed keys `Name.1`, `Name.2`, … in index order; gaps are allowed, order follows the index. */
export function repeatList(p: Params, name: string, max: number): string[] {
  const re = new RegExp(`^${name.replace(/\./g, '\\.')}\\.(\\d+)$`);
  const items: [number, string][] = [];
  for (const [k, v] of Object.entries(p)) {
    const m = re.exec(k);
    if (m !== null && v !== '') items.push([Number(m[1]), v]);
  }
  items.sort((a, b) => a[0] - b[0]);
  if (items.length > max) throw E.invalid(name, `at most ${max} values are allowed, got ${items.length}`);
  return items.map(([, v]) => v);
}

/** `Filter.N.Key` with `Filter.N.Value.M`. */
export function filters(
  p: Params,
  maxFilters: number,
  maxValues: number,
): { key: string; values: string[] }[] {
  const out: { key: string; values: string[] }[] = [];
  const indexes = new Set<number>();
  for (const k of Object.keys(p)) {
    const m = /^Filter\.(\d+)\./.exec(k);
    if (m !== null) indexes.add(Number(m[1]));
  }
  for (const n of [...indexes].sort((a, b) => a - b)) {
    const key = optional(p, `Filter.${n}.Key`);
    if (key === undefined) throw E.missing(`Filter.${n}.Key`);
    out.push({ key, values: repeatList(p, `Filter.${n}.Value`, maxValues) });
  }
  if (out.length > maxFilters)
    throw E.invalid('Filter', `at most ${maxFilters} filters are allowed, got ${out.length}`);
  return out;
}

/** ECS `InstanceIds`: a JSON array of strings. */
export function jsonIdList(p: Params, name: string, max: number): string[] | undefined {
  const raw = optional(p, name);
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) {
    throw new SimApiError(
      400,
      `Invalid${name}.Malformed`,
      `The specified parameter ${name} is not valid: expected a JSON array of ids like ["i-a","i-b"].`,
    );
  }
  if (parsed.length > max) {
    throw new SimApiError(
      400,
      `Invalid${name}.Malformed`,
      `The specified parameter ${name} holds ${parsed.length} ids; at most ${max} are allowed.`,
    );
  }
  return parsed as string[];
}

/** `PageNumber` (from 1) and `PageSize` (from 1 to `maxSize`, default `defaultSize`). */
export function page(p: Params, defaultSize: number, maxSize: number): Page {
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const v = optional(p, name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max)
      throw E.invalid(name, `expected an integer from ${min} to ${max}, got ${v}`);
    return n;
  };
  return {
    pageNumber: int('PageNumber', 1, 1, 1_000_000),
    pageSize: int('PageSize', defaultSize, 1, maxSize),
  };
}
