import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createTcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../../shared/adapters/logger/index.js';
import { type CheckResult, LocalChecks, runCheck, runCommand } from '../../../shared/agent/checks.js';
import type { CheckConfig } from '../../../shared/agent/config.js';
import { FakeTimers } from '../../support/fake-timers.js';

const NODE = process.execPath;
// A generous timeout: a passing check must not fail because a shared CI machine is busy.
const common = { intervalSeconds: 1, timeoutSeconds: 5, fall: 2, rise: 2, initFail: false };

let http: ReturnType<typeof createHttpServer>;
let httpUrl: string;
let tcpPort: number;
const tcp = createTcpServer((s) => s.end());

beforeAll(async () => {
  http = createHttpServer((req, res) => res.writeHead(req.url === '/ok' ? 200 : 503).end());
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
  tcpPort = (tcp.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((r) => http.close(() => r()));
  await new Promise<void>((r) => tcp.close(() => r()));
});

describe('check runners', () => {
  it.each<{ name: string; argv: string[]; result: CheckResult }>([
    {
      name: 'exit 0 passes',
      argv: [NODE, '-e', 'process.exit(0)'],
      result: { passed: true, detail: 'exit 0' },
    },
    {
      name: 'exit 3 fails',
      argv: [NODE, '-e', 'process.exit(3)'],
      result: { passed: false, detail: 'exit 3' },
    },
    {
      name: 'a missing program fails',
      argv: ['/nonexistent/check'],
      result: { passed: false, detail: 'cannot run /nonexistent/check: ENOENT' },
    },
    {
      name: 'no shell: metacharacters are plain arguments',
      argv: [NODE, '-e', 'process.exit(process.argv[1] === "$(exit 1); echo" ? 0 : 1)', '$(exit 1); echo'],
      result: { passed: true, detail: 'exit 0' },
    },
    {
      name: 'the environment is the minimal one, without the agent secrets',
      argv: [NODE, '-e', 'process.exit(Object.keys(process.env).sort().join(",") === "LANG,PATH" ? 0 : 1)'],
      result: { passed: true, detail: 'exit 0' },
    },
  ])('command: $name', async ({ argv, result }) => {
    expect(await runCommand(argv, 5_000)).toEqual(result);
  });

  it('kills a command at its timeout, with its children', async () => {
    const started = Date.now();
    const r = await runCommand(
      [
        NODE,
        '-e',
        'require("child_process").spawn(process.execPath, ["-e", "setTimeout(()=>{}, 60000)"], {stdio:"ignore"}); setTimeout(()=>{}, 60000)',
      ],
      300,
    );
    expect(r).toEqual({ passed: false, detail: 'no result within 300 ms (killed)' });
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it.each<{ name: string; check: () => CheckConfig; passed: boolean }>([
    {
      name: 'a TCP connect to a listener',
      check: () => ({ name: 't', kind: 'tcp', host: '127.0.0.1', port: tcpPort, ...common }),
      passed: true,
    },
    {
      name: 'a TCP connect to a closed port',
      check: () => ({ name: 't', kind: 'tcp', host: '127.0.0.1', port: 1, ...common }),
      passed: false,
    },
    {
      name: 'an HTTP GET with the expected status',
      check: () => ({ name: 'h', kind: 'http', url: `${httpUrl}/ok`, expectStatus: [200], ...common }),
      passed: true,
    },
    {
      name: 'an HTTP GET with another status',
      check: () => ({ name: 'h', kind: 'http', url: `${httpUrl}/bad`, expectStatus: [200], ...common }),
      passed: false,
    },
    {
      name: 'an HTTP GET expecting that status',
      check: () => ({ name: 'h', kind: 'http', url: `${httpUrl}/bad`, expectStatus: [200, 503], ...common }),
      passed: true,
    },
  ])('$name', async ({ check, passed }) => {
    expect((await runCheck(check())).passed).toBe(passed);
  });
});

describe('local checks', () => {
  it('runs each check on its interval and reports the member state through fall/rise', async () => {
    const timers = new FakeTimers();
    let passing = true;
    const changes: boolean[] = [];
    const runs: number[] = [];
    const checks = new LocalChecks([{ name: 'svc', kind: 'tcp', host: 'x', port: 1, ...common }], {
      timers,
      logger: createMemoryLogger(),
      onChange: (up) => changes.push(up),
      run: async () => {
        runs.push(timers.now());
        return { passed: passing, detail: passing ? 'ok' : 'down' };
      },
    });
    checks.start();
    await timers.advance(2_000);
    expect(runs).toHaveLength(3);
    passing = false;
    await timers.advance(1_000);
    expect(checks.up).toBe(true);
    await timers.advance(1_000);
    expect(checks.up).toBe(false);
    expect(checks.snapshot()).toEqual([
      { name: 'svc', kind: 'tcp', up: false, lastResult: 'fail', lastDetail: 'down' },
    ]);
    passing = true;
    await timers.advance(2_000);
    expect(changes).toEqual([false, true]);
    checks.stop();
    const before = runs.length;
    await timers.advance(10_000);
    expect(runs).toHaveLength(before);
  });

  it('is up with no checks at all', () => {
    expect(
      new LocalChecks([], { timers: new FakeTimers(), logger: createMemoryLogger(), onChange: () => {} }).up,
    ).toBe(true);
  });
});
