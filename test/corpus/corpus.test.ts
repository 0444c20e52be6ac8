/**
 * The bad-input corpus, end to end. Every data file under test/corpus/<entry>/ is fed, byte for byte, to
 * the entry point that would receive it in production, and manifest.json says what must come back:
 *
 * - ecs, mns, timer: the FC handlers in functions/ (`handler(Buffer, context)`), which must acknowledge;
 * - http-fc: functions/http-api with the file as the FC HTTP trigger event;
 * - scf-cvm, scf-cmq, scf-timer, scf-http: the SCF handlers in functions/scf/ (`main_handler`), over the
 *   same world's runtime (injected: the production SCF runtime needs Tencent Cloud and PostgreSQL);
 * - http-app: the Hono app itself, the file being a raw HTTP/1.1 request;
 * - topology: `havip validate`, `parseTopology` (+ the static rules) and the runtime's HAVIP_TOPOLOGY;
 * - simulate: `parseScenario` and `havip simulate`.
 *
 * Around every case the runner also checks what must never happen: a cloud mutation on the simulator, a
 * thrown handler, a polluted `Object.prototype`, a credential in the logs, a client-chosen request id in an
 * answer or a log. Durations are recorded and
 * printed, never asserted: each case has a generous timeout instead. docs/corpus.md explains the format.
 */
