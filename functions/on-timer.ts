/** FC handler: the scheduled health sweep. */
import { type FcContext, invocationId, runtimeFor } from './bootstrap.js';

export const handler = async (event: unknown, context: FcContext) => {
  const rt = await runtimeFor(context);
  const { handleTimer } = await import('../shared/app/handlers.js');
  return handleTimer(rt.service, rt.logger, event, invocationId(context));
};
