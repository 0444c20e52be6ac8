/**
 * The agent process: wires checks, peer watching, reports, API heartbeats, the takeover, the spot watcher
 * and the health endpoint together (docs/agent.md). It decides nothing: it reports what it sees and
 * serves the addresses the orchestrator says it holds.
 */
import type { Logger } from '../core/ports.js';
import { encodeReport, signReport, TYPE_OF_REASON } from '../events/agent-report.js';
import { AdvertAdmission } from './admission.js';
import { LocalChecks } from './checks.js';
import { type AgentConfig, peerEndpoint } from './config.js';
import type { DataPlane } from './dataplane.js';
import { ReportDispatcher } from './dispatcher.js';
import { DropCounters } from './drops.js';
import { type HealthServer, startHealthServer } from './health.js';
import { HeartbeatLoop } from './heartbeat.js';
import type { Pending } from './outbox.js';
import { PeerMonitor } from './peers.js';
import { type ReportIntent, ReportScheduler, reportKey } from './reports.js';
import type { SecretIo } from './secrets.js';
import { SequenceSource } from './sequence.js';
import {
  type AgentSecrets,
  createDataPlaneFromConfig,
  createSinkFromConfig,
  loadAgentSecrets,
  metadataClientFromConfig,
  type SetupIo,
} from './setup.js';
import type { ReportSink } from './sinks.js';
import { metadataSpotNotice, type SpotNotice, watchSpot } from './spot.js';
import { Takeover } from './takeover.js';
import { every, systemTimers, type Timers } from './timers.js';
import { AdvertTransport } from './transport.js';

export interface AgentDeps {
  readonly logger: Logger;
  readonly timers?: Timers;
  readonly secretIo?: SecretIo;
  /** Replaces the configured sink. */
  readonly sink?: ReportSink;
  /** For `credentials: env` of the mns and cmq sinks (default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The HTTP client of the sink and the metadata reads (default: the global fetch). */
  readonly fetch?: typeof fetch;
  /** Replaces the configured data plane. */
  readonly dataPlane?: DataPlane;
  /** Environment of `ip` and `arping` for the linux data plane. */
  readonly dataPlaneEnv?: NodeJS.ProcessEnv;
  /** Replaces the metadata reader of the termination notice. */
  readonly spotNotice?: SpotNotice;
  readonly random?: () => number;
  /** Called after each delivered report. */
  readonly onReportDelivered?: (p: Pending) => void;
}

export interface RunningAgent {
  readonly healthUrl: string;
  status(): { ok: boolean; body: Record<string, unknown> };
  stop(): Promise<void>;
}

const LOG_DROPS_EVERY_MS = 30_000;

export async function startAgent(config: AgentConfig, deps: AgentDeps): Promise<RunningAgent> {
  const timers = deps.timers ?? systemTimers;
  const secrets = await loadAgentSecrets(config, deps.secretIo);
  for (const w of secrets.warnings) deps.logger.warn({}, w);
  const agent = new Agent(
    config,
    deps,
    secrets,
    SequenceSource.open(config.stateDirectory, timers.now()),
    timers,
  );
  await agent.start();
  return agent;
}

class Agent implements RunningAgent {
  private readonly logger: Logger;
  private readonly groupNames: readonly string[];
  private readonly dispatcher: ReportDispatcher;
  private readonly scheduler: ReportScheduler;
  private readonly checks: LocalChecks;
  private readonly heartbeat: { loop: HeartbeatLoop; takeover: Takeover | undefined } | undefined;
  private readonly monitor: PeerMonitor;
  private readonly drops = new DropCounters(LOG_DROPS_EVERY_MS);
  private readonly transport: AdvertTransport;
  private readonly stops: (() => void)[] = [];
  private health: HealthServer | undefined;
  private draining = false;

