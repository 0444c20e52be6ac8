/**
 * `havip agent` end to end: three real agent processes on loopback addresses (127.0.0.11–13; Linux routes
 * all of 127/8 to lo) in one group, reporting to an HTTP collector run by the test. Freezing one (SIGSTOP)
 * makes the others report it silent, thawing it (SIGCONT) makes them report it recovered; datagrams the
 * test forges or replays are dropped and counted; a failing check makes an agent report itself.
 * No timing is asserted: each wait is bounded, and the detection time is printed for information.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgentCommand } from '../../../bin/commands/agent.js';
import { encodeAdvert } from '../../../shared/agent/advert.js';
import {
  parseAgentReport,
  type SignedAgentReport,
  verifyReport,
} from '../../../shared/events/agent-report.js';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const KEY = 'e2e-group-key-0123456789abcdef0123456789abcdef';
const IDS = { a: 'i-aaa', b: 'i-bbb', c: 'i-ccc', d: 'i-ddd' } as const;
const ADDR = { a: '127.0.0.11', b: '127.0.0.12', c: '127.0.0.13', d: '127.0.0.14' } as const;

let dir: string;
let advertPort: number;
let healthPort: number;
const reports: { at: number; report: SignedAgentReport }[] = [];
const agents = new Map<string, { proc: ChildProcess; log: string[] }>();
const collector: Server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => {
    body += c;
  });
  req.on('end', () => {
    reports.push({ at: Date.now(), report: parseAgentReport(body) });
    res.writeHead(204).end();
  });
});

/** A port free on the test addresses (UDP or TCP), found by binding port 0 and letting it go. */
async function freePort(kind: 'udp' | 'tcp'): Promise<number> {
  if (kind === 'udp') {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, ADDR.a, r));
    const port = s.address().port;
    await new Promise<void>((r) => s.close(() => r()));
    return port;
  }
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, ADDR.a, r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const flag = () => join(dir, 'a-is-broken');

function configOf(name: 'a' | 'b' | 'c', sink: string) {
  const others = (['a', 'b', 'c'] as const).filter((n) => n !== name);
  const peers: { id: string; address: string }[] = others.map((n) => ({ id: IDS[n], address: ADDR[n] }));
  // Only A watches D, the peer the test plays with forged and genuine datagrams.
  if (name === 'a') peers.push({ id: IDS.d, address: ADDR.d });
  return {
    instanceId: IDS[name],
    stateDirectory: join(dir, name),
    advert: { bind: ADDR[name], port: advertPort },
    groups: [{ name: 'web', key: { file: join(dir, 'web.key') }, peers }],
    checks:
      name === 'a'
        ? [
            {
              name: 'svc',
              kind: 'exec',
              command: ['/usr/bin/test', '!', '-e', flag()],
              intervalSeconds: 0.5,
              timeoutSeconds: 0.4,
              fall: 2,
              rise: 2,
            },
          ]
        : [],
    reports: { sink: { type: 'http', url: sink }, repeatSeconds: 0 },
    health: { port: healthPort },
  };
}

interface HealthBody {
  readonly state: string;
  readonly peers: readonly { id: string; state: string; advertised?: { checks: string } }[];
  readonly checks: readonly { name: string; up: boolean }[];
  readonly dropped: Record<string, number>;
}

async function health(name: 'a' | 'b' | 'c'): Promise<{ status: number; body: HealthBody }> {
  const res = await fetch(`http://${ADDR[name]}:${healthPort}/health`, {
    signal: AbortSignal.timeout(2_000),
  });
  return { status: res.status, body: (await res.json()) as HealthBody };
}

