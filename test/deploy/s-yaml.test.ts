/**
 * `s.yaml` against the project's own schema of the fc3 fields it uses, cross-checked with the code it
 * deploys: the bundles `npm run build` writes (built once per test run: test/support/shared-build.ts), the variables the
 * runtime reads, the trigger payloads the parsers accept, and the HTTP routes. The bundles are also loaded
 * the way Function Compute loads them: a fresh `node` importing `index.mjs`, outside the repository.
 */
import { execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { builtinModules } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createMemoryLogger } from '../../shared/adapters/logger/index.js';
import {
  SimulatedCloud,
  type SimulatorServer,
  seedFromTopology,
  startSimulatorServer,
} from '../../shared/adapters/simulator/index.js';
import { createHttpApp } from '../../shared/app/http/app.js';
import { envSchema } from '../../shared/app/runtime.js';
import { loadTopology } from '../../shared/core/config.js';
import { parseEcsEvent, parseTimerEvent } from '../../shared/events/index.js';
import { AUTH as AUTH_CONFIG, TestClock, TripwireService } from '../support/http.js';
import { type SharedBuild, sharedBuild } from '../support/shared-build.js';
import { envReference, type FunctionProps, resolveVars, SYaml, type Trigger } from './s-yaml-schema.js';

const ROOT = resolve(import.meta.dirname, '../..');
// biome-ignore lint/suspicious/noExplicitAny: the mutation table pokes into the untyped YAML tree on purpose
type Tree = any;
/** `${…}` written as data, not as a template placeholder. */
const magic = (inner: string) => `\${${inner}}`;
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

const rawDoc = parseYaml(read('s.yaml')) as Record<string, unknown>;
const resolved = resolveVars(rawDoc, (rawDoc.vars ?? {}) as Record<string, unknown>);
const parsed = SYaml.safeParse(resolved);
const issues = parsed.success
  ? ''
  : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
const doc = parsed.success ? parsed.data : undefined;
const functions = (): [string, FunctionProps][] =>
  Object.entries(doc?.resources ?? {}).map(([k, r]) => [k, r.props]);
const handlerOf = (p: FunctionProps) => p.code.replace('./dist/', '');

/** Each handler's trigger kind; the event parsers behind each handler expect exactly these payloads. */
const TRIGGER_OF: Record<string, Trigger['triggerType']> = {
  'on-ecs-event': 'eventbridge',
  'on-heartbeat': 'mns_topic',
  'on-timer': 'timer',
  'http-api': 'http',
};

/** Variables the deployed code reads: the runtime's schema plus anything a handler reads directly. */
const READ_BY_CODE = new Set<string>([
  ...Object.keys(envSchema.shape),
  ...readdirSync(join(ROOT, 'functions'))
    .filter((f) => f.endsWith('.ts'))
    .flatMap((f) => [...read(`functions/${f}`).matchAll(/process\.env\.([A-Z0-9_]+)/g)].map((m) => m[1]!)),
]);
/** Read by node itself at start-up, not by our code: the flags s.yaml may set and why. */
const NODE_OPTIONS = '--max-semi-space-size=4';
/** Values that must come from the deploying shell (`${env('…')}`), never be written into s.yaml. */
const SECRETS = [
  'HAVIP_API_TOKENS',
  'HAVIP_HMAC_KEYS',
  'HAVIP_WEBHOOK_URL',
  'HAVIP_DINGTALK_WEBHOOK',
  'HAVIP_DINGTALK_SECRET',
];
const AUTH = ['HAVIP_API_TOKENS', 'HAVIP_HMAC_KEYS'];

let outdir: string;
let report: SharedBuild['report'];

beforeAll(async () => {
  ({ outdir, report } = await sharedBuild());
}, 120_000);

