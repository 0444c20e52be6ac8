/**
 * The host agents' group keys, as the orchestrator gets them: `HAVIP_AGENT_KEYS` names, per group, where
 * the key is — never the key itself — in the agent's own forms (its `key: {env: …}` / `key: {file: …}`):
 *
 *   HAVIP_AGENT_KEYS=web:env:HAVIP_AGENT_KEY_WEB,db:file:/etc/havip/db.key
 *
 * An `env:` reference names another environment variable holding the key (on Function Compute, a
 * variable of the function, e.g. from a secret); a `file:` reference is read once, first line, trimmed,
 * like the agent reads its key file. A key has at least 16 characters and is used as its UTF-8 bytes,
 * as the agent does. Errors name the entry and what is wrong, never a key.
 *
 * {@link reportAuthority} turns the keys and the topology into what the report parser verifies with.
 */
import { ConfigError, type InputIssue } from '../core/errors.js';
import type { Topology } from '../core/model.js';
import type { ReportAuthority } from '../events/report-signals.js';

export const AGENT_KEYS_VARIABLE = 'HAVIP_AGENT_KEYS';
export const MIN_AGENT_KEY_CHARS = 16;

const ENTRY_RE = /^([a-z0-9][a-z0-9-]{0,62}):(env|file):(.+)$/;
const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const FORM_HINT = 'write <group>:env:<VARIABLE> or <group>:file:<absolute path>, comma-separated';

export interface AgentKeySources {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads a key file (the first line is the key). */
  readonly readFile: (path: string) => string;
}

/** Group name → key bytes. Throws `ConfigError` (`env.invalid`) naming every bad entry. */
export function loadAgentKeys(
  raw: string | undefined,
  topology: Topology,
  sources: AgentKeySources,
): Map<string, Uint8Array> {
  const keys = new Map<string, Uint8Array>();
  if (raw === undefined || raw.trim() === '') return keys;
  const issues: InputIssue[] = [];
  for (const [i, entry] of raw.split(',').entries()) {
    const path = `${AGENT_KEYS_VARIABLE}[${i}]`;
    const problem = (message: string, hint: string) => issues.push({ path, message, hint });
    const m = ENTRY_RE.exec(entry.trim());
    if (m === null) {
      problem('is not a group, a reference kind and a reference', FORM_HINT);
      continue;
    }
    const [, group, kind, ref] = m as unknown as [string, string, 'env' | 'file', string];
    if (!topology.groups.some((g) => g.name === group))
      problem(`names group ${group}, which is not in the topology`, 'list only the topology’s groups');
    else if (keys.has(group)) problem(`gives group ${group} a second key`, 'give each group one key');
    const key = kind === 'env' ? keyFromEnv(ref, sources, problem) : keyFromFile(ref, sources, problem);
    if (key === undefined) continue;
    if (key.length < MIN_AGENT_KEY_CHARS)
      problem(
        `the key of group ${group} is shorter than ${MIN_AGENT_KEY_CHARS} characters`,
        'use the key the agents use (generate one with `openssl rand -hex 32`)',
      );
    else keys.set(group, Buffer.from(key, 'utf8'));
  }
  if (issues.length > 0) throw new ConfigError(`invalid ${AGENT_KEYS_VARIABLE}`, issues, 'env.invalid');
  return keys;
}

type Problem = (message: string, hint: string) => void;

function keyFromEnv(name: string, sources: AgentKeySources, problem: Problem): string | undefined {
  if (!ENV_NAME_RE.test(name)) {
    problem(`env:${name} is not an environment variable name`, FORM_HINT);
    return undefined;
  }
  const value = sources.env[name]?.trim();
  if (value === undefined || value === '') {
    problem(`the environment variable ${name} is not set`, 'set it on the function (or in the environment)');
    return undefined;
  }
  return value;
}

function keyFromFile(path: string, sources: AgentKeySources, problem: Problem): string | undefined {
  if (!path.startsWith('/')) {
    problem(`file:${path} is not an absolute path`, FORM_HINT);
    return undefined;
  }
  try {
    return (sources.readFile(path).split('\n')[0] ?? '').trim();
  } catch (e) {
    problem(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, 'check the path');
    return undefined;
  }
}

/** What the report parser verifies with: the keys, and who is in which group. */
export function reportAuthority(topology: Topology, keys: ReadonlyMap<string, Uint8Array>): ReportAuthority {
  const members = new Map(
    topology.groups.map((g) => [g.name as string, new Set<string>(g.members.map((m) => m.id))]),
  );
  return {
    hasGroup: (group) => members.has(group),
    keyOf: (group) => keys.get(group),
    isMember: (group, member) => members.get(group)?.has(member) === true,
    keyedGroupsOf: (member) =>
      topology.groups.filter((g) => keys.has(g.name) && members.get(g.name)?.has(member)).map((g) => g.name),
  };
}
