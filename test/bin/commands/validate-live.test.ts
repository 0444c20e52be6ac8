import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SimulatedCloud,
  type SimulatorServer,
  seedFromTopology,
  startSimulatorServer,
} from '../../../shared/adapters/simulator/index.js';
import { loadTopology } from '../../../shared/core/config.js';

const run = promisify(execFile);
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

async function validateLive(file: string, extra: string[] = []) {
  const env = { ...process.env, ALIBABA_CLOUD_ACCESS_KEY_ID: '', HAVIP_CLOUD_ENDPOINT: '' };
  try {
    const r = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'bin/havip.ts',
        'validate',
        '--live',
        '--endpoint',
        server.endpoint,
        ...extra,
        file,
      ],
      { env },
    );
    return { code: 0, ...r };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
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
    const env = { ...process.env, ALIBABA_CLOUD_ACCESS_KEY_ID: '' };
    const r = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'bin/havip.ts',
        'validate',
        '--live',
        '--endpoint',
        '127.0.0.1:9',
        'examples/two-node.yaml',
      ],
      { env },
    ).then(
      (x) => ({ code: 0, ...x }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/live validation could not run/);
  });
});
