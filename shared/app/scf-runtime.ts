/**
 * The runtime behind the SCF entry points (`functions/scf/`): one per warm instance, built by a factory
 * from the environment, with each invocation's deadline set from SCF's context.
 *
 * On SCF the state goes to PostgreSQL (TencentDB for PostgreSQL; HAVIP_STORE=postgres, the only store
 * that fences concurrent instances there) and the cloud is Tencent's: the Tencent adapter, signing with
 * the execution role's temporary credentials, read again for every call. {@link scfRuntimeFromEnv}
 * checks the settings SCF needs first, so a deployment mistake is reported as such. Tests (and the local
 * mode) inject a runtime with {@link useScfRuntimeFactory}, or keep the production factory and swap only
 * the adapter's transport for a simulator's.
 */
import { z } from 'zod';
import { createNetworkProber } from '../adapters/probe/index.js';
import { createTencentCloudApi, type TencentTransport } from '../adapters/tencent/index.js';
import { ConfigError, type InputIssue } from '../core/errors.js';
import type { AsyncHandler } from './handlers.js';
import {
  assembleRuntime,
  deployedBasics,
  notifierFromEnv,
  parseEnv,
  postgresFromEnv,
  type Runtime,
} from './runtime.js';

/** The parts of the SCF Node.js context this project reads. */
export interface ScfContext {
  readonly request_id?: string;
  readonly function_name?: string;
  /** The function's configured timeout. */
  readonly time_limit_in_ms?: number;
  readonly getRemainingTimeInMillis?: () => number;
}

/** Temporary credentials of the function's execution role. */
export interface TencentCredentials {
  readonly secretId: string;
  readonly secretKey: string;
  readonly sessionToken: string | undefined;
}

export type ScfRuntimeFactory = (env: NodeJS.ProcessEnv) => Promise<Runtime>;

const SCF_HINT = 'see docs/tencent-deployment.md';

const ScfEnvSchema = z.object({
  HAVIP_STORE: z.literal('postgres', {
    error: 'must be "postgres" on SCF: function instances share the state and fence each other through it',
  }),
  HAVIP_POSTGRES_URL: z.string().min(1, 'is required with HAVIP_STORE=postgres'),
  HAVIP_TOPOLOGY: z.string().min(1).optional(),
  HAVIP_TOPOLOGY_FILE: z.string().min(1).optional(),
  HAVIP_DEADLINE_MARGIN_MS: z.coerce.number().int().min(0).max(60_000).optional(),
});

export interface ScfSettings {
  readonly postgresUrl: string;
  /** Milliseconds left for closing work before SCF's timeout. */
  readonly deadlineMarginMs: number;
}

/** The settings every SCF function needs; each problem names the variable and the fix. */
export function scfSettingsFromEnv(env: NodeJS.ProcessEnv): ScfSettings {
  const r = ScfEnvSchema.safeParse(env);
  const issues: InputIssue[] = r.success
    ? []
    : r.error.issues.map((i) => ({
        path: String(i.path[0] ?? ''),
        message: i.code === 'invalid_value' || i.input !== undefined ? i.message : 'is required',
        hint: SCF_HINT,
      }));
  if (r.success && r.data.HAVIP_TOPOLOGY === undefined && r.data.HAVIP_TOPOLOGY_FILE === undefined)
    issues.push({
      path: 'HAVIP_TOPOLOGY',
      message: 'neither HAVIP_TOPOLOGY nor HAVIP_TOPOLOGY_FILE is set',
      hint: SCF_HINT,
    });
  if (!r.success || issues.length > 0)
    throw new ConfigError('invalid SCF environment', issues, 'env.invalid');
  return {
    postgresUrl: r.data.HAVIP_POSTGRES_URL,
    deadlineMarginMs: r.data.HAVIP_DEADLINE_MARGIN_MS ?? 5_000,
  };
}

/**
 * The execution role's credentials as SCF injects them (`TENCENTCLOUD_SECRETID`, `…_SECRETKEY`,
 * `…_SESSIONTOKEN`; no underscore inside, unlike the SDK's own variable names). Read on every call:
 * they are temporary.
 */
