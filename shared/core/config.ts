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
 * {@link loadTopology} runs both stages and is what a runtime should call.
 */
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import {
  allocationId,
  type Finding,
  type Group,
  groupName,
  haVipId,
  type Member,
  memberId,
  memberKindOf,
  type ProbeConfig,
  type Topology,
  vSwitchId,
} from './model.js';
import { comparePaths, renderPath, valueAt } from './paths.js';
import { DEFAULT_QUOTA_PROFILE, resolveQuotas } from './quotas.js';
import {
  checkAllocationId,
  checkGroupName,
  checkHaVipId,
  checkMemberId,
  checkMemberIp,
  checkPriority,
  checkRegionId,
  checkVSwitchId,
  type Problem,
  validateTopology,
} from './validate.js';

// =============================================================================================
// Defaults

/** The built-in defaults, applied after the document's own `defaults` block. */
export const CONFIG_DEFAULTS = Object.freeze({
  quotaProfile: DEFAULT_QUOTA_PROFILE,
  priority: 100,
  eipMode: 'havip',
  nopreempt: true,
  preemptDelaySeconds: 0,
  flapGuard: Object.freeze({ maxMoves: 3, windowSeconds: 600 }),
  health: Object.freeze({ fall: 3, rise: 2 }),
  probe: Object.freeze({
    timeoutMs: 1000,
    intervalSeconds: 10,
    path: '/',
    expectStatus: Object.freeze([200]),
  }),
  announce: 'agent',
  announceDeadlineSeconds: 30,
  fencing: 'none',
  keepalivedForceMove: false,
} as const);

/** Codes the parser reports besides the field-rule codes it shares with the validators. */
export const PARSE_CODES = Object.freeze([
  'config.syntax',
  'config.required',
  'config.type',
  'config.unknown-key',
  'config.range',
  'config.enum',
  'config.format',
  'config.empty-list',
] as const);

// =============================================================================================
// Schema (raw document: every defaultable field optional; defaults are applied after merging)

type ErrorFn = (iss: { code?: string; input?: unknown }) => string | undefined;

/** Type errors say what is allowed; other issue kinds keep their own message. */
const expect =
  (what: string): ErrorFn =>
  (iss) =>
    iss.code === 'invalid_type' ? `must be ${what}` : undefined;

function int(min: number, max: number) {
  return z.number({ error: expect(`an integer ${min}–${max}`) }).superRefine((n, ctx) => {
    if (!Number.isInteger(n) || n < min || n > max) {
      ctx.addIssue({
        code: 'custom',
        message: `must be an integer ${min}–${max}, got ${n}`,
        params: { code: 'config.range' },
      });
    }
  });
}

function ruled(rule: (s: string) => Problem | undefined, what: string) {
  return z.string({ error: expect(what) }).superRefine((s, ctx) => {
    const p = rule(s);
    if (p) ctx.addIssue({ code: 'custom', message: p.message, params: { code: p.code, hint: p.hint } });
  });
}

const bool = () => z.boolean({ error: expect('true or false') });
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values);
const strict = <S extends z.ZodRawShape>(shape: S, what: string) =>
  z.strictObject(shape, { error: expect(what) });

const priority = z.number({ error: expect('an integer 1–254') }).superRefine((n, ctx) => {
  const p = checkPriority(n);
  if (p) ctx.addIssue({ code: 'custom', message: p.message, params: { code: p.code, hint: p.hint } });
});

const probeTiming = {
  port: int(1, 65535),
  timeoutMs: int(1, 60_000).optional(),
  intervalSeconds: int(1, 3600).optional(),
};
const probeSchema = z.discriminatedUnion(
  'kind',
  [
    strict({ kind: z.literal('tcp'), ...probeTiming }, 'a mapping like {kind: tcp, port: 80}'),
    strict(
      {
        kind: z.literal('http'),
        ...probeTiming,
        path: z
          .string({ error: expect('a URL path like /healthz') })
          .regex(/^\/\S*$/, { error: 'must be a URL path starting with / and without spaces, like /healthz' })
          .optional(),
        expectStatus: z
          .array(int(100, 599), { error: expect('a list of HTTP status codes like [200, 204]') })
          .min(1, { error: 'must list at least one status code' })
          .optional(),
      },
      'a mapping like {kind: http, port: 8080, path: /healthz}',
    ),
  ],
  { error: expect('a mapping like {kind: tcp, port: 80}') },
);

