/**
 * Composition root: builds the engine and the service from settings (environment variables on Function
 * Compute, explicit objects in the local mode and tests). The heavy adapters (Tablestore, SQLite,
 * PostgreSQL) are imported lazily so a function pays only for the store it uses on its cold start.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { AlibabaCredentials, CredentialsSource } from '../adapters/alibaba/index.js';
import { createAlibabaCloudApi } from '../adapters/alibaba/index.js';
import { createLogger } from '../adapters/logger/index.js';
import { createNetworkProber } from '../adapters/probe/index.js';
import {
  createCompositeNotifier,
  createDingTalkNotifier,
  createLogNotifier,
  createWebhookNotifier,
} from '../adapters/webhook/index.js';
import { loadTopology } from '../core/config.js';
import { Engine, type EngineOptions, NO_ALIBABA } from '../core/engine.js';
import { ConfigError, type InputIssue } from '../core/errors.js';
import type { Finding, Topology } from '../core/model.js';
import type { Clock, CloudApi, Logger, Notifier, Prober, StateStore } from '../core/ports.js';
import type { TencentCloudApi } from '../core/tencent-ports.js';
import { cloudsOf } from '../core/validate/clouds.js';
import { collectTencentSnapshot, validateLive, validateTencentLiveSnapshot } from '../core/validate-live.js';
import { loadAgentKeys, reportAuthority } from './agent-keys.js';
import { asEnvError, postgresEnvSchema, postgresOptionsFromEnv } from './postgres-settings.js';
import { Service } from './service.js';

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

/** Environment variables the deployed functions read. Documented in the README's configuration reference. */
export const envSchema = z.object({
  HAVIP_TOPOLOGY: z.string().min(1).optional(),
  HAVIP_TOPOLOGY_FILE: z.string().min(1).optional(),
  HAVIP_STORE: z.enum(['tablestore', 'sqlite', 'postgres']).optional(),
  HAVIP_SQLITE_PATH: z.string().min(1).optional(),
  ...postgresEnvSchema.shape,
  HAVIP_ALLOW_LOCAL_STORE_ON_FC: z.enum(['true', 'false']).optional(),
  HAVIP_TABLESTORE_ENDPOINT: z.string().url().optional(),
  HAVIP_TABLESTORE_INSTANCE: z.string().min(1).optional(),
  HAVIP_TABLESTORE_PREFIX: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .optional(),
  HAVIP_API_TOKENS: z.string().optional(),
  HAVIP_HMAC_KEYS: z.string().optional(),
  HAVIP_AGENT_KEYS: z.string().optional(),
  HAVIP_WEBHOOK_URL: z.string().url().optional(),
  HAVIP_DINGTALK_WEBHOOK: z.string().url().optional(),
  HAVIP_DINGTALK_SECRET: z.string().optional(),
  HAVIP_CLOUD_ENDPOINT: z
    .string()
    .regex(/^[A-Za-z0-9.-]+(:\d+)?$/, 'host or host:port, e.g. 127.0.0.1:9000')
    .optional(),
  HAVIP_CLOUD_PROTOCOL: z.enum(['https', 'http']).optional(),
  HAVIP_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).optional(),
  HAVIP_DEADLINE_MARGIN_MS: z.coerce.number().int().min(0).max(60_000).optional(),
  FC_FUNCTION_NAME: z.string().optional(),
});
export type Env = z.infer<typeof envSchema>;

/** Parses the environment; every problem names the variable and the fix. */
export function parseEnv(env: NodeJS.ProcessEnv): Env {
  const r = envSchema.safeParse(env);
  if (!r.success) {
    throw new ConfigError(
      'invalid environment',
      r.error.issues.map((i) => ({
        path: String(i.path[0]),
        message: i.message,
        hint: 'see the configuration reference in README.md',
      })),
      'env.invalid',
    );
  }
  return r.data;
}

/**
 * A `.json` topology file is read with `JSON.parse`, not the YAML parser: the YAML document model costs
 * about 65 MB of transient memory and 1.7 s per 10,000 groups, `JSON.parse` a tenth of both. `npm run
 * build -- --topology <file>` writes such a file after checking the YAML (duplicate keys included, which
 * `JSON.parse` would let pass) and the whole topology (docs/performance.md, "Sweep scale").
 */
