/** SCF handler: EventBridge CVM events (CloudMonitor events, CloudAudit Stop/TerminateInstances calls). */
import { handleCvmEvent } from '../../shared/app/handlers.js';
import { type ScfContext, scfInvocationId, scfRuntimeFor } from '../../shared/app/scf-runtime.js';

export const main_handler = async (event: unknown, context: ScfContext) => {
  const rt = await scfRuntimeFor(context);
  return handleCvmEvent(rt.service, rt.logger, event, scfInvocationId(context));
};
