/**
 * `npm run campaign -- --steps N --seed S [--json FILE]`: a longer campaign than CI runs, or the replay of
 * a failure from its seed. Prints the figures as Markdown tables (the same as RELIABILITY.md) and, with
 * `--json` or CAMPAIGN_REPORT, writes them as JSON. Exit code 1 when an invariant was violated.
 *
 * `--seed <batch seed> --replay <path> --replay-path <replayPath>` re-runs one shrunk counterexample
 * exactly (CAMPAIGN_TRACE=1 prints every step, invocation, mutation and cloud event).
 */
import { Command, InvalidArgumentError } from 'commander';
import { replayCounterexample, runCampaign, summary, writeReport } from './runner.js';

interface Options {
  steps: number;
  seed?: number;
  maxCommands: number;
  json?: string;
  replay?: string;
  replayPath?: string;
}

function positiveInt(what: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 1)
      throw new InvalidArgumentError(`${what} must be a positive integer`);
    return n;
  };
}

async function replay(o: Options): Promise<void> {
  if (o.seed === undefined || o.replayPath === undefined || o.replay === undefined)
    throw new InvalidArgumentError('--replay needs --seed <batch seed> and --replay-path <replayPath>');
  const failure = await replayCounterexample({
    batchSeed: o.seed,
    path: o.replay,
    replayPath: o.replayPath,
    maxCommands: o.maxCommands,
  });
  console.log(failure === undefined ? 'the counterexample passes now' : failure);
  if (failure !== undefined) process.exitCode = 1;
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
    console.error(`\nINVARIANT VIOLATED (batch seed ${result.failure.batchSeed}):\n${result.failure.report}`);
    process.exitCode = 1;
  }
}

const program = new Command('campaign')
  .description(
    'fault-injection campaign: random schedules of operations and faults, invariants after every step',
  )
  .option('--steps <n>', 'steps (commands) to run', positiveInt('--steps'), 10_000)
  .option('--seed <n>', 'campaign seed (default: random, printed), or the batch seed with --replay', (v) => {
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('--seed must be an integer');
    return n;
  })
  .option('--max-commands <n>', 'commands per run at most', positiveInt('--max-commands'), 60)
  .option('--json <file>', 'also write the figures as JSON (or set CAMPAIGN_REPORT)')
  .option('--replay <path>', "replay one counterexample: fast-check's path")
  .option('--replay-path <replayPath>', 'the replayPath fast-check printed after the commands')
  .action((o: Options) => (o.replay === undefined ? campaign(o) : replay(o)));

await program.parseAsync();
