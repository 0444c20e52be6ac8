/**
 * topologyFromEnv: a `.json` topology file (what `npm run build -- --topology` writes) is read with
 * JSON.parse and still checked by the same schema and rules as YAML.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseEnv, topologyFromEnv } from '../../../shared/app/runtime.js';
import { ConfigError } from '../../../shared/core/errors.js';

const EXAMPLE = resolve(import.meta.dirname, '../../../examples/two-node.yaml');
const dir = mkdtempSync(join(tmpdir(), 'havip-runtime-topology-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fromFile = (name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return topologyFromEnv(parseEnv({ HAVIP_TOPOLOGY_FILE: file }));
};
const failure = (f: () => unknown): ConfigError => {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
};

describe('topologyFromEnv with HAVIP_TOPOLOGY_FILE', () => {
  const yaml = readFileSync(EXAMPLE, 'utf8');

  it('reads a .json file to the same topology as the YAML it was written from', () => {
    const json = JSON.stringify(parseYaml(yaml));
    expect(fromFile('topology.json', json)).toEqual(fromFile('topology.yaml', yaml));
  });

  it('refuses a .json file that is not JSON, naming the variable and the fix', () => {
    const e = failure(() => fromFile('broken.json', '{"region": "cn-hangzhou",'));
    expect(e.issues[0]?.path).toBe('HAVIP_TOPOLOGY_FILE');
    expect(e.issues[0]?.message).toMatch(/broken\.json is not valid JSON/);
    expect(e.issues[0]?.hint).toContain('npm run build -- --topology');
  });

  it('applies the schema and the static rules to a .json file as to YAML', () => {
    const doc = parseYaml(yaml) as { groups: { members: { id: string }[] }[] };
    const members = doc.groups[0]?.members ?? [];
    for (const m of members) m.id = 'i-twice'; // one instance listed as two members
    const fromJson = failure(() => fromFile('one-member.json', JSON.stringify(doc)));
    const fromYaml = failure(() => fromFile('one-member.yaml', JSON.stringify(doc)));
    expect(fromJson.issues.map((i) => i.path)).toEqual(fromYaml.issues.map((i) => i.path));
    expect(fromJson.issues.length).toBeGreaterThan(0);
  });
});