  constructor(
    private readonly config: AgentConfig,
    private readonly deps: AgentDeps,
    private readonly secrets: AgentSecrets,
    private readonly sequence: SequenceSource,
    private readonly timers: Timers,
  ) {
    this.logger = deps.logger;
    this.groupNames = config.groups.map((g) => g.name);
    this.dispatcher = createDispatcher(config, secrets, deps, timers);
    this.scheduler = new ReportScheduler(config.instanceId, config.reports.repeatSeconds * 1000);
    this.checks = new LocalChecks(config.checks, {
      timers,
      logger: this.logger,
      onChange: (up) => this.changed(this.scheduler.checksChanged(this.groupNames, up, timers.now())),
    });
    this.heartbeat = createHeartbeat(config, secrets, deps, timers, sequence);
    const deadMs = config.advert.intervalSeconds * config.advert.deadFactor * 1000;
    this.monitor = new PeerMonitor(config.groups, deadMs, timers, {
      silent: (group, peer, lastSeenAt) =>
        this.changed([this.scheduler.peerSilent(group, peer, lastSeenAt, timers.now())]),
      recovered: (group, peer) => this.changed([this.scheduler.peerRecovered(group, peer)]),
      changed: () => this.changed([]),
      stalled: (lateMs) =>
        this.logger.warn(
          { lateMs },
          'this agent was stalled: peers get a fresh dead interval before any is called silent',
        ),
    });
    this.transport = createTransport(config, secrets, {
      timers,
      logger: this.logger,
      drops: this.drops,
      nextSequence: () => sequence.next(),
      ownState: () => ({ checks: this.checks.up ? 'ok' : 'failing', draining: this.draining }),
      onAdvert: (a) => this.monitor.heard(a),
    });
  }

  get healthUrl(): string {
    return this.health?.url ?? '';
  }

  async start(): Promise<void> {
    const { config, timers } = this;
    await this.transport.start();
    try {
      this.health = await startHealthServer(
        config.health.address ?? config.advert.bind,
        config.health.port,
        () => this.status(),
      );
    } catch (e) {
      await this.transport.stop();
      throw e;
    }
    this.monitor.start();
    this.checks.start();
    this.stops.push(every(timers, config.advert.intervalSeconds * 1000, () => this.transport.advertise(), 0));
    this.stops.push(
      every(timers, 1000, () => {
        for (const i of this.scheduler.due(timers.now())) this.report(i);
      }),
    );
    this.heartbeat?.loop.start();
    if (config.spot.enabled) this.watchSpot();
    this.logger.info(
      {
        groups: this.groupNames,
        advert: `${config.advert.bind}:${config.advert.port}`,
        health: this.health.url,
      },
      `havip agent ${config.instanceId} running`,
    );
  }

  status(): { ok: boolean; body: Record<string, unknown> } {
    const hb = this.heartbeat;
    const body = {
      instanceId: this.config.instanceId,
      state: this.checks.up ? 'ok' : 'failing',
      draining: this.draining,
      checks: this.checks.snapshot(),
      peers: this.monitor.snapshot(),
      dropped: this.drops.snapshot(),
      datagrams: this.transport.counters(),
      reports: this.dispatcher.snapshot(),
      ...(hb === undefined ? {} : { heartbeat: hb.loop.snapshot(), takeover: hb.takeover?.snapshot() }),
    };
    return { ok: this.checks.up, body };
  }

  async stop(): Promise<void> {
    for (const s of this.stops) s();
    this.monitor.stop();
    this.checks.stop();
    this.heartbeat?.loop.stop();
    this.dispatcher.stop();
    await Promise.all([this.transport.stop(), this.health?.close(), this.heartbeat?.takeover?.settled()]);
  }

  /** Something changed: report what the change calls for, and beat fast for a while. */
  private changed(intents: readonly ReportIntent[]): void {
    for (const i of intents) this.report(i);
    this.heartbeat?.loop.hurry();
  }

  private report(intent: ReportIntent): void {
    const { config, timers } = this;
    const signed = buildReport(
      config,
      this.secrets,
      intent,
      this.sequence.next(),
      this.checks.up,
      timers.now(),
    );
    this.dispatcher.enqueue(reportKey(intent), encodeReport(signed));
    this.logger.info(
      { group: intent.group, suspect: intent.suspect, reason: intent.reason, sequence: signed.sequence },
      `report: ${intent.suspect} ${intent.reason}`,
    );
  }

  private watchSpot(): void {
    const spot = this.config.spot;
    const notice =
      this.deps.spotNotice ??
      metadataSpotNotice(
        metadataClientFromConfig(this.config, spot.provider, setupIo(this.deps, this.timers)),
      );
    this.stops.push(
      watchSpot(notice, spot.intervalSeconds * 1000, {
        timers: this.timers,
        logger: this.logger,
        onNotice: () => {
          this.draining = true;
          this.changed(this.scheduler.spotNotice(this.groupNames, this.timers.now()));
          this.transport.advertise();
        },
      }),
    );
  }
}

