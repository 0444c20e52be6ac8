/**
 * An embedded MNS topic service on 127.0.0.1: enough of MNS's REST API for the host agent's publisher
 * (PublishMessage, with MNS's signature check, response and error XML) and subscriptions that deliver
 * each message as FC's MNS topic trigger invokes a function (./delivery.ts, ./envelope.ts).
 *
 * It accepts the AccessKey pairs and STS credentials it is given ({@link MnsSimulator.addAccessKey};
 * the metadata simulator registers those it issues) and refuses everything else with MNS's codes.
 *
 * Admin routes for tests and operators (loopback only, never signed; MNS paths never start with `/__`):
 * `GET /__admin/stats`, `GET /__admin/messages?topic=<name>`, `PUT /__admin/faults` (JSON body, see
 * {@link DeliveryFaults}).
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidInputError } from '../../../core/errors.js';
import type { Clock } from '../../../core/ports.js';
import { MAX_MESSAGE_BYTES, MAX_TAG_CHARS } from '../publisher.js';
import { MNS_API_VERSION, MNS_MAX_CLOCK_SKEW_MS, MNS_XML_NAMESPACE, messageBodyMd5 } from '../signature.js';
import { parseXml, type XmlElement, xmlDocument } from '../xml.js';
import { type AcceptedKey, authenticate, MnsApiError } from './auth.js';
import {
  checkedFaults,
  type DeliveryFaults,
  type DeliveryInfo,
  DeliveryQueue,
  type DeliveryStats,
  type Subscriber,
} from './delivery.js';
import { type PublishedMessage, triggerEvent } from './envelope.js';

export type PublishFault = 'InternalError' | 'ServiceUnavailable' | 'QpsLimitExceeded' | 'reset' | 'hang';

export interface MnsSimulatorOptions {
  /** Owner shown in notifications (default `1234567890123456`, as the fixtures). */
  readonly accountId?: string;
  readonly region?: string;
  /** Publish times, Date checks, token expiry and delivery times (default: the system clock). */
  readonly clock?: Pick<Clock, 'now'>;
  readonly seed?: number;
  /** Deliver on timers as messages fall due (default true); false: only `drain()` delivers. */
  readonly autoDeliver?: boolean;
  readonly faults?: DeliveryFaults;
  readonly maxClockSkewMs?: number;
  readonly port?: number;
}

export interface MnsSimulatorStats extends DeliveryStats {
  published: number;
  rejected: number;
}

export interface InvocationRecord extends DeliveryInfo {
  readonly ok: boolean;
  readonly at: number;
}

