/**
 * The RAM policies in deploy/ grant exactly what the code calls. The actions are read from the source,
 * not from a list kept by hand:
 * - Alibaba OpenAPI: every request is built in the adapter by `vpc('<Action>', …)` / `ecs('<Action>', …)`
 *   (shared/adapters/alibaba/wire.ts), and the RAM action is `<product>:<Action>`;
 * - Tablestore: the store calls only the methods of `TablestoreClientLike` (and `havip store init` those
 *   of `TablestoreAdminClientLike`); SDK method `getRow` is RAM action `ots:GetRow`, and so on.
 *
 * Actions used only by an opt-in feature live in their own policy file, attached only when a group
 * uses that feature. To add one: put the actions in `deploy/ram-policy-<feature>.json` and a row in
 * FEATURE_POLICIES below.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const ROOT = resolve(import.meta.dirname, '../..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

/** Opt-in features whose actions must stay out of the base policy. */
const FEATURE_POLICIES: { file: string; setting: RegExp; actions: string[] }[] = [
  {
    file: 'ram-policy-fencing-stop.json',
    setting: /fencing: oneOf\(\[[^\]]*'stop'/,
    actions: ['ecs:StopInstance'],
  },
  {
    file: 'ram-policy-announce-cloud-assistant.json',
    setting: /announce: oneOf\(\[[^\]]*'cloud-assistant'/,
    actions: ['ecs:RunCommand', 'ecs:DescribeInvocationResults'],
  },
];
const BASE_POLICY = 'ram-policy.json';
const OPERATOR_POLICY = 'ram-policy-operator.json';

// RAM's policy grammar: Version "1"; statements of Effect, Action, Resource and an optional Condition.
const OneOrMany = z.union([z.string(), z.array(z.string()).min(1)]);
const Statement = z.strictObject({
  Effect: z.enum(['Allow', 'Deny']),
  Action: OneOrMany,
  Resource: OneOrMany,
  Condition: z.record(z.string(), z.unknown()).optional(),
});
const Policy = z.strictObject({ Version: z.literal('1'), Statement: z.array(Statement).min(1) });
type Policy = z.infer<typeof Policy>;
const TrustPolicy = z.strictObject({
  Version: z.literal('1'),
  Statement: z
    .array(
      z.strictObject({
        Effect: z.literal('Allow'),
        Action: z.literal('sts:AssumeRole'),
        Principal: z.strictObject({ Service: z.array(z.string()).length(1) }),
      }),
    )
    .length(1),
});

const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);
const policy = (file: string): Policy => Policy.parse(JSON.parse(read(`deploy/${file}`)));
const actionsOf = (p: Policy) => new Set(p.Statement.flatMap((s) => list(s.Action)));
const sorted = (s: Iterable<string>) => [...s].sort();

/** `vpc:Action` / `ecs:Action` for every request the Alibaba adapter can build. */
function alibabaActions(): Set<string> {
  const dir = 'shared/adapters/alibaba';
  const out = new Set<string>();
  for (const f of readdirSync(join(ROOT, dir)).filter((n) => n.endsWith('.ts'))) {
    for (const m of read(`${dir}/${f}`).matchAll(/\b(vpc|ecs)\(\s*'([A-Z][A-Za-z]+)'/g))
      out.add(`${m[1]}:${m[2]}`);
  }
  return out;
}

/** Method names of an exported interface, e.g. `getRow(params: …)`. */
function interfaceMethods(file: string, name: string): string[] {
  const src = read(file);
  const start = src.indexOf(`export interface ${name} {`);
  if (start < 0) throw new Error(`${file}: interface ${name} not found`);
  const body = src.slice(start, src.indexOf('\n}', start));
  return [...body.matchAll(/^\s+(\w+)\(/gm)].map((m) => m[1]!);
}
const otsAction = (method: string) => `ots:${method[0]!.toUpperCase()}${method.slice(1)}`;

const TABLESTORE = 'shared/adapters/tablestore';
/** Where the store's client interface is declared. */
const STORE = `${TABLESTORE}/requests.ts`;
const TABLES = `${TABLESTORE}/tables.ts`;
const storeActions = () => new Set(interfaceMethods(STORE, 'TablestoreClientLike').map(otsAction));
/** The store's modules: every file of the adapter but table creation (the admin client's). */
const storeSources = () =>
  readdirSync(join(ROOT, TABLESTORE))
    .filter((n) => n.endsWith('.ts') && `${TABLESTORE}/${n}` !== TABLES)
    .map((n) => read(`${TABLESTORE}/${n}`))
    .join('\n');

describe('reading the actions from the source', () => {
  it('finds one action per request builder in wire.ts (the extraction cannot silently miss one)', () => {
    const wire = read('shared/adapters/alibaba/wire.ts');
    const builders = [...wire.matchAll(/\): WireRequest \{/g)].length;
    const calls = [...wire.matchAll(/\b(vpc|ecs)\(\s*'[A-Z][A-Za-z]+'/g)].length;
    expect(builders).toBeGreaterThan(0);
    expect(calls).toBe(builders);
  });

  it('the Tablestore store calls only methods of TablestoreClientLike', () => {
    const methods = new Set(interfaceMethods(STORE, 'TablestoreClientLike'));
    const called = new Set([...storeSources().matchAll(/\bclient\.(\w+)\(/g)].map((m) => m[1]!));
    expect(called.size).toBeGreaterThan(0);
    expect(sorted(called)).toEqual(sorted(methods));
  });

  it('maps SDK methods to RAM actions', () => {
    expect(['getRow', 'putRow', 'updateRow', 'getRange', 'listTable'].map(otsAction)).toEqual([
      'ots:GetRow',
      'ots:PutRow',
      'ots:UpdateRow',
      'ots:GetRange',
      'ots:ListTable',
    ]);
  });
});

describe('the function role policy', () => {
  const files = [BASE_POLICY, ...FEATURE_POLICIES.map((f) => f.file)];

  it.each(files)('%s follows the RAM policy grammar, with no wildcard action', (file) => {
    for (const s of policy(file).Statement) {
      expect(s.Effect).toBe('Allow');
      for (const a of list(s.Action)) expect(a).toMatch(/^[a-z]+:[A-Z][A-Za-z]+$/);
      for (const r of list(s.Resource))
        expect(r === '*' || /^acs:[a-z]+:[^:]*:[^:]*:.+$/.test(r), r).toBe(true);
    }
  });

  it('base plus feature policies grant exactly the actions the adapters call: none missing, none extra', () => {
    const granted = new Set(files.flatMap((f) => [...actionsOf(policy(f))]));
    const used = new Set([...alibabaActions(), ...storeActions()]);
    expect(sorted(granted)).toEqual(sorted(used));
  });

  it.each(FEATURE_POLICIES)(
    '$file holds exactly its feature actions, which the base policy leaves out',
    (f) => {
      expect(sorted(actionsOf(policy(f.file)))).toEqual(sorted(f.actions));
      const base = actionsOf(policy(BASE_POLICY));
      for (const a of f.actions) expect(base.has(a), a).toBe(false);
      // The feature is a real topology setting, so the docs can tell operators when to attach the file.
      expect(read('shared/core/config/schema.ts')).toMatch(f.setting);
    },
  );

  it('scopes the Tablestore actions to the state tables, not to every resource', () => {
    for (const s of policy(BASE_POLICY).Statement) {
      if (!list(s.Action).some((a) => a.startsWith('ots:'))) continue;
      expect(list(s.Action).every((a) => a.startsWith('ots:'))).toBe(true);
      expect(list(s.Resource)).toEqual(['acs:ots:*:*:instance/*/table/havip_*']);
    }
    // The resource pattern must match the default table names the store uses.
    expect(read(TABLES)).toContain("DEFAULT_TABLE_PREFIX = 'havip_'");
  });

  it('every ram-policy*.json in deploy/ is accounted for', () => {
    const known = new Set([...files, OPERATOR_POLICY]);
    const present = readdirSync(join(ROOT, 'deploy')).filter((f) => /^ram-policy.*\.json$/.test(f));
    expect(sorted(present)).toEqual(sorted(known));
  });
});

describe('the operator policy and the trust policies', () => {
  it('lets `havip store init` do exactly what it calls, and `havip invoke` invoke the havip functions', () => {
    const p = policy(OPERATOR_POLICY);
    const ots = [...actionsOf(p)].filter((a) => a.startsWith('ots:'));
    expect(sorted(ots)).toEqual(sorted(interfaceMethods(TABLES, 'TablestoreAdminClientLike').map(otsAction)));
    const invoke = p.Statement.find((s) => list(s.Action).includes('fc:InvokeFunction'));
    expect(invoke && list(invoke.Resource)).toEqual(['acs:fc:*:*:functions/havip-*']);
  });

  it.each([
    ['ram-trust-policy.json', 'fc.aliyuncs.com'],
    ['mns-trigger-trust-policy.json', 'mns.aliyuncs.com'],
  ])('%s lets only %s assume the role', (file, service) => {
    const t = TrustPolicy.parse(JSON.parse(read(`deploy/${file}`)));
    expect(t.Statement[0]!.Principal.Service).toEqual([service]);
  });

  it('the MNS trigger role may invoke the heartbeat function and nothing else', () => {
    const p = policy('mns-trigger-policy.json');
    expect(sorted(actionsOf(p))).toEqual(['fc:InvokeFunction']);
    expect(p.Statement.flatMap((s) => list(s.Resource))).toEqual(['acs:fc:*:*:functions/havip-on-heartbeat']);
  });
});