function parseJsonTopology(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${source}: invalid topology (1 problem)`, [
      {
        path: 'HAVIP_TOPOLOGY_FILE',
        message: `${source} is not valid JSON: ${(e as Error).message}`,
        hint: 'rebuild it with `npm run build -- --topology <your topology.yaml>`, or name a YAML file',
      },
    ]);
  }
}

/** Reads the topology from HAVIP_TOPOLOGY (inline YAML/JSON) or HAVIP_TOPOLOGY_FILE (YAML, or JSON if `.json`). */
export function topologyFromEnv(env: Env): Topology {
  if (env.HAVIP_TOPOLOGY !== undefined)
    return loadTopology(env.HAVIP_TOPOLOGY, { source: 'HAVIP_TOPOLOGY' }).topology;
  if (env.HAVIP_TOPOLOGY_FILE !== undefined) {
    let text: string;
    try {
      text = readFileSync(env.HAVIP_TOPOLOGY_FILE, 'utf8');
    } catch (e) {
      throw new ConfigError(
        'cannot read the topology',
        [
          {
            path: 'HAVIP_TOPOLOGY_FILE',
            message: `${env.HAVIP_TOPOLOGY_FILE}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
            hint: 'ship the file with the code or use HAVIP_TOPOLOGY',
          },
        ],
        'env.invalid',
      );
    }
    const source = env.HAVIP_TOPOLOGY_FILE;
    return loadTopology(source.endsWith('.json') ? parseJsonTopology(text, source) : text, { source })
      .topology;
  }
  throw new ConfigError(
    'no topology configured',
    [
      {
        path: 'HAVIP_TOPOLOGY',
        message: 'neither HAVIP_TOPOLOGY nor HAVIP_TOPOLOGY_FILE is set',
        hint: 'set one of them (see examples/)',
      },
    ],
    'env.invalid',
  );
}

/**
 * Credentials holder: FC passes fresh STS credentials in each invocation's context; the cloud adapter reads
 * them per call, so a warm instance never uses a stale global.
 */
export class InvocationCredentials {
  private current: AlibabaCredentials | undefined;
  set(c: AlibabaCredentials | undefined): void {
    if (c?.accessKeyId) this.current = c;
  }
  source(): CredentialsSource {
    return () => this.current ?? fallback();
    function fallback(): AlibabaCredentials {
      throw new ConfigError(
        'no cloud credentials',
        [
          {
            path: 'context.credentials',
            message: 'this invocation carried no credentials',
            hint: 'give the function a RAM role (s.yaml role:)',
          },
        ],
        'credentials.missing',
      );
    }
  }
  get(): AlibabaCredentials | undefined {
    return this.current;
  }
}

export interface RuntimeParts {
  readonly topology: Topology;
  /** Alibaba Cloud: required when the topology has an Alibaba group. */
  readonly cloud?: CloudApi | undefined;
  /** Tencent Cloud: required when the topology has a Tencent group. */
  readonly tencent?: TencentCloudApi | undefined;
  readonly store: StateStore;
  readonly notifier: Notifier;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly prober?: Prober | undefined;
  readonly random?: () => number;
  readonly engineOptions?: Partial<EngineOptions>;
  /** Default time budget of one operation when no invocation deadline is known. */
  readonly defaultBudgetMs?: number;
  /** The host agents' group keys (group → key): their reports are verified with them. */
  readonly agentKeys?: ReadonlyMap<string, Uint8Array>;
}

export interface Runtime {
  readonly topology: Topology;
  readonly engine: Engine;
  readonly service: Service;
  readonly store: StateStore;
  /** The Alibaba port (one that refuses every call when the runtime has no Alibaba adapter). */
  readonly cloud: CloudApi;
  readonly tencent: TencentCloudApi | undefined;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Sets the absolute deadline of the current invocation (FC: start + timeout − margin). */
  setDeadline(deadline: number | undefined): void;
  close(): Promise<void>;
}