export interface MnsSimulator {
  /** `http://127.0.0.1:PORT`: the publisher's endpoint. */
  readonly url: string;
  readonly accountId: string;
  readonly region: string;
  createTopic(name: string): void;
  /** Adds a subscription to a topic; returns a function that removes it. */
  subscribe(topic: string, subscriber: Subscriber): () => void;
  /** Accepts requests signed with this key (and, for STS credentials, carrying this token). */
  addAccessKey(key: AcceptedKey & { readonly accessKeyId: string }): void;
  removeAccessKey(accessKeyId: string): void;
  setDeliveryFaults(faults: DeliveryFaults): void;
  /** The next `count` publishes fail this way (errors with MNS's code; `reset` drops the connection). */
  failPublishes(fault: PublishFault, count?: number): void;
  published(topic?: string): readonly PublishedMessage[];
  invocations(): readonly InvocationRecord[];
  stats(): MnsSimulatorStats;
  /** Delivers every pending message now (retries too) and waits for the invocations. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

const FAULT_ANSWERS: Record<string, [number, string]> = {
  InternalError: [500, 'Interal error.'],
  ServiceUnavailable: [503, 'Service is unavailable, please retry later.'],
  QpsLimitExceeded: [400, 'The qps limit of the topic is exceeded.'],
};
const MAX_REQUEST_BYTES = 256 * 1024;

export async function startMnsSimulator(opts: MnsSimulatorOptions = {}): Promise<MnsSimulator> {
  const sim = new TopicService(opts);
  const server = createServer((req, res) => {
    sim.handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) sim.sendError(res, new MnsApiError(500, 'InternalError', String(e)));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const api = sim.api(`http://127.0.0.1:${port}`);
  return {
    ...api,
    close: async () => {
      sim.queue.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Topic {
  readonly subscribers: Subscriber[];
  readonly messages: PublishedMessage[];
}

class TopicService {
  readonly accountId: string;
  readonly region: string;
  readonly clock: Pick<Clock, 'now'>;
  readonly queue: DeliveryQueue;
  private readonly topics = new Map<string, Topic>();
  private readonly keys = new Map<string, AcceptedKey>();
  private readonly log: InvocationRecord[] = [];
  private faults: DeliveryFaults;
  private publishFaults: PublishFault[] = [];
  private counters = { published: 0, rejected: 0, requests: 0 };
  private readonly hostId: string;

  constructor(private readonly opts: MnsSimulatorOptions) {
    this.accountId = opts.accountId ?? '1234567890123456';
    this.region = opts.region ?? 'cn-hangzhou';
    this.clock = opts.clock ?? { now: () => Date.now() };
    this.faults = checkedFaults(opts.faults ?? {});
    this.hostId = createHash('sha256')
      .update(`${opts.seed ?? 0}:${this.accountId}`)
      .digest('hex')
      .slice(0, 16)
      .toUpperCase();
    this.queue = new DeliveryQueue({
      clock: this.clock,
      seed: opts.seed ?? 0,
      autoDeliver: opts.autoDeliver ?? true,
      faults: () => this.faults,
      onInvocation: (info, ok) => this.log.push({ ...info, ok, at: this.clock.now() }),
    });
  }

  api(url: string): Omit<MnsSimulator, 'close'> {
    return {
      url,
      accountId: this.accountId,
      region: this.region,
      createTopic: (name) => {
        if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,255}$/.test(name)) {
          throw new InvalidInputError('simulator.options-invalid', 'invalid topic name', [
            { path: 'name', message: JSON.stringify(name), hint: 'letters, digits and hyphens, ≤ 256' },
          ]);
        }
        if (!this.topics.has(name)) this.topics.set(name, { subscribers: [], messages: [] });
      },
      subscribe: (topic, subscriber) => {
        const t = this.topics.get(topic);
        if (!t) {
          throw new InvalidInputError('simulator.options-invalid', 'cannot subscribe', [
            { path: 'topic', message: `no topic ${JSON.stringify(topic)}`, hint: 'call createTopic first' },
          ]);
        }
        t.subscribers.push(subscriber);
        return () => {
          const i = t.subscribers.indexOf(subscriber);
          if (i >= 0) t.subscribers.splice(i, 1);
        };
      },
      addAccessKey: ({ accessKeyId, ...key }) => {
        this.keys.set(accessKeyId, key);
      },
      removeAccessKey: (id) => {
        this.keys.delete(id);
      },
      setDeliveryFaults: (f) => {
        this.faults = checkedFaults(f);
      },
      failPublishes: (fault, count = 1) => {
        for (let i = 0; i < count; i++) this.publishFaults.push(fault);
      },
      published: (topic) => this.published(topic),
      invocations: () => [...this.log],
      stats: () => this.stats(),
      drain: () => this.queue.drain(),
    };
  }

  published(topic?: string): PublishedMessage[] {
    if (topic !== undefined) return [...(this.topics.get(topic)?.messages ?? [])];
    return [...this.topics.values()].flatMap((t) => t.messages).sort((a, b) => a.publishTime - b.publishTime);
  }

  stats(): MnsSimulatorStats {
    return { ...this.queue.stats, published: this.counters.published, rejected: this.counters.rejected };
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    if (url.startsWith('/__admin/')) return this.admin(req, res, url);
    const requestId = this.nextRequestId();
    try {
      const body = await readBody(req);
      const topicName = /^\/topics\/([^/?]+)\/messages$/.exec(url)?.[1];
      if (req.method !== 'POST' || topicName === undefined)
        throw new MnsApiError(400, 'InvalidRequestURL', 'Http request URL format invalid.');
      const accessKeyId = authenticate(
        { method: req.method, url, headers: req.headers, body },
        this.keys,
        this.clock.now(),
        this.opts.maxClockSkewMs ?? MNS_MAX_CLOCK_SKEW_MS,
      );
      const topic = this.topics.get(topicName);
      if (!topic) throw new MnsApiError(404, 'TopicNotExist', 'The topic you provided does not exist.');
      const fault = this.publishFaults.shift();
      if (fault === 'reset') return void req.socket.destroy();
      if (fault === 'hang') return;
      if (fault !== undefined)
        throw new MnsApiError(FAULT_ANSWERS[fault]![0], fault, FAULT_ANSWERS[fault]![1]);
      const { messageBody, tag } = readPublishRequest(body);
      const m = this.store(topicName, topic, messageBody, tag, accessKeyId);
      this.send(res, 201, requestId, 'Message', [
        ['MessageId', m.messageId],
        ['MessageBodyMD5', messageBodyMd5(messageBody)],
      ]);
    } catch (e) {
      this.counters.rejected++;
      if (e instanceof MnsApiError) return this.sendError(res, e, requestId);
      throw e;
    }
  }

  private store(name: string, topic: Topic, body: string, tag: string | undefined, accessKeyId: string) {
    const seq = topic.messages.length + 1;
    const publishTime = this.clock.now();
    const serial = ++this.counters.published;
    const m: PublishedMessage = {
      seq,
      topic: name,
      // Shaped like MNS's ids (e.g. D273CD6A89564E54-1-15180395A19-20000****): host, time, serial.
      messageId: `${this.hostId}-1-${publishTime.toString(16).toUpperCase()}-${String(serial).padStart(9, '0')}`,
      body,
      tag,
      publishTime,
      accessKeyId,
    };
    topic.messages.push(m);
    for (const sub of topic.subscribers) {
      if (sub.filterTag !== undefined && sub.filterTag !== tag) continue;
      this.queue.enqueue(m, sub, triggerEvent(m, sub.format ?? 'JSON', this.accountId, sub.name));
    }
    return m;
  }

  private async admin(req: IncomingMessage, res: ServerResponse, url: string): Promise<void> {
    const u = new URL(url, 'http://127.0.0.1');
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(value));
    };
    if (req.method === 'GET' && u.pathname === '/__admin/stats') return json(200, this.stats());
    if (req.method === 'GET' && u.pathname === '/__admin/messages') {
      return json(200, { messages: this.published(u.searchParams.get('topic') ?? undefined) });
    }
    if (req.method === 'PUT' && u.pathname === '/__admin/faults') {
      try {
        this.faults = checkedFaults(JSON.parse((await readBody(req)).toString('utf8') || '{}'));
        return json(200, { faults: this.faults });
      } catch (e) {
        const issues =
          e instanceof InvalidInputError ? e.issues : [{ path: '', message: 'the body is not JSON' }];
        return json(400, { error: { code: 'simulator.fault-invalid', issues } });
      }
    }
    return json(404, { error: { code: 'simulator.admin-invalid', message: `no admin route ${u.pathname}` } });
  }

  private nextRequestId(): string {
    return `${(++this.counters.requests).toString(16).toUpperCase().padStart(8, '0')}${this.hostId}`;
  }

  private send(
    res: ServerResponse,
    status: number,
    requestId: string,
    root: string,
    fields: readonly (readonly [string, string])[],
  ): void {
    res
      .writeHead(status, {
        'Content-Type': 'text/xml;charset=utf-8',
        'x-mns-request-id': requestId,
        'x-mns-version': MNS_API_VERSION,
        Date: new Date(this.clock.now()).toUTCString(),
      })
      .end(xmlDocument(root, MNS_XML_NAMESPACE, fields));
  }

  sendError(res: ServerResponse, e: MnsApiError, requestId = this.nextRequestId()): void {
    this.send(res, e.status, requestId, 'Error', [
      ['Code', e.code],
      ['Message', e.message],
      ['RequestId', requestId],
      ['HostId', `http://${this.accountId}.mns.${this.region}.aliyuncs.com`],
    ]);
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES)
      throw new MnsApiError(400, 'InvalidArgument', 'The request body is too large.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** MessageBody and MessageTag of a PublishMessage document; MessageAttributes is accepted and ignored. */
function readPublishRequest(body: Buffer): { messageBody: string; tag: string | undefined } {
  let root: XmlElement;
  try {
    root = parseXml(new TextDecoder('utf-8', { fatal: true }).decode(body), { maxLength: MAX_REQUEST_BYTES });
  } catch {
    // not UTF-8, or not well-formed XML
    throw new MnsApiError(400, 'MalformedXML', 'The XML you provided was not well-formed.');
  }
  const ns = root.attributes.get('xmlns');
  if (root.name !== 'Message' || (ns !== MNS_XML_NAMESPACE && ns !== MNS_XML_NAMESPACE.slice(0, -1)))
    throw schemaError('Message');
  const fields = new Map<string, string>();
  for (const c of root.children) {
    if (c.name === 'MessageAttributes') continue;
    if (c.children.length > 0 || fields.has(c.name) || (c.name !== 'MessageBody' && c.name !== 'MessageTag'))
      throw schemaError(c.name);
    fields.set(c.name, c.text);
  }
  const messageBody = fields.get('MessageBody');
  if (messageBody === undefined) throw schemaError('MessageBody');
  if (messageBody.length === 0 || Buffer.byteLength(messageBody, 'utf8') > MAX_MESSAGE_BYTES) {
    throw new MnsApiError(
      400,
      'InvalidArgument',
      `The value of MessageBody should between 1 and ${MAX_MESSAGE_BYTES} bytes.`,
    );
  }
  const tag = fields.get('MessageTag');
  if (tag !== undefined && (tag.length === 0 || tag.length > MAX_TAG_CHARS))
    throw new MnsApiError(
      400,
      'InvalidArgument',
      `The length of MessageTag should between 1 and ${MAX_TAG_CHARS}.`,
    );
  return { messageBody, tag };
}

function schemaError(element: string): MnsApiError {
  return new MnsApiError(
    400,
    'InvalidArgument',
    `The XML you provided did not validate against our published schema, cause by Element ${element}.`,
  );
}
