/** SCF handler: the HTTP API (API gateway with integration response, or a function URL; the app authenticates). */
import { createRuntimeHttpApp, handleScfHttpEvent } from '../../shared/app/http/index.js';
import type { Runtime } from '../../shared/app/runtime.js';
import { type ScfContext, scfRuntimeFor } from '../../shared/app/scf-runtime.js';

let app: { readonly rt: Runtime; readonly http: ReturnType<typeof createRuntimeHttpApp> } | undefined;

export const main_handler = async (event: unknown, context: ScfContext) => {
  const rt = await scfRuntimeFor(context);
  if (app?.rt !== rt) {
    const secrets = {
      HAVIP_API_TOKENS: process.env.HAVIP_API_TOKENS,
      HAVIP_HMAC_KEYS: process.env.HAVIP_HMAC_KEYS,
    };
    app = { rt, http: createRuntimeHttpApp(rt, secrets) };
  }
  return handleScfHttpEvent(app.http, event, { logger: rt.logger, requestId: context?.request_id });
};