/** Group settings that a `defaults` block may also carry. */
const settingsShape = {
  nopreempt: bool().optional(),
  preemptDelaySeconds: int(0, 3600).optional(),
  flapGuard: strict(
    { maxMoves: int(1, 100).optional(), windowSeconds: int(1, 86_400).optional() },
    'a mapping like {maxMoves: 3, windowSeconds: 600}',
  ).optional(),
  health: strict(
    {
      heartbeatTimeoutSeconds: int(1, 3600).optional(),
      probe: probeSchema.optional(),
      fall: int(1, 100).optional(),
      rise: int(1, 100).optional(),
    },
    'a mapping like {heartbeatTimeoutSeconds: 15, fall: 3, rise: 2}',
  ).optional(),
  announce: oneOf(['agent', 'cloud-assistant', 'keepalived', 'none']).optional(),
  announceDeadlineSeconds: int(1, 3600).optional(),
  fencing: oneOf(['none', 'stop']).optional(),
  keepalivedForceMove: bool().optional(),
};

const memberSchema = strict(
  {
    id: ruled(checkMemberId, 'an ECS instance id (i-…) or an ENI id (eni-…)'),
    priority: priority.optional(),
    ip: ruled(checkMemberIp, 'an IPv4 address like 192.168.0.11'),
  },
  'a mapping like {id: i-…, priority: 100, ip: 192.168.0.11}',
);

const groupSchema = strict(
  {
    name: ruled(checkGroupName, 'a group name like web'),
    region: ruled(checkRegionId, 'a region id like cn-hangzhou').optional(),
    vSwitchId: ruled(checkVSwitchId, 'a vSwitch id like vsw-…'),
    haVipId: ruled(checkHaVipId, 'a HaVip id like havip-…').optional(),
    eip: strict(
      {
        allocationId: ruled(checkAllocationId, 'an EIP allocation id like eip-…'),
        mode: oneOf(['havip', 'direct']).optional(),
      },
      'a mapping like {allocationId: eip-…, mode: havip}',
    ).optional(),
    ...settingsShape,
    members: z
      .array(memberSchema, { error: expect('a list of members') })
      .min(1, { error: 'must list at least one member' }),
  },
  'a mapping with name, vSwitchId, haVipId and members',
);

const documentSchema = strict(
  {
    region: ruled(checkRegionId, 'a region id like cn-hangzhou'),
    quotaProfile: oneOf(['current', 'legacy']).optional(),
    quotas: strict(
      {
        membersPerHaVip: int(1, 1000).optional(),
        haVipsPerInstance: int(1, 1000).optional(),
        eipsPerHaVip: int(1, 1000).optional(),
        haVipsPerRegion: int(1, 10_000).optional(),
      },
      'a mapping of quota overrides like {membersPerHaVip: 4}',
    ).optional(),
    defaults: strict(settingsShape, 'a mapping of group settings').optional(),
    groups: z
      .array(groupSchema, { error: expect('a list of groups') })
      .min(1, { error: 'must list at least one group' }),
  },
  'a mapping with region and groups (see examples/two-node.yaml)',
);

type RawDocument = z.infer<typeof documentSchema>;
type RawGroup = z.infer<typeof groupSchema>;
type RawSettings = NonNullable<RawDocument['defaults']>;
type RawProbe = z.infer<typeof probeSchema>;

// =============================================================================================
// Public API

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
  const result = documentSchema.safeParse(data);
  if (!result.success) {
    const findings = result.error.issues.flatMap((issue) => toFindings(issue, data));
    return { ok: false, findings: sortFindings(findings) };
  }
  return { ok: true, topology: deepFreeze(toTopology(result.data)) };
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

// =============================================================================================
// YAML

function parseYaml(text: string): { ok: true; value: unknown } | { ok: false; findings: Finding[] } {
  const lineCounter = new LineCounter();
  // `merge: true` lets operators share settings with YAML anchors and `<<:` merge keys.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      findings: doc.errors.map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        return syntaxFinding(
          `YAML syntax error at line ${line}, column ${col}: ${e.message}`,
          yamlHint(e.code),
        );
      }),
    };
  }
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: 100 }) };
  } catch (e) {
    // toJS throws only for alias abuse (e.g. a "billion laughs" document).
    return {
      ok: false,
      findings: [syntaxFinding(`YAML error: ${(e as Error).message}`, 'use fewer aliases')],
    };
  }
}

