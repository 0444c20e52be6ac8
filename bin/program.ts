/**
 * The `havip` program: every verb registered on one commander program that reads and writes only through
 * a {@link CliIo}. The executable (havip.ts) runs it on the real process; tests run it in-process on
 * buffers, the same parsing and the same commands.
 */
import { readFile } from 'node:fs/promises';
import { Command, CommanderError } from 'commander';
import { registerAgent } from './commands/agent.js';
import { type ClientIo, registerClient } from './commands/client.js';
import { type InvokeIo, openApiTransport, registerInvoke } from './commands/invoke.js';
import { type LocalIo, registerLocal } from './commands/local.js';
import { registerPolicy } from './commands/policy.js';
import { registerSim } from './commands/sim.js';
import { registerSimulate } from './commands/simulate.js';
import { registerStore, type StoreIo } from './commands/store.js';
import { registerValidate, type ValidateIo } from './commands/validate.js';
import { ExitCode, type ExitCodeSink } from './output.js';

/** Everything a command touches outside itself (signals excepted: `local` and `sim` wait for Ctrl-C). */
export type CliIo = ClientIo & ValidateIo & InvokeIo & StoreIo & LocalIo & ExitCodeSink;

/** `readText` and `readPayload` over files, with `-` meaning `stdin`. */
export function fileReaders(stdin: AsyncIterable<unknown>): Pick<CliIo, 'readText' | 'readPayload'> {
  const readPayload = async (source: string): Promise<Buffer> => {
    if (source !== '-') return readFile(source);
    const chunks: Buffer[] = [];
    for await (const c of stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
    return Buffer.concat(chunks);
  };
  return { readPayload, readText: async (file) => (await readPayload(file)).toString('utf8') };
}

/** The real process: stdout, stderr, the environment, files and standard input, `process.exitCode`. */
export function processIo(): CliIo {
  return {
    out: process.stdout,
    err: process.stderr,
    env: process.env,
    ...fileReaders(process.stdin),
    createTransport: openApiTransport,
    setExitCode: (code) => {
      process.exitCode = code;
    },
  };
}

export function createProgram(io: CliIo): Command {
  const program = new Command('havip')
    .description('HaVip/EIP failover orchestrator for Alibaba Cloud')
    .showHelpAfterError()
    // Usage errors throw (see runCli) instead of exiting the process; subcommands inherit both settings.
    .exitOverride()
    .configureOutput({ writeOut: (s) => void io.out.write(s), writeErr: (s) => void io.err.write(s) });

  // -- commands (one line each; keep alphabetical) --
  registerAgent(program);
  registerClient(program, io);
  registerInvoke(program, io);
  registerLocal(program, io);
  registerSim(program, io);
  registerPolicy(program, io);
  registerSimulate(program, io);
  registerStore(program, io);
  registerValidate(program, io);
  // -- end commands --
  return program;
}

/** Runs one command line (the arguments after `havip`); the exit code goes to `io.setExitCode`. */
export async function runCli(args: readonly string[], io: CliIo): Promise<void> {
  try {
    await createProgram(io).parseAsync([...args], { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    // commander's own usage errors (unknown option, missing argument) exit 2 like other input errors.
    io.setExitCode(e.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE);
  }
}
