/**
 * Runs the campaign: batches of fast-check model-based runs (a random topology, random world settings and
 * a random sequence of commands each, then "faults stop" and the convergence check) until the step budget
 * is spent. Deterministic for a seed: every batch uses `seed + batch` and everything inside runs on
 * virtual time with seeded randomness. A failure is shrunk by fast-check and reported with the batch's
 * seed, so that batch alone reproduces it.
 */
import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { assertClean, commandArb, type Model } from './commands.js';
import { quiesceAndCheck } from './invariants.js';
import { CampaignStats, formatSummary } from './stats.js';
import { describeSpec, type TopologySpec, topologySpecArb } from './topology.js';
import { CampaignWorld } from './world.js';

export interface CampaignOptions {
  readonly seed: number;
  /** Stop once this many steps (commands) have run. */
  readonly steps: number;
  /** Commands per run at most (default 60). */
  readonly maxCommands?: number;
  /** Property runs per fast-check batch (default 8). */
  readonly runsPerBatch?: number;
  /** Called after each batch. */
  readonly onBatch?: (stats: CampaignStats, batch: number) => void;
}

export interface CampaignResult {
  readonly stats: CampaignStats;
  readonly batches: number;
  readonly elapsedMs: number;
  /** The fast-check report of the first failing batch, if any. */
  readonly failure?: { readonly batchSeed: number; readonly report: string };
}

export interface RunInput {
  readonly spec: TopologySpec;
  readonly seed: number;
  readonly transitionDelayMs: number;
  readonly cloudAssistantDelayMs: number;
}

const runInput: fc.Arbitrary<RunInput> = fc.record({
  spec: topologySpecArb,
  seed: fc.integer({ min: 1, max: 2 ** 30 }),
  transitionDelayMs: fc.constantFrom(0, 500, 2_000),
  cloudAssistantDelayMs: fc.constantFrom(300, 3_000),
});

/** One property run: a world, the commands, then faults stop and the convergence check. */
export async function runOnce(
  input: RunInput,
  commands: Iterable<fc.AsyncCommand<Model, CampaignWorld>>,
  into: CampaignStats,
): Promise<CampaignWorld> {
  const stats = new CampaignStats();
  stats.runs = 1;
  const w = new CampaignWorld(
    {
      spec: input.spec,
      seed: input.seed,
      transitionDelayMs: input.transitionDelayMs,
      cloudAssistantDelayMs: input.cloudAssistantDelayMs,
    },
    stats,
  );
  try {
    await fc.asyncModelRun(() => ({ model: { releases: 0 }, real: w }), commands);
    stats.command('faults stop (convergence check)');
    await quiesceAndCheck(w);
    assertClean(w);
    return w;
  } finally {
    w.close();
    into.merge(stats);
  }
}

export async function runCampaign(opts: CampaignOptions): Promise<CampaignResult> {
  const stats = new CampaignStats();
  const started = Date.now();
  const maxCommands = opts.maxCommands ?? 60;
  const runsPerBatch = opts.runsPerBatch ?? 8;
  let batch = 0;
  while (stats.steps < opts.steps) {
    const batchSeed = (opts.seed + batch) | 0;
    const property = fc.asyncProperty(
      runInput,
      fc.commands([commandArb], { maxCommands, size: 'max' }),
      async (input, commands) => {
        await runOnce(input, commands, stats);
      },
    );
    const details = await fc.check(property, { seed: batchSeed, numRuns: runsPerBatch, endOnFailure: false });
    batch++;
    opts.onBatch?.(stats, batch);
    if (details.failed) {
      const err = details.errorInstance;
      const report = `${err instanceof Error ? err.message : String(err)}\n${fc.defaultReportMessage(details) ?? 'failed'}`;
      const input = details.counterexample?.[0] as RunInput | undefined;
      return {
        stats,
        batches: batch,
        elapsedMs: Date.now() - started,
        failure: {
          batchSeed,
          report: `${input ? `topology: ${describeSpec(input.spec)}\n` : ''}${report}`,
        },
      };
    }
  }
  return { stats, batches: batch, elapsedMs: Date.now() - started };
}

export function summary(result: CampaignResult, opts: { seed: number; steps: number }): string {
  return formatSummary(result.stats, {
    seed: opts.seed,
    steps: opts.steps,
    elapsedMs: result.elapsedMs,
    command: `npm run campaign -- --steps ${opts.steps} --seed ${opts.seed}`,
  });
}

/** Writes the figures as JSON (what RELIABILITY.md is refreshed from). */
export function writeReport(
  file: string,
  result: CampaignResult,
  opts: { seed: number; steps: number },
): void {
  const report = {
    seed: opts.seed,
    targetSteps: opts.steps,
    elapsedMs: result.elapsedMs,
    reproduce: `npm run campaign -- --steps ${opts.steps} --seed ${opts.seed}`,
    ...result.stats.toJSON(),
    failure: result.failure,
  };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}
