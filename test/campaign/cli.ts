/**
 * `npm run campaign -- --steps N --seed S [--json FILE]`: a longer campaign than CI runs, or the rerun of
 * a failure from its seed. Prints the figures as Markdown tables (the same as RELIABILITY.md) and, with
 * `--json` or CAMPAIGN_REPORT, writes them as JSON. Exit code 1 when an invariant was violated.
 *
 * A failure names the seed of its batch: `--seed <batch seed> --steps 1` runs that batch alone and finds
 * (and shrinks) the same counterexample; with CAMPAIGN_TRACE=1 its report carries a trace of the run.
 */
import { Command, InvalidArgumentError } from 'commander';
import { runCampaign, summary, writeReport } from './runner.js';

interface Options {
  steps: number;
  seed?: number;
  maxCommands: number;
  json?: string;
}

function positiveInt(what: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 1)
      throw new InvalidArgumentError(`${what} must be a positive integer`);
    return n;
  };
}

async function campaign(o: Options): Promise<void> {
  const seed = o.seed ?? Math.floor(Math.random() * 2 ** 31);
  console.log(
    `campaign seed ${seed}, ${o.steps} steps (reproduce: npm run campaign -- --steps ${o.steps} --seed ${seed})`,
  );
  const result = await runCampaign({
    seed,
    steps: o.steps,
    maxCommands: o.maxCommands,
    onBatch: (s, b) => {
      if (b % 10 === 0) console.log(`  batch ${b}: ${s.steps} steps, ${s.totalViolations()} violations`);
    },
  });
  console.log(summary(result, { seed, steps: o.steps }));
  const file = o.json ?? process.env.CAMPAIGN_REPORT;
  if (file) {
    writeReport(file, result, { seed, steps: o.steps });
    console.log(`figures written to ${file}`);
  }
  if (result.failure) {
    console.error(
      `\nINVARIANT VIOLATED (batch seed ${result.failure.batchSeed}):\n${result.failure.report}\n\n` +
        `rerun that batch alone: CAMPAIGN_TRACE=1 npm run campaign -- --seed ${result.failure.batchSeed} --steps 1`,
    );
    process.exitCode = 1;
  }
}

const program = new Command('campaign')
  .description(
    'fault-injection campaign: random schedules of operations and faults, invariants after every step',
  )
  .option('--steps <n>', 'steps (commands) to run', positiveInt('--steps'), 10_000)
  .option(
    '--seed <n>',
    "campaign seed (default: random, printed); a failing batch's seed runs that batch",
    (v) => {
      const n = Number(v);
      if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('--seed must be an integer');
      return n;
    },
  )
  .option('--max-commands <n>', 'commands per run at most', positiveInt('--max-commands'), 60)
  .option('--json <file>', 'also write the figures as JSON (or set CAMPAIGN_REPORT)')
  .action((o: Options) => campaign(o));

await program.parseAsync();
