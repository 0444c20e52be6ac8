/**
 * Benchmark 2: sweep scale. The simulator (in this process) serves a topology of N groups × M members
 * with a per-call latency and the account throttle on; the orchestrator runs in a child process and
 * sweeps every group with one `engine.sweep`. Each child does two sweeps: the first on an empty store
 * (it creates every member's health row), then a steady-state one (what a warm timer function does).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { stringify } from 'yaml';
import { lazySdkRequires } from '../scripts/esbuild-plugins.mjs';
import {
  SimulatedCloud,
  type SimulatorServer,
  seedFromTopology,
  startSimulatorServer,
} from '../shared/adapters/simulator/index.js';
import { loadTopology } from '../shared/core/config.js';
import { type Summary, summarize } from './lib/stats.js';
import { generateTopology } from './lib/topology.js';
import type { ChildMessage } from './sweep-child.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');

export interface SweepScale {
  readonly groups: number;
  readonly members: number;
  readonly regions: number;
  /** Child processes for this scale; default `SweepOptions.runs`. */
  readonly runs?: number;
}

/**
 * How the child reads its topology file: `json`, as the functions read the `topology.json` that
 * `npm run build -- --topology` writes (`JSON.parse`, then `loadTopology`), or `yaml`: the text through
 * `loadTopology`, as an inline `HAVIP_TOPOLOGY` or a `.yaml` file is read.
 */
export type TopologyFormat = 'yaml' | 'json';

export interface SweepOptions {
  readonly scales: readonly SweepScale[];
  /** Child processes per scale (each runs two sweeps). */
  readonly runs: number;
  readonly latencyMs: number;
  /** Account-wide token bucket: sustained calls per second and burst. */
  readonly throttle: { readonly ratePerSecond: number; readonly burst: number };
  readonly topologyFormat: TopologyFormat;
  /** Extra `node` flags for the orchestrator process (e.g. `--max-old-space-size=96` to test a memory cap). */
  readonly childExecArgv?: readonly string[];
  readonly progress?: (line: string) => void;
}

export const DEFAULT_SWEEP: SweepOptions = {
  scales: [
    { groups: 1_000, members: 3, regions: 1 },
    { groups: 10_000, members: 3, regions: 10, runs: 2 },
  ],
  runs: 3,
  // As deployed for a large topology: topology.json, and s.yaml's NODE_OPTIONS.
  topologyFormat: 'json',
  childExecArgv: ['--max-semi-space-size=4'],
  latencyMs: 50,
  throttle: { ratePerSecond: 100, burst: 100 },
};

/** One sweep as the simulator and the child saw it. */
export interface SweepSample {
  readonly ms: number;
  /** CPU time of the orchestrator process during the sweep (the simulator's is not included). */
  readonly cpuMs: number;
  readonly calls: number;
  readonly callsByAction: Readonly<Record<string, number>>;
  readonly throttled: number;
  readonly statuses: Readonly<Record<string, number>>;
  /** Results with status `failed`, plus one when the sweep itself rejected: what an operator would see. */
  readonly surfacedErrors: number;
  readonly error?: string;
  readonly failedExamples: readonly string[];
}

export interface SweepPhase {
  readonly samples: readonly SweepSample[];
  readonly ms: Summary;
  readonly cpuMs: Summary;
}

export interface SweepScaleReport {
  readonly scale: SweepScale;
  readonly simulatorSeedMs: number;
  readonly topologyLoadMs: Summary;
  readonly first: SweepPhase;
  readonly steady: SweepPhase;
  readonly peakRssMb: Summary;
  /** RSS with the code loaded, before the topology is read. */
  readonly bootRssMb: Summary;
  /** Peak RSS after reading and validating the topology, before the first sweep. */
  readonly loadedPeakRssMb: Summary;
}

export interface SweepReport {
  readonly options: SweepOptions;
  readonly scales: readonly SweepScaleReport[];
}

