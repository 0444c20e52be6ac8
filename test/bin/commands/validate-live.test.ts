/** `havip validate --live` against a simulator on 127.0.0.1, in-process through the CLI's I/O seam. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SimulatedCloud,
  type SimulatorServer,
  seedFromTopology,
  startSimulatorServer,
} from '../../../shared/adapters/simulator/index.js';
import { loadTopology } from '../../../shared/core/config.js';
import { havip } from '../../support/cli.js';

let sim: SimulatedCloud;
let server: SimulatorServer;

beforeAll(async () => {
  const { topology } = loadTopology(readFileSync('examples/two-node.yaml', 'utf8'));
  sim = new SimulatedCloud(seedFromTopology(topology, { attach: 'highest' }), { transitionDelayMs: 0 });
  server = await startSimulatorServer({ cloud: sim });
});
afterAll(async () => {
  await server?.close();
});

/** No AccessKey and no HAVIP_CLOUD_ENDPOINT in the environment: the command signs with a local key. */
function validateLive(file: string, extra: string[] = []) {
  return havip(['validate', '--live', '--endpoint', server.endpoint, ...extra, file], { env: {} });
}

describe('havip validate --live against the simulator', () => {
  it('reports clean for the shipped example against a simulator seeded from it', async () => {
    const r = await validateLive('examples/two-node.yaml');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/no findings.*live: clean/);
    expect(r.code).toBe(0);
  });

  it('reports a live error (exit 1) when the cloud no longer matches: a member released', async () => {
    sim.deleteInstance('i-bp1demo0000000000002');
    const r = await validateLive('examples/two-node.yaml', ['--json']);
    expect(r.code).toBe(1);
    const findings = JSON.parse(r.stdout) as { code: string; path: string; severity: string }[];
    expect(
      findings.some(
        (f) =>
          f.code.startsWith('live.') && f.severity === 'error' && f.path.startsWith('groups[0].members[1]'),
      ),
    ).toBe(true);
  });

  it('exits 2 with a clear message when nothing listens at the endpoint', async () => {
    const r = await havip(['validate', '--live', '--endpoint', '127.0.0.1:9', 'examples/two-node.yaml'], {
      env: {},
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/live validation could not run/);
  });
});
