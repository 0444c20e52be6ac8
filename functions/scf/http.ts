/** SCF handler: the HTTP API (API gateway with integration response, or a function URL; the app authenticates). */
import { handleScfHttpEvent, runtimeHttpApp } from '../../shared/app/http/index.js';
import { type ScfContext, scfRuntimeFor } from '../../shared/app/scf-runtime.js';

export const main_handler = async (event: unknown, context: ScfContext) => {
  const rt = await scfRuntimeFor(context);
  // The tokens and HMAC keys (HAVIP_API_TOKENS, HAVIP_HMAC_KEYS) are read when the runtime's app is built.
  const app = runtimeHttpApp(rt, process.env);
  return handleScfHttpEvent(app, event, { logger: rt.logger, requestId: context?.request_id });
};
