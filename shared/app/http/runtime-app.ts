/**
 * The HTTP API over a deployed runtime: the roles' tokens and HMAC keys from the function's environment
 * (docs/http-api.md#roles), the default body limit, and replays refused across every function instance
 * through the shared store. FC's and SCF's HTTP entry points build their app here.
 */
import type { Runtime } from '../runtime.js';
import { createHttpApp, DEFAULT_MAX_BODY_BYTES } from './app.js';
import { authConfigFromEnv } from './credentials.js';
import { storeReplayGuard } from './replay.js';

/** The variables that carry the API's credentials (`name:role:secret,…`). */
export interface HttpSecretsEnv {
  readonly HAVIP_API_TOKENS?: string | undefined;
  readonly HAVIP_HMAC_KEYS?: string | undefined;
}

/** The app's body limit; pass the same to the trigger glue so both layers refuse the same bodies. */
export const RUNTIME_MAX_BODY_BYTES = DEFAULT_MAX_BODY_BYTES;

export function createRuntimeHttpApp(rt: Runtime, env: HttpSecretsEnv): ReturnType<typeof createHttpApp> {
  return createHttpApp({
    service: rt.service,
    auth: authConfigFromEnv({
      HAVIP_API_TOKENS: env.HAVIP_API_TOKENS,
      HAVIP_HMAC_KEYS: env.HAVIP_HMAC_KEYS,
    }),
    logger: rt.logger,
    clock: rt.clock,
    maxBodyBytes: RUNTIME_MAX_BODY_BYTES,
    replayGuard: storeReplayGuard((key, ttlMs, now) => rt.store.markEventSeen(key, ttlMs, now), rt.clock),
  });
}

const apps = new WeakMap<Runtime, ReturnType<typeof createHttpApp>>();

/**
 * The HTTP app of `rt`, built by its first request: one per warm runtime (a runtime swapped in, as tests
 * and the local mode do, gets its own). `env` is read only then.
 */
export function runtimeHttpApp(rt: Runtime, env: HttpSecretsEnv): ReturnType<typeof createHttpApp> {
  let app = apps.get(rt);
  if (app === undefined) {
    app = createRuntimeHttpApp(rt, env);
    apps.set(rt, app);
  }
  return app;
}
