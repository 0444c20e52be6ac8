/**
 * `havip validate --live` against a simulator on 127.0.0.1 (Alibaba's, and Tencent's with the TC3 key pair
 * from the environment), in-process through the CLI's I/O seam.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  SimulatedCloud,
  type SimulatorServer,
  seedFromTopology,
  startSimulatorServer,
} from '../../../shared/adapters/simulator/index.js';
import {
  startTencentSimulatorServer,
  TencentSimulatedCloud,
  tencentSeedFromTopology,
} from '../../../shared/adapters/tencent-simulator/index.js';
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

describe('havip validate --live on Tencent groups against the Tencent simulator', () => {
  const credentials = { secretId: 'AKIDvalidatelive0000000001', secretKey: 'validate-live-secret-key-0001' };
  const keys = {
    TENCENTCLOUD_SECRET_ID: credentials.secretId,
    TENCENTCLOUD_SECRET_KEY: credentials.secretKey,
  };
  const example = 'examples/tencent/topology.yaml';
  let tencent: SimulatorServer;
  let cloud: TencentSimulatedCloud;
  beforeAll(async () => {
    const seed = tencentSeedFromTopology(parseYaml(readFileSync(example, 'utf8')), { attach: 'highest' });
    cloud = new TencentSimulatedCloud(seed, { transitionDelayMs: 0, credentials });
    tencent = await startTencentSimulatorServer({ cloud });
  });
  afterAll(async () => {
    await tencent?.close();
  });
  const validateTencent = (file: string, env: Record<string, string>, extra: string[] = []) =>
    havip(['validate', '--live', '--endpoint', tencent.endpoint, ...extra, file], { env });

  it('reports clean for the Tencent example against a simulator seeded from it (TC3-signed)', async () => {
    const r = await validateTencent(example, keys);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/no findings.*live: clean/);
    expect(r.code).toBe(0);
  });

  it('reports a live error (exit 1) for a member the cloud does not have', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'havip-validate-'));
    const file = join(dir, 'gone.yaml');
    await writeFile(file, readFileSync(example, 'utf8').replace('ins-demoweb2', 'ins-gone0001'));
    const r = await validateTencent(file, keys, ['--json']);
    expect(r.code).toBe(1);
    const findings = JSON.parse(r.stdout) as { code: string; path: string; severity: string }[];
    expect(findings).toContainEqual(
      expect.objectContaining({ code: 'tencent.live.member.missing', severity: 'error' }),
    );
  });

  it('warns about a stopped member, and exits 0', async () => {
    cloud.stopInstance('ins-demoweb2');
    await cloud.settle();
    const r = await validateTencent(example, keys, ['--json']);
    expect(r.code).toBe(0);
    const findings = JSON.parse(r.stdout) as { code: string; severity: string }[];
    expect(findings).toContainEqual(
      expect.objectContaining({ code: 'tencent.live.member.not-running', severity: 'warning' }),
    );
    cloud.startInstance('ins-demoweb2');
    await cloud.settle();
  });

  it('exits 2 naming the key pair when the simulator refuses the credentials', async () => {
    const r = await validateTencent(example, {
      TENCENTCLOUD_SECRET_ID: 'AKIDsomeoneelse000000000001',
      TENCENTCLOUD_SECRET_KEY: 'not-the-key',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/live validation could not run/);
    expect(r.stderr).toMatch(/TENCENTCLOUD_SECRET_ID/);
  });
});
