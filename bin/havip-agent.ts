/**
 * The standalone agent program that `scripts/build.mjs` bundles into `dist/agent/havip-agent.cjs`: the
 * `havip agent` verb alone, for member hosts that have Node.js but not this repository.
 */
import { Command } from 'commander';
import { defineAgentCommand } from './commands/agent.js';

const program = defineAgentCommand(new Command('havip-agent'))
  .showHelpAfterError()
  .exitOverride((err) => {
    process.exit(err.exitCode === 0 ? 0 : 2);
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`havip-agent: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
