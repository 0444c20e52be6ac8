/**
 * `havip policy <topology>`: prints the least-privilege RAM policy for a topology (deploy/ram-policy.json
 * plus exactly the opt-in actions the topology's groups use, scoped to their member instances).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { policyForTopology, type RamPolicy } from '../../shared/app/policy.js';
import { loadTopology } from '../../shared/core/config.js';
import { HavipError } from '../../shared/core/errors.js';
import { ExitCode, type ExitCodeSink, failUsage, printJson, type Sink } from '../output.js';

const BASE = fileURLToPath(new URL('../../deploy/ram-policy.json', import.meta.url));

export async function runPolicy(file: string, out: Sink, err: Sink): Promise<ExitCode> {
  try {
    const { topology } = loadTopology(await readFile(file, 'utf8'), { source: file });
    const base = JSON.parse(await readFile(BASE, 'utf8')) as RamPolicy;
    printJson(policyForTopology(topology, base), out);
    return ExitCode.OK;
  } catch (e) {
    const message =
      e instanceof HavipError
        ? e.message
        : `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
    return failUsage(
      'policy',
      message,
      'pass a valid topology file (havip validate shows every problem)',
      err,
    );
  }
}

export function registerPolicy(program: Command, io: { out: Sink; err: Sink } & ExitCodeSink): void {
  program
    .command('policy')
    .description("print the least-privilege RAM policy for a topology (attach it to the functions' role)")
    .argument('<topology>', 'topology file (YAML or JSON)')
    .action(async (file: string) => {
      io.setExitCode(await runPolicy(file, io.out, io.err));
    });
}