import fs, { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { runSimulate } from '../../bin/commands/simulate.js';
import { runValidate } from '../../bin/commands/validate.js';
import { SimulatedCloud, seedFromTopology } from '../../shared/adapters/simulator/index.js';
import { createHttpApp } from '../../shared/app/http/app.js';
import { InvocationCredentials, parseEnv, runtimeFromEnv } from '../../shared/app/runtime.js';
import { useScfRuntimeFactory } from '../../shared/app/scf-runtime.js';
import { loadTopology, parseTopology } from '../../shared/core/config.js';
import { ConfigError, type HavipError } from '../../shared/core/errors.js';
import type { Clock } from '../../shared/core/ports.js';
import { parseScenario } from '../../shared/core/scenario.js';
import { validateTopology } from '../../shared/core/validate.js';
import { createWorld, type World } from '../support/world.js';

// ---------------------------------------------------------------------------------------------------
// The world every case runs in: one simulated cloud, the FC handlers configured from the environment,
// and the Hono app over an orchestrator of its own (both against that cloud).

const DIR = fileURLToPath(new URL('.', import.meta.url));
const PRIMARY = 'i-bp1corpus0000000001';
const BACKUP = 'i-bp1corpus0000000002';
const HAVIP = 'havip-bp1corpus0000000001';
/** A second group whose host agents sign their reports (HAVIP_AGENT_KEYS names its key). */
const API_HAVIP = 'havip-bp1corpus0000000002';
const API_HOLDER = 'i-bp1corpus0000000011';
const TOPOLOGY = `
region: cn-hangzhou
groups:
  - name: web
    vSwitchId: vsw-bp1corpus0000000001
    haVipId: ${HAVIP}
    nopreempt: true
    announce: none
    members:
      - { id: ${PRIMARY}, priority: 100, ip: 192.168.0.11 }
      - { id: ${BACKUP}, priority: 10, ip: 192.168.0.12 }
  - name: api
    vSwitchId: vsw-bp1corpus0000000001
    haVipId: ${API_HAVIP}
    nopreempt: true
    announce: none
    members:
      - { id: ${API_HOLDER}, priority: 100, ip: 192.168.0.21 }
      - { id: i-bp1corpus0000000012, priority: 10, ip: 192.168.0.22 }
`;
/** Credentials the corpus files may carry (they are test values); none may ever reach a log line. */
const TOKEN = 'corpus-token-7f3a9c2e5b1d4068';
const HMAC_ID = 'corpus-agent';
const HMAC_SECRET = 'corpus-hmac-secret-5e8b2d7c1a946f03';
/** The host agent's own token on the holder (role agent, bound to it), and a read-only token. */
const AGENT_TOKEN = 'corpus-web1-token-3c8e1a9f7b2d5046';
const VIEWER_TOKEN = 'corpus-viewer-token-8a2f6c4e1d9b7035';
const STS_SECRET = 'corpus-sts-secret-4b9e1f7a2c6d8035';
const STS_TOKEN = 'corpus-sts-security-token-9d2c7e4a1f6b3085';
/** The agent key of group api: the mns/report-* files are signed with it. */
const AGENT_KEY = 'corpus-agent-key-6d1f9a3c7e2b4058';
const SECRETS = [TOKEN, HMAC_SECRET, AGENT_TOKEN, VIEWER_TOKEN, STS_SECRET, STS_TOKEN, AGENT_KEY];
/** A request id a case may send as X-Havip-Request-Id: it must never come back or reach a log. */
const FORGED_REQUEST_ID = 'corpus-forged-request-id';
/** The HTTP app's clock: the http-app files are signed for this instant (2026-01-01T00:00:00Z). */
const T0 = Date.UTC(2026, 0, 1);
/**
 * Generous on purpose: a case that needs this long is a finding in itself. The slowest (10,000 members
 * read three ways, ~1 s alone) took up to 17 s inside a full run on a loaded 2-core machine.
 */
const CASE_TIMEOUT_MS = 30_000;
/** The operations that change the cloud; none may be called by any case. */
const MUTATIONS = [
  'AssociateHaVip',
  'UnassociateHaVip',
  'AssociateEipAddress',
  'UnassociateEipAddress',
  'StopInstance',
  'RunCommand',
] as const;

type Handler = (event: unknown, context: unknown) => Promise<Record<string, unknown>>;
interface FcHandlers {
  ecs: Handler;
  mns: Handler;
  timer: Handler;
  http: Handler;
  'scf-cvm': Handler;
  'scf-cmq': Handler;
  'scf-timer': Handler;
  'scf-http': Handler;
}

const fixedClock: Clock = { now: () => T0, sleep: async () => undefined };

let sim: SimulatedCloud;
let world: World;
let fc: FcHandlers;
let app: ReturnType<typeof createHttpApp>;
let scratch: string;
let baseEnv: Record<string, string>;
/** Everything the FC runtime's pino logger wrote to stdout during the current case. */
let stdoutLog = '';

beforeAll(async () => {
  const { topology } = loadTopology(TOPOLOGY, { source: 'corpus topology' });
  sim = new SimulatedCloud(seedFromTopology(topology, { attach: 'highest' }), { transitionDelayMs: 0 });
  world = await createWorld({ topology: TOPOLOGY, sim });
  scratch = mkdtempSync(join(tmpdir(), 'havip-corpus-'));
  baseEnv = {
    HAVIP_STORE: 'sqlite',
    HAVIP_SQLITE_PATH: join(scratch, 'state.sqlite'),
    HAVIP_CLOUD_ENDPOINT: world.server.endpoint,
    HAVIP_CLOUD_PROTOCOL: 'http',
    HAVIP_LOG_LEVEL: 'debug',
  };
  Object.assign(process.env, baseEnv, {
    FC_FUNCTION_NAME: 'havip-corpus',
    HAVIP_TOPOLOGY: TOPOLOGY,
    HAVIP_ALLOW_LOCAL_STORE_ON_FC: 'true',
    HAVIP_API_TOKENS: `ops:${TOKEN},web1:agent:${PRIMARY}:${AGENT_TOKEN}`,
    HAVIP_HMAC_KEYS: `${HMAC_ID}:${HMAC_SECRET}`,
    HAVIP_AGENT_KEYS: 'api:env:HAVIP_CORPUS_AGENT_KEY',
    HAVIP_CORPUS_AGENT_KEY: AGENT_KEY,
  });
  // pino writes synchronously to fd 1 through fs.writeSync: capture those lines to look for secrets
  // (and keep them out of the test output); every other write goes through untouched.
  const writeSync = fs.writeSync.bind(fs);
  vi.spyOn(fs, 'writeSync').mockImplementation(((fd: number, data: unknown, ...rest: unknown[]) => {
    if (fd !== 1) return (writeSync as (...a: unknown[]) => number)(fd, data, ...rest);
    const text =
      typeof data === 'string' ? data : Buffer.from(data as Uint8Array).toString('utf8', 0, undefined);
    stdoutLog += text;
    return Buffer.byteLength(text);
  }) as never);
  // Imported after the environment is set: the handlers read it on their first invocation.
  const handlerOf = (m: unknown) => (m as { handler: Handler }).handler;
  const scfHandlerOf = (m: unknown) => (m as { main_handler: Handler }).main_handler;
  useScfRuntimeFactory(async () => world.runtime);
  fc = {
    ecs: handlerOf(await import('../../functions/on-ecs-event.js')),
    mns: handlerOf(await import('../../functions/on-heartbeat.js')),
    timer: handlerOf(await import('../../functions/on-timer.js')),
    http: handlerOf(await import('../../functions/http-api.js')),
    'scf-cvm': scfHandlerOf(await import('../../functions/scf/cvm-events.js')),
    'scf-cmq': scfHandlerOf(await import('../../functions/scf/heartbeat.js')),
    'scf-timer': scfHandlerOf(await import('../../functions/scf/timer.js')),
    'scf-http': scfHandlerOf(await import('../../functions/scf/http.js')),
  };
  app = createHttpApp({
    service: world.service,
    auth: {
      tokens: [
        { name: 'ops', token: TOKEN },
        { name: 'web1', token: AGENT_TOKEN, role: 'agent', members: [PRIMARY] },
        { name: 'dashboard', token: VIEWER_TOKEN, role: 'viewer' },
      ],
      hmacKeys: [{ id: HMAC_ID, secret: HMAC_SECRET }],
    },
    logger: world.logger,
    clock: fixedClock,
  });
});

afterAll(async () => {
  vi.restoreAllMocks();
  await world?.close();
  rmSync(scratch, { recursive: true, force: true });
  printSummary();
});

// ---------------------------------------------------------------------------------------------------
// The manifest

const SCF_ASYNC = ['scf-cvm', 'scf-cmq', 'scf-timer'] as const;
const ENTRIES = [
  'ecs',
  'mns',
  'timer',
  'http-fc',
  'http-app',
  'topology',
  'simulate',
  ...SCF_ASYNC,
  'scf-http',
] as const;
const CATEGORIES = [
  'not-json',
  'wrong-type',
  'missing-field',
  'unknown-id',
  'prototype-pollution',
  'oversized',
  'unicode',
  'control-chars',
  'invalid-encoding',
  'forged-auth',
  'replayed-auth',
  'expired-auth',
  'huge-number',
  'deep-nesting',
  'duplicate-keys',
  'injection',
] as const;

const common = {
  file: z.string().regex(/^[a-z-]+\/[A-Za-z0-9._-]+$/),
  category: z.enum(CATEGORIES),
  title: z.string().min(1),
};
const AsyncCase = z.strictObject({
  ...common,
  entry: z.enum(['ecs', 'mns', 'timer', ...SCF_ASYNC]),
  /** Deliver the file once first (it must be processed), then again: the second is the case. */
  replay: z.literal(true).optional(),
  /** Deliver this other file first (it must be processed): the case is judged against what it left. */
  prelude: z
    .string()
    .regex(/^[a-z-]+\/[A-Za-z0-9._-]+$/)
    .optional(),
  expect: z.strictObject({
    outcome: z.enum(['rejected', 'ignored', 'processed']),
    code: z.string().optional(),
    /** An issue path the error (or an ignored batch element) must name; `''` is the whole body. */
    path: z.string().optional(),
    /** Text the ignored reason contains. */
    reason: z.string().optional(),
    /** How many groups were reconciled (processed outcomes). */
    results: z.number().int().min(0).optional(),
  }),
});
const HttpCase = z.strictObject({
  ...common,
  entry: z.enum(['http-fc', 'http-app', 'scf-http']),
  /** Send the request once first (it must succeed), then again: the second is the case. */
  replay: z.literal(true).optional(),
  expect: z.strictObject({
    status: z.number().int().min(200).max(599),
    /** `error.code` of an error answer, or the reconcile `status` of a result answer. */
    code: z.string(),
    path: z.string().optional(),
  }),
});
const TopologyCase = z.strictObject({
  ...common,
  entry: z.literal('topology'),
  expect: z.strictObject({
    /** `parse`: parseTopology throws; `rules`: it parses and the static rules report the error. */
    stage: z.enum(['parse', 'rules']),
    /** The finding code. */
    code: z.string(),
    path: z.string(),
  }),
});
const SimulateCase = z.strictObject({
  ...common,
  entry: z.literal('simulate'),
  expect: z.strictObject({ code: z.literal('scenario.invalid'), path: z.string() }),
});
const CaseSchema = z.union([AsyncCase, HttpCase, TopologyCase, SimulateCase]);
type AsyncCase = z.infer<typeof AsyncCase>;
type HttpCase = z.infer<typeof HttpCase>;
type TopologyCase = z.infer<typeof TopologyCase>;
type SimulateCase = z.infer<typeof SimulateCase>;

const manifest = z
  .strictObject({ cases: z.array(CaseSchema) })
  .parse(JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')));

/** The bytes of a case file; `.gz` files (the oversized inputs) are stored compressed. */
function load(file: string): Buffer {
  const raw = readFileSync(join(DIR, file));
  return file.endsWith('.gz') ? gunzipSync(raw) : raw;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? listFiles(p) : [relative(DIR, p).split(sep).join('/')];
  });
}

