/** FC handler: EventBridge / CloudMonitor ECS events (StateChange, spot interruption, maintenance). */
import { type FcContext, invocationId, runtimeFor } from './bootstrap.js';

export const handler = async (event: unknown, context: FcContext) => {
  const rt = await runtimeFor(context);
  const { handleEcsEvent } = await import('../shared/app/handlers.js');
  return handleEcsEvent(rt.service, rt.logger, event, invocationId(context));
};