/** Polls `probe` until it returns a value other than undefined, for at most `ms`. */
async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await Promise.resolve(probe()).catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) {
      const logs = [...agents.entries()]
        .map(([n, a]) => `--- ${n}\n${a.log.join('').slice(-3000)}`)
        .join('\n');
      throw new Error(`timed out waiting for ${what}\n${logs}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

const find = (pred: (r: SignedAgentReport) => boolean) => reports.find((r) => pred(r.report));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'havip-agent-e2e-'));
  await writeFile(join(dir, 'web.key'), `${KEY}\n`, { mode: 0o600 });
  await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
  const sink = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/reports`;
  advertPort = await freePort('udp');
  healthPort = await freePort('tcp');
  for (const name of ['a', 'b', 'c'] as const) {
    const file = join(dir, `${name}.json`);
    await writeFile(file, JSON.stringify(configOf(name, sink)));
    const proc = spawn(
      process.execPath,
      [join(ROOT, 'bin', 'havip.js'), 'agent', '--instance-id', IDS[name], '--config', file],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const log: string[] = [];
    proc.stdout?.on('data', (c) => log.push(String(c)));
    proc.stderr?.on('data', (c) => log.push(String(c)));
    agents.set(name, { proc, log });
  }
  // Everyone up and hearing everyone (D never speaks on its own).
  for (const name of ['a', 'b', 'c'] as const)
    await waitFor(
      `agent ${name} to hear its peers`,
      async () => {
        const h = await health(name);
        const alive = h.body.peers.filter((p) => p.state === 'alive').length;
        return alive >= 2 ? h : undefined;
      },
      120_000,
    );
}, 180_000);

afterAll(async () => {
  for (const { proc } of agents.values()) {
    if (proc.exitCode !== null) continue;
    proc.kill('SIGCONT');
    proc.kill('SIGTERM');
  }
  await Promise.all(
    [...agents.values()].map(({ proc }) =>
      proc.exitCode !== null ? undefined : new Promise((r) => proc.once('exit', r)),
    ),
  );
  await new Promise<void>((r) => collector.close(() => r()));
  await rm(dir, { recursive: true, force: true });
}, 60_000);

describe('havip agent, three processes', () => {
  it('names its instance on its command line', () => {
    expect(agents.get('a')?.proc.spawnargs).toEqual(
      expect.arrayContaining(['agent', '--instance-id', IDS.a]),
    );
  });

  it('reports a frozen peer silent from the others, and recovered once it runs again', async () => {
    const b = agents.get('b')!.proc;
    const frozenAt = Date.now();
    b.kill('SIGSTOP');
    const silentFrom = async (reporter: string) =>
      waitFor(`${reporter} to report ${IDS.b} silent`, () =>
        find((r) => r.reporter === reporter && r.instanceId === IDS.b && r.reason === 'peer-silent'),
      );
    const [fromA, fromC] = await Promise.all([silentFrom(IDS.a), silentFrom(IDS.c)]);
    console.log(
      `detection (freeze → report received): ${fromA.at - frozenAt} ms from ${IDS.a}, ${fromC.at - frozenAt} ms from ${IDS.c} (interval 1 s × dead factor 3)`,
    );
    for (const r of [fromA.report, fromC.report]) {
      expect(verifyReport(r, KEY)).toBe(true);
      expect(r).toMatchObject({
        type: 'heartbeat.timeout',
        group: 'web',
        reporterChecks: 'ok',
        lastSeenAt: expect.any(String),
      });
    }
    expect((await health('a')).body.peers).toContainEqual(
      expect.objectContaining({ id: IDS.b, state: 'silent' }),
    );

    b.kill('SIGCONT');
    const recovered = (reporter: string) =>
      waitFor(`${reporter} to report ${IDS.b} recovered`, () =>
        find((r) => r.reporter === reporter && r.instanceId === IDS.b && r.reason === 'recovered'),
      );
    const [okA, okC] = await Promise.all([recovered(IDS.a), recovered(IDS.c)]);
    expect(okA.report.type).toBe('heartbeat.ok');
    expect(okC.report.sequence).toBeGreaterThan(fromC.report.sequence);
  }, 120_000);

  it('drops and counts forged, replayed, stale and malformed datagrams', async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, ADDR.d, r));
    const send = (b: Buffer | string) =>
      new Promise<void>((r, j) => socket.send(b, advertPort, ADDR.a, (e) => (e ? j(e) : r())));
    const key = Buffer.from(KEY);
    const advert = (o: Partial<Parameters<typeof encodeAdvert>[0]> = {}, k = key) =>
      encodeAdvert(
        {
          group: 'web',
          sender: IDS.d,
          sequence: 5_000,
          sentAt: Date.now(),
          checks: 'ok',
          draining: false,
          ...o,
        },
        k,
      );
    try {
      const genuine = advert();
      await send(genuine);
      await send(genuine);
      await send(advert({ sequence: 4_000 }));
      await send(advert({}, Buffer.from('not-the-group-key-0123456789')));
      await send(advert({ sender: 'i-zzz' }));
      await send(advert({ group: 'db' }));
      await send('hello');
      await send(advert({ sender: IDS.b, sequence: Number.MAX_SAFE_INTEGER }));
      await send(advert({ sequence: 6_000, sentAt: Date.now() - 3_600_000 }));
    } finally {
      socket.close();
    }
    const expected = {
      malformed: 1,
      'wrong-group': 1,
      'bad-mac': 1,
      'unknown-sender': 1,
      'wrong-source': 1,
      stale: 2,
      replayed: 1,
    };
    const h = await waitFor('the drops to be counted', async () => {
      const s = await health('a');
      return JSON.stringify(s.body.dropped) === JSON.stringify(expected) ? s : undefined;
    });
    expect(h.body.dropped).toEqual(expected);
    // The genuine one counted: D was silent from the start and is alive now.
    expect(h.body.peers).toContainEqual(expect.objectContaining({ id: IDS.d, state: 'alive' }));
    await waitFor('the recovered report about D', () =>
      find((r) => r.instanceId === IDS.d && r.reason === 'recovered'),
    );
    // B's adverts still count: the forged one with B's name and a huge sequence was dropped.
    expect((await health('a')).body.peers).toContainEqual(
      expect.objectContaining({ id: IDS.b, state: 'alive' }),
    );
    expect(agents.get('a')!.log.join('')).toMatch(/dropped a datagram: bad-mac/);
  }, 60_000);

  it('reports its own failing checks, answers 503 on /health, and reports the recovery', async () => {
    await writeFile(flag(), '');
    const failed = await waitFor('A to report its checks failing', () =>
      find((r) => r.reporter === IDS.a && r.instanceId === IDS.a && r.reason === 'checks-failed'),
    );
    expect(failed.report).toMatchObject({ type: 'heartbeat.timeout', reporterChecks: 'failing' });
    expect(verifyReport(failed.report, KEY)).toBe(true);
    const h = await health('a');
    expect(h.status).toBe(503);
    expect(h.body).toMatchObject({
      state: 'failing',
      checks: [expect.objectContaining({ name: 'svc', up: false })],
    });
    // Its peers learn it from its adverts.
    await waitFor('C to see A failing', async () => {
      const peers = (await health('c')).body.peers;
      return peers.find((p) => p.id === IDS.a)?.advertised?.checks === 'failing' ? true : undefined;
    });

    await unlink(flag());
    const back = await waitFor('A to report its recovery', () =>
      find((r) => r.reporter === IDS.a && r.instanceId === IDS.a && r.reason === 'recovered'),
    );
    expect(back.report.reporterChecks).toBe('ok');
    expect((await health('a')).status).toBe(200);
  }, 60_000);

  it('stops on SIGTERM with exit code 0', async () => {
    const c = agents.get('c')!.proc;
    c.kill('SIGTERM');
    const code = await new Promise((r) => c.once('exit', r));
    expect(code).toBe(0);
  }, 30_000);

  it('stops when the supervisor that started it with an IPC channel goes away (local mode killed outright)', async () => {
    const proc = spawn(
      process.execPath,
      [join(ROOT, 'bin', 'havip.js'), 'agent', '--instance-id', IDS.c, '--config', join(dir, 'c.json')],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'ignore', 'ipc'] },
    );
    const exited = new Promise((r) => proc.once('exit', r));
    await waitFor('the supervised agent to answer', () => health('c').then((h) => h.status));
    // What the agent sees when its parent dies: the channel's far end closes.
    proc.disconnect();
    expect(await exited).toBe(0);
  }, 60_000);

  it('stops cleanly when its supervisor went away while it was still starting', async () => {
    const proc = spawn(
      process.execPath,
      [join(ROOT, 'bin', 'havip.js'), 'agent', '--instance-id', IDS.c, '--config', join(dir, 'c.json')],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] },
    );
    let stderr = '';
    proc.stderr?.on('data', (c) => (stderr += String(c)));
    const exited = new Promise((r) => proc.once('exit', r));
    proc.disconnect(); // long before the agent has bound its sockets
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/TypeError/);
  }, 60_000);
});