// ---------------------------------------------------------------------------------------------------
// Invariants checked around every case

function mutationCalls(): Record<string, number> {
  const calls = sim.stats().calls;
  return Object.fromEntries(MUTATIONS.map((a) => [a, calls[a] ?? 0]));
}

const PROTOTYPES = [Object.prototype, Array.prototype, Function.prototype, String.prototype];
const pristine = PROTOTYPES.map((p) => Object.getOwnPropertyNames(p).sort());
function prototypesUntouched(): void {
  PROTOTYPES.forEach((p, i) => {
    expect(Object.getOwnPropertyNames(p).sort()).toEqual(pristine[i]);
  });
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

/** Awaits an entry point that must not throw, failing with the error when it does. */
async function mustNotThrow<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw new Error(`${what} threw instead of answering: ${e instanceof Error ? e.stack : String(e)}`);
  }
}

/** The rendered form of an issue inside an error message (see formatIssues). */
const issueLine = (path: string) => `  - ${path === '' ? '(root)' : path}: `;

const fcContext = (requestId: string) => ({
  requestId,
  credentials: { accessKeyId: 'STS.corpus', accessKeySecret: STS_SECRET, securityToken: STS_TOKEN },
  function: { name: 'havip-corpus', timeout: 30 },
});
const scfContext = (requestId: string) => ({
  request_id: requestId,
  function_name: 'havip-corpus',
  time_limit_in_ms: 30_000,
});
/** The FC handlers log to stdout (pino); the SCF ones through the injected runtime's memory logger. */
const isScf = (entry: string) => entry.startsWith('scf-');
const functionLog = (entry: string) => (isScf(entry) ? JSON.stringify(world.logger.entries) : stdoutLog);

