/**
 * The local mode — the embedded default: the simulator serves the VPC/ECS API on 127.0.0.1, the engine
 * runs on a SQLite store and talks to the simulator over the real wire protocol, the HTTP API is served
 * locally, sweeps run on an interval, and the simulator's ECS events flow into the ECS-event handler
 * exactly as EventBridge would deliver them in the cloud.
 *
 * With agents (the default of `havip local`), one real `havip agent` process per member watches its
 * peers and its member's service and reports over an embedded MNS topic to the on-heartbeat handler
 * (local-agents.ts, local-reports.ts); without, the orchestrator alone, as before.
 *
 * On Tencent Cloud ({@link startTencentLocal}) the same front (API, sweeps) runs on the Tencent simulator,
 * with the same agent processes publishing their reports to a CMQ topic of that simulator (the agent's
 * `cmq` sink, signed with CAM role credentials from a metadata simulator in Tencent's layout), which
 * delivers them to the `havip-heartbeat` handler as SCF's CMQ trigger would, and the simulator's CloudAudit
 * events of CVM stops flow into the `havip-cvm-events` handler as the EventBridge rule delivers them.
 */
import { randomBytes } from 'node:crypto';
import { serve } from '@hono/node-server';
import { createLogger, type LogLevel } from '../adapters/logger/index.js';
import type { MetadataSimulator } from '../adapters/metadata/simulator.js';
import type { SimulatedCloud } from '../adapters/simulator/index.js';
import type { TencentSimCredentials, TencentSimulatedCloud } from '../adapters/tencent-simulator/index.js';
import { createCompositeNotifier, plainText } from '../adapters/webhook/index.js';
import { loadTopology } from '../core/config.js';
import type { Topology } from '../core/model.js';
import type { CloudApi, Logger, Notification, Notifier } from '../core/ports.js';
import { type AsyncHandler, handleCvmEvent, handleEcsEvent } from './handlers.js';
import { createHttpApp } from './http/index.js';
import {
  type LocalAgentPlan,
  type LocalAgents,
  type LocalAgentsContext,
  localProber,
  planLocalAgents,
  startLocalAgents,
  withLocalAgents,
} from './local-agents.js';
import {
  type DeliveredReport,
  LOCAL_TOPIC,
  type LocalReportPath,
  startLocalReportPath,
  startTencentReportPath,
  type TencentReportPath,
} from './local-reports.js';
import { type Runtime, systemClock } from './runtime.js';
import { startSimulatedRuntime, startTencentSimulatedRuntime } from './simulated-runtime.js';

export interface LocalOptions {
  /** Topology YAML/JSON text. */
  readonly topologyText: string;
  readonly topologySource: string;
  /** HTTP API port (0 = ephemeral). */
  readonly port: number;
  readonly sweepSeconds: number;
  /** Simulated duration of asynchronous cloud transitions (stop, associate…). */
  readonly transitionMs: number;
  /** SQLite file; removed at start so every demo begins clean. `:memory:` keeps nothing. */
  readonly sqlitePath: string;
  /** API token; a random one when absent. */
  readonly token: string | undefined;
  readonly logLevel: LogLevel | 'silent';
  /** Where the human-readable event lines go (stdout by default). */
  readonly print: (line: string) => void;
  /** Run one host agent process per member; undefined: the orchestrator alone (`--no-agents`). */
  readonly agents?: LocalAgentOptions | undefined;
  /** Sees every notification besides the printed line (the benchmark times the moves with it). */
  readonly onNotification?: (n: Notification) => void;
  /** Wraps the cloud adapter (the benchmark times the orchestrator's calls). */
  readonly wrapCloud?: (adapter: CloudApi) => CloudApi;
}

