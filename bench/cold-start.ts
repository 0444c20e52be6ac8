/**
 * Benchmark 3: cold start. Each bundled handler in `dist/` (built by `npm run build`) is loaded by a fresh
 * `node` process that then handles its first event against the simulator running in this process, the way
 * Function Compute starts a new instance; a second fresh process only loads it (`node -e 'require(bundle)'`).
 * Next to them, in the same rounds: a bare `node` and a process that only requires the two official SDK
 * packages. With `baselineDistDir` (another build, e.g. of the main branch) every handler is also run from
 * that build, so before and after are measured side by side. Variants alternate within each round so drift
 * on a shared machine hits them alike; import costs are per-round differences to the bare process.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  type SimEcsStateChangeEvent,
  SimulatedCloud,
  seedFromTopology,
  startSimulatorServer,
} from '../shared/adapters/simulator/index.js';
import { loadTopology } from '../shared/core/config.js';
import { type Summary, summarize } from './lib/stats.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const CHILD = path.join(HERE, 'cold-start-child.cjs');

/** The handlers `scripts/build.mjs` bundles, each with the first event it is given. */
export const HANDLERS = ['on-ecs-event', 'on-heartbeat', 'on-timer', 'http-api'] as const;
export type HandlerName = (typeof HANDLERS)[number];

export interface ColdStartOptions {
  /** Where the bundles are: `<distDir>/<handler>/index.js`. */
  readonly distDir: string;
  /** Another build measured side by side (reported as `baseline`), e.g. one of the main branch. */
  readonly baselineDistDir?: string | undefined;
  readonly runs: number;
  readonly handlers: readonly HandlerName[];
  readonly progress?: (line: string) => void;
}

export const DEFAULT_COLD_START: ColdStartOptions = {
  distDir: path.join(ROOT, 'dist'),
  runs: 10,
  handlers: HANDLERS,
};

const PRIMARY = 'i-coldstart0000000001';
const BACKUP = 'i-coldstart0000000002';
const HAVIP = 'havip-coldstart0000001';
const TOKEN = 'bench-token-0123456789abcdef';
/** Simulated API latency during cold starts: small, but above the transition time (see handlerRun). */
export const SIM_LATENCY_MS = 2;
const TOPOLOGY = `
region: cn-hangzhou
groups:
  - name: web
    vSwitchId: vsw-coldstart0000000001
    haVipId: ${HAVIP}
    nopreempt: true
    announce: none
    health: { heartbeatTimeoutSeconds: 30 }
    members:
      - { id: ${PRIMARY}, priority: 100, ip: 192.168.0.11 }
      - { id: ${BACKUP}, priority: 10, ip: 192.168.0.12 }
`;

/** What one child process reported, plus the wall time the parent saw from spawn to exit. */
export interface ChildResult {
  readonly readyMs: number;
  readonly handledMs?: number;
  readonly maxRssKb: number;
  readonly result?: unknown;
  readonly wallMs: number;
}

export interface VariantFigures {
  /** Milliseconds since the process began until the code was loaded. */
  readonly readyMs: Summary;
  /** `readyMs` minus the bare process's, paired within each round. */
  readonly aboveBareMs: Summary;
  /** Spawn to exit, as the parent saw it. */
  readonly wallMs: Summary;
  readonly peakRssMb: Summary;
}

export interface HandlerFigures extends VariantFigures {
  readonly handler: HandlerName;
  /** `current` (distDir) or `baseline` (baselineDistDir). */
  readonly build: 'current' | 'baseline';
  /** From loaded to the first event handled (runtime assembly, store, cloud calls, response). */
  readonly firstEventMs: Summary;
  /** From the bare process's start-up to the first event handled: import plus first event, paired per round. */
  readonly firstAnswerAboveBareMs: Summary;
  /** This handler's import cost over the two SDK packages' import cost (paired per round). */
  readonly importRatioToSdk: Summary;
  /** Spawn to exit of a process that only loads the bundle (`node -e 'require(bundle)'`). */
  readonly loadOnlyWallMs: Summary;
  /** (load-only wall − bare wall) ÷ (SDK wall − bare wall), paired per round: whole processes compared. */
  readonly wallRatioToSdk: Summary;
  /** Cloud calls the first event made (each waits {@link SIM_LATENCY_MS}). */
  readonly calls: Summary;
  readonly failures: readonly string[];
}

export interface ColdStartReport {
  readonly options: ColdStartOptions;
  readonly bare: VariantFigures;
  readonly sdk: VariantFigures;
  readonly handlers: readonly HandlerFigures[];
}

/** Whether `npm run build` output is present for every handler asked for. */
export function missingBundles(distDir: string, handlers: readonly HandlerName[]): HandlerName[] {
  return handlers.filter((h) => !existsSync(path.join(distDir, h, 'index.js')));
}

