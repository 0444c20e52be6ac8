/**
 * The local mode's host agents: one real `havip agent` OS process per member (its command line names its
 * instance id), each on its own loopback address `127.a.b.n` with a small service to check
 * (local-services.ts), adverts over loopback UDP through cuttable relays (local-links.ts), heartbeats to
 * the local API, a spot notice from the metadata simulator, and the simulator data plane
 * (`takeover.dataPlane: simulator`): the agents never run `ip addr` or `arping`. Reports go where the
 * cloud's production agents send them: on Alibaba to the embedded MNS topic, on Tencent to the Tencent
 * simulator's CMQ topic, both signed with role credentials from the metadata simulator (local-reports.ts).
 *
 * Group keys are generated for the run and written, like the API token, to files only the user can read
 * in a temporary directory that closing removes. Closing stops every agent (SIGCONT, SIGTERM, SIGKILL
 * after a grace period); an `exit` hook kills what is left if the local mode ends another way.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNetworkProber } from '../adapters/probe/index.js';
import { agentSettingsOf, type Topology } from '../core/model.js';
import type { Prober } from '../core/ports.js';
import { type AdvertLinks, startAdvertLinks } from './local-links.js';
import { type MemberService, startMemberService } from './local-services.js';

/** Where the agents live on loopback, their ports, and the run's group keys: settled before anything starts. */
export interface LocalAgentPlan {
  readonly members: readonly { readonly id: string; readonly address: string }[];
  /** Group → key text (hex); the orchestrator verifies with its UTF-8 bytes, as the agents sign. */
  readonly groupKeys: ReadonlyMap<string, string>;
  readonly advertPort: number;
  readonly healthPort: number;
  readonly servicePort: number;
}

/** Agent timings of the local mode (docs/failover-latency.md): keepalived's 1 s × 3 and fast checks. */
export const LOCAL_AGENT_TIMING = {
  advertIntervalSeconds: 1,
  deadFactor: 3,
  checkIntervalSeconds: 1,
  checkTimeoutSeconds: 0.8,
  checkFall: 2,
  checkRise: 2,
  apiIntervalSeconds: 1,
  apiFastIntervalSeconds: 0.25,
} as const;

/**
 * Settles the plan: a random `127.a.b.0/24` (so two local modes, or a test beside a demo, do not meet),
 * member n at `.n`, free ports, a fresh 256-bit key per group.
 */
export async function planLocalAgents(topology: Topology): Promise<LocalAgentPlan> {
  const prefix = `127.${randomInt(100, 250)}.${randomInt(1, 250)}`;
  const ids = [...new Set(topology.groups.flatMap((g) => g.members.map((m) => m.id as string)))];
  return {
    members: ids.map((id, i) => ({ id, address: `${prefix}.${i + 1}` })),
    groupKeys: new Map(topology.groups.map((g) => [g.name as string, randomBytes(32).toString('hex')])),
    advertPort: await freePort('udp'),
    healthPort: await freePort('tcp'),
    servicePort: await freePort('tcp'),
  };
}

/**
 * The topology as the local mode runs it with agents: the agents' health endpoints are on the plan's
 * port. The agents announce the address (`announce: agent`): on Alibaba the orchestrator binds, then
 * waits for the new holder's agent; on Tencent it narrows the drift scope, then waits for it. A Tencent
 * group also loses its probe: the members' private addresses do not exist here, and without a probe the
 * witness probe is the agent's health endpoint, which a frozen agent does not answer.
 */
export function withLocalAgents(topology: Topology, plan: LocalAgentPlan): Topology {
  return {
    ...topology,
    groups: topology.groups.map((g) => ({
      ...g,
      announce: 'agent' as const,
      ...(g.cloud === 'tencent' ? { health: { ...g.health, probe: undefined } } : {}),
      agent: { ...agentSettingsOf(g), healthPort: plan.healthPort },
    })),
  };
}

/** The function's probes, pointed at the members' loopback addresses (their private IPs do not exist here). */
export function localProber(plan: LocalAgentPlan): Prober {
  const address = new Map(plan.members.map((m) => [m.id, m.address]));
  return createNetworkProber({ hostFor: (t) => address.get(t.memberId) ?? t.ip });
}