export interface LocalAgentOptions {
  /** The program and arguments that run `havip agent`, e.g. [node, bin/havip.js, 'agent']. */
  readonly command: readonly string[];
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

export interface LocalMode {
  readonly apiUrl: string;
  readonly simulatorUrl: string;
  readonly token: string;
  readonly runtime: Runtime;
  readonly sim: SimulatedCloud;
  /** The agents and their report path, when local mode runs them. */
  readonly agents: LocalAgents | undefined;
  readonly reports: LocalReportPath | undefined;
  /** Runs one sweep now (also what the interval does). */
  sweep(): Promise<void>;
  close(): Promise<void>;
}

/** Prints one readable line per notification: what an operator watching the demo wants to see. */
function consoleNotifier(print: (line: string) => void): Notifier {
  return {
    async notify(n: Notification) {
      const t = new Date(n.at).toISOString().slice(11, 19);
      // One line, whatever a reason contains: a terminal must not be driven by someone's text.
      print(`${t}  ${n.kind.toUpperCase().padEnd(20)} ${plainText(n.summary, 400)}`);
    },
  };
}

/**
 * What both clouds' local modes start from: the topology (warnings printed; as the agents run it, with
 * agents), the agents' plan, the logger, the parts (the agents' keys and prober among them).
 */
async function localBasis(opts: TencentLocalOptions) {
  const loaded = loadTopology(opts.topologyText, { source: opts.topologySource });
  const logger: Logger = createLogger({ level: opts.logLevel, base: { service: 'havip-local' } });
  for (const w of loaded.warnings) opts.print(`warning: ${w.path}: ${w.message}`);
  const plan = opts.agents === undefined ? undefined : await planLocalAgents(loaded.topology);
  const notifiers = [consoleNotifier(opts.print)];
  if (opts.onNotification !== undefined) notifiers.push(callbackNotifier(opts.onNotification));
  const parts = {
    simulator: { attach: 'highest', transitionDelayMs: opts.transitionMs },
    store: { sqlitePath: opts.sqlitePath, fresh: true },
    topology: plan === undefined ? loaded.topology : withLocalAgents(loaded.topology, plan),
    runtime: {
      notifier: createCompositeNotifier(notifiers),
      logger,
      clock: systemClock,
      engineOptions: { leaseTtlMs: 60_000 },
      defaultBudgetMs: 30_000,
      ...(plan === undefined ? {} : agentRuntimeParts(plan)),
    },
  } as const;
  return { plan, logger, parts };
}

export async function startLocal(opts: LocalOptions): Promise<LocalMode> {
  const { plan, logger, parts } = await localBasis(opts);
  const { topology } = parts;
  const simulated = await startSimulatedRuntime({
    ...parts,
    ...(opts.wrapCloud === undefined ? {} : { wrapCloud: opts.wrapCloud }),
  });
  const { runtime, sim } = simulated;
  const closers: (() => Promise<void>)[] = [() => simulated.close()];
  const closeAll = closeOnce(closers);
  try {
    const front = await serveLocally(runtime, opts, logger, closers);
    const events = routeSimulatorEvents((sink) => sim.onEvent(sink), handleEcsEvent, {
      runtime,
      logger,
      print: opts.print,
    });
    closers.push(() => events.stop());
    const withAgents =
      plan === undefined || opts.agents === undefined
        ? undefined
        : await startAgentsPart(opts.agents, plan, {
            topology,
            runtime,
            logger,
            print: opts.print,
            apiUrl: front.apiUrl,
            token: front.token,
            simulatorUrl: simulated.server.url,
            closers,
          });
    const sweeper = startSweeps(runtime, logger, opts.sweepSeconds);
    closers.push(async () => sweeper.stop());
    return {
      ...front,
      simulatorUrl: simulated.server.url,
      runtime,
      sim,
      agents: withAgents?.agents,
      reports: withAgents?.reports,
      sweep: sweeper.sweep,
      close: closeAll,
    };
  } catch (e) {
    await closeAll(); // a taken port or an agent that cannot start must not leave anything running
    throw e;
  }
}

/** Runs the closers in reverse order, once, however often it is called. */
function closeOnce(closers: readonly (() => Promise<void>)[]): () => Promise<void> {
  let closed: Promise<void> | undefined;
  return () => {
    closed ??= (async () => {
      for (const close of [...closers].reverse()) await close();
    })();
    return closed;
  };
}

/** The HTTP API with its token; its close joins the list. */
async function serveLocally(
  runtime: Runtime,
  opts: Pick<LocalOptions, 'token' | 'port'>,
  logger: Logger,
  closers: (() => Promise<void>)[],
): Promise<{ readonly apiUrl: string; readonly token: string }> {
  const token = opts.token ?? randomBytes(18).toString('base64url');
  const api = await serveApi(runtime, token, opts.port, logger);
  closers.push(() => api.close());
  return { apiUrl: api.url, token };
}

/** The local mode on Tencent Cloud. */
export interface TencentLocalMode {
  readonly apiUrl: string;
  readonly simulatorUrl: string;
  readonly token: string;
  readonly runtime: Runtime;
  readonly sim: TencentSimulatedCloud;
  /** The one key pair the simulator accepts, made up for this run. */
  readonly credentials: TencentSimCredentials;
  /** The agents, when local mode runs them. */
  readonly agents: LocalAgents | undefined;
  /** The agents' instance metadata (Tencent's layout): post a spot notice with `setSpotTermination`. */
  readonly metadata: MetadataSimulator | undefined;
  /** The CMQ topic the agents publish their reports to, when local mode runs agents. */
  readonly reports: TencentReportPath | undefined;
  /** The reports the CMQ topic delivered to the havip-heartbeat handler, oldest first (empty without agents). */
  delivered(): readonly DeliveredReport[];
  sweep(): Promise<void>;
  close(): Promise<void>;
}

export type TencentLocalOptions = Omit<LocalOptions, 'wrapCloud'>;

/**
 * `havip local --cloud tencent`: the Tencent simulator on 127.0.0.1, the engine with the production
 * Tencent adapter signing TC3 over HTTP, SQLite, the HTTP API and sweeps; with agents, one agent process
 * per member publishing its reports to the simulator's CMQ topic, delivered to the havip-heartbeat
 * handler. The simulator's CloudAudit events of CVM stops go to the handler `havip-cvm-events` calls, as
 * the EventBridge rule delivers them; the agents' reports see a frozen or failing member, the sweeps
 * (DescribeInstancesStatus) anything else, and the HAVIP moves.
 */
export async function startTencentLocal(opts: TencentLocalOptions): Promise<TencentLocalMode> {
  const { plan, logger, parts } = await localBasis(opts);
  const { topology } = parts;
  const simulated = await startTencentSimulatedRuntime(parts);
  const closers: (() => Promise<void>)[] = [() => simulated.close()];
  const closeAll = closeOnce(closers);
  try {
    const front = await serveLocally(simulated.runtime, opts, logger, closers);
    // CloudAudit stop events, delivered as the EventBridge rule delivers them to havip-cvm-events.
    const events = routeSimulatorEvents((sink) => simulated.sim.onCloudEvent(sink), handleCvmEvent, {
      runtime: simulated.runtime,
      logger,
      print: opts.print,
    });
    closers.push(() => events.stop());
    const withAgents =
      plan === undefined || opts.agents === undefined
        ? undefined
        : await startTencentAgentsPart(opts.agents, plan, {
            topology,
            runtime: simulated.runtime,
            sim: simulated.sim,
            logger,
            print: opts.print,
            apiUrl: front.apiUrl,
            token: front.token,
            simulatorUrl: simulated.server.url,
            closers,
          });
    const sweeper = startSweeps(simulated.runtime, logger, opts.sweepSeconds);
    closers.push(async () => sweeper.stop());
    return {
      ...front,
      simulatorUrl: simulated.server.url,
      runtime: simulated.runtime,
      sim: simulated.sim,
      credentials: simulated.credentials,
      agents: withAgents?.agents,
      metadata: withAgents?.reports.metadata,
      reports: withAgents?.reports,
      delivered: () => withAgents?.reports.delivered() ?? [],
      sweep: sweeper.sweep,
      close: closeAll,
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}

/** What starting the agents of either cloud takes from local mode. */
interface AgentsPartContext {
  readonly topology: Topology;
  readonly runtime: Runtime;
  readonly logger: Logger;
  readonly print: (line: string) => void;
  readonly apiUrl: string;
  readonly token: string;
  readonly simulatorUrl: string;
  readonly closers: (() => Promise<void>)[];
}

/** The CMQ topic and the metadata service in Tencent's layout, then one agent per member publishing to it. */
async function startTencentAgentsPart(
  agentOpts: LocalAgentOptions,
  plan: LocalAgentPlan,
  ctx: AgentsPartContext & { readonly sim: TencentSimulatedCloud },
): Promise<{ agents: LocalAgents; reports: TencentReportPath }> {
  const reports = await startTencentReportPath({
    runtime: ctx.runtime,
    logger: ctx.logger,
    sim: ctx.sim,
    // The topic lives where the havip-heartbeat function runs: the Tencent groups' region (a region the
    // simulator serves; the document's own may be an Alibaba one in a mixed topology).
    region: ctx.topology.groups.find((g) => g.cloud === 'tencent')?.region ?? ctx.topology.region,
    memberIds: plan.members.map((m) => m.id),
    print: ctx.print,
  });
  ctx.closers.push(() => reports.close());
  const agents = await startAgentsOver(agentOpts, plan, ctx, {
    cloud: 'tencent',
    reportSink: { type: 'cmq', endpoint: ctx.simulatorUrl, topic: LOCAL_TOPIC, region: reports.region },
    metadataUrl: (id) => reports.metadata.baseUrl(id),
  });
  return { agents, reports };
}

function agentRuntimeParts(plan: LocalAgentPlan) {
  return {
    agentKeys: new Map([...plan.groupKeys].map(([g, k]) => [g, Buffer.from(k, 'utf8')])),
    prober: localProber(plan),
  };
}

/** The MNS topic and metadata service, then one agent per member; each joins the close list once up. */
async function startAgentsPart(
  agentOpts: LocalAgentOptions,
  plan: LocalAgentPlan,
  ctx: AgentsPartContext,
): Promise<{ agents: LocalAgents; reports: LocalReportPath }> {
  const reports = await startLocalReportPath({
    runtime: ctx.runtime,
    logger: ctx.logger,
    memberIds: plan.members.map((m) => m.id),
    print: ctx.print,
  });
  ctx.closers.push(() => reports.close());
  const agents = await startAgentsOver(agentOpts, plan, ctx, {
    cloud: 'alibaba',
    reportSink: { type: 'mns', endpoint: reports.mns.url, topic: LOCAL_TOPIC },
    metadataUrl: (id) => reports.metadataUrl(id),
  });
  return { agents, reports };
}

/** One agent process per member, reporting through a path already on the close list; it joins the list. */
async function startAgentsOver(
  agentOpts: LocalAgentOptions,
  plan: LocalAgentPlan,
  ctx: AgentsPartContext,
  path: Pick<LocalAgentsContext, 'cloud' | 'reportSink' | 'metadataUrl'>,
): Promise<LocalAgents> {
  const agents = await startLocalAgents({
    plan,
    topology: ctx.topology,
    apiUrl: ctx.apiUrl,
    apiToken: ctx.token,
    simulatorUrl: ctx.simulatorUrl,
    ...path,
    command: agentOpts.command,
    logLevel: agentOpts.logLevel ?? 'warn',
  });
  ctx.closers.push(() => agents.close());
  return agents;
}

function callbackNotifier(onNotification: (n: Notification) => void): Notifier {
  return {
    async notify(n) {
      onNotification(n);
    },
  };
}

/** The HTTP API on 127.0.0.1, authenticated with the one local token. */
async function serveApi(
  runtime: Runtime,
  token: string,
  port: number,
  logger: Logger,
): Promise<{ readonly url: string; close(): Promise<void> }> {
  const app = createHttpApp({
    service: runtime.service,
    auth: { tokens: [{ name: 'local', token, role: 'operator' }], hmacKeys: [] },
    logger,
    clock: systemClock,
  });
  const server = serve({
    fetch: (req, env) => app.fetch(req, env as object),
    hostname: '127.0.0.1',
    port,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  const address = server.address();
  const apiPort = typeof address === 'object' && address !== null ? address.port : port;
  return {
    url: `http://127.0.0.1:${apiPort}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * A simulator's events take the path EventBridge events take in the cloud: each, in order, through the
 * handler the event function calls (the ECS-event handler on Function Compute, `havip-cvm-events`' on SCF).
 */
function routeSimulatorEvents<E extends { readonly id?: string; readonly type?: string }>(
  subscribe: (sink: (event: E) => void) => () => void,
  handle: AsyncHandler,
  parts: { runtime: Runtime; logger: Logger; print: (line: string) => void },
): { stop(): Promise<void> } {
  let eventQueue = Promise.resolve();
  const unsubscribe = subscribe((event) => {
    eventQueue = eventQueue
      .then(async () => {
        const r = await handle(
          parts.runtime.service,
          parts.logger,
          JSON.stringify(event),
          `local-${event.id ?? 'event'}`,
        );
        for (const res of r.results)
          if (res.status !== 'noop')
            parts.print(`         event ${event.type} → ${res.group}: ${res.status}`);
      })
      .catch((e: unknown) => parts.logger.error({ error: e }, 'event handling failed'));
  });
  return {
    async stop() {
      unsubscribe();
      await eventQueue;
    },
  };
}

/** Sweeps on an interval, never two at once; `sweep` runs one now. */
function startSweeps(
  runtime: Runtime,
  logger: Logger,
  sweepSeconds: number,
): { sweep(): Promise<void>; stop(): void } {
  let sweeping = false;
  const sweep = async (): Promise<void> => {
    if (sweeping) return;
    sweeping = true;
    try {
      await runtime.service.sweep(`local-sweep-${Date.now()}`);
    } catch (e) {
      logger.error({ error: e }, 'sweep failed');
    } finally {
      sweeping = false;
    }
  };
  const timer = setInterval(() => void sweep(), sweepSeconds * 1000);
  return { sweep, stop: () => clearInterval(timer) };
}
