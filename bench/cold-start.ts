/**
 * Benchmark 3: cold start. Each bundled handler in `dist/` (built by `npm run build`) is loaded by a fresh
 * `node` process that then handles its first event against the simulator running in this process, the way
 * Function Compute starts a new instance. Next to it, in the same rounds: a bare `node` and a process that
 * only requires the two official SDK packages. Variants alternate within each round so drift on a shared
 * machine hits them alike; the import cost is taken as a per-round difference to the bare process.
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
  /** From loaded to the first event handled (runtime assembly, store, cloud calls, response). */
  readonly firstEventMs: Summary;
  /** This handler's import cost over the two SDK packages' import cost (paired per round). */
  readonly importRatioToSdk: Summary;
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
async function handlerRun(handler: HandlerName, opts: ColdStartOptions, stateDir: string, n: number) {
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
    const r = await runChild(['handler', path.join(opts.distDir, handler, 'index.js')], env);
    if (!ok(r.result)) throw new Error(`unexpected answer ${JSON.stringify(r.result).slice(0, 300)}`);
    return { ...r, calls: Object.values(sim.stats().calls).reduce((a, b) => a + b, 0) };
  } finally {
    await server.close();
  }
}

export async function runColdStartBench(
  opts: ColdStartOptions = DEFAULT_COLD_START,
): Promise<ColdStartReport> {
  const missing = missingBundles(opts.distDir, opts.handlers);
  if (missing.length > 0) {
    throw new Error(`no bundle for ${missing.join(', ')} in ${opts.distDir}: run \`npm run build\` first`);
  }
  const stateDir = mkdtempSync(path.join(tmpdir(), 'havip-cold-'));
  const plainEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '' };
  const bare: ChildResult[] = [];
  const sdk: ChildResult[] = [];
  const handlers = new Map<
    HandlerName,
    { runs: (ChildResult & { round: number; calls: number })[]; failures: string[] }
  >(opts.handlers.map((h) => [h, { runs: [], failures: [] }]));
  try {
    for (let i = 0; i < opts.runs; i++) {
      bare.push(await runChild(['bare'], plainEnv));
      sdk.push(await runChild(['sdk'], plainEnv));
      for (const h of opts.handlers) {
        const slot = handlers.get(h) as {
          runs: (ChildResult & { round: number; calls: number })[];
          failures: string[];
        };
        try {
          slot.runs.push({ ...(await handlerRun(h, opts, stateDir, i)), round: i });
        } catch (e) {
          slot.failures.push(e instanceof Error ? e.message : String(e));
        }
      }
      opts.progress?.(`cold start: round ${i + 1}/${opts.runs}`);
    }
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }

  const figures = (xs: readonly ChildResult[], rounds: readonly number[]): VariantFigures => ({
    readyMs: summarize(xs.map((x) => x.readyMs)),
    aboveBareMs: summarize(xs.map((x, k) => x.readyMs - (bare[rounds[k] as number] as ChildResult).readyMs)),
    wallMs: summarize(xs.map((x) => x.wallMs)),
    peakRssMb: summarize(xs.map((x) => x.maxRssKb / 1024)),
  });
  const allRounds = bare.map((_, k) => k);
  return {
    options: opts,
    bare: figures(bare, allRounds),
    sdk: figures(sdk, allRounds),
    handlers: opts.handlers.map((h) => {
      const { runs, failures } = handlers.get(h) as {
        runs: (ChildResult & { round: number; calls: number })[];
        failures: string[];
      };
      const rounds = runs.map((r) => r.round);
      return {
        handler: h,
        ...figures(runs, rounds),
        firstEventMs: summarize(runs.map((r) => (r.handledMs ?? Number.NaN) - r.readyMs)),
        calls: summarize(runs.map((r) => r.calls)),
        importRatioToSdk: summarize(
          runs.map((r) => {
            const b = (bare[r.round] as ChildResult).readyMs;
            return (r.readyMs - b) / ((sdk[r.round] as ChildResult).readyMs - b);
          }),
        ),
        failures,
      };
    }),
  };
}
