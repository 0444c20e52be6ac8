/**
 * Smoke tests of the benchmark modules: each runs with tiny parameters and yields well-formed figures.
 * No timing assertions: only structure and invariants that hold however fast the machine is.
 */
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runColdStartBench } from '../../bench/cold-start.js';
import { runConfigLoadBench } from '../../bench/config-load.js';
import { runDecideBench } from '../../bench/decide.js';
import { runFailoverBench } from '../../bench/failover.js';
import { runHeartbeatCostBench } from '../../bench/heartbeat-cost.js';
import { type CallRecord, criticalChain, describeChain } from '../../bench/lib/recording-cloud.js';
import { quantile, summarize, table } from '../../bench/lib/stats.js';
import { generateTopology } from '../../bench/lib/topology.js';
import { runStoreBench } from '../../bench/store.js';
import { runSweepBench } from '../../bench/sweep.js';
import { loadTopology } from '../../shared/core/config.js';
import { postgresTestUrl } from '../support/postgres.js';
import { sharedBuild } from '../support/shared-build.js';

const call = (op: string, start: number, end: number): CallRecord => ({ op, start, end, ok: true });

describe('bench statistics', () => {
  it.each([
    { xs: [5], q: 0.5, want: 5 },
    { xs: [1, 3], q: 0.5, want: 2 },
    { xs: [1, 2, 3, 4, 5], q: 0.1, want: 1.4 },
    { xs: [1, 2, 3, 4, 5], q: 0.9, want: 4.6 },
    { xs: [1, 2, 3, 4, 5], q: 1, want: 5 },
  ])('quantile($xs, $q) = $want', ({ xs, q, want }) => {
    expect(quantile(xs, q)).toBeCloseTo(want, 10);
  });

  it('summarize sorts its input and reports the spread', () => {
    expect(summarize([9, 1, 5])).toEqual({ n: 3, median: 5, p10: 1.8, p90: 8.2, min: 1, max: 9 });
    expect(summarize([]).n).toBe(0);
    expect(Number.isNaN(summarize([]).median)).toBe(true);
  });

  it('table pads columns to the widest cell', () => {
    expect(
      table([
        ['a', 'bb'],
        ['ccc', 'd'],
      ]).split('\n'),
    ).toEqual(['a    bb', '---  --', 'ccc  d']);
  });
});

describe('critical chain of cloud calls', () => {
  it.each([
    { name: 'one after another', calls: [call('a', 0, 1), call('b', 1, 2), call('c', 2, 3)], length: 3 },
    {
      name: 'two in parallel, then one',
      calls: [call('a', 0, 2), call('b', 0, 3), call('c', 3, 4)],
      length: 2,
    },
    { name: 'overlapping only', calls: [call('a', 0, 3), call('b', 1, 4), call('c', 2, 5)], length: 1 },
    { name: 'nothing', calls: [], length: 0 },
  ])('$name → $length', ({ calls, length }) => {
    const chain = criticalChain(calls);
    expect(chain).toHaveLength(length);
    for (let i = 1; i < chain.length; i++)
      expect(chain[i]?.start).toBeGreaterThanOrEqual(chain[i - 1]?.end ?? 0);
  });

  it('names parallel calls next to the chain call they overlapped', () => {
    const calls = [
      call('describeHaVips', 0, 2),
      call('describeInstances', 0, 3),
      call('associateHaVip', 3, 4),
    ];
    expect(describeChain(criticalChain(calls), calls)).toBe(
      'DescribeInstances|DescribeHaVips → AssociateHaVip',
    );
  });
});

describe('generated topologies', () => {
  it('pass the validators with a raised per-region HaVip quota', () => {
    const doc = generateTopology({ groups: 120, members: 3, regions: 2 });
    const { topology } = loadTopology(doc);
    expect(topology.groups).toHaveLength(120);
    expect(new Set(topology.groups.map((g) => g.region)).size).toBe(2);
    expect(topology.quotas.haVipsPerRegion).toBe(60);
  });
});