/** Where the agents send their reports (docs/agent.md, "Reports"). */
export type LocalReportSink =
  /** The embedded MNS topic, signed with the instance role's STS credentials (Alibaba). */
  | { readonly type: 'mns'; readonly endpoint: string; readonly topic: string }
  /** The Tencent simulator's CMQ topic, signed with the CAM role's temporary credentials (Tencent). */
  | { readonly type: 'cmq'; readonly endpoint: string; readonly topic: string; readonly region: string }
  /** An HTTP collector such as the local API's `POST /v1/reports`, with the API token. */
  | { readonly type: 'http'; readonly url: string };

export interface LocalAgentsContext {
  readonly plan: LocalAgentPlan;
  readonly topology: Topology;
  /** The cloud whose metadata layout the agents read their spot notice in. */
  readonly cloud: 'alibaba' | 'tencent';
  readonly apiUrl: string;
  readonly apiToken: string;
  readonly simulatorUrl: string;
  readonly reportSink: LocalReportSink;
  readonly metadataUrl: (memberId: string) => string;
  /** The program and arguments that run `havip agent` (e.g. node, bin/havip.js, agent). */
  readonly command: readonly string[];
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** How long the agents may take to answer on their health endpoints (default 120 s). */
  readonly readyTimeoutMs?: number;
}

export interface LocalAgent {
  readonly memberId: string;
  readonly address: string;
  readonly pid: number;
  readonly healthUrl: string;
  readonly service: MemberService;
  readonly logFile: string;
  /** `kill -STOP` / `kill -CONT`. */
  freeze(): void;
  thaw(): void;
}

export interface LocalAgents {
  readonly agents: readonly LocalAgent[];
  readonly directory: string;
  agent(memberId: string): LocalAgent;
  /** Cuts (or restores) every advert this member's agent sends to its peers. */
  cutOutboundAdverts(memberId: string, cut: boolean): void;
  close(): Promise<void>;
}

export async function startLocalAgents(ctx: LocalAgentsContext): Promise<LocalAgents> {
  const dir = mkdtempSync(join(tmpdir(), 'havip-local-'));
  const started = new Started(dir);
  try {
    started.links = await startAdvertLinks(ctx.plan.members, ctx.plan.advertPort);
    writeSecrets(dir, ctx);
    for (const m of ctx.plan.members) {
      const service = await startMemberService(m.id, m.address, ctx.plan.servicePort);
      started.services.push(service);
      const config = agentConfig(ctx, m, service.url, started.links, dir);
      const file = join(dir, `${m.id}.json`);
      writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
      started.spawnAgent(ctx, m, file, service);
    }
    await started.ready(ctx.readyTimeoutMs ?? 120_000);
  } catch (e) {
    await started.close();
    throw e;
  }
  return started.view();
}

function writeSecrets(dir: string, ctx: LocalAgentsContext): void {
  mkdirSync(join(dir, 'keys'), { mode: 0o700 });
  for (const [group, key] of ctx.plan.groupKeys)
    writeFileSync(join(dir, 'keys', `${group}.key`), `${key}\n`, { mode: 0o600 });
  writeFileSync(join(dir, 'keys', 'api.token'), `${ctx.apiToken}\n`, { mode: 0o600 });
}

/** One member's agent configuration (docs/agent.md), every secret by file. */
function agentConfig(
  ctx: LocalAgentsContext,
  m: { id: string; address: string },
  serviceUrl: string,
  links: AdvertLinks,
  dir: string,
): Record<string, unknown> {
  const t = LOCAL_AGENT_TIMING;
  const groups = ctx.topology.groups.filter((g) => g.members.some((x) => x.id === m.id));
  const apiToken = { file: join(dir, 'keys', 'api.token') };
  return {
    instanceId: m.id,
    stateDirectory: join(dir, 'state', m.id),
    advert: {
      bind: m.address,
      port: ctx.plan.advertPort,
      intervalSeconds: t.advertIntervalSeconds,
      deadFactor: t.deadFactor,
    },
    groups: groups.map((g) => ({
      name: g.name,
      key: { file: join(dir, 'keys', `${g.name}.key`) },
      peers: g.members
        .filter((p) => p.id !== m.id)
        .map((p) => ({ id: p.id, address: links.peerAddress(m.id, p.id) })),
    })),
    checks: [
      {
        kind: 'http',
        name: 'service',
        url: `${serviceUrl}/`,
        intervalSeconds: t.checkIntervalSeconds,
        timeoutSeconds: t.checkTimeoutSeconds,
        fall: t.checkFall,
        rise: t.checkRise,
      },
    ],
    reports: { sink: sinkConfig(ctx.reportSink, apiToken) },
    api: {
      endpoint: ctx.apiUrl,
      auth: { bearer: apiToken },
      intervalSeconds: t.apiIntervalSeconds,
      fastIntervalSeconds: t.apiFastIntervalSeconds,
    },
    takeover: { mode: 'on', dataPlane: 'simulator', simulatorUrl: ctx.simulatorUrl, garpCount: 1 },
    spot: { enabled: true, provider: ctx.cloud, intervalSeconds: 2 },
    health: { address: m.address, port: ctx.plan.healthPort },
    metadata: { baseUrl: ctx.metadataUrl(m.id) },
  };
}