// ---------------------------------------------------------------------------------------------------
// Feeding one case to its entry point. Each returns the outcome label for the summary.

interface Issue {
  readonly path: string;
  readonly message: string;
  readonly code?: string;
}

async function feedAsync(c: AsyncCase, bytes: Buffer, id: string) {
  const handler = fc[c.entry];
  const context = (suffix: string) => (isScf(c.entry) ? scfContext(suffix) : fcContext(suffix));
  const first = c.replay === true ? bytes : c.prelude === undefined ? undefined : load(c.prelude);
  if (first !== undefined) {
    const before = (await mustNotThrow(`the ${c.entry} handler`, () =>
      handler(first, context(`${id}-first`)),
    )) as { outcome: string };
    expect(before.outcome, JSON.stringify(before)).toBe('processed');
  }
  const r = (await mustNotThrow(`the ${c.entry} handler`, () => handler(bytes, context(id)))) as {
    acknowledged: boolean;
    outcome: string;
    ignored: { reason: string; issues?: Issue[] }[];
    results: unknown[];
    error?: { code: string; message: string };
  };
  const e = c.expect;
  expect(r.acknowledged).toBe(true);
  expect(r.outcome, JSON.stringify(r)).toBe(e.outcome);
  if (e.outcome === 'rejected') {
    expect(r.error?.code).toBe(e.code ?? 'event.invalid');
    if (e.path !== undefined) expect(r.error?.message).toContain(issueLine(e.path));
    // Recorded: the rejection is in the function log with its code.
    expect(functionLog(c.entry)).toContain(r.error!.code);
  }
  if (e.outcome === 'ignored' || (e.outcome === 'processed' && e.path !== undefined)) {
    expect(r.ignored.length).toBeGreaterThan(0);
    if (e.path !== undefined)
      expect(r.ignored.flatMap((i) => (i.issues ?? []).map((x) => x.path))).toContain(e.path);
    if (e.reason !== undefined) expect(r.ignored.map((i) => i.reason).join('\n')).toContain(e.reason);
  }
  if (e.results !== undefined) expect(r.results).toHaveLength(e.results);
  return e.outcome;
}