export function scfCredentials(env: NodeJS.ProcessEnv): TencentCredentials {
  const secretId = env.TENCENTCLOUD_SECRETID;
  const secretKey = env.TENCENTCLOUD_SECRETKEY;
  if (!secretId || !secretKey) {
    throw new ConfigError(
      'no cloud credentials',
      [
        {
          path: secretId ? 'TENCENTCLOUD_SECRETKEY' : 'TENCENTCLOUD_SECRETID',
          message: 'SCF did not provide the execution role credentials',
          hint: 'give the function an execution role (serverless.yml role:) with deploy/tencent-cam-policy.json',
        },
      ],
      'credentials.missing',
    );
  }
  return { secretId, secretKey, sessionToken: env.TENCENTCLOUD_SESSIONTOKEN || undefined };
}

/** What a test may swap in the production factory; never set in production. */
export interface ScfRuntimeOptions {
  /** The Tencent adapter's exchange (a simulator's in-process transport); default: signed HTTPS. */
  readonly transport?: TencentTransport;
}

/**
 * The production factory: the SCF settings and the role's credentials are checked first, then the
 * topology, the agent keys, the PostgreSQL store and the Tencent adapter are assembled into a runtime.
 */
export async function scfRuntimeFromEnv(
  rawEnv: NodeJS.ProcessEnv,
  opts: ScfRuntimeOptions = {},
): Promise<Runtime> {
  scfSettingsFromEnv(rawEnv);
  scfCredentials(rawEnv);
  const env = parseEnv(rawEnv);
  const { logger, topology, agentKeys } = deployedBasics(env, rawEnv, rawEnv.SCF_FUNCTIONNAME);
  const tencent = createTencentCloudApi({
    // Temporary: SCF refreshes them in the environment, so every call reads them again.
    credentials: () => {
      const c = scfCredentials(rawEnv);
      return { secretId: c.secretId, secretKey: c.secretKey, token: c.sessionToken };
    },
    ...(env.HAVIP_CLOUD_ENDPOINT ? { endpoints: { override: env.HAVIP_CLOUD_ENDPOINT } } : {}),
    ...(env.HAVIP_CLOUD_PROTOCOL ? { protocol: env.HAVIP_CLOUD_PROTOCOL } : {}),
    ...(opts.transport ? { transport: opts.transport } : {}),
    logger,
  });
  const store = await postgresFromEnv(env, true);
  try {
    return assembleRuntime({
      topology,
      tencent,
      store,
      notifier: notifierFromEnv(env, logger),
      logger,
      prober: createNetworkProber(),
      agentKeys,
    });
  } catch (e) {
    await store.close(); // e.g. a group on a cloud SCF has no adapter for: no pool left behind
    throw e;
  }
}

let factory: ScfRuntimeFactory = (env) => scfRuntimeFromEnv(env);
let runtime: Promise<Runtime> | undefined;

/** Replaces the factory (tests, the local mode); the next invocation builds a runtime with it. */
export function useScfRuntimeFactory(next: ScfRuntimeFactory): void {
  factory = next;
  runtime = undefined;
}

/** The warm instance's runtime, its deadline set from this invocation's context. */
export async function scfRuntimeFor(
  context: ScfContext | undefined,
  startedAt = Date.now(),
): Promise<Runtime> {
  runtime ??= factory(process.env).catch((e: unknown) => {
    runtime = undefined; // a configuration fix must not need a redeploy to be picked up
    throw e;
  });
  const rt = await runtime;
  const margin = marginOf(process.env.HAVIP_DEADLINE_MARGIN_MS);
  const remaining = context?.getRemainingTimeInMillis?.();
  const end =
    remaining !== undefined && Number.isFinite(remaining)
      ? Date.now() + remaining
      : startedAt + (context?.time_limit_in_ms ?? 60_000);
  rt.setDeadline(end - margin);
  return rt;
}

function marginOf(raw: string | undefined): number {
  const n = Number(raw);
  return raw !== undefined && Number.isInteger(n) && n >= 0 && n <= 60_000 ? n : 5_000;
}

export const scfInvocationId = (context: ScfContext | undefined): string =>
  context?.request_id ?? `local-${Date.now()}`;

/** An SCF entry point for an async trigger: the warm runtime, then `handle` with the invocation's id. */
export function scfAsyncEntry(handle: AsyncHandler) {
  return async (event: unknown, context: ScfContext) => {
    const rt = await scfRuntimeFor(context);
    return handle(rt.service, rt.logger, event, scfInvocationId(context));
  };
}
