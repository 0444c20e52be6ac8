/** FC handler: the scheduled health sweep. */
import { handleTimer } from '../shared/app/handlers.js';
import { type FcContext, invocationId, runtimeFor } from './bootstrap.js';

export const handler = async (event: unknown, context: FcContext) => {
  const rt = await runtimeFor(context);
  return handleTimer(rt.service, rt.logger, event, invocationId(context));
};