function sinkConfig(sink: LocalReportSink, apiToken: { file: string }): Record<string, unknown> {
  return sink.type === 'http'
    ? { type: 'http', url: sink.url, token: apiToken }
    : { ...sink, credentials: 'instance-role' };
}

/** What has been started so far, so a failure half-way and `close` undo the same things. */
class Started {
  links: AdvertLinks | undefined;
  readonly services: MemberService[] = [];
  readonly agents: (LocalAgent & { readonly child: ChildProcess })[] = [];
  private readonly killLeftovers = () => {
    for (const a of this.agents)
      if (a.child.exitCode === null && a.child.signalCode === null) a.child.kill('SIGKILL');
  };

  constructor(readonly dir: string) {
    process.on('exit', this.killLeftovers);
  }

  spawnAgent(
    ctx: LocalAgentsContext,
    m: { id: string; address: string },
    file: string,
    service: MemberService,
  ) {
    const [program, ...args] = ctx.command;
    const logFile = join(this.dir, `${m.id}.log`);
    const fd = openSync(logFile, 'a', 0o600);
    const child = spawn(
      program!,
      [...args, '--instance-id', m.id, '--config', file, '--log-level', ctx.logLevel],
      // The IPC channel is the agents' lifeline: if this process dies, even by SIGKILL, they stop.
      { stdio: ['ignore', fd, fd, 'ipc'] },
    );
    closeSync(fd);
    if (child.pid === undefined) throw new Error(`cannot start the agent of ${m.id}`);
    const pid = child.pid;
    this.agents.push({
      memberId: m.id,
      address: m.address,
      pid,
      healthUrl: `http://${m.address}:${ctx.plan.healthPort}/health`,
      service,
      logFile,
      child,
      freeze: () => void child.kill('SIGSTOP'),
      thaw: () => void child.kill('SIGCONT'),
    });
  }

  /** Every agent answers on its health endpoint (any status): it runs and has bound its sockets. */
  async ready(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const pending = new Set(this.agents);
    while (pending.size > 0) {
      for (const a of pending) {
        if (a.child.exitCode !== null)
          throw new Error(
            `the agent of ${a.memberId} exited with code ${a.child.exitCode} (log: ${a.logFile})`,
          );
        const answered = await fetch(a.healthUrl, { signal: AbortSignal.timeout(1_000) }).then(
          async (r) => {
            await r.body?.cancel();
            return true;
          },
          () => false,
        );
        if (answered) pending.delete(a);
      }
      if (pending.size === 0) return;
      if (Date.now() > deadline)
        throw new Error(
          `agents not up after ${timeoutMs} ms: ${[...pending].map((a) => a.memberId).join(', ')}`,
        );
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  view(): LocalAgents {
    const agents = this.agents;
    return {
      agents,
      directory: this.dir,
      agent(id) {
        const a = agents.find((x) => x.memberId === id);
        if (a === undefined) throw new Error(`no local agent for ${id}`);
        return a;
      },
      cutOutboundAdverts: (id, cut) => this.links?.setOutboundCut(id, cut),
      close: () => this.close(),
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.agents.map((a) => stopChild(a.child)));
    process.off('exit', this.killLeftovers);
    await this.links?.close();
    await Promise.all(this.services.map((s) => s.close()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** SIGCONT (a frozen agent cannot act on SIGTERM), SIGTERM, then SIGKILL after 5 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGCONT');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

async function freePort(kind: 'tcp' | 'udp'): Promise<number> {
  if (kind === 'udp') {
    const s = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(0, '127.0.0.1', () => resolve());
    });
    const { port } = s.address();
    await new Promise<void>((resolve) => s.close(() => resolve()));
    return port;
  }
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}
