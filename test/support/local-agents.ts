/**
 * Checks shared by the local-mode suites that run real agent processes (Alibaba and Tencent): one OS
 * process per member that names its instance on its command line, and none left once the mode closes.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { TencentLocalOptions } from '../../shared/app/local.js';
import type { LocalAgents } from '../../shared/app/local-agents.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A headless local mode with agents on `topology` (a path under the repository): any free port, sweeps
 * every 5 s, 200 ms transitions, no disk, every printed line into `lines`; `havip agent` run as the
 * package's bin shim.
 */
export function headlessWithAgents(topology: string, lines: string[]): TencentLocalOptions {
  const file = `${ROOT}${topology}`;
  return {
    topologyText: readFileSync(file, 'utf8'),
    topologySource: file,
    port: 0,
    sweepSeconds: 5,
    transitionMs: 200,
    sqlitePath: ':memory:',
    token: undefined,
    logLevel: 'silent',
    print: (l) => lines.push(l),
    agents: { command: [process.execPath, `${ROOT}bin/havip.js`, 'agent'] },
  };
}

/** One agent process per member, each with `agent --instance-id <its member>` on its command line. */
export function expectOneAgentProcessPerMember(agents: LocalAgents, memberIds: readonly string[]): void {
  expect(agents.agents.map((a) => a.memberId).sort()).toEqual([...memberIds].sort());
  for (const a of agents.agents) {
    const cmdline = readFileSync(`/proc/${a.pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline).toEqual(expect.arrayContaining(['agent', '--instance-id', a.memberId]));
    expect(a.address).toMatch(/^127\.\d+\.\d+\.\d+$/);
  }
}

/** Closes a local mode and checks that no agent process outlives it (no orphans). */
export async function closeLeavingNoAgents(
  local: { readonly agents: LocalAgents | undefined; close(): Promise<void> } | undefined,
): Promise<void> {
  const pids = local?.agents?.agents.map((a) => a.pid) ?? [];
  await local?.close();
  for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
}
