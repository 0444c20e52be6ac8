/** FC handler: the HTTP API (HTTP trigger, authType anonymous — the app authenticates every call itself). */
import { type FcContext, runtimeFor } from './bootstrap.js';

export const handler = async (event: unknown, context: FcContext) => {
  const rt = await runtimeFor(context);
  // Loaded by the first request, like the rest of the application (see bootstrap.ts).
  const { runtimeHttpApp, handleFcHttpEvent, RUNTIME_MAX_BODY_BYTES } = await import(
    '../shared/app/http/index.js'
  );
  // name:role:secret entries, an agent's bound to its member(s) (docs/http-api.md#roles); replays are
  // rejected across every function instance through the shared store.
  const app = runtimeHttpApp(rt, {
    HAVIP_API_TOKENS: process.env.HAVIP_API_TOKENS,
    HAVIP_HMAC_KEYS: process.env.HAVIP_HMAC_KEYS,
  });
  return handleFcHttpEvent(app, event, {
    logger: rt.logger,
    maxBodyBytes: RUNTIME_MAX_BODY_BYTES,
    requestId: context?.requestId,
  });
};
