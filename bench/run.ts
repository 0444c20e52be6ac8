/**
 * `npm run bench`: runs the benchmarks and prints their figures, then one summary table with the targets.
 * Benchmarks report; they never fail on a missed target (exit 1 only when a benchmark could not run).
 *
 *   npm run bench -- [--only failover,sweep,cold-start,cold-start-tencent,decide,config,heartbeat,failover-latency,failover-latency-tencent,store] [--runs N] [--latency 50,200]
 *                    [--sweep-scales 1000x3@1,10000x3@10] [--sweep-topology yaml|json]
 *                    [--sweep-node-flags=--max-old-space-size=64] [--dist dist] [--json report.json]
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  type ColdStartReport,
  DEFAULT_COLD_START,
  type HandlerFigures,
  missingBundles,
  runColdStartBench,
} from './cold-start.js';
import { runTencentColdStartBench, tencentColdStartSection } from './cold-start-tencent.js';
import { DEFAULT_CONFIG_LOAD, runConfigLoadBench } from './config-load.js';
import { DEFAULT_DECIDE, runDecideBench } from './decide.js';
import {
  CHAIN_TARGET,
  DEFAULT_FAILOVER,
  type FailoverReport,
  measureCallCost,
  runFailoverBench,
} from './failover.js';
import {
  DEFAULT_FAILOVER_LATENCY,
  printFailoverLatency,
  runFailoverLatencyBench,
  TENCENT_SCENARIOS,
} from './failover-latency.js';
import {
  DEFAULT_HEARTBEAT_COST,
  type HeartbeatCostReport,
  perBeat,
  runHeartbeatCostBench,
} from './heartbeat-cost.js';
import { machine } from './lib/machine.js';
import { fmt, fmtSummary, type SummaryRow, table } from './lib/stats.js';
import { DEFAULT_STORE, runStoreBench, type StoreBenchReport } from './store.js';
import {
  DEFAULT_SWEEP,
  runSweepBench,
  type SweepReport,
  type SweepScale,
  type TopologyFormat,
} from './sweep.js';

const BENCHES = [
  'failover',
  'sweep',
  'cold-start',
  'cold-start-tencent',
  'decide',
  'config',
  'heartbeat',
  'failover-latency',
  'failover-latency-tencent',
  'store',
] as const;
type BenchName = (typeof BENCHES)[number];

const HELP = `usage: npm run bench -- [options]
  --only <names>            comma-separated: ${BENCHES.join(', ')} (default: all)
  --runs <n>                measured runs per variant for every benchmark (defaults: failover 15,
                            cold start 10, sweep 3 per scale (2 at 10,000 groups), decide 9 batches,
                            heartbeat 5 beats per member, failover-latency(-tencent) 20 per failure,
                            store 300 round trips per store)
  --latency <ms,…>          simulated API latencies for the failover benchmark (default 50,200)
  --sweep-scales <list>     GROUPSxMEMBERS@REGIONS,… (default 1000x3@1,10000x3@10)
  --sweep-topology <form>   json (default: the build's topology.json, JSON.parse before loadTopology)
                            or yaml (the YAML parser, as for an inline HAVIP_TOPOLOGY)
  --sweep-node-flags=<s>    node flags for the sweep's orchestrator process (default: s.yaml's
                            NODE_OPTIONS, --max-semi-space-size=4; --sweep-node-flags= for none), e.g.
                            --sweep-node-flags=--max-old-space-size=48
  --dist <dir>              bundles for the cold-start benchmark (default dist; run npm run build)
  --baseline-dist <dir>     another build (e.g. of the main branch) measured side by side with --dist
  --postgres-url <url>      PostgreSQL server for the store benchmark (default $HAVIP_TEST_POSTGRES_URL,
                            else a throwaway cluster from Debian's postgresql binaries)
  --json <file>             also write every figure as JSON
  --help`;

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n${HELP}\n`);
  process.exit(2);
}

function positiveInt(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) fail(`${flag} must be a whole number ≥ 1, got ${JSON.stringify(v)}`);
  return n;
}

function parseScales(v: string): SweepScale[] {
  return v.split(',').map((part) => {
    const m = /^(\d+)x(\d+)@(\d+)$/.exec(part.trim());
    if (!m) fail(`--sweep-scales: ${JSON.stringify(part)} is not GROUPSxMEMBERS@REGIONS, e.g. 1000x3@1`);
    return { groups: Number(m[1]), members: Number(m[2]), regions: Number(m[3]) };
  });
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const out = (text: string) => process.stdout.write(`${text}\n`);

function printFailover(r: FailoverReport, cost: Awaited<ReturnType<typeof measureCallCost>>): SummaryRow[] {
  const o = r.options;
  out(
    `\n## 1. Failover critical path (${o.runs} runs per variant after ${o.warmup} warm-up, interleaved; ` +
      `transitions and Cloud Assistant runs take ${o.transitionDelayMs} ms)\n`,
  );
  out(
    table([
      [
        'latency',
        'announce',
        'to switch ms',
        'handler ms',
        'sequential',
        'calls',
        'overhead ms',
        'w/o timer slack',
        'in calls',
        'between',
        'CPU ms',
        'failed',
      ],
      ...r.variants.map((v) => [
        `${v.latencyMs} ms`,
        v.announce,
        fmtSummary(v.summary.switchMs),
        fmtSummary(v.summary.handlerMs),
        fmt(v.summary.chain.median, 0),
        fmt(v.summary.calls.median, 0),
        fmtSummary(v.summary.overheadMs),
        fmtSummary(v.summary.overheadExactMs),
        fmt(v.summary.inCallsMs.median),
        fmt(v.summary.betweenCallsMs.median),
        fmt(v.summary.cpuMs.median),
        String(v.failures.length),
      ]),
    ]),
  );
  for (const v of r.variants.filter((x, i, all) => all.findIndex((y) => y.announce === x.announce) === i)) {
    out(`  chain (${v.announce}): ${v.chainText}`);
  }
  for (const v of r.variants)
    for (const f of v.failures.slice(0, 3)) out(`  failed run (${v.latencyMs} ms, ${v.announce}): ${f}`);
  out(
    `  one DescribeHaVips at L = 0: ${fmtSummary(cost.viaAdapterMs, ' ms')} through the adapter and HTTP, ` +
      `${fmtSummary(cost.simulatorOnlyMs, ' ms')} of it in the simulator itself`,
  );
  return r.variants.flatMap((v) => {
    const label = `failover L=${v.latencyMs} ms, announce ${v.announce}`;
    return [
      {
        bench: label,
        metric: 'event → switch (median, p10–p90)',
        value: fmtSummary(v.summary.switchMs, ' ms'),
        target: '—',
        met: undefined,
      },
      {
        bench: label,
        metric: 'sequential cloud calls',
        value: fmt(v.summary.chain.median, 0),
        target: `≤ ${CHAIN_TARGET[v.announce] ?? 5}`,
        met: v.samples.length > 0 ? v.summary.chain.median <= (CHAIN_TARGET[v.announce] ?? 5) : false,
      },
      {
        bench: label,
        metric: 'overhead = switch − chain × L (median)',
        value: fmtSummary(v.summary.overheadMs, ' ms'),
        target: '≤ 10 ms',
        met: v.samples.length > 0 ? v.summary.overheadMs.median <= 10 : false,
      },
      {
        bench: label,
        metric: 'overhead without the simulator timer slack',
        value: fmtSummary(v.summary.overheadExactMs, ' ms'),
        target: '—',
        met: undefined,
      },
    ];
  });
}

function printSweep(r: SweepReport): SummaryRow[] {
  const o = r.options;
  out(
    `\n## 2. Sweep scale (L = ${o.latencyMs} ms, throttle ${o.throttle.ratePerSecond} req/s burst ${o.throttle.burst}, ` +
      `topology as ${o.topologyFormat}${o.childExecArgv?.length ? `, node ${o.childExecArgv.join(' ')}` : ''})\n`,
  );
  const rows: string[][] = [
    [
      'groups',
      'regions',
      'sweep',
      'wall ms',
      'CPU ms',
      'API calls',
      'throttled',
      'surfaced errors',
      'peak RSS MB',
    ],
  ];
  for (const s of r.scales) {
    for (const [name, p] of [
      ['first (empty store)', s.first],
      ['steady state', s.steady],
    ] as const) {
      rows.push([
        String(s.scale.groups),
        String(s.scale.regions),
        name,
        fmtSummary(p.ms),
        fmt(p.cpuMs.median, 0),
        p.samples.map((x) => x.calls).join('/'),
        p.samples.map((x) => x.throttled).join('/'),
        p.samples.map((x) => x.surfacedErrors).join('/'),
        name === 'steady state' ? fmtSummary(s.peakRssMb) : '',
      ]);
    }
  }
  out(table(rows));
  for (const s of r.scales) {
    out(
      `  ${s.scale.groups} groups: simulator seeded in ${fmt(s.simulatorSeedMs, 0)} ms; topology loaded in ` +
        `${fmtSummary(s.topologyLoadMs, ' ms')}; RSS ${fmt(s.bootRssMb.median, 0)} MB with the code loaded, ` +
        `peak ${fmt(s.loadedPeakRssMb.median, 0)} MB after the topology, ${fmt(s.peakRssMb.median, 0)} MB overall`,
    );
    const calls = s.steady.samples[0]?.callsByAction;
    if (calls)
      out(
        `    calls per sweep: ${Object.entries(calls)
          .map(([a, n]) => `${a} ${n}`)
          .join(', ')}`,
      );
    for (const x of [...s.first.samples, ...s.steady.samples]) {
      if (x.error) out(`    sweep error: ${x.error}`);
      for (const f of x.failedExamples) out(`    failed group: ${f}`);
    }
  }
  return r.scales.flatMap((s) => {
    const label = `sweep ${s.scale.groups}×${s.scale.members} in ${s.scale.regions} region${s.scale.regions > 1 ? 's' : ''}`;
    const target = s.scale.groups === 1_000 && s.scale.regions === 1;
    const all = [...s.first.samples, ...s.steady.samples];
    const maxCalls = Math.max(...all.map((x) => x.calls));
    const worstMs = Math.max(s.first.ms.median, s.steady.ms.median);
    const surfaced = all.reduce((a, x) => a + x.surfacedErrors, 0);
    return [
      {
        bench: label,
        metric: 'API calls per sweep (max)',
        value: String(maxCalls),
        target: target ? '≤ 60' : '—',
        met: target ? maxCalls <= 60 : undefined,
      },
      {
        bench: label,
        metric: 'wall time (median: first / steady)',
        value: `${fmt(s.first.ms.median, 0)} / ${fmt(s.steady.ms.median, 0)} ms`,
        target: target ? '≤ 3 s' : '—',
        met: target ? worstMs <= 3_000 : undefined,
      },
      {
        bench: label,
        metric: 'throttled answers / errors surfaced',
        value: `${all.reduce((a, x) => a + x.throttled, 0)} / ${surfaced}`,
        target: target ? 'no error surfaced' : '—',
        met: target ? surfaced === 0 : undefined,
      },
      {
        bench: label,
        metric: 'peak RSS (median)',
        value: fmtSummary(s.peakRssMb, ' MB', 0),
        // 128 MB at the reference scale; any scale must fit the memory the functions get (s.yaml: 512 MB).
        target: target ? '≤ 128 MB' : '≤ 512 MB',
        met: s.peakRssMb.median <= (target ? 128 : 512),
      },
    ];
  });
}

function printColdStart(r: ColdStartReport): SummaryRow[] {
  out(`\n## 3. Cold start (${r.options.runs} rounds, variants interleaved; ms since the process began)\n`);
  const label = (h: HandlerFigures) => `dist/${h.handler}${h.build === 'baseline' ? ' (baseline)' : ''}`;
  out(
    table([
      [
        'variant',
        'loaded ms',
        'above bare ms',
        'first event ms',
        'import + first event ms',
        'calls',
        'spawn→exit ms',
        'peak RSS MB',
        'import ÷ SDK import',
        'load-only process ms',
        'load-only wall ÷ SDK wall',
      ],
      [
        'bare node',
        fmtSummary(r.bare.readyMs),
        '0',
        '',
        '',
        '',
        fmtSummary(r.bare.wallMs),
        fmtSummary(r.bare.peakRssMb, '', 0),
        '',
        fmtSummary(r.bare.wallMs),
        '',
      ],
      [
        'vpc + ecs SDK packages',
        fmtSummary(r.sdk.readyMs),
        fmtSummary(r.sdk.aboveBareMs),
        '',
        '',
        '',
        fmtSummary(r.sdk.wallMs),
        fmtSummary(r.sdk.peakRssMb, '', 0),
        '1',
        fmtSummary(r.sdk.wallMs),
        '1',
      ],
      ...r.handlers.map((h) => [
        label(h),
        fmtSummary(h.readyMs),
        fmtSummary(h.aboveBareMs),
        fmtSummary(h.firstEventMs),
        fmtSummary(h.firstAnswerAboveBareMs),
        fmt(h.calls.median, 0),
        fmtSummary(h.wallMs),
        fmtSummary(h.peakRssMb, '', 0),
        `${fmt(h.importRatioToSdk.median, 3)} (${fmt(h.importRatioToSdk.p10, 3)}–${fmt(h.importRatioToSdk.p90, 3)})`,
        fmtSummary(h.loadOnlyWallMs),
        `${fmt(h.wallRatioToSdk.median, 3)} (${fmt(h.wallRatioToSdk.p10, 3)}–${fmt(h.wallRatioToSdk.p90, 3)})`,
      ]),
    ]),
  );
  for (const h of r.handlers) for (const f of h.failures.slice(0, 3)) out(`  failed run (${label(h)}): ${f}`);
  return r.handlers
    .filter((h) => h.build === 'current')
    .flatMap((h) => {
      const ran = h.readyMs.n > 0;
      return [
        {
          bench: `cold start ${h.handler}`,
          metric: 'import cost ÷ SDK packages import cost (median)',
          value: fmt(h.importRatioToSdk.median, 3),
          target: '≤ 0.10',
          met: ran ? h.importRatioToSdk.median <= 0.1 : false,
        },
        {
          bench: `cold start ${h.handler}`,
          metric: 'peak RSS after the first event',
          value: fmtSummary(h.peakRssMb, ' MB', 0),
          target: '≤ 96 MB',
          met: ran ? h.peakRssMb.median <= 96 : false,
        },
        {
          bench: `cold start ${h.handler}`,
          metric: 'import + first event above bare node (median)',
          value: fmtSummary(h.firstAnswerAboveBareMs, ' ms', 0),
          target: '—',
          met: undefined,
        },
      ];
    });
}

function printHeartbeatCost(r: HeartbeatCostReport): SummaryRow[] {
  const o = r.options;
  out(
    `\n## 6. Heartbeat cost (${o.groups} groups × ${o.members} members, ${o.beats} beats each; ` +
      `cloud calls counted at the port)\n`,
  );
  out(
    table([
      ['variant', 'DescribeHaVips / beat: first round', 'steady', 'all calls / beat: steady', 'ms / beat'],
      ...r.variants.map((v) => [
        v.variant,
        fmt(perBeat(v.describeHaVips.first, v.heartbeats.first), 3),
        fmt(perBeat(v.describeHaVips.steady, v.heartbeats.steady), 3),
        fmt(perBeat(v.allCalls.steady, v.heartbeats.steady), 3),
        fmt(v.steadyMsPerBeat, 3),
      ]),
    ]),
  );
  const before = r.variants[0];
  const now = r.variants[1];
  if (before === undefined || now === undefined) return [];
  const beforeRate = perBeat(before.describeHaVips.steady, before.heartbeats.steady);
  const nowRate = perBeat(now.describeHaVips.steady, now.heartbeats.steady);
  const ratio = nowRate === 0 ? '∞ (none now)' : `${fmt(beforeRate / nowRate, 0)}×`;
  out(
    `  at ${fmt(r.beatsPerSecond, 0)} beats/s (every ${o.intervalSeconds} s): ` +
      `${fmt(beforeRate * r.beatsPerSecond, 0)} DescribeHaVips/s before, ${fmt(nowRate * r.beatsPerSecond, 1)} now; ` +
      `fewer by ${ratio}`,
  );
  const label = `heartbeats ${o.groups}×${o.members}`;
  return [
    {
      bench: label,
      metric: 'DescribeHaVips per beat, steady (before → now)',
      value: `${fmt(beforeRate, 3)} → ${fmt(nowRate, 3)}`,
      target: '≈ 0 now',
      met: nowRate <= 0.01,
    },
  ];
}

function printStore(r: StoreBenchReport): SummaryRow[] {
  const o = r.options;
  out(
    `\n## 6. State store: lease acquire + journal write + release (${o.rounds} rounds per store after ${o.warmup} ` +
      `warm-up, interleaved; PostgreSQL over loopback (${r.server}), pool of ${o.poolMax})\n`,
  );
  out(
    table([
      ['store', 'round trip ms', 'acquire ms', 'journal ms', 'release ms', 'leases taken'],
      ...r.stores.map((s) => [
        s.store,
        fmtSummary(s.roundTripMs),
        fmtSummary(s.acquireMs),
        fmtSummary(s.journalMs),
        fmtSummary(s.releaseMs),
        String(s.leasesTaken),
      ]),
    ]),
  );
  out(`  PostgreSQL ÷ SQLite (median round trip): ${fmt(r.ratio)}`);
  return [
    ...r.stores.map((s) => ({
      bench: `state store ${s.store}`,
      metric: 'acquire + journal + release (median, p10–p90)',
      value: fmtSummary(s.roundTripMs, ' ms'),
      target: '—',
      met: undefined,
    })),
    {
      bench: 'state store',
      metric: 'PostgreSQL ÷ SQLite round trip',
      value: fmt(r.ratio),
      target: '—',
      met: undefined,
    },
  ];
}

async function main(): Promise<void> {
  let args: ReturnType<typeof parse>;
  const parse = () =>
    parseArgs({
      options: {
        only: { type: 'string', multiple: true },
        runs: { type: 'string' },
        latency: { type: 'string' },
        'sweep-scales': { type: 'string' },
        'sweep-topology': { type: 'string' },
        'sweep-node-flags': { type: 'string' },
        dist: { type: 'string' },
        'baseline-dist': { type: 'string' },
        'postgres-url': { type: 'string' },
        json: { type: 'string' },
        help: { type: 'boolean' },
      },
      allowPositionals: false,
    });
  try {
    args = parse();
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  const v = args.values;
  if (v.help) {
    out(HELP);
    return;
  }
  const only = new Set<BenchName>();
  for (const name of (v.only ?? []).flatMap((s) => s.split(','))) {
    if (!(BENCHES as readonly string[]).includes(name.trim()))
      fail(`--only: unknown benchmark ${JSON.stringify(name)}`);
    only.add(name.trim() as BenchName);
  }
  const selected = (b: BenchName) => only.size === 0 || only.has(b);
  const runs = v.runs === undefined ? undefined : positiveInt(v.runs, '--runs');
  const latencies =
    v.latency === undefined
      ? DEFAULT_FAILOVER.latenciesMs
      : v.latency.split(',').map((x) => positiveInt(x, '--latency'));
  const topologyFormat = (v['sweep-topology'] ?? DEFAULT_SWEEP.topologyFormat) as TopologyFormat;
  if (topologyFormat !== 'yaml' && topologyFormat !== 'json') fail('--sweep-topology must be yaml or json');
  const distDir = path.resolve(v.dist ?? DEFAULT_COLD_START.distDir);

  const m = machine();
  out(
    `# havip-failover benchmarks — ${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.platform}, load ${m.load}`,
  );
  const summary: SummaryRow[] = [];
  const report: Record<string, unknown> = { machine: m };
  let crashed = false;
  const guard = async (name: BenchName, f: () => Promise<SummaryRow[]>) => {
    if (!selected(name)) return;
    try {
      summary.push(...(await f()));
    } catch (e) {
      crashed = true;
      out(`\n## ${name}: could not run: ${e instanceof Error ? e.message : String(e)}`);
      summary.push({ bench: name, metric: 'could not run', value: '—', target: '—', met: false });
    }
  };

  await guard('failover', async () => {
    const r = await runFailoverBench({
      ...DEFAULT_FAILOVER,
      latenciesMs: latencies,
      runs: runs ?? DEFAULT_FAILOVER.runs,
      progress: log,
    });
    const cost = await measureCallCost();
    report.failover = { ...r, callCost: cost };
    return printFailover(r, cost);
  });
  await guard('sweep', async () => {
    const scales = v['sweep-scales'] ? parseScales(v['sweep-scales']) : DEFAULT_SWEEP.scales;
    const r = await runSweepBench({
      ...DEFAULT_SWEEP,
      scales: runs === undefined ? scales : scales.map(({ runs: _r, ...s }) => s),
      runs: runs ?? DEFAULT_SWEEP.runs,
      topologyFormat,
      childExecArgv:
        v['sweep-node-flags']?.split(/\s+/).filter((x) => x !== '') ?? DEFAULT_SWEEP.childExecArgv,
      progress: log,
    });
    report.sweep = r;
    return printSweep(r);
  });
  for (const [name, cloud, key] of [
    ['failover-latency', 'alibaba', 'failoverLatency'],
    ['failover-latency-tencent', 'tencent', 'failoverLatencyTencent'],
  ] as const)
    await guard(name, async () => {
      const r = await runFailoverLatencyBench({
        ...DEFAULT_FAILOVER_LATENCY,
        ...(cloud === 'tencent' ? { cloud, scenarios: TENCENT_SCENARIOS } : {}),
        runs: runs ?? DEFAULT_FAILOVER_LATENCY.runs,
        progress: log,
      });
      report[key] = r;
      const printed = printFailoverLatency(r);
      out(printed.text);
      return printed.rows;
    });
  await guard('cold-start', async () => {
    const missing = missingBundles(distDir, DEFAULT_COLD_START.handlers);
    if (missing.length > 0)
      throw new Error(`no bundles in ${distDir} (${missing.join(', ')}): run \`npm run build\` first`);
    const r = await runColdStartBench({
      ...DEFAULT_COLD_START,
      distDir,
      baselineDistDir: v['baseline-dist'] === undefined ? undefined : path.resolve(v['baseline-dist']),
      runs: runs ?? DEFAULT_COLD_START.runs,
      progress: log,
    });
    report.coldStart = r;
    return printColdStart(r);
  });
  await guard('cold-start-tencent', async () => {
    const r = await runTencentColdStartBench({ runs: runs ?? DEFAULT_COLD_START.runs, progress: log });
    report.coldStartTencent = r;
    const { text, rows } = tencentColdStartSection(r);
    out(text);
    return rows;
  });
  await guard('decide', async () => {
    const r = runDecideBench({ ...DEFAULT_DECIDE, samples: runs ?? DEFAULT_DECIDE.samples });
    report.decide = r;
    out(
      `\n## 4. decide() for ${r.members} members (${r.options.samples} batches of ${r.options.iterations})\n`,
    );
    out(
      table([
        ['scenario', 'decision', 'ops/s (median, p10–p90)'],
        ...r.scenarios.map((s) => [s.scenario, s.expected, fmtSummary(s.opsPerSecond, '', 0)]),
      ]),
    );
    return r.scenarios.map((s) => ({
      bench: 'decide() 10 members',
      metric: `${s.scenario}: ops/s`,
      value: fmt(s.opsPerSecond.median, 0),
      target: 'sanity only',
      met: undefined,
    }));
  });
  await guard('config', async () => {
    const r = runConfigLoadBench({ ...DEFAULT_CONFIG_LOAD, samples: runs ?? DEFAULT_CONFIG_LOAD.samples });
    report.config = r;
    out(`\n## 5. loadTopology by input form (${r.options.samples} samples, interleaved)\n`);
    out(
      table([
        ['groups', 'input', 'ms (median, p10–p90)'],
        ...r.rows.map((x) => [String(x.groups), x.form, fmtSummary(x.ms)]),
      ]),
    );
    return r.rows
      .filter((x) => x.form !== 'json text')
      .map((x) => ({
        bench: `loadTopology ${x.groups} groups`,
        metric: x.form,
        value: fmtSummary(x.ms, ' ms'),
        target: '—',
        met: undefined,
      }));
  });
  await guard('store', async () => {
    const r = await runStoreBench({
      ...DEFAULT_STORE,
      rounds: runs ?? DEFAULT_STORE.rounds,
      postgresUrl: v['postgres-url'],
      progress: log,
    });
    report.store = r;
    return printStore(r);
  });

  await guard('heartbeat', async () => {
    const r = await runHeartbeatCostBench({
      ...DEFAULT_HEARTBEAT_COST,
      beats: runs === undefined ? DEFAULT_HEARTBEAT_COST.beats : Math.max(2, runs),
      progress: log,
    });
    report.heartbeat = r;
    return printHeartbeatCost(r);
  });

  out('\n## Summary\n');
  out(
    table([
      ['benchmark', 'metric', 'measured', 'target', ''],
      ...summary.map((r) => [
        r.bench,
        r.metric,
        r.value,
        r.target,
        r.met === undefined ? '' : r.met ? 'met' : 'MISSED',
      ]),
      [
        'keepalived (reference)',
        'master-down detection, advert_int 1',
        '≈ 3.6 s (3 × advert_int + skew)',
        '—',
        '',
      ],
      ['Tencent Cloud HAVIP (reference)', 'switch, per its docs', 'up to 10 s', '—', ''],
    ]),
  );
  if (v.json) {
    writeFileSync(v.json, `${JSON.stringify(report, null, 2)}\n`);
    out(`\nfigures written to ${v.json}`);
  }
  if (crashed) process.exitCode = 1;
}

await main();