describe('s.yaml against the fc3 schema', () => {
  it('parses and satisfies the schema', () => {
    expect(issues).toBe('');
    expect(functions().length).toBeGreaterThan(0);
  });

  // The schema must be able to fail: each row breaks one thing in a copy of the real file.
  const first = () => Object.keys((rawDoc.resources ?? {}) as object)[0]!;
  const cases: { name: string; mutate: (d: Tree) => void; path: string }[] = [
    { name: 'misspelt prop', mutate: (d) => (d.resources[first()].props.memorysize = 512), path: 'props' },
    { name: 'wrong component', mutate: (d) => (d.resources[first()].component = 'fc'), path: 'component' },
    { name: 'wrong edition', mutate: (d) => (d.edition = '1.0.0'), path: 'edition' },
    {
      name: 'handler not index.handler',
      mutate: (d) => (d.resources[first()].props.handler = 'main.run'),
      path: 'handler',
    },
    {
      name: 'memory/cpu ratio',
      mutate: (d) => (d.resources[first()].props.memorySize = 4096),
      path: 'memorySize',
    },
    {
      name: 'timer without cron',
      mutate: (d) =>
        (d.resources[first()].props.triggers = [
          { triggerName: 't', triggerType: 'timer', triggerConfig: { enable: true } },
        ]),
      path: 'cronExpression',
    },
    {
      name: 'http with a bad authType',
      mutate: (d) =>
        (d.resources[first()].props.triggers = [
          { triggerName: 'h', triggerType: 'http', triggerConfig: { authType: 'none', methods: ['GET'] } },
        ]),
      path: 'authType',
    },
    {
      name: 'mns_topic without invocationRole',
      mutate: (d) =>
        (d.resources[first()].props.triggers = [
          {
            triggerName: 'm',
            triggerType: 'mns_topic',
            sourceArn: 'acs:mns:cn-hangzhou:1234567890123456:/topics/t',
            triggerConfig: { notifyContentFormat: 'JSON', notifyStrategy: 'BACKOFF_RETRY' },
          },
        ]),
      path: 'invocationRole',
    },
    {
      name: 'eventbridge pattern that is not JSON',
      mutate: (d) =>
        (d.resources[first()].props.triggers = [
          {
            triggerName: 'e',
            triggerType: 'eventbridge',
            triggerConfig: {
              eventRuleFilterPattern: '{source:',
              eventSourceConfig: { eventSourceType: 'Default' },
            },
          },
        ]),
      path: 'eventRuleFilterPattern',
    },
    {
      name: 'unknown trigger type',
      mutate: (d) => (d.resources[first()].props.triggers[0].triggerType = 'cron'),
      path: 'triggerType',
    },
  ];
  it.each(cases)('rejects a copy with $name (at …$path)', ({ mutate, path }) => {
    const copy = structuredClone(resolved) as Tree;
    mutate(copy);
    const r = SYaml.safeParse(copy);
    expect(r.success).toBe(false);
    const paths = r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
    expect(paths.some((p) => p.endsWith(path))).toBe(true);
  });

  it('fails on a vars reference that vars does not define, naming the path', () => {
    expect(() => resolveVars({ a: { b: magic('vars.nope') } }, {})).toThrow(
      /a\.b: \$\{vars\.nope\} is not defined/,
    );
  });
});