interface HttpAnswer {
  readonly status: number;
  readonly json: {
    error?: { code: string; message: string; issues?: Issue[] };
    status?: string;
  };
  readonly text: string;
  /** The answer's X-Request-Id header. */
  readonly requestId: string;
}

function checkHttp(c: HttpCase, answer: HttpAnswer): string {
  const e = c.expect;
  expect(answer.status, answer.text).toBe(e.status);
  expect(answer.json.error?.code ?? answer.json.status).toBe(e.code);
  if (answer.json.error !== undefined) expect(answer.json.error.message.length).toBeGreaterThan(0);
  if (e.path !== undefined)
    expect(answer.json.error?.issues?.map((i) => i.path) ?? [], answer.text).toContain(e.path);
  for (const s of SECRETS) expect(answer.text).not.toContain(s);
  expect(answer.text + answer.requestId).not.toContain(FORGED_REQUEST_ID);
  return String(answer.status);
}

async function feedHttpFc(c: HttpCase, bytes: Buffer, id: string) {
  const scf = c.entry === 'scf-http';
  const handler = scf ? fc['scf-http'] : fc.http;
  const r = (await mustNotThrow(`the ${c.entry} handler`, () =>
    handler(bytes, scf ? scfContext(id) : fcContext(id)),
  )) as {
    statusCode: number;
    headers: Record<string, string>;
    isBase64Encoded: boolean;
    body: string;
  };
  expect(r.isBase64Encoded).toBe(false);
  const label = checkHttp(c, {
    status: r.statusCode,
    json: JSON.parse(r.body),
    text: r.body,
    requestId: r.headers['x-request-id'] ?? '',
  });
  // Recorded: the access log (or the unusable-event warning) carries the status.
  expect(functionLog(c.entry)).toContain(`"status":${r.statusCode}`);
  return label;
}

/**
 * A raw HTTP/1.1 request → a Fetch Request. The head is read as Latin-1 (header values are byte
 * strings); the body is every byte after the first blank line, untouched.
 */
function rawRequest(bytes: Buffer): Request {
  let split = bytes.indexOf('\r\n\r\n');
  let gap = 4;
  if (split < 0) {
    split = bytes.indexOf('\n\n');
    gap = 2;
  }
  if (split < 0) throw new Error('a raw request needs a blank line after its headers');
  const [requestLine = '', ...lines] = bytes.subarray(0, split).toString('latin1').split(/\r?\n/);
  const [method = '', target = ''] = requestLine.split(' ');
  const headers = new Headers();
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const body = bytes.subarray(split + gap);
  return new Request(`http://${headers.get('host') ?? 'havip.local'}${target}`, {
    method,
    headers,
    ...(body.byteLength > 0 ? { body: new Uint8Array(body) } : {}),
  });
}

async function feedHttpApp(c: HttpCase, bytes: Buffer) {
  const send = async () => {
    const res = await mustNotThrow('the HTTP app', async () => app.request(rawRequest(bytes)));
    const text = await res.text();
    const requestId = res.headers.get('x-request-id') ?? '';
    return { status: res.status, json: JSON.parse(text), text, requestId } as HttpAnswer;
  };
  if (c.replay) {
    const first = await send();
    expect(first.status, `the original of a replayed request must succeed: ${first.text}`).toBeLessThan(300);
  }
  const answer = await send();
  const label = checkHttp(c, answer);
  expect(world.logger.find('http request').map((e) => e.fields.status)).toContain(answer.status);
  return label;
}

function issuesOf(e: unknown): Issue[] {
  expect(e).toBeInstanceOf(ConfigError);
  return (e as ConfigError).issues as Issue[];
}

