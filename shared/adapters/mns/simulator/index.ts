export type { AcceptedKey } from './auth.js';
export {
  type DeliveryFaults,
  type DeliveryInfo,
  type DeliveryPlan,
  dice,
  type NotifyFormat,
  planDelivery,
  type Subscriber,
} from './delivery.js';
export { type PublishedMessage, triggerEvent } from './envelope.js';
export {
  type InvocationRecord,
  type MnsSimulator,
  type MnsSimulatorOptions,
  type MnsSimulatorStats,
  type PublishFault,
  startMnsSimulator,
} from './server.js';
