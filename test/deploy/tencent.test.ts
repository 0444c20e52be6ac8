/**
 * The Tencent deployment files agree with the code they deploy:
 * - deploy/tencent-cam-policy.json grants exactly the CAM actions behind the Tencent cloud port's
 *   methods (read from shared/core/tencent-ports.ts, so a new port method fails here until it is mapped
 *   and granted);
 * - serverless.yml has one function per entry point in functions/scf/ (`<name>.main_handler`), the
 *   right trigger on each, settings the SCF runtime accepts, and no secret written into it;
 * - deploy/tencent-eventbridge-cvm-rule.json routes exactly events the CVM parser acts on.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { scfSettingsFromEnv } from '../../shared/app/scf-runtime.js';
import { CVM_EVENT_SOURCE, parseTencentCvmEvent } from '../../shared/events/tencent/cvm.js';
import { parseScfTimerEvent } from '../../shared/events/tencent/timer.js';
import { CamPolicy } from '../support/cam-policy.js';

const ROOT = resolve(import.meta.dirname, '../..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

/** Each Tencent port method and the API action (and so the CAM action) it calls. */
const ACTION_OF_METHOD: Readonly<Record<string, string>> = {
  describeHaVips: 'vpc:DescribeHaVips',
  listHaVips: 'vpc:DescribeHaVips',
  associateHaVipInstances: 'vpc:AssociateHaVipInstance',
  disassociateHaVipInstances: 'vpc:DisassociateHaVipInstance',
  associateHaVipEip: 'vpc:HaVipAssociateAddressIp',
  disassociateHaVipEip: 'vpc:HaVipDisassociateAddressIp',
  describeVpcTask: 'vpc:DescribeVpcTaskResult',
  describeNetworkInterfaces: 'vpc:DescribeNetworkInterfaces',
  describeVpcLimits: 'vpc:DescribeVpcLimits',
  describeInstances: 'cvm:DescribeInstances',
  describeInstancesStatus: 'cvm:DescribeInstancesStatus',
  runCommand: 'tat:RunCommand',
  describeInvocationTask: 'tat:DescribeInvocationTasks',
};

function portMethods(): string[] {
  const source = read('shared/core/tencent-ports.ts');
  const start = source.indexOf('export interface TencentCloudApi {');
  expect(start).toBeGreaterThan(0);
  const body = source.slice(start, source.indexOf('\n}', start));
  return [...body.matchAll(/^ {2}([a-zA-Z]+)\(/gm)].map((m) => m[1]!);
}

describe('deploy/tencent-cam-policy.json', () => {
  const policy = CamPolicy.parse(JSON.parse(read('deploy/tencent-cam-policy.json')));
  const granted = policy.statement.flatMap((s) => s.action);

  it('grants vpc, cvm and tat actions on explicit resources, and names no principal', () => {
    for (const s of policy.statement) {
      for (const a of s.action) expect(a).toMatch(/^(vpc|cvm|tat):[A-Z][A-Za-z]+$/);
      expect(s.resource?.length ?? 0).toBeGreaterThan(0);
      expect(s.principal).toBeUndefined();
    }
  });

  it('every port method is mapped to its action', () => {
    const methods = portMethods();
    expect(methods.length).toBeGreaterThanOrEqual(10);
    expect(methods.filter((m) => ACTION_OF_METHOD[m] === undefined)).toEqual([]);
  });

  it('grants exactly the actions the port calls, each once, no wildcard', () => {
    const needed = new Set(portMethods().map((m) => ACTION_OF_METHOD[m]));
    expect(new Set(granted)).toEqual(needed);
    expect(granted).toHaveLength(new Set(granted).size);
  });
});

// The multi-scf component fields this project uses.
const Env = z.array(z.strictObject({ key: z.string().regex(/^[A-Z][A-Z0-9_]*$/), value: z.string() }));
const Fn = z.strictObject({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,58}[A-Za-z0-9]$/),
  handler: z.string(),
  description: z.string().max(1000),
  role: z.string(),
  timeout: z.number().int().min(1).max(900).optional(),
  memorySize: z.number().int().optional(),
  vpc: z.strictObject({ vpcId: z.string(), subnetId: z.string() }),
  environment: Env.optional(),
});
const Trigger = z.looseObject({
  type: z.enum(['timer', 'apigw', 'cmq']),
  function: z.string().optional(),
  parameters: z.looseObject({}),
});
const ServerlessYml = z.looseObject({
  component: z.literal('multi-scf'),
  inputs: z.looseObject({
    src: z.looseObject({ src: z.literal('./dist/scf') }),
    runtime: z.string().regex(/^Nodejs(18|16)\./),
    memorySize: z.number().int(),
    timeout: z.number().int().min(1).max(900),
    environments: Env,
    functions: z.record(z.string(), Fn),
    triggers: z.array(Trigger),
  }),
});

