/** FC handler: EventBridge / CloudMonitor ECS events (StateChange, spot interruption, maintenance). */
import { handleEcsEvent } from '../shared/app/handlers.js';
import { type FcContext, invocationId, runtimeFor } from './bootstrap.js';

export const handler = async (event: unknown, context: FcContext) => {
  const rt = await runtimeFor(context);
  return handleEcsEvent(rt.service, rt.logger, event, invocationId(context));
};
