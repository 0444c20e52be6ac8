/**
 * A fake network for the agent's `linux` data plane: the `ip` and `arping` recorders in this directory,
 * first on PATH, log every call and keep an address table per "host", so tests play several instances
 * without touching the machine's real interfaces.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The directory holding the `ip` and `arping` recorders. */
export const RECORDERS = dirname(fileURLToPath(import.meta.url));

/** One simulated host's network. */
export interface FakeNetwork {
  /** The recorder directory: `log` (every ip/arping call) and `addrs` (the fake address table). */
  readonly dir: string;
  /** The environment for `ip` and `arping` (recorders first on PATH), plus `extra` settings. */
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
  /** Every ip/arping command line so far. */
  commands(): Promise<string[]>;
  /** The fake address table as `DEV ADDR/LEN` lines. */
  addresses(): Promise<string[]>;
  /** Puts an address on the fake table, as an operator or another tool would. */
  configure(dev: string, cidr: string): Promise<void>;
  /** Empties the address table, as if someone removed everything by hand. */
  clearAddresses(): Promise<void>;
}

const lines = (s: string) => s.split('\n').filter((l) => l !== '');
const readLines = (path: string) => readFile(path, 'utf8').then(lines, () => [] as string[]);

export async function fakeNetwork(dir: string): Promise<FakeNetwork> {
  await mkdir(dir, { recursive: true });
  return {
    dir,
    env: (extra = {}) => ({
      // The recorders come first: the real ip/arping must never run from a test.
      PATH: `${RECORDERS}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HAVIP_SHIM_DIR: dir,
      ...extra,
    }),
    commands: () => readLines(join(dir, 'log')),
    addresses: () => readLines(join(dir, 'addrs')),
    async configure(dev, cidr) {
      const current = await readLines(join(dir, 'addrs'));
      await writeFile(join(dir, 'addrs'), [...current, `${dev} ${cidr}`, ''].join('\n'));
    },
    clearAddresses: () => writeFile(join(dir, 'addrs'), ''),
  };
}