function syntaxFinding(message: string, hint: string): Finding {
  return { severity: 'error', code: 'config.syntax', path: '', message, hint };
}

function yamlHint(code: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'remove one of the duplicate keys';
    case 'TAB_AS_INDENT':
      return 'indent with spaces; YAML does not allow tabs for indentation';
    case 'MULTIPLE_DOCS':
      return 'put the whole topology in one YAML document (remove extra --- separators)';
    default:
      return 'check the indentation and quoting near that line';
  }
}

// =============================================================================================
// zod issues → findings

type Issue = z.core.$ZodIssue;

function toFindings(issue: Issue, root: unknown): Finding[] {
  const segs = issue.path as PropertyKey[];
  const path = renderPath(segs);
  const value = valueAt(root, segs);
  const f = (code: string, message: string, hint = '', at = path): Finding => ({
    severity: 'error',
    code,
    path: at,
    message,
    hint,
  });
  switch (issue.code) {
    case 'custom': {
      const params = (issue.params ?? {}) as { code?: string; hint?: string };
      return [f(params.code ?? 'config.format', issue.message, params.hint ?? '')];
    }
    case 'invalid_type':
      if (segs.length === 0 && (value === undefined || value === null)) {
        return [
          f('config.type', `the topology is empty; it ${issue.message}`, 'start from examples/two-node.yaml'),
        ];
      }
      if (value === undefined)
        return [f('config.required', `is required and ${issue.message}`, requiredHint(segs))];
      return [f('config.type', `${issue.message}, got ${describe(value)}`, typeHint(issue.expected, value))];
    case 'unrecognized_keys':
      return issue.keys.map((key) => {
        const known = knownKeysAt(segs, root);
        return f(
          'config.unknown-key',
          `is not a known setting${known.length > 0 ? ` (allowed here: ${known.join(', ')})` : ''}`,
          unknownKeyHint(key, segs, known),
          renderPath([...segs, key]),
        );
      });
    case 'invalid_value': {
      const allowed = issue.values.map(String);
      const hint = typeof value === 'string' ? didYouMean(value, allowed) : undefined;
      return [
        f(
          value === undefined ? 'config.required' : 'config.enum',
          `must be one of ${allowed.join(', ')}, got ${describe(value)}`,
          hint ? `did you mean ${hint}?` : '',
        ),
      ];
    }
    case 'invalid_union': {
      const disc = issue as Issue & { options?: unknown[]; discriminator?: string };
      if (disc.discriminator !== undefined) {
        const allowed = (disc.options ?? []).map(String);
        if (value === undefined) return [f('config.required', `is required: one of ${allowed.join(', ')}`)];
        const hint = typeof value === 'string' ? didYouMean(value, allowed) : undefined;
        return [
          f(
            'config.enum',
            `must be one of ${allowed.join(', ')}, got ${describe(value)}`,
            hint ? `did you mean ${hint}?` : '',
          ),
        ];
      }
      return [f('config.type', issue.message)];
    }
    case 'too_small':
      if (issue.origin === 'array') return [f('config.empty-list', issue.message)];
      return [f('config.range', issue.message)];
    case 'too_big':
      return [f('config.range', issue.message)];
    case 'invalid_format':
      return [f('config.format', `${issue.message}, got ${describe(value)}`)];
    default:
      return [f('config.format', issue.message)];
  }
}