describe('s.yaml against the build output', () => {
  it('deploys every built handler exactly once, under havip-<handler>', () => {
    const built = report.bundles.map((b) => b.name).sort();
    const deployed = functions()
      .map(([, p]) => handlerOf(p))
      .sort();
    expect(deployed).toEqual(built);
    for (const [, p] of functions()) expect(p.functionName).toBe(`havip-${handlerOf(p)}`);
  });

  it('points every function at a directory whose index.js (handler index.handler) is CommonJS', () => {
    for (const [, p] of functions()) {
      const dir = join(outdir, handlerOf(p));
      expect(readdirSync(dir), p.functionName).toContain('index.js');
      // Without this, a parent package.json with "type": "module" would make Node read index.js as ESM.
      expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))).toMatchObject({ type: 'commonjs' });
    }
  });

  // One fresh process per bundle; they are independent, so they start side by side.
  it.concurrent.for(Object.keys(TRIGGER_OF))(
    'bundle %s loads in a fresh node outside the repository and exports handler',
    async (name, { expect }) => {
      const file = join(outdir, name, 'index.js');
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['-e', `const m = require(${JSON.stringify(file)}); process.stdout.write(typeof m.handler);`],
        { cwd: tmpdir(), env: { PATH: process.env.PATH ?? '' } },
      );
      expect(stdout).toBe('function');
    },
  );

  it('leaves nothing outside the bundle but built-ins, its own Tablestore copy and optional modules', () => {
    // supports-color (debug) and bufferutil / utf-8-validate (ws) are optional: required inside try/catch;
    // so is pg-native (node-postgres' libpq binding: its lazy `native` getter, or NODE_PG_FORCE_NATIVE).
    const allowed = new Set([
      'better-sqlite3',
      'tablestore',
      'supports-color',
      'bufferutil',
      'utf-8-validate',
      'pg-native',
    ]);
    const externals = (file: string) => {
      const code = readFileSync(file, 'utf8');
      const required = new Set([...code.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!));
      return new Set([...required].filter((r) => !builtinModules.includes(r.replace(/^node:/, ''))));
    };
    for (const b of report.bundles) {
      // index.js is the entry point and loads the application, app.js, on the first invocation only.
      expect(externals(join(outdir, b.name, 'index.js')), b.name).toEqual(new Set(['./app.js']));
      expect(externals(join(outdir, b.name, 'app.js')), b.name).toEqual(allowed);
    }
  });

  // What Function Compute does before the first invocation: load index.js. The application stays unread.
  it.concurrent.for(Object.keys(TRIGGER_OF))(
    'loading %s reads index.js only, and the first invocation loads app.js',
    async (name, { expect }) => {
      const file = join(outdir, name, 'index.js');
      const script = `
        const m = require(${JSON.stringify(file)});
        const loaded = () => Object.keys(require.cache).map((f) => require('node:path').basename(f)).sort();
        const before = loaded();
        m.handler(Buffer.from('{}'), {}).catch(() => {}).finally(() => process.stdout.write(JSON.stringify({ before, after: loaded() })));
      `;
      const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
        cwd: tmpdir(),
        env: { PATH: process.env.PATH ?? '' },
      });
      const { before, after } = JSON.parse(stdout) as { before: string[]; after: string[] };
      expect(before).toEqual(['index.js']);
      expect(after).toContain('app.js');
    },
  );

  it('ships the Tablestore SDK next to each handler, outside strict mode as the SDK requires', () => {
    for (const b of report.bundles) {
      const sdk = readFileSync(join(outdir, b.name, 'node_modules/tablestore/index.js'), 'utf8');
      expect(sdk.trimStart().startsWith('"use strict"'), b.name).toBe(false);
      // The handler itself is strict (our TypeScript), which is why the SDK cannot live inside it.
      for (const f of ['index.js', 'app.js'])
        expect(readFileSync(join(outdir, b.name, f), 'utf8').startsWith('"use strict"'), f).toBe(true);
    }
  });
});

