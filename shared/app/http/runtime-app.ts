/**
 * The HTTP API over a deployed runtime: the tokens and HMAC keys from the function's environment, and
 * replays refused across every function instance through the shared store. FC's and SCF's HTTP entry
 * points build their app here.
 */
import type { Runtime } from '../runtime.js';
import { parseNamedSecrets } from '../runtime.js';
import { createHttpApp } from './app.js';

/** The variables that carry the API's credentials (`name:secret,…`). */
export interface HttpSecretsEnv {
  readonly HAVIP_API_TOKENS?: string | undefined;
  readonly HAVIP_HMAC_KEYS?: string | undefined;
}

export function createRuntimeHttpApp(rt: Runtime, env: HttpSecretsEnv): ReturnType<typeof createHttpApp> {
  return createHttpApp({
    service: rt.service,
    auth: {
      tokens: parseNamedSecrets(env.HAVIP_API_TOKENS, 'HAVIP_API_TOKENS').map((t) => ({
        name: t.name,
        token: t.secret,
      })),
      hmacKeys: parseNamedSecrets(env.HAVIP_HMAC_KEYS, 'HAVIP_HMAC_KEYS').map((k) => ({
        id: k.name,
        secret: k.secret,
      })),
    },
    logger: rt.logger,
    clock: rt.clock,
    replayGuard: (key, ttlMs) => rt.store.markEventSeen(`hmac:${key}`, ttlMs, rt.clock.now()),
  });
}
