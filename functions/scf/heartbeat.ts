/** SCF handler: CMQ topic messages, read as the MNS path reads its message bodies (agent reports, heartbeats, alarms). */
import { handleCmqMessage } from '../../shared/app/handlers.js';
import { type ScfContext, scfInvocationId, scfRuntimeFor } from '../../shared/app/scf-runtime.js';

export const main_handler = async (event: unknown, context: ScfContext) => {
  const rt = await scfRuntimeFor(context);
  return handleCmqMessage(rt.service, rt.logger, event, scfInvocationId(context));
};