describe('havip agent --check and bad configurations', () => {
  const buffer = () => {
    let text = '';
    return { write: (s: string) => (text += s), text: () => text };
  };

  it('prints a summary of a valid configuration and exits 0', async () => {
    const out = buffer();
    const file = join(dir, 'check.json');
    await writeFile(file, JSON.stringify(configOf('a', 'http://127.0.0.1:1/r')));
    expect(await runAgentCommand({ instanceId: IDS.a, config: file, check: true }, out, buffer())).toBe(0);
    expect(out.text()).toContain(`configuration OK for ${IDS.a}`);
    expect(out.text()).not.toContain(KEY);
  });

  it.each([
    {
      name: 'an unreadable file',
      file: () => join(dir, 'absent.yaml'),
      says: /cannot read the agent configuration/,
    },
    {
      name: 'a key file that is missing',
      file: async () => {
        const f = join(dir, 'nokey.json');
        await writeFile(
          f,
          JSON.stringify({
            ...configOf('a', 'http://127.0.0.1:1/r'),
            groups: [
              { name: 'web', key: { file: join(dir, 'nope.key') }, peers: [{ id: IDS.b, address: ADDR.b }] },
            ],
          }),
        );
        return f;
      },
      says: /groups\[0\]\.key: cannot read .*nope\.key: ENOENT/,
    },
    {
      name: 'the MNS sink with credentials: env and no AccessKey in the environment',
      file: async () => {
        const f = join(dir, 'mns.json');
        await writeFile(
          f,
          JSON.stringify({
            ...configOf('a', 'http://127.0.0.1:1/r'),
            reports: {
              sink: {
                type: 'mns',
                endpoint: 'https://1.mns.cn-hangzhou.aliyuncs.com',
                topic: 'havip',
                credentials: 'env',
              },
            },
          }),
        );
        return f;
      },
      says: /no credentials in the environment/,
    },
  ])('exits 2 with $name', async ({ file, says }) => {
    const err = buffer();
    expect(
      await runAgentCommand({ instanceId: IDS.a, config: await file(), check: true }, buffer(), err),
    ).toBe(2);
    expect(err.text()).toMatch(says);
  });
});