describe('benchmarks with tiny parameters', () => {
  it('failover: every run ends on the backup and yields a consistent breakdown', async () => {
    const r = await runFailoverBench({
      latenciesMs: [5],
      announces: ['none', 'cloud-assistant'],
      runs: 2,
      warmup: 0,
      transitionDelayMs: 1,
    });
    expect(r.variants.map((v) => v.announce)).toEqual(['none', 'cloud-assistant']);
    for (const v of r.variants) {
      expect(v.failures).toEqual([]);
      expect(v.samples).toHaveLength(2);
      for (const s of v.samples) {
        expect(s.chain).toBeGreaterThanOrEqual(3);
        expect(s.chain).toBeLessThanOrEqual(s.calls);
        // Every chain call waits the latency at least once, and the handler returns after the last call.
        expect(s.switchMs).toBeGreaterThanOrEqual(s.chain * 5);
        expect(s.handlerMs).toBeGreaterThanOrEqual(s.switchMs);
        expect(s.overheadMs).toBeCloseTo(s.overheadExactMs + s.timerSlackMs, 6);
        expect(s.overheadExactMs).toBeCloseTo(s.inCallsMs + s.betweenCallsMs, 6);
      }
      expect(v.chainText).toMatch(/^DescribeHaVips\|DescribeInstances|^DescribeInstances\|DescribeHaVips/);
      expect(v.chainText).toContain('AssociateHaVip');
      expect(v.chainText).toContain('UnassociateHaVip');
    }
    const [none, assistant] = r.variants;
    expect(none?.chainText).not.toContain('RunCommand');
    // The command's result is read right after it, on the chain or beside the detach's fresh read.
    expect(assistant?.chainText).toMatch(/RunCommand → [^→]*DescribeInvocationResults/);
    expect(assistant?.summary.chain.median).toBeGreaterThan(
      none?.summary.chain.median ?? Number.POSITIVE_INFINITY,
    );
  });

  it('sweep: the child process sweeps every group and reports calls, statuses and peak RSS', async () => {
    const r = await runSweepBench({
      scales: [{ groups: 20, members: 3, regions: 2 }],
      runs: 1,
      latencyMs: 1,
      throttle: { ratePerSecond: 100, burst: 100 },
      topologyFormat: 'yaml',
    });
    const [s] = r.scales;
    expect(s?.first.samples).toHaveLength(1);
    expect(s?.steady.samples).toHaveLength(1);
    for (const x of [...(s?.first.samples ?? []), ...(s?.steady.samples ?? [])]) {
      expect(x.error).toBeUndefined();
      expect(x.statuses).toEqual({ noop: 20 });
      expect(x.surfacedErrors).toBe(0);
      expect(x.calls).toBe(Object.values(x.callsByAction).reduce((a, b) => a + b, 0));
      expect(Object.keys(x.callsByAction).sort()).toEqual(['DescribeHaVips', 'DescribeInstances']);
    }
    expect(s?.peakRssMb.median).toBeGreaterThan(s?.bootRssMb.median ?? Number.POSITIVE_INFINITY);
  });

  it('cold start: a freshly built bundle handles its first event; figures per variant', async () => {
    // This run's `npm run build`, shared with test/deploy/s-yaml.test.ts (it fails the test if it fails).
    const { outdir } = await sharedBuild();
    const r = await runColdStartBench({
      distDir: outdir,
      runs: 1,
      handlers: ['on-ecs-event', 'http-api'],
    });
    expect(r.bare.readyMs.n).toBe(1);
    expect(r.sdk.peakRssMb.median).toBeGreaterThan(r.bare.peakRssMb.median);
    for (const h of r.handlers) {
      expect(h.failures).toEqual([]);
      // Loading index.js now costs about as much as a bare node (the application loads with the first
      // event), so the comparison with the bare process is noise; each figure must exist and be positive.
      expect(h.build).toBe('current');
      expect(h.readyMs.n).toBe(1);
      expect(h.firstEventMs.median).toBeGreaterThan(0);
      // One round: import + first event above bare = loaded + first event − the bare process's start-up.
      expect(h.firstAnswerAboveBareMs.median).toBeCloseTo(
        h.readyMs.median + h.firstEventMs.median - r.bare.readyMs.median,
        6,
      );
      expect(Number.isFinite(h.importRatioToSdk.median)).toBe(true);
      expect(h.loadOnlyWallMs.n).toBe(1);
      expect(Number.isFinite(h.wallRatioToSdk.median)).toBe(true);
    }
    // The failover handler talks to the cloud; the HTTP API's GET /v1/groups does not.
    expect(r.handlers.find((h) => h.handler === 'on-ecs-event')?.calls.median).toBeGreaterThan(0);
    expect(r.handlers.find((h) => h.handler === 'http-api')?.calls.median).toBe(0);
    // A full production build plus four fresh processes: as long as the build in test/deploy/s-yaml.test.ts
    // may take on a loaded machine (the figures are not timed, only checked for shape).
  }, 120_000);

  it('cold start: missing bundles are named with the command that builds them', async () => {
    await expect(
      runColdStartBench({ distDir: path.join(tmpdir(), 'no-such-dist'), runs: 1, handlers: ['on-timer'] }),
    ).rejects.toThrow(/on-timer.*npm run build/);
  });

  it('decide: both scenarios decide as expected and report a rate', () => {
    const r = runDecideBench({ samples: 2, iterations: 50 });
    expect(r.members).toBe(10);
    expect(r.scenarios.map((s) => s.expected)).toEqual(['noop', 'move']);
    for (const s of r.scenarios) expect(s.opsPerSecond.min).toBeGreaterThan(0);
  });

  it('config load: one row per input form', () => {
    const r = runConfigLoadBench({ sizes: [{ groups: 10, regions: 1 }], samples: 1 });
    expect(r.rows.map((x) => x.form)).toEqual(['yaml text', 'json text', 'JSON.parse + object']);
  });

  it('the CLI rejects an unknown benchmark name with exit code 2', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--only', 'nope'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown benchmark "nope"');
  });
});

