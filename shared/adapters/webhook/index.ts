/** Notifier adapters (generic webhook, DingTalk robot, composite, log). */
export {
  formatNotificationMarkdown,
  formatNotificationText,
  markdownText,
  plainText,
} from './format.js';
export type {
  DingTalkNotifierOptions,
  NamedNotifier,
  WebhookNotifierOptions,
  WebhookPayload,
} from './notifiers.js';
export {
  createCompositeNotifier,
  createDingTalkNotifier,
  createLogNotifier,
  createWebhookNotifier,
  dingTalkSign,
  dingTalkSignedUrl,
} from './notifiers.js';
export type { FetchFn } from './post.js';
export { redactUrl } from './post.js';
