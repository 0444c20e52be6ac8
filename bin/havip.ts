/**
 * `havip` — the operator CLI. Each verb lives in its own module under `bin/commands/`; program.ts wires
 * them together on an I/O seam, and this file runs them on the real process.
 */
import { processIo, runCli } from './program.js';

await runCli(process.argv.slice(2), processIo());