export function runChild(args: readonly string[], env: NodeJS.ProcessEnv): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [CHILD, ...args], {
      cwd: ROOT,
      // stdout carries the handler's production JSON logs, which nobody reads here.
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      env,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdio[3]?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      const text = Buffer.concat(out).toString().trim();
      if (code !== 0 || text === '') {
        reject(new Error(`exit ${String(code)}: ${Buffer.concat(err).toString().trim() || 'no result'}`));
        return;
      }
      resolve({ ...(JSON.parse(text) as Omit<ChildResult, 'wallMs'>), wallMs });
    });
  });
}

/** The first event each handler gets, and whether its answer is the expected one. */
function firstEvent(
  handler: HandlerName,
  stopping: SimEcsStateChangeEvent,
): { event: unknown; ok: (result: unknown) => boolean } {
  const statusOf = (r: unknown) => (r as { results?: { status?: string }[] }).results?.[0]?.status;
  switch (handler) {
    case 'on-ecs-event':
      return { event: stopping, ok: (r) => statusOf(r) === 'unverified' };
    case 'on-heartbeat':
      // An MNS topic message in the JSON envelope, as the heartbeat queue publishes it.
      return {
        event: {
          TopicOwner: '1234567890123456',
          TopicName: 'havip-heartbeat-timeouts',
          Subscriber: '1234567890123456',
          SubscriptionName: 'havip-failover-heartbeats',
          MessageId: 'BENCH0000000000000000000000000001',
          MessageMD5: '00000000000000000000000000000000',
          PublishTime: Date.now(),
          Message: JSON.stringify({
            type: 'heartbeat.timeout',
            instanceId: PRIMARY,
            lastSeenAt: new Date(Date.now() - 60_000).toISOString(),
          }),
        },
        ok: (r) => statusOf(r) === 'unverified',
      };
    case 'on-timer':
      return {
        event: {
          triggerTime: new Date().toISOString(),
          triggerName: 'health-sweep',
          payload: '{"sweep":"all"}',
        },
        ok: (r) => statusOf(r) === 'noop',
      };
    case 'http-api':
      return {
        event: {
          version: 'v1',
          rawPath: '/v1/groups',
          body: '',
          isBase64Encoded: false,
          headers: { Authorization: `Bearer ${TOKEN}` },
          queryParameters: {},
          requestContext: {
            accountId: '1234567890123456',
            domainName: 'bench.cn-hangzhou.fcapp.run',
            domainPrefix: 'bench',
            http: {
              method: 'GET',
              path: '/v1/groups',
              protocol: 'HTTP/1.1',
              sourceIp: '127.0.0.1',
              userAgent: 'bench',
            },
            requestId: 'bench-http',
            time: new Date().toISOString(),
            timeEpoch: String(Date.now()),
          },
        },
        ok: (r) => (r as { statusCode?: number }).statusCode === 200,
      };
  }
}

/** Starts a fresh simulated cloud, runs one handler's cold start against it, stops the cloud. */
async function handlerRun(handler: HandlerName, bundle: string, stateDir: string, n: string) {
  const { topology } = loadTopology(TOPOLOGY, { source: 'cold-start benchmark' });
  // Transitions complete on the next timer tick and every call waits SIM_LATENCY_MS, so the first status
  // poll after a mutation always sees it settled: the first event never waits for a poll interval.
  const sim = new SimulatedCloud(seedFromTopology(topology, { attach: 'highest' }), {
    randomSeed: 1,
    transitionDelayMs: 0,
  });
  sim.faults.setLatency(SIM_LATENCY_MS);
  const server = await startSimulatorServer({ cloud: sim });
  try {
    const events: SimEcsStateChangeEvent[] = [];
    const off = sim.onEvent((e) => events.push(e));
    if (handler === 'on-ecs-event') sim.stopInstance(PRIMARY);
    off();
    const stopping = events[0] as SimEcsStateChangeEvent;
    const { event, ok } = firstEvent(handler, stopping);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '',
      // better-sqlite3 stays outside the bundles; a dist/ outside the repository still finds it.
      NODE_PATH: path.join(ROOT, 'node_modules'),
      FC_FUNCTION_NAME: `havip-${handler}`,
      HAVIP_TOPOLOGY: TOPOLOGY,
      HAVIP_STORE: 'sqlite',
      HAVIP_ALLOW_LOCAL_STORE_ON_FC: 'true',
      HAVIP_SQLITE_PATH: path.join(stateDir, `${handler}-${n}.sqlite`),
      HAVIP_CLOUD_ENDPOINT: server.endpoint,
      HAVIP_CLOUD_PROTOCOL: 'http',
      HAVIP_API_TOKENS: `ops:${TOKEN}`,
      HAVIP_LOG_LEVEL: 'info',
      BENCH_EVENT: JSON.stringify(event),
      BENCH_CONTEXT: JSON.stringify({
        requestId: `bench-${handler}-${n}`,
        credentials: {
          accessKeyId: 'STS.bench',
          accessKeySecret: 'bench-secret',
          securityToken: 'bench-token',
        },
        function: { name: `havip-${handler}`, timeout: 60 },
      }),
    };
    const r = await runChild(['handler', bundle], env);
    if (!ok(r.result)) throw new Error(`unexpected answer ${JSON.stringify(r.result).slice(0, 300)}`);
    return { ...r, calls: Object.values(sim.stats().calls).reduce((a, b) => a + b, 0) };
  } finally {
    await server.close();
  }
}

