/**
 * What the failover-latency benchmark (`bench/failover-latency.ts`) reads from a local mode, whichever
 * cloud it simulates: the agents, the simulator's ground truth of a move, the reports the topic
 * delivered and the stop events the cloud emitted. One implementation per cloud: Alibaba in
 * `failover-latency.ts`, Tencent in `failover-latency-tencent.ts`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TencentLocalOptions } from '../../shared/app/local.js';
import type { LocalAgents } from '../../shared/app/local-agents.js';
import type { DeliveredReport } from '../../shared/app/local-reports.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface LatencyWorld {
  readonly agents: LocalAgents;
  /** Where `POST /__admin/instances/<id>/stop|start` stops and starts an instance. */
  readonly simulatorUrl: string;
  /** The member serving the address and alone in its binding (Alibaba) or drift scope (Tencent). */
  settledHolder(): string | undefined;
  /** The instance is running (Alibaba `Running`, Tencent `RUNNING`). */
  running(id: string): boolean;
  /** The end of the "switch" phase for a move to `to` (see each cloud's definition). */
  switched(to: string): boolean;
  /** Who receives the address's traffic now (the simulator's ground truth). */
  serving(): string | undefined;
  /** Only `to` is left bound (Alibaba) or in the drift scope (Tencent). */
  fenced(to: string): boolean;
  /** Times the orchestrator's first HA VIP mutation from `since` on. */
  markDecision(since: number): void;
  decidedAt(): number | undefined;
  /** When the cloud emitted the stop event of `id` (ECS event, CloudAudit event), at or after `since`. */
  stopEventAt(id: string, since: number): number | undefined;
  /** Every member of the group is eligible, as the orchestrator's API says (`GET /v1/groups/web`). */
  allEligible(): Promise<boolean>;
  /** The reports the topic delivered to the heartbeat handler, oldest first. */
  delivered(): readonly DeliveredReport[];
  close(): Promise<void>;
}

export interface WorldOptions {
  readonly transitionMs: number;
  readonly sweepSeconds: number;
  readonly print: (line: string) => void;
}

/** Headless local-mode options on a topology file (under the repository), with agent processes. */
export function localOptions(topology: string, opts: WorldOptions): TencentLocalOptions {
  const file = `${ROOT}${topology}`;
  return {
    topologyText: benchTopology(file),
    topologySource: file,
    port: 0,
    sweepSeconds: opts.sweepSeconds,
    transitionMs: opts.transitionMs,
    sqlitePath: ':memory:',
    token: undefined,
    logLevel: 'silent',
    print: opts.print,
    agents: { command: [process.execPath, `${ROOT}bin/havip.js`, 'agent'] },
  };
}

/**
 * A topology file's text with the flap guard widened (the runs move the address every few seconds on
 * purpose); the group must say `nopreempt: true` on a line of its own.
 */
export function benchTopology(file: string): string {
  const text = readFileSync(file, 'utf8');
  const widened = text.replace(
    /^(\s+)nopreempt: true$/m,
    '$1nopreempt: true\n$1flapGuard: { maxMoves: 100, windowSeconds: 1 }',
  );
  if (widened === text) throw new Error(`${file}: no "nopreempt: true" line to widen the flap guard beside`);
  return widened;
}

/** Marks the first call of one of `actions` at or after `since`. */
export class FirstCallClock {
  since = Number.POSITIVE_INFINITY;
  at: number | undefined;

  constructor(private readonly actions: ReadonlySet<string>) {}

  mark(since: number): void {
    this.since = since;
    this.at = undefined;
  }

  saw(action: string, now = Date.now()): void {
    if (this.actions.has(action) && now >= this.since && this.at === undefined) this.at = now;
  }
}

/**
 * Whether the orchestrator holds every member of `group` eligible. A restarted member can stay out a
 * while after it runs again: on Tencent no event says it is running, so the down of its stop event
 * stands until a describe post-dates it by the core's grace (60 s).
 */
export async function allEligible(local: { apiUrl: string; token: string }, group: string): Promise<boolean> {
  const body = await fetch(`${local.apiUrl}/v1/groups/${group}`, {
    headers: { authorization: `Bearer ${local.token}` },
    signal: AbortSignal.timeout(2_000),
  })
    .then((r) => r.json() as Promise<{ members?: { eligible: boolean }[] }>)
    .catch(() => undefined);
  return body?.members?.every((m) => m.eligible) === true;
}