describe('serverless.yml', () => {
  const yml = ServerlessYml.parse(parseYaml(read('serverless.yml')));
  const { functions, triggers } = yml.inputs;
  const entries = readdirSync(join(ROOT, 'functions/scf'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.slice(0, -3));

  it('one function per entry point, handler <name>.main_handler, exported by the entry point', async () => {
    expect(Object.keys(functions).sort()).toEqual([...entries].sort());
    for (const name of entries) {
      expect(functions[name]?.handler).toBe(`${name}.main_handler`);
      const mod = (await import(`../../functions/scf/${name}.ts`)) as Record<string, unknown>;
      expect(typeof mod.main_handler, name).toBe('function');
    }
  });

  it('memory SCF offers (64 MB, or 128 MB steps up to 3 GB) and timeouts within 900 s', () => {
    for (const size of [yml.inputs.memorySize, ...Object.values(functions).map((f) => f.memorySize)])
      if (size !== undefined)
        expect(size === 64 || (size % 128 === 0 && size <= 3072), String(size)).toBe(true);
  });

  it('the triggers: a timer on the sweep, the API gateway on the HTTP API, the CMQ topic on the heartbeats', () => {
    const ofType = (type: string) => triggers.filter((t) => t.type === type);
    expect(ofType('timer').map((t) => t.function)).toEqual(['timer']);
    expect(ofType('cmq').map((t) => t.function)).toEqual(['heartbeat']);
    const apis = ofType('apigw').flatMap(
      (t) => t.parameters.apis as { function: string; isIntegratedResponse: boolean }[],
    );
    expect(apis).toEqual([expect.objectContaining({ function: 'http', isIntegratedResponse: true })]);
  });

  it('the timer argument is a sweep scope the SCF timer parser accepts', () => {
    const argument = of(triggers, 'timer').parameters.argument as string;
    expect(parseScfTimerEvent({ Type: 'Timer', Message: argument }).scope).toEqual({ kind: 'all' });
  });

  it('the environment is what the SCF runtime requires (PostgreSQL), and no secret is written into the file', () => {
    const vars = new Map(yml.inputs.environments.map((e) => [e.key, e.value]));
    for (const f of Object.values(functions)) for (const e of f.environment ?? []) vars.set(e.key, e.value);
    expect(vars.get('HAVIP_STORE')).toBe('postgres');
    for (const secret of [
      'HAVIP_API_TOKENS',
      'HAVIP_HMAC_KEYS',
      'HAVIP_AGENT_KEYS',
      'HAVIP_POSTGRES_URL',
      'PGPASSWORD',
      'HAVIP_TOPOLOGY',
    ])
      expect(vars.get(secret), secret).toBe(`\${env:${secret}}`);
    const deployed = Object.fromEntries([...vars].map(([k, v]) => [k, v.replace(/\$\{env:[A-Z_]+\}/, 'x')]));
    expect(() => scfSettingsFromEnv(deployed)).not.toThrow();
  });
});

function of(triggers: z.infer<typeof Trigger>[], type: string): z.infer<typeof Trigger> {
  const t = triggers.find((x) => x.type === type);
  if (t === undefined) throw new Error(`no ${type} trigger`);
  return t;
}

describe('deploy/tencent-eventbridge-cvm-rule.json', () => {
  const rule = z
    .strictObject({ source: z.string(), type: z.array(z.string()).min(1) })
    .parse(JSON.parse(read('deploy/tencent-eventbridge-cvm-rule.json')));

  it('routes CVM events only', () => {
    expect(rule.source).toBe(CVM_EVENT_SOURCE);
  });

  it.each(rule.type)('%s is acted on by the CVM events parser', (type) => {
    const data = type.includes(':CloudEvent:')
      ? { eventName: 'StopInstances', errorCode: 0, requestParameters: { InstanceIds: ['ins-rule0001'] } }
      : { instanceId: 'ins-rule0001' };
    const r = parseTencentCvmEvent({
      specversion: '1.0',
      id: 'rule-1',
      source: rule.source,
      type,
      status: '1',
      data,
    });
    expect(r.ignored).toEqual([]);
    expect(r.signals).toHaveLength(1);
  });

  it('covers every CloudMonitor event the parser acts on', () => {
    const names = rule.type.map((t) => t.split(':').pop()!.toLowerCase().replaceAll('_', ''));
    for (const acted of ['guestrestartedhostfailure', 'guestcoreerror', 'pingunreachable', 'guestreboot'])
      expect(names).toContain(acted);
  });
});