/** A value as an operator would recognise it in their file. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') return `the text ${JSON.stringify(value)}`;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

function typeHint(expected: string, value: unknown): string {
  const numeric = expected === 'number' || expected === 'int';
  if (numeric && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
    return `write ${value.trim()} without quotes; a quoted value is text, not a number`;
  }
  if (expected === 'boolean' && typeof value === 'string' && /^(true|false|yes|no|on|off)$/i.test(value)) {
    return 'write true or false without quotes (YAML 1.2 reads yes/no/on/off as text)';
  }
  if (value === null) return 'the key has no value: give it one or remove the key';
  if (expected === 'string' && typeof value === 'number') return 'quote the value';
  return '';
}

const REQUIRED_HINTS: Readonly<Record<string, string>> = {
  region: 'add e.g. region: cn-hangzhou at the top level',
  groups: 'add a groups: list (see examples/two-node.yaml)',
  name: 'give the group a name like web',
  vSwitchId: "add the vSwitch the HaVip and the members live in (the HaVip's VSwitchId)",
  members: 'list the ECS instances or ENIs that may hold the address',
  id: 'add the ECS instance id (i-…) or ENI id (eni-…)',
  ip: "add the member's primary private IPv4; the election breaks priority ties on it",
  allocationId: 'add the EIP allocation id (eip-…)',
  port: 'add the port the probe connects to',
};

function requiredHint(segs: readonly PropertyKey[]): string {
  const last = segs[segs.length - 1];
  return typeof last === 'string' ? (REQUIRED_HINTS[last] ?? '') : '';
}

// ---------------------------------------------------------------------------------------------
// Unknown keys: what is allowed at a path, and what the operator probably meant

/** Walks the schema along `segs` (using the data to choose the probe variant) and lists the object's keys. */
function knownKeysAt(segs: readonly PropertyKey[], root: unknown): string[] {
  let schema: unknown = documentSchema;
  const pick = (s: unknown, at: readonly PropertyKey[]): unknown => {
    let cur = s;
    for (;;) {
      if (cur instanceof z.ZodOptional) cur = cur.unwrap();
      else if (cur instanceof z.ZodDiscriminatedUnion) {
        const kind = valueAt(root, [...at, 'kind']);
        const options = cur.options as unknown[];
        const match = options.find(
          (o) =>
            o instanceof z.ZodObject &&
            (o.shape as Record<string, unknown>).kind instanceof z.ZodLiteral &&
            ((o.shape as Record<string, z.ZodLiteral>).kind as z.ZodLiteral).values.has(kind as never),
        );
        if (match === undefined) return undefined;
        cur = match;
      } else return cur;
    }
  };
  for (let i = 0; i < segs.length; i++) {
    const cur = pick(schema, segs.slice(0, i));
    const seg = segs[i];
    if (cur instanceof z.ZodObject && typeof seg === 'string')
      schema = (cur.shape as Record<string, unknown>)[seg];
    else if (cur instanceof z.ZodArray) schema = cur.element;
    else return [];
  }
  const end = pick(schema, segs);
  return end instanceof z.ZodObject ? Object.keys(end.shape) : [];
}

const PER_GROUP_KEYS = new Set(['name', 'members', 'vSwitchId', 'haVipId', 'eip']);

function unknownKeyHint(key: string, parent: readonly PropertyKey[], known: readonly string[]): string {
  const inside = parent[parent.length - 1];
  const inMember = typeof inside === 'number' && parent[parent.length - 2] === 'members';
  if (inside === 'defaults' && key === 'region') {
    return 'the top-level region already applies to every group; set region at the top level or on a group';
  }
  if (inside === 'defaults' && PER_GROUP_KEYS.has(key)) return `${key} is per group: set it on each group`;
  if (inMember && key === 'kind') {
    return 'the member kind follows from the id prefix (i- is an ECS instance, eni- an ENI); remove kind';
  }
  if (key === 'state') {
    return 'there is no MASTER/BACKUP state: the highest-priority eligible member holds the address; set priority';
  }
  if (inside === 'probe' && (key === 'path' || key === 'expectStatus')) {
    return `${key} applies only to probes with kind: http`;
  }
  if (key === 'eips') return 'a HaVip carries at most one EIP: use eip: {allocationId: eip-…}';
  const guess = didYouMean(key, known);
  return guess ? `did you mean ${guess}?` : 'remove it, or check the spelling against docs/configuration.md';
}

