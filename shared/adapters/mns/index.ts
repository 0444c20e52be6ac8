export { classifyMnsError, type MnsClassification, type MnsErrorCode } from './errors.js';
export {
  createMnsPublisher,
  MAX_MESSAGE_BYTES,
  type MnsPublisher,
  type MnsPublisherOptions,
  mnsEndpoint,
  type PublishOptions,
} from './publisher.js';
export { topicMessagesPath } from './signature.js';
