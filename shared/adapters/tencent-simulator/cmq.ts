/**
 * TDMQ for CMQ topics in the Tencent simulator: `PublishCmqMsg` (API 3.0, `tdmq` 2020-02-17) and the
 * delivery SCF's CMQ trigger makes. Each published message goes to every subscriber of the topic, after
 * the answer (never inside the request), as
 * `{"Records": [{"CMQ": {"type": "topic", "topicOwner", "topicName", "subscriptionName", "msgId",
 * "requestId", "msgBody", "msgTag", "publishTime"}}]}` — the event functions/scf/heartbeat.ts parses.
 *
 * Errors: an unknown topic is answered `ResourceNotFound` (the common code Tencent documents for a
 * missing resource; TDMQ's own sub-code for a missing CMQ topic is not published, so this is our best
 * guess), a body over 1024 KB `InvalidParameterValue`. A subscriber that throws is counted, as a
 * failed push would be; the publisher never sees it.
 */
import { type Call, mutation, type Operations, type TencentSimContext } from './context.js';
import { E } from './errors.js';
import { type Params, requiredString, stringList } from './params.js';

/** The documented limit of `MsgContent`. */
export const MAX_CMQ_MESSAGE_BYTES = 1024 * 1024;
const PUBLISH_PARAMS = ['TopicName', 'MsgContent', 'MsgTag'];

/** One message as SCF's CMQ trigger hands it to the function. */
export interface CmqTriggerRecord {
  readonly CMQ: {
    readonly type: 'topic';
    readonly topicOwner: number;
    readonly topicName: string;
    readonly subscriptionName: string;
    readonly msgId: string;
    readonly requestId: string;
    readonly msgBody: string;
    readonly msgTag: readonly string[];
    readonly publishTime: string;
  };
}

export interface CmqSubscriber {
  readonly name: string;
  /** Gets `{"Records": [record]}` as the function's event text. */
  deliver(event: string, record: CmqTriggerRecord): Promise<void> | void;
}

interface Topic {
  readonly name: string;
  readonly region: string;
  readonly subscribers: CmqSubscriber[];
}

export interface CmqStats {
  published: number;
  delivered: number;
  failedDeliveries: number;
}

/** The simulated account's UIN, as the trigger event names the topic owner. */
const SIM_UIN = 100000000001;

export class CmqTopics {
  private readonly topics = new Map<string, Topic>();
  private seq = 0;
  private readonly pending = new Set<Promise<void>>();
  readonly stats: CmqStats = { published: 0, delivered: 0, failedDeliveries: 0 };

  constructor(private readonly ctx: TencentSimContext) {}

  /** Creates a topic in a region (idempotent for the same name and region). */
  createTopic(name: string, region: string): void {
    const known = this.topics.get(name);
    if (known !== undefined && known.region !== region)
      throw E.invalidValue('TopicName', `topic ${name} already exists in ${known.region}`);
    if (known === undefined) this.topics.set(name, { name, region, subscribers: [] });
  }

  subscribe(topicName: string, subscriber: CmqSubscriber): () => void {
    const topic = this.topics.get(topicName);
    if (topic === undefined) throw E.notFound('CMQ topic', topicName);
    topic.subscribers.push(subscriber);
    return () => {
      const i = topic.subscribers.indexOf(subscriber);
      if (i >= 0) topic.subscribers.splice(i, 1);
    };
  }

  /** Resolves once every delivery started so far has ended. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  operations(): Operations {
    return {
      PublishCmqMsg: mutation('tdmq', PUBLISH_PARAMS, (p, call) => this.publish(p, call)),
    };
  }

  private publish(p: Params, call: Call): Record<string, unknown> {
    const topicName = requiredString(p, 'TopicName');
    const body = requiredString(p, 'MsgContent');
    const tags = stringList(p, 'MsgTag', 5) ?? [];
    const topic = this.topics.get(topicName);
    if (topic === undefined || topic.region !== call.region)
      throw E.notFound('CMQ topic', `${topicName} in ${call.region}`);
    const bytes = Buffer.byteLength(body, 'utf8');
    if (bytes === 0 || bytes > MAX_CMQ_MESSAGE_BYTES)
      throw E.invalidValue('MsgContent', `${bytes} bytes; a message holds 1 to ${MAX_CMQ_MESSAGE_BYTES}`);
    const msgId = `${SIM_UIN % 100_000_000}:0:${++this.seq}:-1`;
    this.stats.published++;
    const publishTime = new Date(this.ctx.clock.now()).toISOString();
    for (const s of topic.subscribers) {
      const record: CmqTriggerRecord = {
        CMQ: {
          type: 'topic',
          topicOwner: SIM_UIN,
          topicName,
          subscriptionName: s.name,
          msgId,
          requestId: call.requestId,
          msgBody: body,
          msgTag: tags,
          publishTime,
        },
      };
      this.track(s, record);
    }
    return { Result: true, MsgId: msgId };
  }

  /** Delivers after the current turn, so the publisher has its answer first (as with a real push). */
  private track(s: CmqSubscriber, record: CmqTriggerRecord): void {
    const delivery = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => s.deliver(JSON.stringify({ Records: [record] }), record))
      .then(
        () => {
          this.stats.delivered++;
        },
        () => {
          this.stats.failedDeliveries++;
        },
      )
      .finally(() => this.pending.delete(delivery));
    this.pending.add(delivery);
  }
}