describe('triggers', () => {
  const triggersOf = (handler: string) =>
    functions().find(([, p]) => handlerOf(p) === handler)?.[1].triggers ?? [];

  it.each(Object.entries(TRIGGER_OF))('%s is triggered by %s only', (handler, type) => {
    expect(triggersOf(handler).map((t) => t.triggerType)).toEqual([type]);
  });

  it('the timer fires every minute with a payload the timer parser reads as a sweep of every group', () => {
    const t = triggersOf('on-timer')[0];
    if (t?.triggerType !== 'timer') throw new Error('no timer trigger');
    expect(t.triggerConfig.cronExpression).toBe('0 * * * * *');
    expect(t.triggerConfig.enable).toBe(true);
    const event = {
      triggerTime: '2026-11-20T08:16:00Z',
      triggerName: t.triggerName,
      payload: t.triggerConfig.payload,
    };
    expect(parseTimerEvent(Buffer.from(JSON.stringify(event))).scope).toEqual({ kind: 'all' });
  });

  it('the HTTP trigger is anonymous and allows every method the API routes use', () => {
    const t = triggersOf('http-api')[0];
    if (t?.triggerType !== 'http') throw new Error('no http trigger');
    expect(t.triggerConfig.authType).toBe('anonymous');
    // The methods of the routes the app registers ('ALL' is middleware and the 405 answers).
    const app = createHttpApp({
      service: new TripwireService(),
      auth: AUTH_CONFIG,
      logger: createMemoryLogger(),
      clock: new TestClock(),
    });
    const used = new Set(app.routes.map((r) => r.method).filter((m) => m !== 'ALL'));
    expect(used.size).toBeGreaterThan(0);
    expect(new Set(t.triggerConfig.methods)).toEqual(used);
  });

  it('the MNS trigger delivers JSON envelopes with back-off retries, assumed through a role', () => {
    const t = triggersOf('on-heartbeat')[0];
    if (t?.triggerType !== 'mns_topic') throw new Error('no mns_topic trigger');
    expect(t.triggerConfig).toMatchObject({ notifyContentFormat: 'JSON', notifyStrategy: 'BACKOFF_RETRY' });
    expect(t.sourceArn).toMatch(/:\/topics\/havip-heartbeats$/);
  });

  it('the EventBridge pattern is the one documented in deploy/eventbridge-ecs-pattern.json', () => {
    const t = triggersOf('on-ecs-event')[0];
    if (t?.triggerType !== 'eventbridge') throw new Error('no eventbridge trigger');
    expect(JSON.parse(t.triggerConfig.eventRuleFilterPattern)).toEqual(
      JSON.parse(read('deploy/eventbridge-ecs-pattern.json')),
    );
    expect(t.triggerConfig.eventSourceConfig.eventSourceType).toBe('Default');
  });

  // EventBridge's pattern semantics for the operators used: a field matches when any array element
  // matches; a string element is equality, {prefix} is a prefix test.
  const matches = (pattern: Record<string, unknown[]>, event: Record<string, unknown>) =>
    Object.entries(pattern).every(([field, alts]) =>
      alts.some((alt) => {
        const v = event[field];
        if (typeof alt === 'string') return v === alt;
        const p = (alt as { prefix?: string }).prefix;
        return typeof p === 'string' && typeof v === 'string' && v.startsWith(p);
      }),
    );
  const pattern = JSON.parse(read('deploy/eventbridge-ecs-pattern.json')) as Record<string, unknown[]>;
  const id = 'i-bp1demo0000000000001';
  const system = {
    eventId: 'e-1',
    publishTime: '2026-11-20T08:00:00Z',
    notBefore: '2026-11-21T08:00:00Z',
    instanceId: id,
    eventStatus: 'Scheduled',
  };
  const rows: { type: string; data: Record<string, unknown>; delivered: boolean }[] = [
    {
      type: 'ecs:Instance:StateChange',
      data: { resourceId: id, resourceType: 'ALIYUN::ECS::Instance', state: 'Stopped' },
      delivered: true,
    },
    {
      type: 'ecs:Instance:PreemptibleInstanceInterruption',
      data: { instanceId: id, action: 'delete' },
      delivered: true,
    },
    {
      type: 'ecs:Instance:SystemMaintenance.Reboot',
      data: { ...system, eventType: 'SystemMaintenance.Reboot' },
      delivered: true,
    },
    {
      type: 'ecs:Instance:SystemMaintenance.Redeploy',
      data: { ...system, eventType: 'SystemMaintenance.Redeploy' },
      delivered: true,
    },
    {
      type: 'ecs:Instance:SystemFailure.Reboot',
      data: { ...system, eventType: 'SystemFailure.Reboot' },
      delivered: true,
    },
    {
      type: 'ecs:Instance:SystemFailure.Delete',
      data: { ...system, eventType: 'SystemFailure.Delete' },
      delivered: true,
    },
    { type: 'ecs:Disk:ConvertToPostpaidCompleted', data: { resourceId: 'd-1' }, delivered: false },
    { type: 'ecs:Snapshot:CreateSnapshotCompleted', data: { resourceId: 's-1' }, delivered: false },
    { type: 'ecs:Instance:InstanceExpiredDelayRelease', data: { instanceId: id }, delivered: false },
  ];
  it('lets through every ECS event in the EventBridge fixtures and none from another source', () => {
    const dirName = 'test/fixtures/events';
    const events = readdirSync(join(ROOT, dirName))
      .filter((f) => /^eventbridge-.*\.json$/.test(f))
      .flatMap((f) => [JSON.parse(read(`${dirName}/${f}`))].flat() as Record<string, unknown>[]);
    expect(events.length).toBeGreaterThan(5);
    for (const e of events) expect(matches(pattern, e), String(e.type)).toBe(e.source === 'acs.ecs');
  });

  it.each(rows)(
    '$type: delivered=$delivered, and the ECS parser acts on it exactly when delivered',
    ({ type, data, delivered }) => {
      const event = {
        id: `ev-${type}`,
        source: 'acs.ecs',
        specversion: '1.0',
        type,
        subject: `acs:ecs:cn-hangzhou:1234567890123456:instance/${id}`,
        time: '2026-11-20T08:15:30Z',
        aliyunregionid: 'cn-hangzhou',
        data,
      };
      expect(matches(pattern, event)).toBe(delivered);
      expect(parseEcsEvent(Buffer.from(JSON.stringify(event))).signals.length > 0).toBe(delivered);
      expect(matches(pattern, { ...event, source: 'acs.other' })).toBe(false);
    },
  );
});

