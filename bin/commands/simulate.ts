/**
 * `havip simulate <scenario.json>`: what-if timeline of one group's decisions. Prints one JSON line per
 * step. Exit 0 on success, 2 on a bad or unreadable scenario.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ConfigError } from '../../shared/core/errors.js';
import { parseScenario, type Scenario } from '../../shared/core/scenario.js';
import { type SimulationLine, simulate } from '../../shared/core/simulate.js';
import { ExitCode, type ExitCodeSink, failUsage, type Sink } from '../output.js';

export async function runSimulate(
  file: string,
  opts: { engine?: boolean } = {},
  out: Sink,
  err: Sink,
): Promise<ExitCode> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    return failUsage(
      'simulate',
      `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      'pass the path of a scenario JSON file',
      err,
    );
  }
  try {
    const scenario = parseScenario(text);
    const lines = opts.engine ? await withEngine(scenario) : simulate(scenario.group, scenario.steps);
    for (const line of lines) out.write(`${JSON.stringify(line)}\n`);
    return ExitCode.OK;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return failUsage(
      'simulate',
      `${file}: ${e.message}`,
      'see docs/configuration.md and examples/scenarios/',
      err,
    );
  }
}

/** Through the engine on the simulator of the group's cloud (Alibaba's, or Tencent's over TC3). */
async function withEngine(scenario: Scenario): Promise<SimulationLine[]> {
  const { simulateWithEngine, tencentSimulatorScenarioWorld } = await import(
    '../../shared/app/simulate-engine.js'
  );
  return simulateWithEngine(scenario.topology, scenario.group, scenario.steps, {
    tencentWorld: tencentSimulatorScenarioWorld,
  });
}

export function registerSimulate(program: Command, io: { out: Sink; err: Sink } & ExitCodeSink): void {
  program
    .command('simulate')
    .description(
      'what-if: replay a timeline of member health through the decision rules (one JSON line per step)',
    )
    .argument('<scenario>', 'scenario JSON: {"group": {...}, "steps": [{"at": 0, "healthy": ["i-..."]}]}')
    .option(
      '--engine',
      "run the scenario through the real engine on the embedded simulator of the group's cloud (Alibaba or Tencent) and a SQLite store",
    )
    .action(async (file: string, opts: { engine?: boolean }) => {
      io.setExitCode(await runSimulate(file, opts, io.out, io.err));
    });
}
