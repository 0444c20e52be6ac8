#!/usr/bin/env node
/**
 * `npm test`: the type-check (`tsc --noEmit`) and the test suite (`vitest run`, with any arguments given
 * after `npm test --`) side by side. The type-check is one single-threaded process of about 30 s of CPU;
 * run first, it left the machine's other core idle for that long (docs/performance.md, "Test suite").
 *
 * vitest reports as it goes; the compiler's output is held back and printed after it, so the two never
 * interleave. The exit code is 0 only when both pass: a type error fails `npm test` as before, it just
 * no longer keeps the tests from running.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const TSC = require.resolve('typescript/bin/tsc');
const VITEST = require.resolve('vitest/vitest.mjs');

/** Resolves with the child's exit code (1 when a signal ended it). */
const exitCodeOf = (child) => new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));

const tsc = spawn(process.execPath, [TSC, '--noEmit', '-p', 'tsconfig.json'], {
  stdio: ['ignore', 'pipe', 'pipe'],
});
let typeErrors = '';
tsc.stdout.on('data', (chunk) => (typeErrors += chunk));
tsc.stderr.on('data', (chunk) => (typeErrors += chunk));
const vitest = spawn(process.execPath, [VITEST, 'run', ...process.argv.slice(2)], { stdio: 'inherit' });

const [tscCode, vitestCode] = await Promise.all([exitCodeOf(tsc), exitCodeOf(vitest)]);
if (tscCode === 0) process.stdout.write('\n tsc --noEmit: no type errors\n');
else
  process.stderr.write(
    `\n${typeErrors}\n tsc --noEmit failed (exit code ${tscCode}): see the errors above\n`,
  );
process.exitCode = tscCode === 0 && vitestCode === 0 ? 0 : 1;
