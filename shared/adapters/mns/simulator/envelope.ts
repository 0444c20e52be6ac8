/**
 * The event bytes FC's MNS topic trigger passes the function, per notify format:
 * - `JSON`: MNS's JSON notification — `TopicOwner, Message, Subscriber, PublishTime, SubscriptionName,
 *   MessageMD5, TopicName, MessageId` (and `MessageTag` when the message has one), as in MNS's
 *   NotifyContentFormat reference and test/fixtures/events/mns-topic-json-envelope.json. `Message` is
 *   the published body unchanged; `MessageMD5` its upper-case hex MD5; `PublishTime` epoch ms.
 * - `STREAM`: the published body itself. (FC wraps it as `{"body", "attrs"}` only when the message
 *   carries attributes, which our publisher never sends.)
 */
import { messageBodyMd5 } from '../signature.js';
import type { NotifyFormat } from './delivery.js';

export interface PublishedMessage {
  /** 1-based, per topic. */
  readonly seq: number;
  readonly topic: string;
  readonly messageId: string;
  readonly body: string;
  readonly tag: string | undefined;
  readonly publishTime: number;
  /** Who signed the request. */
  readonly accessKeyId: string;
}

export function triggerEvent(
  m: PublishedMessage,
  format: NotifyFormat,
  owner: string,
  subscriptionName: string,
): Buffer {
  if (format === 'STREAM') return Buffer.from(m.body, 'utf8');
  const envelope: Record<string, unknown> = {
    TopicOwner: owner,
    Message: m.body,
    Subscriber: owner,
    PublishTime: m.publishTime,
    SubscriptionName: subscriptionName,
    MessageMD5: messageBodyMd5(m.body),
    TopicName: m.topic,
    MessageId: m.messageId,
  };
  if (m.tag !== undefined) envelope.MessageTag = m.tag;
  return Buffer.from(JSON.stringify(envelope), 'utf8');
}