function createDispatcher(config: AgentConfig, secrets: AgentSecrets, deps: AgentDeps, timers: Timers) {
  const backoff = config.reports.backoff;
  return new ReportDispatcher({
    sink: deps.sink ?? createSinkFromConfig(config, secrets, setupIo(deps, timers)),
    timers,
    logger: deps.logger,
    policy: {
      baseMs: backoff.baseSeconds * 1000,
      maxMs: backoff.maxSeconds * 1000,
      minMs: Math.min(1000, backoff.baseSeconds * 1000),
    },
    ...(deps.random === undefined ? {} : { random: deps.random }),
    ...(deps.onReportDelivered === undefined ? {} : { onDelivered: deps.onReportDelivered }),
  });
}

function setupIo(deps: AgentDeps, timers: Timers): SetupIo {
  return {
    env: deps.env ?? process.env,
    clock: { now: () => timers.now() },
    ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
  };
}

function buildReport(
  config: AgentConfig,
  secrets: AgentSecrets,
  intent: ReportIntent,
  sequence: number,
  checksUp: boolean,
  now: number,
) {
  return signReport(
    {
      type: TYPE_OF_REASON[intent.reason],
      instanceId: intent.suspect,
      group: intent.group,
      reporter: config.instanceId,
      sequence,
      reason: intent.reason,
      reporterChecks: checksUp ? 'ok' : 'failing',
      lastSeenAt: intent.lastSeenAt === undefined ? undefined : new Date(intent.lastSeenAt).toISOString(),
      sentAt: new Date(now).toISOString(),
    },
    secrets.groupKeys.get(intent.group)!,
  );
}

function createTransport(
  config: AgentConfig,
  secrets: AgentSecrets,
  rest: Pick<
    ConstructorParameters<typeof AdvertTransport>[0],
    'timers' | 'logger' | 'drops' | 'nextSequence' | 'ownState' | 'onAdvert'
  >,
): AdvertTransport {
  const groups = config.groups.map((g) => ({
    name: g.name,
    key: secrets.groupKeys.get(g.name)!,
    peers: g.peers.map((p) => ({ id: p.id, ...peerEndpoint(p.address, config.advert.port) })),
  }));
  const admission = new AdvertAdmission(
    config.instanceId,
    new Map(groups.map((g) => [g.name, { key: g.key, peers: new Map(g.peers.map((p) => [p.id, p.host])) }])),
    config.advert.maxClockSkewSeconds * 1000,
  );
  return new AdvertTransport({
    self: config.instanceId,
    bind: { address: config.advert.bind, port: config.advert.port },
    groups,
    admission,
    ...rest,
  });
}

function createHeartbeat(
  config: AgentConfig,
  secrets: AgentSecrets,
  deps: AgentDeps,
  timers: Timers,
  sequence: SequenceSource,
): { loop: HeartbeatLoop; takeover: Takeover | undefined } | undefined {
  const api = config.api;
  if (api === undefined || secrets.api === undefined) return undefined;
  const t = config.takeover;
  const takeover =
    t.mode === 'on'
      ? new Takeover({
          dataPlane: deps.dataPlane ?? createDataPlaneFromConfig(config, deps.dataPlaneEnv),
          interface: t.interface,
          garpCount: t.garpCount,
          refreshMs: t.garpRefreshSeconds * 1000,
          stateDirectory: config.stateDirectory,
          timers,
          logger: deps.logger,
        })
      : undefined;
  const loop = new HeartbeatLoop({
    instanceId: config.instanceId,
    api: {
      endpoint: api.endpoint,
      credentials: secrets.api,
      timeoutMs: api.timeoutSeconds * 1000,
      now: () => timers.now(),
    },
    normalMs: api.intervalSeconds * 1000,
    fastMs: api.fastIntervalSeconds * 1000,
    fastForMs: api.fastForSeconds * 1000,
    nextSequence: () => sequence.next(),
    timers,
    logger: deps.logger,
    takeover,
  });
  return { loop, takeover };
}
