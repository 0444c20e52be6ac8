/**
 * scripts/build.mjs: `--topology` writes the checked topology as JSON next to every handler, and the
 * agent bundle runs on its own: copied to a directory outside the repository
 * (no node_modules anywhere above it), it prints its help, checks a configuration, and serves /health.
 */
import { execFile, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

const ROOT = resolve(import.meta.dirname, '..', '..');
const TOPOLOGY = join(ROOT, 'examples', 'two-node.yaml');
const run = promisify(execFile);

let outdir: string;
let host: string;
let bundle: string;

beforeAll(async () => {
  outdir = mkdtempSync(join(tmpdir(), 'havip-build-agent-'));
  await run(
    process.execPath,
    [join(ROOT, 'scripts/build.mjs'), '--outdir', outdir, '--json', '--topology', TOPOLOGY],
    { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
  );
  // A bare directory standing in for a member host: the bundle and nothing else.
  host = mkdtempSync(join(tmpdir(), 'havip-agent-host-'));
  bundle = join(host, 'havip-agent.cjs');
  copyFileSync(join(outdir, 'agent', 'havip-agent.cjs'), bundle);
}, 180_000);
afterAll(() => {
  for (const d of [outdir, host]) if (d) rmSync(d, { recursive: true, force: true });
});

const agent = (args: string[]) =>
  run(process.execPath, [bundle, ...args], { cwd: host, env: { PATH: process.env.PATH ?? '' } });

describe('--topology', () => {
  it('writes the checked topology as JSON next to every handler', () => {
    const expected = parseYaml(readFileSync(TOPOLOGY, 'utf8'));
    for (const name of ['http-api', 'on-ecs-event', 'on-heartbeat', 'on-timer'])
      expect(JSON.parse(readFileSync(join(outdir, name, 'topology.json'), 'utf8')), name).toEqual(expected);
  });

  it('refuses a topology the functions would refuse, naming the problem, and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'havip-build-topology-'));
    try {
      const bad = join(dir, 'topology.yaml');
      writeFileSync(bad, 'region: cn-hangzhou\ngroups:\n  - name: web\n    name: db\n');
      const out = join(dir, 'out');
      const r = await run(
        process.execPath,
        [join(ROOT, 'scripts/build.mjs'), '--outdir', out, '--topology', bad],
        {
          cwd: ROOT,
        },
      ).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => e,
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('remove one of the duplicate keys');
      expect(existsSync(out)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the agent bundle', () => {
  it('is one executable file that prints its help without node_modules', async () => {
    expect(statSync(bundle).mode & 0o111).not.toBe(0);
    const { stdout } = await agent(['--help']);
    expect(stdout).toMatch(/Usage: havip-agent \[options\]/);
    expect(stdout).toContain('--instance-id <id>');
  });

  it('checks a configuration, and refuses a bad one with exit code 2', async () => {
    writeFileSync(join(host, 'web.key'), 'bundle-test-key-0123456789abcdef\n', { mode: 0o600 });
    const config = {
      stateDirectory: join(host, 'state'),
      advert: { bind: '127.0.0.21', port: 17_401 },
      groups: [
        {
          name: 'web',
          key: { file: join(host, 'web.key') },
          peers: [{ id: 'i-peer', address: '127.0.0.22' }],
        },
      ],
      reports: { sink: { type: 'http', url: 'http://127.0.0.1:9/reports' } },
    };
    writeFileSync(join(host, 'agent.json'), JSON.stringify(config));
    const { stdout } = await agent([
      '--instance-id',
      'i-self',
      '--config',
      join(host, 'agent.json'),
      '--check',
    ]);
    expect(stdout).toContain('configuration OK for i-self');
    expect(stdout).toContain('reports: http sink, POST http://127.0.0.1:9/reports');

    // The Tencent sink (the CMQ publisher and its TC3 signer) is in the bundle too.
    const tencent = {
      ...config,
      groups: [{ ...config.groups[0], peers: [{ id: 'ins-peer0001', address: '127.0.0.22' }] }],
      reports: { sink: { type: 'cmq', topic: 'havip-heartbeats', region: 'ap-guangzhou' } },
      spot: { enabled: true, provider: 'tencent' },
    };
    writeFileSync(join(host, 'tencent.json'), JSON.stringify(tencent));
    const cmq = await agent([
      '--instance-id',
      'ins-self0001',
      '--config',
      join(host, 'tencent.json'),
      '--check',
    ]);
    expect(cmq.stdout).toContain('configuration OK for ins-self0001');
    expect(cmq.stdout).toContain(
      'reports: cmq sink, topic havip-heartbeats in ap-guangzhou via tdmq.tencentcloudapi.com (role from metadata)',
    );

    writeFileSync(join(host, 'bad.json'), JSON.stringify({ ...config, advert: { bind: 'localhost' } }));
    const bad = await agent(['--instance-id', 'i-self', '--config', join(host, 'bad.json'), '--check']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(bad).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('advert.bind: must be an IPv4 address'),
    });
  });

  it('runs: serves /health and stops on SIGTERM', async () => {
    const file = join(host, 'run.json');
    const udp = createSocket('udp4');
    await new Promise<void>((r) => udp.bind(0, '127.0.0.21', r));
    const advertPort = udp.address().port;
    await new Promise<void>((r) => udp.close(() => r()));
    const tcp = createServer();
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.21', r));
    const healthPort = (tcp.address() as AddressInfo).port;
    await new Promise<void>((r) => tcp.close(() => r()));
    writeFileSync(
      file,
      JSON.stringify({
        stateDirectory: join(host, 'state'),
        advert: { bind: '127.0.0.21', port: advertPort },
        groups: [
          {
            name: 'web',
            key: { file: join(host, 'web.key') },
            peers: [{ id: 'i-peer', address: '127.0.0.22:9' }],
          },
        ],
        reports: { sink: { type: 'http', url: 'http://127.0.0.1:9/reports' } },
        health: { port: healthPort },
      }),
    );
    const proc = spawn(process.execPath, [bundle, '--instance-id', 'i-self', '--config', file], {
      cwd: host,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (c) => {
      out += c;
    });
    try {
      const deadline = Date.now() + 30_000;
      while (!out.includes('running') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const url = /"health":"(http:[^"]+)"/.exec(out)?.[1];
      expect(url, out).toBeDefined();
      const res = await fetch(`${url}/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ instanceId: 'i-self', state: 'ok' });
    } finally {
      proc.kill('SIGTERM');
    }
    expect(await new Promise((r) => proc.once('exit', r))).toBe(0);
  }, 60_000);
});

describe('the SCF bundles', () => {
  it('are one code package: <name>.js side by side, each loading in a fresh node and exporting main_handler', async () => {
    const names = readdirSync(join(ROOT, 'functions/scf'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.slice(0, -3));
    expect(names.length).toBeGreaterThan(0);
    const files = readdirSync(join(outdir, 'scf'));
    expect(files).toContain('package.json');
    // No Tablestore copy: on SCF the state goes to PostgreSQL.
    expect(files).not.toContain('node_modules');
    for (const name of names) {
      const file = join(outdir, 'scf', `${name}.js`);
      const { stdout } = await run(
        process.execPath,
        ['-e', `process.stdout.write(typeof require(${JSON.stringify(file)}).main_handler)`],
        { cwd: host, env: { PATH: process.env.PATH ?? '' } },
      );
      expect(stdout, name).toBe('function');
    }
  });
});
