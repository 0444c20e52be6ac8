/** FC handler: the HTTP API (HTTP trigger, authType anonymous — the app authenticates every call itself). */
import type { createHttpApp } from '../shared/app/http/index.js';
import { type FcContext, loadApp, runtimeFor } from './bootstrap.js';

let app: ReturnType<typeof createHttpApp> | undefined;

export const handler = async (event: unknown, context: FcContext) => {
  const rt = await runtimeFor(context);
  // Loaded by the first request, like the rest of the application (see bootstrap.ts).
  const [{ createHttpApp, handleFcHttpEvent }, { parseNamedSecrets }] = await Promise.all([
    import('../shared/app/http/index.js'),
    loadApp(),
  ]);
  app ??= createHttpApp({
    service: rt.service,
    auth: {
      tokens: parseNamedSecrets(process.env.HAVIP_API_TOKENS, 'HAVIP_API_TOKENS').map((t) => ({
        name: t.name,
        token: t.secret,
      })),
      hmacKeys: parseNamedSecrets(process.env.HAVIP_HMAC_KEYS, 'HAVIP_HMAC_KEYS').map((k) => ({
        id: k.name,
        secret: k.secret,
      })),
    },
    logger: rt.logger,
    clock: rt.clock,
    // Replays are rejected across every function instance through the shared store.
    replayGuard: (key, ttlMs) => rt.store.markEventSeen(`hmac:${key}`, ttlMs, rt.clock.now()),
  });
  return handleFcHttpEvent(app, event, { logger: rt.logger, requestId: context?.requestId });
};
