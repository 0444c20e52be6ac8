/**
 * Shared by the FC entry points: one runtime per warm instance (topology, store and clients are reused),
 * with the invocation's STS credentials and deadline set on every call.
 *
 * Nothing heavy is imported at load time: the application (zod schemas, the topology parser, the logger,
 * the OpenAPI client, the stores) is loaded by the first invocation, through {@link loadApp} and the
 * `import()` in each entry point. Loading the bundle then costs a few milliseconds, and an instance that
 * Function Compute starts but never invokes pays nothing more (docs/performance.md, "Cold start").
 */
import type { InvocationCredentials, Runtime } from '../shared/app/runtime.js';

/** The parts of the FC 3.0 Node.js context this project reads. */
export interface FcContext {
  readonly requestId?: string;
  readonly credentials?: {
    readonly accessKeyId?: string;
    readonly accessKeySecret?: string;
    readonly securityToken?: string;
  };
  readonly function?: { readonly name?: string; readonly timeout?: number };
}

/** The composition root, loaded on the first invocation (and then cached by the module system). */
export const loadApp = () => import('../shared/app/runtime.js');

let credentials: InvocationCredentials | undefined;
let runtime: Promise<Runtime> | undefined;

export async function runtimeFor(context: FcContext | undefined, startedAt = Date.now()): Promise<Runtime> {
  const app = await loadApp();
  credentials ??= new app.InvocationCredentials();
  const c = context?.credentials;
  if (c?.accessKeyId && c.accessKeySecret) {
    credentials.set({
      accessKeyId: c.accessKeyId,
      accessKeySecret: c.accessKeySecret,
      securityToken: c.securityToken,
    });
  }
  const env = app.parseEnv(process.env);
  runtime ??= app.runtimeFromEnv(env, credentials).catch((e: unknown) => {
    runtime = undefined; // a configuration fix must not need a redeploy to be picked up
    throw e;
  });
  const rt = await runtime;
  const timeoutMs = (context?.function?.timeout ?? 60) * 1000;
  rt.setDeadline(startedAt + timeoutMs - (env.HAVIP_DEADLINE_MARGIN_MS ?? 5_000));
  return rt;
}

export const invocationId = (context: FcContext | undefined): string =>
  context?.requestId ?? `local-${Date.now()}`;
