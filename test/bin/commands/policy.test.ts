/** `havip policy`, in-process through the CLI's I/O seam: the policy of a topology file, or a usage error. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { policyForTopology, type RamPolicy } from '../../../shared/app/policy.js';
import { loadTopology } from '../../../shared/core/config.js';
import { havip } from '../../support/cli.js';

const base = JSON.parse(readFileSync('deploy/ram-policy.json', 'utf8')) as RamPolicy;
const actionsOf = (p: RamPolicy) => new Set(p.Statement.flatMap((s) => s.Action));

describe('havip policy', () => {
  it('prints the policy of the topology', async () => {
    const { code, stdout } = await havip(['policy', 'examples/local-demo.yaml']);
    expect(code).toBe(0);
    const p = JSON.parse(stdout) as RamPolicy;
    expect(p.Version).toBe('1');
    expect(actionsOf(p)).toEqual(
      actionsOf(
        policyForTopology(loadTopology(readFileSync('examples/local-demo.yaml', 'utf8')).topology, base),
      ),
    );
  });
});
