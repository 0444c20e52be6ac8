/** SCF handler: CMQ topic messages (heartbeat timeouts, agent reports, alarm notifications). */
import { handleCmqMessage } from '../../shared/app/handlers.js';
import { type ScfContext, scfInvocationId, scfRuntimeFor } from '../../shared/app/scf-runtime.js';

export const main_handler = async (event: unknown, context: ScfContext) => {
  const rt = await scfRuntimeFor(context);
  return handleCmqMessage(rt.service, rt.logger, event, scfInvocationId(context));
};
