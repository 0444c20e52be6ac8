/**
 * The topology configuration: which HaVips/EIPs fail over between which members.
 *
 * Input is YAML or JSON text (JSON is YAML) or an already parsed value. Parsing happens in two
 * stages, and the split is deliberate:
 *
 * 1. **Parse** ({@link parseTopology}, {@link safeParseTopology}): syntax, types, ranges and the format
 *    of every single value (ids, IPs, priorities, names, regions), unknown keys. A document that fails
 *    here cannot be turned into a `Topology` at all, so these problems are thrown as a
 *    {@link ConfigError}. zod collects every such problem in one pass, so all are reported at once.
 * 2. **Validate** (`validateTopology` in validate.ts): rules that relate several fields, groups or
 *    quotas (a HaVip in two groups, too many members, nopreempt with a delay, …). They run over a
 *    well-typed `Topology` and return findings, errors and warnings, all at once.
 *
 * {@link loadTopology} runs both stages and is what a runtime should call. The parts live in `config/`:
 * the schema, the YAML reader, zod issues → findings (with typo hints), and normalisation (defaults).
 */
import { toFindings } from './config/issues.js';
import { toTopology } from './config/normalise.js';
import { documentSchema, withGroupClouds } from './config/schema.js';
import { parseYaml } from './config/yaml.js';
import { ConfigError } from './errors.js';
import { sortFindings } from './findings.js';
import type { Finding, Topology } from './model.js';
import { validateTopology } from './validate.js';

export { CONFIG_DEFAULTS } from './config/defaults.js';
export { PARSE_CODES, type ParseCode } from './config/parse-codes.js';

/** Options for the parser. */
export interface ParseOptions {
  /** Where the input came from (a file name, an environment variable), used in the error summary. */
  readonly source?: string;
}

/** The outcome of {@link safeParseTopology}. */
export type ParseResult =
  | { readonly ok: true; readonly topology: Topology }
  | { readonly ok: false; readonly findings: readonly Finding[] };

/**
 * Parses and type-checks a topology without throwing. On failure every problem is returned as an
 * error-severity finding (sorted by path) with a stable code from {@link PARSE_CODES} or a field-rule
 * code (e.g. `member.priority.owner`). Topology rules are not run: see `validateTopology`.
 */
export function safeParseTopology(input: unknown, _opts: ParseOptions = {}): ParseResult {
  let data: unknown = input;
  if (typeof input === 'string') {
    const yaml = parseYaml(input);
    if (!yaml.ok) return { ok: false, findings: yaml.findings };
    data = yaml.value;
  }
  data = withGroupClouds(data);
  const result = documentSchema.safeParse(data);
  if (!result.success) {
    const findings = result.error.issues.flatMap((issue) => toFindings(issue, data));
    return { ok: false, findings: sortFindings(findings) };
  }
  return { ok: true, topology: toTopology(result.data) };
}

/**
 * Parses a topology (YAML/JSON text or a parsed value), applies defaults, and returns it deeply
 * frozen. Throws {@link ConfigError} (`config.invalid`) whose `issues` name each bad field by path,
 * e.g. `groups[1].members[0].priority`. Does not run the topology rules: call `assertValid` or use
 * {@link loadTopology}.
 */
export function parseTopology(input: string | unknown, opts: ParseOptions = {}): Topology {
  const r = safeParseTopology(input, opts);
  if (!r.ok) throw new ConfigError(summary(opts.source, r.findings.length), r.findings);
  return r.topology;
}

/**
 * Parses and statically validates a topology: the entry point for runtimes. Throws
 * {@link ConfigError} on any parse problem or error-severity finding; returns the warnings.
 */
export function loadTopology(
  input: string | unknown,
  opts: ParseOptions = {},
): { readonly topology: Topology; readonly warnings: readonly Finding[] } {
  const topology = parseTopology(input, opts);
  const findings = validateTopology(topology);
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) throw new ConfigError(summary(opts.source, errors.length), errors);
  return { topology, warnings: findings.filter((f) => f.severity === 'warning') };
}

function summary(source: string | undefined, n: number): string {
  return `${source ? `${source}: ` : ''}invalid topology (${n} problem${n === 1 ? '' : 's'})`;
}
