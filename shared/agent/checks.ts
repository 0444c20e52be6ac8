/**
 * Local checks, like keepalived's `track_script`: a command's exit code (spawned without a shell), a TCP
 * connect or an HTTP(S) GET, each on its own interval with a timeout and fall/rise hysteresis. The member
 * is `ok` when every check is up. A check never overlaps itself.
 */
import { spawn } from 'node:child_process';
import { httpProbe, tcpProbe } from '../adapters/probe/index.js';
import type { Logger } from '../core/ports.js';
import type { CheckConfig } from './config.js';
import { type CheckTally, initialTally, recordResult } from './hysteresis.js';
import type { Timers } from './timers.js';

export interface CheckResult {
  readonly passed: boolean;
  readonly detail: string;
}

/**
 * A command runs with this environment only: the agent's own may hold keys (`{env: …}` secrets), and a
 * check has no business seeing them.
 */
export const CHECK_ENV = Object.freeze({
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  LANG: 'C.UTF-8',
});

/** Runs `argv` without a shell; exit 0 passes. At the timeout its whole process group is killed. */
export function runCommand(argv: readonly string[], timeoutMs: number): Promise<CheckResult> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore', detached: true, env: CHECK_ENV });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ passed: false, detail: `cannot run ${argv[0]}: ${e.code ?? e.message}` });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) resolve({ passed: false, detail: `no result within ${timeoutMs} ms (killed)` });
      else if (code === 0) resolve({ passed: true, detail: 'exit 0' });
      else resolve({ passed: false, detail: code === null ? `killed by ${signal}` : `exit ${code}` });
    });
  });
}

export function runCheck(c: CheckConfig): Promise<CheckResult> {
  const timeoutMs = Math.round(c.timeoutSeconds * 1000);
  switch (c.kind) {
    case 'exec':
      return runCommand(c.command, timeoutMs);
    case 'tcp':
      return tcpProbe(c.host, c.port, timeoutMs).then((passed) => ({
        passed,
        detail: passed ? 'connected' : `no connection to ${c.host}:${c.port} within ${timeoutMs} ms`,
      }));
    case 'http':
      return httpProbe(c.url, c.expectStatus, timeoutMs).then((passed) => ({
        passed,
        detail: passed
          ? 'expected status'
          : `no answer with status ${c.expectStatus.join('/')} from ${c.url}`,
      }));
  }
}

export interface CheckView {
  readonly name: string;
  readonly kind: CheckConfig['kind'];
  readonly up: boolean;
  readonly lastResult: 'pass' | 'fail' | undefined;
  readonly lastDetail: string | undefined;
}

/** Runs every check on its interval; `onChange` hears when the member's state (all up or not) flips. */
export class LocalChecks {
  private readonly tallies = new Map<string, CheckTally>();
  private readonly last = new Map<string, CheckResult>();
  private readonly cancels: (() => void)[] = [];
  private stopped = false;

  constructor(
    private readonly checks: readonly CheckConfig[],
    private readonly deps: {
      readonly timers: Timers;
      readonly logger: Logger;
      readonly onChange: (up: boolean) => void;
      readonly run?: (c: CheckConfig) => Promise<CheckResult>;
    },
  ) {
    for (const c of checks) this.tallies.set(c.name, initialTally(c.initFail));
  }

  get up(): boolean {
    return [...this.tallies.values()].every((t) => t.up);
  }

  start(): void {
    for (const c of this.checks) this.schedule(c, 0);
  }

  stop(): void {
    this.stopped = true;
    for (const cancel of this.cancels.splice(0)) cancel();
  }

  snapshot(): CheckView[] {
    return this.checks.map((c) => {
      const r = this.last.get(c.name);
      return {
        name: c.name,
        kind: c.kind,
        up: this.tallies.get(c.name)!.up,
        lastResult: r === undefined ? undefined : r.passed ? 'pass' : 'fail',
        lastDetail: r?.detail,
      };
    });
  }

  private schedule(c: CheckConfig, delayMs: number): void {
    if (this.stopped) return;
    const cancel = this.deps.timers.after(delayMs, () => {
      this.cancels.splice(this.cancels.indexOf(cancel), 1);
      void this.runOnce(c);
    });
    this.cancels.push(cancel);
  }

  private async runOnce(c: CheckConfig): Promise<void> {
    const started = this.deps.timers.now();
    const result = await (this.deps.run ?? runCheck)(c).catch(
      (e: unknown): CheckResult => ({ passed: false, detail: `the check could not run: ${String(e)}` }),
    );
    if (this.stopped) return;
    this.last.set(c.name, result);
    const wasUp = this.up;
    const next = recordResult(this.tallies.get(c.name)!, result.passed, c);
    this.tallies.set(c.name, { up: next.up, streak: next.streak });
    if (next.changed)
      this.deps.logger[next.up ? 'info' : 'warn'](
        { check: c.name, detail: result.detail },
        next.up ? `check ${c.name} is up again` : `check ${c.name} is down`,
      );
    if (wasUp !== this.up) this.deps.onChange(this.up);
    const intervalMs = Math.round(c.intervalSeconds * 1000);
    this.schedule(c, Math.max(0, started + intervalMs - this.deps.timers.now()));
  }
}
