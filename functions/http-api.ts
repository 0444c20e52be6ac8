/** FC handler: the HTTP API (HTTP trigger, authType anonymous — the app authenticates every call itself). */
import type { createHttpApp } from '../shared/app/http/index.js';
import { type FcContext, runtimeFor } from './bootstrap.js';

let app: ReturnType<typeof createHttpApp> | undefined;

export const handler = async (event: unknown, context: FcContext) => {
  const rt = await runtimeFor(context);
  // Loaded by the first request, like the rest of the application (see bootstrap.ts).
  const { authConfigFromEnv, createHttpApp, DEFAULT_MAX_BODY_BYTES, handleFcHttpEvent, storeReplayGuard } =
    await import('../shared/app/http/index.js');
  app ??= createHttpApp({
    service: rt.service,
    // name:role:secret entries, an agent's bound to its member(s) (docs/http-api.md#roles).
    auth: authConfigFromEnv({
      HAVIP_API_TOKENS: process.env.HAVIP_API_TOKENS,
      HAVIP_HMAC_KEYS: process.env.HAVIP_HMAC_KEYS,
    }),
    logger: rt.logger,
    clock: rt.clock,
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    // Replays are rejected across every function instance through the shared store.
    replayGuard: storeReplayGuard((key, ttlMs, now) => rt.store.markEventSeen(key, ttlMs, now), rt.clock),
  });
  return handleFcHttpEvent(app, event, {
    logger: rt.logger,
    maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
    requestId: context?.requestId,
  });
};
