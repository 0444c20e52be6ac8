/**
 * Runs `havip` in-process: the real program (commander parsing included) and the real commands, on
 * buffers instead of the process's streams. Only test/bin/havip.test.ts starts the executable itself.
 */
import { Readable } from 'node:stream';
import type { InvokeIo } from '../../bin/commands/invoke.js';
import type { ExitCode } from '../../bin/output.js';
import { type CliIo, fileReaders, runCli } from '../../bin/program.js';

export interface CliRun {
  readonly code: ExitCode;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** The whole environment the command sees: nothing is inherited from the test process. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** What standard input holds (for `-` arguments); empty by default. */
  readonly stdin?: string;
  /** How `havip invoke` reaches Function Compute; by default it must not send anything. */
  readonly createTransport?: InvokeIo['createTransport'];
}

export async function havip(args: readonly string[], opts: CliOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  let code: ExitCode = 0;
  const io: CliIo = {
    out: { write: (t: string) => (stdout += t) },
    err: { write: (t: string) => (stderr += t) },
    env: opts.env ?? {},
    ...fileReaders(Readable.from([Buffer.from(opts.stdin ?? '')])),
    createTransport:
      opts.createTransport ??
      (() => async () => {
        throw new Error('this test sends no invocation');
      }),
    setExitCode: (c) => {
      code = c;
    },
  };
  await runCli(args, io);
  return { code, stdout, stderr };
}
