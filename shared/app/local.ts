/**
 * The local mode — the embedded default: the simulator serves the VPC/ECS API on 127.0.0.1, the engine
 * runs on a SQLite store and talks to the simulator over the real wire protocol, the HTTP API is served
 * locally, sweeps run on an interval, and the simulator's ECS events flow into the ECS-event handler
 * exactly as EventBridge would deliver them in the cloud.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { serve } from '@hono/node-server';
import { createAlibabaCloudApi } from '../adapters/alibaba/index.js';
import { createLogger, type LogLevel } from '../adapters/logger/index.js';
import {
  SimulatedCloud,
  type SimulatorServer,
  seedFromTopology,
  startSimulatorServer,
} from '../adapters/simulator/index.js';
import { createSqliteStore } from '../adapters/sqlite/index.js';
import { createCompositeNotifier } from '../adapters/webhook/index.js';
import { loadTopology } from '../core/config.js';
import type { Logger, Notification, Notifier } from '../core/ports.js';
import { handleEcsEvent } from './handlers.js';
import { createHttpApp } from './http/index.js';
import { assembleRuntime, type Runtime, systemClock } from './runtime.js';

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
}

export interface LocalMode {
  readonly apiUrl: string;
  readonly simulatorUrl: string;
  readonly token: string;
  readonly runtime: Runtime;
  readonly sim: SimulatedCloud;
  /** Runs one sweep now (also what the interval does). */
  sweep(): Promise<void>;
  close(): Promise<void>;
}

/** Prints one readable line per notification: what an operator watching the demo wants to see. */
function consoleNotifier(print: (line: string) => void): Notifier {
  return {
    async notify(n: Notification) {
      const t = new Date(n.at).toISOString().slice(11, 19);
      print(`${t}  ${n.kind.toUpperCase().padEnd(20)} ${n.summary}`);
    },
  };
}

export async function startLocal(opts: LocalOptions): Promise<LocalMode> {
  const { topology, warnings } = loadTopology(opts.topologyText, { source: opts.topologySource });
  const logger: Logger = createLogger({ level: opts.logLevel, base: { service: 'havip-local' } });
  for (const w of warnings) opts.print(`warning: ${w.path}: ${w.message}`);

  const sim = new SimulatedCloud(seedFromTopology(topology, { attach: 'highest' }), {
    transitionDelayMs: opts.transitionMs,
  });
  const simServer: SimulatorServer = await startSimulatorServer({ cloud: sim });
  const cloud = createAlibabaCloudApi({
    credentials: { accessKeyId: 'local', accessKeySecret: 'local-simulator' },
    endpoints: { override: simServer.endpoint },
    protocol: 'http',
  });

  if (opts.sqlitePath !== ':memory:') {
    mkdirSync(dirname(opts.sqlitePath), { recursive: true });
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${opts.sqlitePath}${suffix}`, { force: true });
  }
  const store = createSqliteStore({ path: opts.sqlitePath });
  const runtime = assembleRuntime({
    topology,
    cloud,
    store,
    notifier: createCompositeNotifier([consoleNotifier(opts.print)]),
    logger,
    clock: systemClock,
    engineOptions: { leaseTtlMs: 60_000 },
    defaultBudgetMs: 30_000,
  });

  const token = opts.token ?? randomBytes(18).toString('base64url');
  const app = createHttpApp({
    service: runtime.service,
    auth: { tokens: [{ name: 'local', token }], hmacKeys: [] },
    logger,
    clock: systemClock,
  });
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: opts.port });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  const address = server.address();
  const apiPort = typeof address === 'object' && address !== null ? address.port : opts.port;

  // The simulator's ECS events take the same path EventBridge events take on Function Compute.
  let eventQueue = Promise.resolve();
  const unsubscribe = sim.onEvent((event) => {
    eventQueue = eventQueue
      .then(async () => {
        const id = (event as { id?: string }).id ?? 'event';
        const r = await handleEcsEvent(runtime.service, logger, JSON.stringify(event), `local-${id}`);
        for (const res of r.results)
          if (res.status !== 'noop')
            opts.print(`         event ${(event as { type?: string }).type} → ${res.group}: ${res.status}`);
      })
      .catch((e: unknown) => logger.error({ error: e }, 'event handling failed'));
  });

  let sweeping = false;
  const sweep = async (): Promise<void> => {
    if (sweeping) return; // never overlap sweeps
    sweeping = true;
    try {
      await runtime.service.sweep(`local-sweep-${Date.now()}`);
    } catch (e) {
      logger.error({ error: e }, 'sweep failed');
    } finally {
      sweeping = false;
    }
  };
  const timer = setInterval(() => void sweep(), opts.sweepSeconds * 1000);

  return {
    apiUrl: `http://127.0.0.1:${apiPort}`,
    simulatorUrl: simServer.url,
    token,
    runtime,
    sim,
    sweep,
    async close() {
      clearInterval(timer);
      unsubscribe();
      await eventQueue;
      await new Promise<void>((r) => server.close(() => r()));
      await simServer.close();
      await runtime.close();
    },
  };
}