/** The closest candidate, if it is close enough to be a plausible typo. */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');
  const a = norm(input);
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const b = norm(c);
    let d: number;
    if (a === b) d = 0;
    else if (Math.min(a.length, b.length) >= 4 && (a.startsWith(b) || b.startsWith(a))) d = 1;
    // A misspelt abbreviation of a longer key (`intervl` for `intervalSeconds`).
    else if (a.length >= 5 && a.length < b.length && editDistance(a, b.slice(0, a.length)) <= 1) d = 2;
    else d = editDistance(a, b);
    if (
      d <= Math.max(1, Math.floor(Math.max(a.length, b.length) / 4)) &&
      (best === undefined || d < best.d)
    ) {
      best = { c, d };
    }
  }
  return best?.c;
}

/** Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i]!;
      let v = Math.min(d[i - 1]![j]! + 1, row[j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      row[j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) => comparePaths(a.path, b.path) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
}

// =============================================================================================
// Raw document → Topology

function toTopology(raw: RawDocument): Topology {
  const quotaProfile = raw.quotaProfile ?? CONFIG_DEFAULTS.quotaProfile;
  const defaults: RawSettings = raw.defaults ?? {};
  return {
    region: raw.region,
    quotaProfile,
    quotas: resolveQuotas(quotaProfile, raw.quotas ?? {}),
    groups: raw.groups.map((g) => toGroup(g, defaults, raw.region)),
  };
}

/** A group's own setting wins over `defaults`, which wins over the built-in default, field by field. */
function toGroup(g: RawGroup, d: RawSettings, region: string): Group {
  const D = CONFIG_DEFAULTS;
  const members: Member[] = g.members.map((m) => ({
    id: memberId(m.id),
    // The schema admits only i-/eni- ids, so the kind is always defined here.
    kind: memberKindOf(m.id) ?? 'ecs',
    priority: m.priority ?? D.priority,
    ip: m.ip,
  }));
  const probe = g.health?.probe ?? d.health?.probe;
  return {
    name: groupName(g.name),
    region: g.region ?? region,
    vSwitchId: vSwitchId(g.vSwitchId),
    haVipId: g.haVipId === undefined ? undefined : haVipId(g.haVipId),
    eip:
      g.eip === undefined
        ? undefined
        : { allocationId: allocationId(g.eip.allocationId), mode: g.eip.mode ?? D.eipMode },
    nopreempt: g.nopreempt ?? d.nopreempt ?? D.nopreempt,
    preemptDelaySeconds: g.preemptDelaySeconds ?? d.preemptDelaySeconds ?? D.preemptDelaySeconds,
    flapGuard: {
      maxMoves: g.flapGuard?.maxMoves ?? d.flapGuard?.maxMoves ?? D.flapGuard.maxMoves,
      windowSeconds: g.flapGuard?.windowSeconds ?? d.flapGuard?.windowSeconds ?? D.flapGuard.windowSeconds,
    },
    health: {
      heartbeatTimeoutSeconds: g.health?.heartbeatTimeoutSeconds ?? d.health?.heartbeatTimeoutSeconds,
      // A probe is one unit: a group's probe replaces the default probe rather than merging into it.
      probe: probe === undefined ? undefined : toProbe(probe),
      fall: g.health?.fall ?? d.health?.fall ?? D.health.fall,
      rise: g.health?.rise ?? d.health?.rise ?? D.health.rise,
    },
    announce: g.announce ?? d.announce ?? D.announce,
    announceDeadlineSeconds:
      g.announceDeadlineSeconds ?? d.announceDeadlineSeconds ?? D.announceDeadlineSeconds,
    fencing: g.fencing ?? d.fencing ?? D.fencing,
    keepalivedForceMove: g.keepalivedForceMove ?? d.keepalivedForceMove ?? D.keepalivedForceMove,
    members,
  };
}

function toProbe(p: RawProbe): ProbeConfig {
  const timeoutMs = p.timeoutMs ?? CONFIG_DEFAULTS.probe.timeoutMs;
  const intervalSeconds = p.intervalSeconds ?? CONFIG_DEFAULTS.probe.intervalSeconds;
  if (p.kind === 'tcp') return { kind: 'tcp', port: p.port, timeoutMs, intervalSeconds };
  return {
    kind: 'http',
    port: p.port,
    path: p.path ?? CONFIG_DEFAULTS.probe.path,
    expectStatus: p.expectStatus ?? [...CONFIG_DEFAULTS.probe.expectStatus],
    timeoutMs,
    intervalSeconds,
  };
}

/** Freezes a plain object graph in place so no layer can mutate the shared topology. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