async function feedTopology(c: TopologyCase, bytes: Buffer) {
  // Both readers of a topology decode it as UTF-8 with replacement characters (readFile 'utf8', env vars).
  const text = bytes.toString('utf8');
  const { stage, code, path } = c.expect;
  const match = (list: readonly Issue[]) =>
    expect(
      list.map((i) => ({ code: i.code, path: i.path })),
      JSON.stringify(list),
    ).toContainEqual({ code, path });

  // 1. parseTopology, then the static rules
  let parseError: unknown;
  let parsed: ReturnType<typeof parseTopology> | undefined;
  try {
    parsed = parseTopology(text, { source: c.file });
  } catch (e) {
    parseError = e;
  }
  if (stage === 'parse') {
    expect(parsed).toBeUndefined();
    expect((parseError as HavipError).code).toBe('config.invalid');
    match(issuesOf(parseError));
  } else {
    expect(parseError).toBeUndefined();
    match(validateTopology(parsed!).filter((f) => f.severity === 'error'));
  }

  // 2. havip validate --json
  let out = '';
  let err = '';
  const exit = await mustNotThrow('havip validate', () =>
    runValidate(
      c.file,
      { json: true },
      {
        out: { write: (t: string) => (out += t) },
        err: { write: (t: string) => (err += t) },
        readText: async () => text,
      },
    ),
  );
  expect(exit, err).toBe(1);
  match((JSON.parse(out) as Issue[]).filter((f) => (f as { severity?: string }).severity === 'error'));

  // 3. the runtime's HAVIP_TOPOLOGY: refuses to start, naming the problem
  let runtimeError: unknown;
  try {
    const rt = await runtimeFromEnv(
      parseEnv({ ...baseEnv, HAVIP_TOPOLOGY: text }),
      new InvocationCredentials(),
    );
    await rt.close();
  } catch (e) {
    runtimeError = e;
  }
  expect((runtimeError as HavipError | undefined)?.code).toBe('config.invalid');
  expect((runtimeError as Error).message).toContain('HAVIP_TOPOLOGY');
  match(issuesOf(runtimeError));
  return `rejected (${stage})`;
}

async function feedSimulate(c: SimulateCase, bytes: Buffer) {
  const { code, path } = c.expect;
  let error: unknown;
  try {
    parseScenario(bytes.toString('utf8'));
  } catch (e) {
    error = e;
  }
  expect((error as HavipError | undefined)?.code).toBe(code);
  expect(issuesOf(error).map((i) => i.path)).toContain(path);

  // `havip simulate` reads the file itself: give it the (decompressed) bytes on disk.
  const file = join(scratch, c.file.replaceAll('/', '_').replace(/\.gz$/, ''));
  writeFileSync(file, bytes);
  // Both the pure timeline and --engine must refuse the scenario before running anything.
  for (const opts of [{}, { engine: true }]) {
    let out = '';
    let err = '';
    const exitCode = process.exitCode;
    try {
      const exit = await mustNotThrow('havip simulate', () =>
        runSimulate(file, opts, { write: (t: string) => (out += t) }, { write: (t: string) => (err += t) }),
      );
      expect(exit).toBe(2);
    } finally {
      // failUsage sets process.exitCode for the CLI; this worker must not inherit it.
      process.exitCode = exitCode;
    }
    expect(out).toBe('');
    expect(err).toContain(issueLine(path));
  }
  return 'rejected';
}

// ---------------------------------------------------------------------------------------------------
// The run

interface Row {
  readonly entry: string;
  readonly category: string;
  readonly outcome: string;
  readonly ms: number;
}
const rows: Row[] = [];

