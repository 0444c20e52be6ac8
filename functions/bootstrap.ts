/**
 * Shared by the FC entry points: one runtime per warm instance (topology, store and clients are reused),
 * with the invocation's STS credentials and deadline set on every call.
 */
import { InvocationCredentials, parseEnv, type Runtime, runtimeFromEnv } from '../shared/app/runtime.js';

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

const credentials = new InvocationCredentials();
let runtime: Promise<Runtime> | undefined;

export async function runtimeFor(context: FcContext | undefined, startedAt = Date.now()): Promise<Runtime> {
  const c = context?.credentials;
  if (c?.accessKeyId && c.accessKeySecret) {
    credentials.set({
      accessKeyId: c.accessKeyId,
      accessKeySecret: c.accessKeySecret,
      securityToken: c.securityToken,
    });
  }
  const env = parseEnv(process.env);
  runtime ??= runtimeFromEnv(env, credentials).catch((e: unknown) => {
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
