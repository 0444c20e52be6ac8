/**
 * Benchmark 3b: cold start of the Tencent adapter, measured the way the Alibaba handlers are
 * (bench/cold-start.ts): a fresh `node` process loads a bundle and makes its first call against the
 * simulator running in this process. The Tencent adapter is bundled here with the build's settings
 * (one minified CommonJS file, node20) since its SCF entry points are bundled separately; next to it, in
 * the same rounds, a bare `node` and a process that only requires the official SDK's vpc, cvm and tat
 * clients. The import cost is a per-round difference to the bare process.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import {
  startTencentSimulatorServer,
  TencentSimulatedCloud,
  tencentDemoSeed,
} from '../shared/adapters/tencent-simulator/index.js';
import { type ChildResult, runChild } from './cold-start.js';
import { fmt, fmtSummary, type Summary, type SummaryRow, summarize, table } from './lib/stats.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const CREDENTIALS = { secretId: 'AKIDbenchcoldstart', secretKey: 'bench-secret-key' };

export interface TencentColdStartFigures {
  readonly readyMs: Summary;
  readonly aboveBareMs: Summary;
  readonly peakRssMb: Summary;
}

export interface TencentColdStartReport {
  readonly runs: number;
  readonly bundleKb: number;
  readonly bare: TencentColdStartFigures;
  readonly sdk: TencentColdStartFigures;
  readonly adapter: TencentColdStartFigures & {
    /** From loaded to the first answer read (options, signing, one HTTP call, parsing). */
    readonly firstCallMs: Summary;
    /** The adapter's import cost over the three SDK clients' import cost (paired per round). */
    readonly importRatioToSdk: Summary;
  };
  readonly failures: readonly string[];
}

/** The adapter as one minified CommonJS file, as scripts/build.mjs bundles handlers. */
async function bundleAdapter(dir: string): Promise<string> {
  const outfile = path.join(dir, 'tencent-adapter.cjs');
  await build({
    entryPoints: [path.join(ROOT, 'shared/adapters/tencent/index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    logLevel: 'silent',
  });
  return outfile;
}

export async function runTencentColdStartBench(opts: {
  runs: number;
  progress?: (line: string) => void;
}): Promise<TencentColdStartReport> {
  const dir = mkdtempSync(path.join(tmpdir(), 'havip-cold-tencent-'));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '' };
  const bare: ChildResult[] = [];
  const sdk: ChildResult[] = [];
  const adapter: (ChildResult & { round: number })[] = [];
  const failures: string[] = [];
  const cloud = new TencentSimulatedCloud(tencentDemoSeed(), { credentials: CREDENTIALS });
  const server = await startTencentSimulatorServer({ cloud });
  try {
    const bundle = await bundleAdapter(dir);
    const adapterEnv = {
      ...env,
      BENCH_ENDPOINT: server.endpoint,
      BENCH_CREDENTIALS: JSON.stringify(CREDENTIALS),
    };
    for (let i = 0; i < opts.runs; i++) {
      bare.push(await runChild(['bare'], env));
      sdk.push(await runChild(['tencent-sdk'], env));
      try {
        const r = await runChild(['tencent-adapter', bundle], adapterEnv);
        const first = (r.result as { haVipId?: string }[] | undefined)?.[0];
        if (first?.haVipId !== 'havip-demoweb')
          throw new Error(`unexpected answer ${JSON.stringify(r.result)}`);
        adapter.push({ ...r, round: i });
      } catch (e) {
        failures.push(e instanceof Error ? e.message : String(e));
      }
      opts.progress?.(`tencent cold start: round ${i + 1}/${opts.runs}`);
    }
    const figures = (xs: readonly ChildResult[], rounds: readonly number[]): TencentColdStartFigures => ({
      readyMs: summarize(xs.map((x) => x.readyMs)),
      aboveBareMs: summarize(
        xs.map((x, k) => x.readyMs - (bare[rounds[k] as number] as ChildResult).readyMs),
      ),
      peakRssMb: summarize(xs.map((x) => x.maxRssKb / 1024)),
    });
    const all = bare.map((_, k) => k);
    return {
      runs: opts.runs,
      bundleKb: statSync(bundle).size / 1024,
      bare: figures(bare, all),
      sdk: figures(sdk, all),
      adapter: {
        ...figures(
          adapter,
          adapter.map((a) => a.round),
        ),
        firstCallMs: summarize(adapter.map((a) => (a.handledMs ?? Number.NaN) - a.readyMs)),
        importRatioToSdk: summarize(
          adapter.map((a) => {
            const b = (bare[a.round] as ChildResult).readyMs;
            return (a.readyMs - b) / ((sdk[a.round] as ChildResult).readyMs - b);
          }),
        ),
      },
      failures,
    };
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The figures as a table, and the summary rows (targets as for the Alibaba handlers). */
export function tencentColdStartSection(r: TencentColdStartReport): { text: string; rows: SummaryRow[] } {
  const row = (name: string, f: TencentColdStartFigures, extra: readonly string[]) => [
    name,
    fmtSummary(f.readyMs),
    fmtSummary(f.aboveBareMs),
    ...extra,
    fmtSummary(f.peakRssMb, '', 0),
  ];
  const text = [
    `\n## 3b. Cold start of the Tencent adapter (${r.runs} rounds, interleaved; bundle ${fmt(r.bundleKb, 0)} KB)\n`,
    table([
      ['variant', 'loaded ms', 'above bare ms', 'first call ms', 'import ÷ SDK import', 'peak RSS MB'],
      row('bare node', r.bare, ['', '']),
      row('vpc + cvm + tat SDK clients', r.sdk, ['', '1']),
      row('Tencent adapter bundle', r.adapter, [
        fmtSummary(r.adapter.firstCallMs),
        fmt(r.adapter.importRatioToSdk.median),
      ]),
    ]),
    ...r.failures.slice(0, 3).map((f) => `  failed run: ${f}`),
  ].join('\n');
  const ran = r.adapter.readyMs.n > 0;
  const bench = 'cold start tencent adapter';
  return {
    text,
    rows: [
      {
        bench,
        metric: 'import above bare node (median)',
        value: fmtSummary(r.adapter.aboveBareMs, ' ms', 0),
        target: '≤ 150 ms',
        met: ran ? r.adapter.aboveBareMs.median <= 150 : false,
      },
      {
        bench,
        metric: 'peak RSS after the first call',
        value: fmtSummary(r.adapter.peakRssMb, ' MB', 0),
        target: '≤ 96 MB',
        met: ran ? r.adapter.peakRssMb.median <= 96 : false,
      },
      {
        bench,
        metric: 'import cost ÷ SDK clients import cost',
        value: fmt(r.adapter.importRatioToSdk.median),
        target: '—',
        met: undefined,
      },
    ],
  };
}
