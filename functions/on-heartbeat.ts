/** FC handler: MNS topic messages (heartbeat timeouts, CloudMonitor alarm notifications), JSON or STREAM. */
import { type FcContext, invocationId, runtimeFor } from './bootstrap.js';

export const handler = async (event: unknown, context: FcContext) => {
  const rt = await runtimeFor(context);
  const { handleHeartbeatMessage } = await import('../shared/app/handlers.js');
  return handleHeartbeatMessage(rt.service, rt.logger, event, invocationId(context));
};