describe('environment variables', () => {
  it.each(functions().map(([k, p]) => [k, p] as const))(
    '%s sets only variables the code reads, with valid values',
    (_k, p) => {
      for (const [key, value] of Object.entries(p.environmentVariables)) {
        if (key === 'NODE_OPTIONS') {
          expect(value, 'the heap setting docs/performance.md measured').toBe(NODE_OPTIONS);
          continue;
        }
        expect(READ_BY_CODE.has(key), `${key} is not read by the code`).toBe(true);
        expect(key, 'Function Compute sets FC_* itself').not.toMatch(/^FC_/);
        const shape = envSchema.shape[key as keyof typeof envSchema.shape];
        const ref = envReference(value);
        if (SECRETS.includes(key)) {
          expect(ref, `${key} must come from the deploying shell: \${env('${key}')}`).toBeDefined();
        }
        if (value.includes(magic('file(').slice(0, -1))) {
          expect(key, 'only the topology is read from a file').toBe('HAVIP_TOPOLOGY');
          continue;
        }
        // A literal value, or an env() fallback, must pass the runtime's own check of that variable.
        const literal = ref ? ref.fallback : value;
        if (literal !== undefined && shape)
          expect(shape.safeParse(literal).success, `${key}=${literal}`).toBe(true);
        expect(/\$\{/.test(value) && !ref, `${key} has an unexpected reference: ${value}`).toBe(false);
      }
    },
  );

  it.each(functions().map(([k, p]) => [k, p] as const))(
    '%s has every variable its handler needs',
    (_k, p) => {
      const env = p.environmentVariables;
      expect('HAVIP_TOPOLOGY' in env || 'HAVIP_TOPOLOGY_FILE' in env, 'a topology').toBe(true);
      // On Function Compute the runtime defaults to Tablestore and refuses SQLite (it cannot fence instances).
      expect(env.HAVIP_STORE ?? 'tablestore').toBe('tablestore');
      expect(env.HAVIP_ALLOW_LOCAL_STORE_ON_FC).toBeUndefined();
      expect(env.HAVIP_TABLESTORE_ENDPOINT).toBeTruthy();
      expect(env.HAVIP_TABLESTORE_INSTANCE).toBeTruthy();
      const isHttp = p.triggers.some((t) => t.triggerType === 'http');
      const auth = AUTH.filter((a) => a in env);
      if (isHttp) expect(env.HAVIP_API_TOKENS, 'the HTTP API needs tokens').toBeDefined();
      // Secrets go only where they are used.
      else expect(auth).toEqual([]);
    },
  );

  it('NODE_OPTIONS is accepted by node and caps the young generation at 2 × 4 MB', async () => {
    // Short-lived garbage, as a sweep makes: without the flag node grows its new space to 32 MB.
    const script = `
      const v8 = require('node:v8');
      let keep = [], max = 0;
      for (let i = 0; i < 2e6; i++) {
        keep.push({ i, s: 'x' + i });
        if (keep.length > 100000) keep = [];
        if (i % 10000 === 0) max = Math.max(max, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);
      }
      process.stdout.write(String(max / 2 ** 20));
    `;
    const run = (env: NodeJS.ProcessEnv) =>
      promisify(execFile)(process.execPath, ['-e', script], {
        env: { PATH: process.env.PATH ?? '', ...env },
      });
    const [capped, plain] = await Promise.all([run({ NODE_OPTIONS }), run({})]);
    expect(Number(capped.stdout)).toBeLessThanOrEqual(8);
    expect(Number(plain.stdout)).toBeGreaterThan(8);
  });

  it('the two auth variables are read by the HTTP entry point', () => {
    for (const a of AUTH) expect(read('functions/http-api.ts')).toContain(`process.env.${a}`);
  });
});

describe('the bundled Tablestore path', () => {
  const TOPOLOGY = `
region: cn-hangzhou
groups:
  - name: web
    vSwitchId: vsw-bp1demo0000000000001
    haVipId: havip-bp1demo0000000000001
    announce: none
    members:
      - { id: i-bp1demo0000000000001, priority: 100, ip: 192.168.0.11 }
      - { id: i-bp1demo0000000000002, priority: 10, ip: 192.168.0.12 }
`;
  let sim: SimulatorServer;
  let ots: Server;
  const otsRequests: { url: string | undefined; headers: IncomingHttpHeaders }[] = [];

  beforeAll(async () => {
    // Nothing holds the HaVip yet, so the sweep must take the group's lease in the store before attaching.
    const cloud = new SimulatedCloud(seedFromTopology(loadTopology(TOPOLOGY).topology, { attach: 'none' }), {
      transitionDelayMs: 0,
    });
    sim = await startSimulatorServer({ cloud });
    // A stand-in Tablestore endpoint that records what reaches it and refuses it.
    ots = createServer((req, res) => {
      otsRequests.push({ url: req.url, headers: req.headers });
      req.resume();
      req.on('end', () => {
        res.writeHead(403, { 'content-type': 'text/plain' });
        res.end('refused by the test');
      });
    });
    await new Promise<void>((r) => ots.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    await sim?.close();
    await new Promise((r) => ots?.close(r));
  });

  it('a bundled sweep observes the cloud through the bundled OpenAPI client and writes through the Tablestore SDK', async () => {
    const port = (ots.address() as AddressInfo).port;
    const file = join(outdir, 'on-timer', 'index.js');
    const script = `
      const { handler } = require(${JSON.stringify(file)});
      const event = Buffer.from(JSON.stringify({ triggerTime: '2026-11-20T08:16:00Z', triggerName: 'health-sweep', payload: '{"sweep":"all"}' }));
      const context = { requestId: 'req-1', credentials: { accessKeyId: 'STS.test', accessKeySecret: 'secret', securityToken: 'token' }, function: { name: 'havip-on-timer', timeout: 20 } };
      handler(event, context).then(
        () => process.stdout.write('returned'),
        (e) => process.stdout.write('threw ' + (e && e.code)),
      );
    `;
    const child = spawn(process.execPath, ['-e', script], {
      cwd: tmpdir(),
      env: {
        PATH: process.env.PATH ?? '',
        FC_FUNCTION_NAME: 'havip-on-timer',
        HAVIP_TOPOLOGY: TOPOLOGY,
        HAVIP_STORE: 'tablestore',
        HAVIP_TABLESTORE_ENDPOINT: `http://127.0.0.1:${port}`,
        HAVIP_TABLESTORE_INSTANCE: 'havip-test',
        HAVIP_CLOUD_ENDPOINT: sim.endpoint,
        HAVIP_CLOUD_PROTOCOL: 'http',
        HAVIP_LOG_LEVEL: 'silent',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(err).toBe('');
    expect(code).toBe(0);
    // The store refused, so the sweep cannot succeed; what matters is that it got that far.
    expect(out, err).toMatch(/^(returned|threw )/);
    if (otsRequests.length === 0) throw new Error(`no Tablestore request; handler said: ${out}`);
    expect(otsRequests.length).toBeGreaterThan(0);
    const r = otsRequests[0]!;
    expect(r.url).toMatch(/^\/(GetRow|PutRow|UpdateRow|GetRange)$/);
    expect(r.headers['x-ots-instancename']).toBe('havip-test');
    expect(r.headers['x-ots-ststoken']).toBe('token');
  }, 60_000);
});