/** Bundles the child like the deployed functions are bundled (CommonJS, node20, the same plugins), into a temp dir. */
async function bundleChild(dir: string): Promise<string> {
  const outfile = path.join(dir, 'sweep-child.cjs');
  await build({
    entryPoints: [path.join(HERE, 'sweep-child.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile,
    // Native module, resolved from the repository through NODE_PATH; Tablestore is never loaded here.
    external: ['better-sqlite3', 'tablestore'],
    plugins: [lazySdkRequires()],
    logLevel: 'silent',
  });
  return outfile;
}

/** A child's messages as an async queue. */
function messages(child: ChildProcess): () => Promise<ChildMessage> {
  const queue: ChildMessage[] = [];
  const waiting: ((m: ChildMessage) => void)[] = [];
  let failure: Error | undefined;
  const fail: ((e: Error) => void)[] = [];
  child.on('message', (m: ChildMessage) => {
    const w = waiting.shift();
    fail.shift();
    if (w) w(m);
    else queue.push(m);
  });
  child.on('exit', (code) => {
    failure = new Error(`the sweep child exited with code ${String(code)} before it finished`);
    for (const f of fail.splice(0)) f(failure);
    waiting.length = 0;
  });
  return () =>
    new Promise<ChildMessage>((resolve, reject) => {
      const m = queue.shift();
      if (m !== undefined) return resolve(m);
      if (failure !== undefined) return reject(failure);
      waiting.push(resolve);
      fail.push(reject);
    });
}

/** Waits for the child to exit on its own (so flags like --cpu-prof can write their output). */
function exited(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function expectMessage<T extends ChildMessage['type']>(
  next: () => Promise<ChildMessage>,
  type: T,
): Promise<Extract<ChildMessage, { type: T }>> {
  const m = await next();
  if (m.type !== type) throw new Error(`sweep child: expected ${type}, got ${m.type}`);
  return m as Extract<ChildMessage, { type: T }>;
}

async function runChild(
  bundle: string,
  topologyFile: string,
  sim: SimulatedCloud,
  server: SimulatorServer,
  opts: SweepOptions,
): Promise<{
  loadMs: number;
  bootRssMb: number;
  loadedPeakRssMb: number;
  sweeps: SweepSample[];
  maxRssMb: number;
}> {
  const stderr: Buffer[] = [];
  const child = spawn(process.execPath, [...(opts.childExecArgv ?? []), bundle], {
    cwd: ROOT,
    // stdout takes the production JSON log lines; nobody needs them here.
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: {
      ...process.env,
      NODE_PATH: path.join(ROOT, 'node_modules'),
      BENCH_TOPOLOGY_FILE: topologyFile,
      BENCH_CLOUD_ENDPOINT: server.endpoint,
      BENCH_SWEEPS: '2',
      BENCH_TOPOLOGY_FORMAT: opts.topologyFormat,
    },
  });
  child.stderr?.on('data', (b: Buffer) => stderr.push(b));
  const next = messages(child);
  try {
    const loaded = await expectMessage(next, 'loaded');
    const sweeps: SweepSample[] = [];
    for (let k = 0; k < 2; k++) {
      // A timer fires every minute or so: the bucket is full again when a sweep starts.
      sim.faults.setThrottle(opts.throttle);
      sim.resetStats();
      child.send({ type: 'go' });
      const swept = await expectMessage(next, 'swept');
      const stats = sim.stats();
      const failed = swept.statuses.failed ?? 0;
      sweeps.push({
        ms: swept.ms,
        cpuMs: swept.cpuMs,
        calls: Object.values(stats.calls).reduce((a, b) => a + b, 0),
        callsByAction: stats.calls,
        throttled: stats.throttled,
        statuses: swept.statuses,
        surfacedErrors: swept.error === undefined ? failed : failed + 1,
        ...(swept.error === undefined ? {} : { error: swept.error }),
        failedExamples: swept.failed.map((f) => `${f.group}: ${f.code} ${f.message}`),
      });
    }
    const done = await expectMessage(next, 'done');
    await exited(child, 10_000);
    return {
      loadMs: loaded.loadMs,
      bootRssMb: loaded.bootRssMb,
      loadedPeakRssMb: loaded.loadedPeakRssMb,
      sweeps,
      maxRssMb: done.maxRssKb / 1024,
    };
  } catch (e) {
    const detail = Buffer.concat(stderr).toString().trim();
    throw new Error(`${e instanceof Error ? e.message : String(e)}${detail ? `\n${detail}` : ''}`);
  } finally {
    if (child.exitCode === null) child.kill();
  }
}

export async function runSweepBench(opts: SweepOptions = DEFAULT_SWEEP): Promise<SweepReport> {
  const dir = mkdtempSync(path.join(tmpdir(), 'havip-bench-'));
  try {
    const bundle = await bundleChild(dir);
    const scales: SweepScaleReport[] = [];
    for (const scale of opts.scales) {
      const doc = generateTopology({ ...scale, announce: 'none' });
      const topologyFile = path.join(dir, `topology-${scale.groups}.${opts.topologyFormat}`);
      writeFileSync(topologyFile, opts.topologyFormat === 'json' ? JSON.stringify(doc) : stringify(doc));
      const { topology } = loadTopology(doc, { source: 'sweep benchmark' });
      const s0 = performance.now();
      const sim = new SimulatedCloud(seedFromTopology(topology, { attach: 'highest' }), { randomSeed: 1 });
      const simulatorSeedMs = performance.now() - s0;
      sim.faults.setLatency(opts.latencyMs);
      const server = await startSimulatorServer({ cloud: sim });
      const loads: number[] = [];
      const boot: number[] = [];
      const loadedPeak: number[] = [];
      const first: SweepSample[] = [];
      const steady: SweepSample[] = [];
      const rss: number[] = [];
      try {
        const runs = scale.runs ?? opts.runs;
        for (let i = 0; i < runs; i++) {
          const r = await runChild(bundle, topologyFile, sim, server, opts);
          loads.push(r.loadMs);
          boot.push(r.bootRssMb);
          loadedPeak.push(r.loadedPeakRssMb);
          rss.push(r.maxRssMb);
          if (r.sweeps[0]) first.push(r.sweeps[0]);
          if (r.sweeps[1]) steady.push(r.sweeps[1]);
          opts.progress?.(
            `sweep ${scale.groups}×${scale.members} in ${scale.regions} region(s): run ${i + 1}/${runs}: ` +
              `${r.sweeps.map((s) => `${s.ms.toFixed(0)} ms (CPU ${s.cpuMs.toFixed(0)} ms)/${s.calls} calls/${s.throttled} throttled`).join(', ')}, ` +
              `RSS ${r.bootRssMb.toFixed(0)} MB at boot, peak ${r.loadedPeakRssMb.toFixed(0)} MB after the topology, ` +
              `${r.maxRssMb.toFixed(0)} MB overall`,
          );
        }
      } finally {
        await server.close();
      }
      scales.push({
        scale,
        simulatorSeedMs,
        topologyLoadMs: summarize(loads),
        first: phase(first),
        steady: phase(steady),
        peakRssMb: summarize(rss),
        bootRssMb: summarize(boot),
        loadedPeakRssMb: summarize(loadedPeak),
      });
    }
    return { options: opts, scales };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function phase(samples: readonly SweepSample[]): SweepPhase {
  return {
    samples,
    ms: summarize(samples.map((s) => s.ms)),
    cpuMs: summarize(samples.map((s) => s.cpuMs)),
  };
}
