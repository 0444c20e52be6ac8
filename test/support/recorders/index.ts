/**
 * Runs the example host agent (examples/agent/havip-agent.sh) as one "host": its own state directory and
 * its own fake network (the `ip` and `arping` recorders in this directory, first on PATH), so a test can
 * play several instances against one orchestrator without touching the machine's real interfaces.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** The directory holding the `ip` and `arping` recorders. */
export const RECORDERS = dirname(fileURLToPath(import.meta.url));
const SCRIPT = join(RECORDERS, '..', '..', '..', 'examples', 'agent', 'havip-agent.sh');

export interface AgentRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The `ip`/`arping` command lines this run executed, in order (announcements run in parallel). */
  readonly commands: readonly string[];
}

/** One simulated instance running the agent. */
export interface AgentHost {
  /** The agent's state directory. */
  readonly stateDir: string;
  /** The recorder directory: `log` (every ip/arping call) and `addrs` (the fake address table). */
  readonly shimDir: string;
  /** Runs the script once with the host's base environment plus `env` (later keys win). */
  run(env?: Record<string, string>): Promise<AgentRun>;
  /** The fake address table as `DEV ADDR/LEN` lines. */
  addresses(): Promise<string[]>;
  /** Puts an address on the fake table, as an operator or another tool would. */
  configure(dev: string, cidr: string): Promise<void>;
}

const lines = (s: string) => s.split('\n').filter((l) => l !== '');
const readLines = (path: string) => readFile(path, 'utf8').then(lines, () => [] as string[]);

/** A host whose agent state and fake network live under `dir`. */
export async function agentHost(dir: string, base: Record<string, string>): Promise<AgentHost> {
  const stateDir = join(dir, 'state');
  const shimDir = join(dir, 'net');
  await mkdir(shimDir, { recursive: true });
  const log = join(shimDir, 'log');
  return {
    stateDir,
    shimDir,
    async run(env = {}) {
      const before = (await readLines(log)).length;
      const full = {
        // The recorders come first: the real ip/arping must never run from a test.
        PATH: `${RECORDERS}:${process.env.PATH ?? '/usr/bin:/bin'}`,
        HAVIP_SHIM_DIR: shimDir,
        HAVIP_AGENT_ENV: join(dir, 'absent.env'),
        HAVIP_AGENT_STATE_DIR: stateDir,
        ...base,
        ...env,
      };
      let r: { code: number; stdout: string; stderr: string };
      try {
        const { stdout, stderr } = await exec('/bin/sh', [SCRIPT], { env: full });
        r = { code: 0, stdout, stderr };
      } catch (e) {
        const err = e as { code: number; stdout: string; stderr: string };
        r = { code: err.code, stdout: err.stdout, stderr: err.stderr };
      }
      return { ...r, commands: (await readLines(log)).slice(before) };
    },
    addresses: () => readLines(join(shimDir, 'addrs')),
    async configure(dev, cidr) {
      const current = await readLines(join(shimDir, 'addrs'));
      await writeFile(join(shimDir, 'addrs'), [...current, `${dev} ${cidr}`, ''].join('\n'));
    },
  };
}
