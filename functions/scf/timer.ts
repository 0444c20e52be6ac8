/** SCF handler: the scheduled health sweep (timer trigger; its argument selects the groups). */
import { handleScfTimer } from '../../shared/app/handlers.js';
import { type ScfContext, scfInvocationId, scfRuntimeFor } from '../../shared/app/scf-runtime.js';

export const main_handler = async (event: unknown, context: ScfContext) => {
  const rt = await scfRuntimeFor(context);
  return handleScfTimer(rt.service, rt.logger, event, scfInvocationId(context));
};