describe('bad-input corpus', () => {
  it('the manifest covers ≥ 60 cases, every entry point, and exactly the files on disk', () => {
    const files = manifest.cases.map((c) => c.file);
    const preludes = manifest.cases.flatMap((c) => ('prelude' in c && c.prelude ? [c.prelude] : []));
    expect(files.length).toBeGreaterThanOrEqual(60);
    expect(new Set(files).size).toBe(files.length);
    expect(new Set(manifest.cases.map((c) => c.entry))).toEqual(new Set(ENTRIES));
    for (const c of manifest.cases) expect(c.file.split('/')[0], c.file).toBe(c.entry);
    const own = new Set(['manifest.json', 'corpus.test.ts', 'biome.json']);
    const onDisk = listFiles(DIR).filter((f) => !own.has(f));
    expect(onDisk.sort()).toEqual([...files, ...preludes].sort());
  });

  it.each(manifest.cases.map((c, i) => ({ ...c, i })))(
    '$entry $file: $title',
    async ({ i, ...c }) => {
      const bytes = load(c.file);
      const before = mutationCalls();
      stdoutLog = '';
      world.logger.clear();
      const started = performance.now();
      let outcome: string;
      switch (c.entry) {
        case 'ecs':
        case 'mns':
        case 'timer':
        case 'scf-cvm':
        case 'scf-cmq':
        case 'scf-timer':
          outcome = await feedAsync(c, bytes, `corpus-${i}`);
          break;
        case 'http-fc':
        case 'scf-http':
          outcome = await feedHttpFc(c, bytes, `corpus-${i}`);
          break;
        case 'http-app':
          outcome = await feedHttpApp(c, bytes);
          break;
        case 'topology':
          outcome = await feedTopology(c, bytes);
          break;
        case 'simulate':
          outcome = await feedSimulate(c, bytes);
          break;
      }
      const ms = performance.now() - started;
      expect(mutationCalls()).toEqual(before);
      prototypesUntouched();
      const logs = stdoutLog + JSON.stringify(world.logger.entries);
      for (const s of SECRETS) expect(logs).not.toContain(s);
      expect(logs).not.toContain(FORGED_REQUEST_ID);
      rows.push({ entry: c.entry, category: c.category, outcome, ms });
    },
    CASE_TIMEOUT_MS,
  );

  // Controls, after every case: the same world does act on well-formed input, so "no mutation" above
  // is a property of the inputs, not of a world that cannot act.
  it('control: after every case the HaVip is still bound to the holder alone', () => {
    expect(sim.haVip(HAVIP)?.associatedInstances).toEqual([PRIMARY]);
    expect(sim.haVip(API_HAVIP)?.associatedInstances).toEqual([API_HOLDER]);
  });

  it('control: a well-formed Stopped event for the holder fails over through the same handler', async () => {
    const event = {
      id: 'corpus-control-stopped',
      source: 'acs.ecs',
      specversion: '1.0',
      type: 'ecs:Instance:StateChange',
      subject: `acs:ecs:cn-hangzhou:1234567890123456:instance/${PRIMARY}`,
      time: '2026-11-20T08:15:32Z',
      data: { resourceId: PRIMARY, resourceType: 'ALIYUN::ECS::Instance', state: 'Stopped' },
    };
    const before = mutationCalls();
    sim.stopInstance(PRIMARY);
    const r = await fc.ecs(Buffer.from(JSON.stringify(event)), fcContext('corpus-control'));
    expect(r).toMatchObject({ acknowledged: true, outcome: 'processed' });
    expect(mutationCalls()).not.toEqual(before);
    expect(sim.haVip(HAVIP)?.associatedInstances).toEqual([BACKUP]);
  });
});

function printSummary(): void {
  if (rows.length === 0) return;
  const count = (key: (r: Row) => string) => {
    const m = new Map<string, number>();
    for (const r of rows) m.set(key(r), (m.get(key(r)) ?? 0) + 1);
    return [...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, n]) => `  ${k.padEnd(28)} ${n}`);
  };
  const ms = rows.map((r) => r.ms).sort((a, b) => a - b);
  const median = ms[Math.floor(ms.length / 2)] ?? 0;
  const slowest = rows.reduce((a, b) => (b.ms > a.ms ? b : a));
  console.log(
    [
      `bad-input corpus: ${rows.length} of ${manifest.cases.length} cases passed`,
      'by entry point:',
      ...count((r) => r.entry),
      'by category:',
      ...count((r) => r.category),
      'by outcome:',
      ...count((r) => `${r.entry} → ${r.outcome}`),
      `duration: median ${median.toFixed(1)} ms, max ${slowest.ms.toFixed(1)} ms (${slowest.entry}, ${slowest.category})`,
    ].join('\n'),
  );
}