export function assembleRuntime(parts: RuntimeParts): Runtime {
  const clock = parts.clock ?? systemClock;
  const engine = new Engine(
    {
      cloud: parts.cloud,
      tencent: parts.tencent,
      store: parts.store,
      notifier: parts.notifier,
      clock,
      logger: parts.logger,
      prober: parts.prober,
      random: parts.random,
    },
    parts.topology,
    parts.engineOptions,
  );
  let deadline: number | undefined;
  const budget = parts.defaultBudgetMs ?? 60_000;
  const service = new Service({
    engine,
    store: parts.store,
    clock,
    logger: parts.logger,
    validateLive: () => validateLiveOn(parts),
    deadline: () => deadline ?? clock.now() + budget,
    reports: reportAuthority(parts.topology, parts.agentKeys ?? new Map()),
  });
  return {
    topology: parts.topology,
    engine,
    service,
    store: parts.store,
    cloud: parts.cloud ?? NO_ALIBABA,
    tencent: parts.tencent,
    logger: parts.logger,
    clock,
    setDeadline: (d) => {
      deadline = d;
    },
    close: () => parts.store.close(),
  };
}

/** The live rules of each cloud the topology uses, against that cloud's adapter. */
async function validateLiveOn(parts: RuntimeParts): Promise<Finding[]> {
  const clouds = cloudsOf(parts.topology);
  const [alibaba, tencent] = await Promise.all([
    parts.cloud !== undefined && clouds.has('alibaba') ? validateLive(parts.cloud, parts.topology) : [],
    parts.tencent !== undefined && clouds.has('tencent')
      ? collectTencentSnapshot(parts.tencent, parts.topology).then((snap) =>
          validateTencentLiveSnapshot(parts.topology, snap),
        )
      : [],
  ]);
  return [...alibaba, ...tencent];
}

/**
 * What every deployed runtime (FC, SCF) reads first: its logger (naming the function `fn`), the topology
 * and the host agents' keys (`rawEnv` is where the variables `HAVIP_AGENT_KEYS` refers to live).
 */
export function deployedBasics(
  env: Env,
  rawEnv: Readonly<Record<string, string | undefined>>,
  fn: string | undefined,
): { logger: Logger; topology: Topology; agentKeys: ReadonlyMap<string, Uint8Array> } {
  const logger = createLogger({
    level: env.HAVIP_LOG_LEVEL ?? 'info',
    base: { service: 'havip-failover', fn },
  });
  const topology = topologyFromEnv(env);
  const agentKeys = loadAgentKeys(env.HAVIP_AGENT_KEYS, topology, {
    env: rawEnv,
    readFile: (path) => readFileSync(path, 'utf8'),
  });
  return { logger, topology, agentKeys };
}

/**
 * Builds the production runtime from the environment (Function Compute). `rawEnv` is where the
 * variables `HAVIP_AGENT_KEYS` refers to are looked up.
 */
export async function runtimeFromEnv(
  env: Env,
  credentials: InvocationCredentials,
  rawEnv: Readonly<Record<string, string | undefined>> = process.env,
): Promise<Runtime> {
  const { logger, topology, agentKeys } = deployedBasics(env, rawEnv, env.FC_FUNCTION_NAME);
  const onFc = env.FC_FUNCTION_NAME !== undefined;
  const storeKind = env.HAVIP_STORE ?? (onFc ? 'tablestore' : 'sqlite');
  const store =
    storeKind === 'tablestore'
      ? await tablestoreFromEnv(env, credentials)
      : storeKind === 'postgres'
        ? await postgresFromEnv(env, onFc)
        : await sqliteFromEnv(env, onFc);
  const cloud = createAlibabaCloudApi({
    credentials: onFc ? credentials.source() : 'default',
    ...(env.HAVIP_CLOUD_ENDPOINT ? { endpoints: { override: env.HAVIP_CLOUD_ENDPOINT } } : {}),
    ...(env.HAVIP_CLOUD_PROTOCOL ? { protocol: env.HAVIP_CLOUD_PROTOCOL } : {}),
    logger,
  });
  return assembleRuntime({
    topology,
    cloud,
    store,
    notifier: notifierFromEnv(env, logger),
    logger,
    prober: createNetworkProber(),
    agentKeys,
  });
}

