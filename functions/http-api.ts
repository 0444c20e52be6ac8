/** FC handler: the HTTP API (HTTP trigger, authType anonymous — the app authenticates every call itself). */

import { createRuntimeHttpApp, handleFcHttpEvent } from '../shared/app/http/index.js';
import { type FcContext, runtimeFor } from './bootstrap.js';

let app: ReturnType<typeof createRuntimeHttpApp> | undefined;

export const handler = async (event: unknown, context: FcContext) => {
  const rt = await runtimeFor(context);
  app ??= createRuntimeHttpApp(rt, {
    HAVIP_API_TOKENS: process.env.HAVIP_API_TOKENS,
    HAVIP_HMAC_KEYS: process.env.HAVIP_HMAC_KEYS,
  });
  return handleFcHttpEvent(app, event, { logger: rt.logger, requestId: context?.requestId });
};