interface HandlerSlot {
  readonly handler: HandlerName;
  readonly build: 'current' | 'baseline';
  readonly dir: string;
  readonly runs: (ChildResult & { round: number; calls: number; loadOnly: ChildResult })[];
  readonly failures: string[];
}

export async function runColdStartBench(
  opts: ColdStartOptions = DEFAULT_COLD_START,
): Promise<ColdStartReport> {
  for (const dir of [opts.distDir, ...(opts.baselineDistDir ? [opts.baselineDistDir] : [])]) {
    const missing = missingBundles(dir, opts.handlers);
    if (missing.length > 0)
      throw new Error(`no bundle for ${missing.join(', ')} in ${dir}: run \`npm run build\` first`);
  }
  const stateDir = mkdtempSync(path.join(tmpdir(), 'havip-cold-'));
  const plainEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '' };
  const bare: ChildResult[] = [];
  const sdk: ChildResult[] = [];
  const slots: HandlerSlot[] = opts.handlers.flatMap((handler) => [
    { handler, build: 'current' as const, dir: opts.distDir, runs: [], failures: [] },
    ...(opts.baselineDistDir
      ? [{ handler, build: 'baseline' as const, dir: opts.baselineDistDir, runs: [], failures: [] }]
      : []),
  ]);
  try {
    for (let i = 0; i < opts.runs; i++) {
      bare.push(await runChild(['bare'], plainEnv));
      sdk.push(await runChild(['sdk'], plainEnv));
      for (const slot of slots) {
        const bundle = path.join(slot.dir, slot.handler, 'index.js');
        try {
          const loadOnly = await runChild(['load', bundle], plainEnv);
          const run = await handlerRun(slot.handler, bundle, stateDir, `${slot.build}-${i}`);
          slot.runs.push({ ...run, round: i, loadOnly });
        } catch (e) {
          slot.failures.push(e instanceof Error ? e.message : String(e));
        }
      }
      opts.progress?.(`cold start: round ${i + 1}/${opts.runs}`);
    }
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }

  const bareOf = (round: number) => bare[round] as ChildResult;
  const sdkOf = (round: number) => sdk[round] as ChildResult;
  const figures = (xs: readonly ChildResult[], rounds: readonly number[]): VariantFigures => ({
    readyMs: summarize(xs.map((x) => x.readyMs)),
    aboveBareMs: summarize(xs.map((x, k) => x.readyMs - bareOf(rounds[k] as number).readyMs)),
    wallMs: summarize(xs.map((x) => x.wallMs)),
    peakRssMb: summarize(xs.map((x) => x.maxRssKb / 1024)),
  });
  const allRounds = bare.map((_, k) => k);
  return {
    options: opts,
    bare: figures(bare, allRounds),
    sdk: figures(sdk, allRounds),
    handlers: slots.map(({ handler, build, runs, failures }) => {
      const rounds = runs.map((r) => r.round);
      const b = (r: { round: number }) => bareOf(r.round);
      return {
        handler,
        build,
        ...figures(runs, rounds),
        firstEventMs: summarize(runs.map((r) => (r.handledMs ?? Number.NaN) - r.readyMs)),
        firstAnswerAboveBareMs: summarize(runs.map((r) => (r.handledMs ?? Number.NaN) - b(r).readyMs)),
        calls: summarize(runs.map((r) => r.calls)),
        importRatioToSdk: summarize(
          runs.map((r) => (r.readyMs - b(r).readyMs) / (sdkOf(r.round).readyMs - b(r).readyMs)),
        ),
        loadOnlyWallMs: summarize(runs.map((r) => r.loadOnly.wallMs)),
        wallRatioToSdk: summarize(
          runs.map((r) => (r.loadOnly.wallMs - b(r).wallMs) / (sdkOf(r.round).wallMs - b(r).wallMs)),
        ),
        failures,
      };
    }),
  };
}