/** The Tablestore store, its client bound to the invocation's STS credentials. */
async function tablestoreFromEnv(env: Env, credentials: InvocationCredentials): Promise<StateStore> {
  const issues: InputIssue[] = [];
  if (!env.HAVIP_TABLESTORE_ENDPOINT)
    issues.push({
      path: 'HAVIP_TABLESTORE_ENDPOINT',
      message: 'is required with the Tablestore store',
      hint: 'e.g. https://havip.cn-hangzhou.vpc.tablestore.aliyuncs.com',
    });
  if (!env.HAVIP_TABLESTORE_INSTANCE)
    issues.push({
      path: 'HAVIP_TABLESTORE_INSTANCE',
      message: 'is required with the Tablestore store',
      hint: 'the Tablestore instance name',
    });
  if (issues.length > 0) throw new ConfigError('incomplete Tablestore settings', issues, 'env.invalid');
  const ts = await import('../adapters/tablestore/index.js');
  return ts.createTablestoreStore({
    client: lazyTablestoreClient(
      () => {
        const c = credentials.get();
        if (c === undefined)
          throw new ConfigError(
            'no credentials for Tablestore',
            [{ path: 'context.credentials', message: 'missing', hint: 'give the function a RAM role' }],
            'credentials.missing',
          );
        return ts.createTablestoreClient({
          endpoint: env.HAVIP_TABLESTORE_ENDPOINT as string,
          instanceName: env.HAVIP_TABLESTORE_INSTANCE as string,
          credentials: c,
        });
      },
      () => {
        const c = credentials.get();
        return c === undefined ? undefined : `${c.accessKeyId}:${(c.securityToken ?? '').slice(-24)}`;
      },
    ),
    ...(env.HAVIP_TABLESTORE_PREFIX ? { tables: ts.tablestoreTableNames(env.HAVIP_TABLESTORE_PREFIX) } : {}),
  });
}

/** The SQLite store: local runs, or a single-instance test on Function Compute when explicitly allowed. */
async function sqliteFromEnv(env: Env, onFc: boolean): Promise<StateStore> {
  if (onFc && env.HAVIP_ALLOW_LOCAL_STORE_ON_FC !== 'true') {
    throw new ConfigError(
      'the SQLite store cannot fence concurrent function instances',
      [
        {
          path: 'HAVIP_STORE',
          message: 'sqlite on Function Compute keeps state per instance: two instances could both act',
          hint: 'use HAVIP_STORE=tablestore or postgres (or set HAVIP_ALLOW_LOCAL_STORE_ON_FC=true for a single-instance test)',
        },
      ],
      'env.invalid',
    );
  }
  const { createSqliteStore } = await import('../adapters/sqlite/index.js');
  return createSqliteStore({
    path: env.HAVIP_SQLITE_PATH ?? (onFc ? '/tmp/havip.sqlite' : '.data/havip.sqlite'),
  });
}

/**
 * The PostgreSQL store: replicas on one's own machines or in Kubernetes, and Tencent SCF. A function
 * instance (`onFc`: on FC or SCF) handles one invocation at a time, so its pool stays small (2) unless
 * HAVIP_POSTGRES_POOL_MAX says.
 */
export async function postgresFromEnv(env: Env, onFc: boolean): Promise<StateStore> {
  const opts = postgresOptionsFromEnv(env, onFc ? 2 : 10);
  const { createPostgresStore } = await import('../adapters/postgres/index.js');
  try {
    return createPostgresStore(opts);
  } catch (e) {
    throw asEnvError(e);
  }
}

export function notifierFromEnv(env: Env, logger: Logger): Notifier {
  const list: Notifier[] = [createLogNotifier(logger)];
  if (env.HAVIP_WEBHOOK_URL)
    list.push(createWebhookNotifier({ url: env.HAVIP_WEBHOOK_URL, timeoutMs: 3_000 }));
  if (env.HAVIP_DINGTALK_WEBHOOK) {
    list.push(
      createDingTalkNotifier({
        webhookUrl: env.HAVIP_DINGTALK_WEBHOOK,
        timeoutMs: 3_000,
        ...(env.HAVIP_DINGTALK_SECRET ? { secret: env.HAVIP_DINGTALK_SECRET } : {}),
      }),
    );
  }
  return createCompositeNotifier(list);
}

/**
 * A Tablestore client that is rebuilt when the invocation's STS credentials change (the SDK binds
 * credentials at construction).
 */
function lazyTablestoreClient<C extends object>(make: () => C, keyOf: () => string | undefined): C {
  let cached: { key: string | undefined; client: C } | undefined;
  const current = (): C => {
    const key = keyOf();
    if (cached === undefined || cached.key !== key) cached = { key, client: make() };
    return cached.client;
  };
  return new Proxy({} as C, {
    get: (_t, prop) => {
      const c = current() as Record<PropertyKey, unknown>;
      const v = c[prop];
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(c) : v;
    },
  });
}