describe('heartbeat cost', () => {
  it('counts a describe per beat before, none at steady state now, one per group on an empty store', async () => {
    const r = await runHeartbeatCostBench({ groups: 20, members: 2, beats: 3, intervalSeconds: 5 });
    const [before, afterSweep, empty] = r.variants;
    expect(r.beatsPerSecond).toBe(8);
    expect(before).toMatchObject({
      heartbeats: { first: 40, steady: 80 },
      describeHaVips: { first: 40, steady: 80 },
    });
    expect(afterSweep).toMatchObject({ describeHaVips: { first: 0, steady: 0 }, allCalls: { steady: 0 } });
    // Each group is described once, by its first member's first heartbeat.
    expect(empty).toMatchObject({ describeHaVips: { first: 20, steady: 0 } });
  });
});

describe('state store benchmark', () => {
  it('runs both stores on the same rounds and reports their figures and ratio', async () => {
    const r = await runStoreBench({ rounds: 4, warmup: 2, poolMax: 2, postgresUrl: postgresTestUrl() });
    expect(r.server).toBe('given URL');
    expect(r.stores.map((s) => s.store)).toEqual(['sqlite', 'postgres']);
    for (const s of r.stores) {
      expect(s.roundTripMs.n).toBe(4);
      expect(s.acquireMs.n).toBe(4);
      // Every round took the lease and released it: the epoch counter saw each one.
      expect(s.leasesTaken).toBe(6);
      expect(s.roundTripMs.min).toBeGreaterThan(0);
    }
    expect(r.ratio).toBeCloseTo(r.stores[1].roundTripMs.median / r.stores[0].roundTripMs.median, 10);
  });
});
