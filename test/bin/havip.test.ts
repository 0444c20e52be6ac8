/**
 * The executable itself, once: `node --import tsx bin/havip.ts` as a child process. Every command is tested
 * in-process (test/bin/commands, through the same program); this pins the wiring to the real process —
 * arguments, standard input, standard output and the exit code.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import type { Finding } from '../../shared/core/model.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));

it('runs a command on the real process: topology on stdin, findings on stdout, exit 1', async () => {
  const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'bin/havip.ts', 'validate', '-', '--json'], {
        cwd: repo,
        env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end('region: cn-hangzhou\n');
    },
  );
  expect(run.stderr).toBe('');
  expect(run.code).toBe(1);
  expect((JSON.parse(run.stdout) as Finding[]).map((f) => f.code)).toEqual(['config.required']);
}, 30_000);
