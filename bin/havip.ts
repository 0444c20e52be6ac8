/**
 * `havip` — the operator CLI. Each verb lives in its own module under `bin/commands/` and registers
 * itself on the program; this file only wires them together.
 */
import { Command } from 'commander';
import { registerAgent } from './commands/agent.js';
import { registerClient } from './commands/client.js';
import { registerInvoke } from './commands/invoke.js';
import { registerLocal } from './commands/local.js';
import { registerPolicy } from './commands/policy.js';
import { registerSim } from './commands/sim.js';
import { registerSimulate } from './commands/simulate.js';
import { registerStore } from './commands/store.js';
import { registerValidate } from './commands/validate.js';

const program = new Command('havip')
  .description('HaVip/EIP failover orchestrator for Alibaba Cloud')
  .showHelpAfterError()
  .exitOverride((err) => {
    // commander's own usage errors (unknown option, missing argument) exit 2 like other input errors.
    process.exit(err.exitCode === 0 ? 0 : 2);
  });

// -- commands (one line each; keep alphabetical) --
registerAgent(program);
registerClient(program);
registerInvoke(program);
registerLocal(program);
registerSim(program);
registerPolicy(program);
registerSimulate(program);
registerStore(program);
registerValidate(program);
// -- end commands --

await program.parseAsync(process.argv);
