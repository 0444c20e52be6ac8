/**
 * The local mode's report paths, as in the cloud. On Alibaba the agents publish to an embedded MNS
 * topic (the MNS simulator, with MNS's REST API and signature check), signing with STS credentials that
 * the metadata simulator issues per instance; the topic delivers each message, as FC's MNS trigger would,
 * to the same handler the `on-heartbeat` function calls (`handleHeartbeatMessage`). On Tencent
 * ({@link startTencentReportPath}) they publish to a CMQ topic of the Tencent simulator
 * (`PublishCmqMsg`, TC3-signed with the CAM role credentials the metadata simulator issues per
 * instance), which delivers each message, as SCF's CMQ trigger would, to the handler the
 * `havip-heartbeat` function calls (`handleCmqMessage`) — not to the HTTP API.
 */
import { startMetadataSimulator } from '../adapters/metadata/simulator.js';
import { type MnsSimulator, startMnsSimulator } from '../adapters/mns/simulator/index.js';
import type { TencentSimulatedCloud } from '../adapters/tencent-simulator/index.js';
import type { Logger } from '../core/ports.js';
import { type AsyncHandlerResult, handleCmqMessage, handleHeartbeatMessage } from './handlers.js';
import type { Runtime } from './runtime.js';

export const LOCAL_TOPIC = 'havip-heartbeats';
export const LOCAL_AGENT_ROLE = 'havip-agent';

/** One delivered report, as the local mode saw it (for the printed lines, the tests and the benchmark). */
export interface DeliveredReport {
  /** The topic that carried it: the MNS topic (Alibaba) or the CMQ topic (Tencent). */
  readonly via: 'mns' | 'cmq';
  /** The topic's message id. */
  readonly messageId: string;
  readonly publishedAt: number;
  readonly deliveredAt: number;
  readonly handledAt: number;
  readonly reporter: string;
  readonly suspect: string;
  readonly reason: string;
  readonly group: string;
  readonly outcome: AsyncHandlerResult['outcome'];
  readonly statuses: readonly string[];
}

export interface LocalReportPath {
  readonly mns: MnsSimulator;
  readonly metadata: Awaited<ReturnType<typeof startMetadataSimulator>>;
  /** The metadata base URL of a member's agent. */
  metadataUrl(memberId: string): string;
  /** Every report delivered so far, oldest first. */
  delivered(): readonly DeliveredReport[];
  close(): Promise<void>;
}

export async function startLocalReportPath(opts: {
  readonly runtime: Runtime;
  readonly logger: Logger;
  readonly memberIds: readonly string[];
  readonly print: (line: string) => void;
}): Promise<LocalReportPath> {
  const mns = await startMnsSimulator({ seed: Date.now() % 1_000_000 });
  const metadata = await startMetadataSimulator({ onIssue: (c) => mns.addAccessKey(c) }).catch(
    async (e: unknown) => {
      await mns.close();
      throw e;
    },
  );
  const urls = new Map(
    opts.memberIds.map((id) => [
      id,
      metadata.addInstance({ instanceId: id, cloud: 'alibaba', roleName: LOCAL_AGENT_ROLE }),
    ]),
  );
  const log: DeliveredReport[] = [];
  let serial = 0;
  mns.createTopic(LOCAL_TOPIC);
  mns.subscribe(LOCAL_TOPIC, {
    name: 'on-heartbeat',
    format: 'JSON',
    async deliver(event, info) {
      const deliveredAt = Date.now();
      const r = await handleHeartbeatMessage(
        opts.runtime.service,
        opts.logger,
        event,
        `local-mns-${info.messageId}-${++serial}`,
      );
      const entry = describe(event, info.messageId, deliveredAt, r);
      log.push(entry);
      opts.print(reportLine(entry));
    },
  });
  return {
    mns,
    metadata,
    metadataUrl: (id) => urls.get(id) ?? metadata.baseUrl(id),
    delivered: () => log,
    async close() {
      await mns.close();
      await metadata.close();
    },
  };
}

function describe(
  event: Buffer,
  messageId: string,
  deliveredAt: number,
  r: AsyncHandlerResult,
): DeliveredReport {
  let envelope: { Message?: string; PublishTime?: number } = {};
  try {
    envelope = JSON.parse(event.toString('utf8'));
  } catch {
    // Not ours to judge: the handler has already refused it; the line says "?".
  }
  return {
    ...reportFields(envelope.Message ?? '{}'),
    via: 'mns',
    messageId,
    publishedAt: envelope.PublishTime ?? deliveredAt,
    ...handled(deliveredAt, r),
  };
}

function handled(deliveredAt: number, r: AsyncHandlerResult) {
  return {
    deliveredAt,
    handledAt: Date.now(),
    outcome: r.outcome,
    statuses: r.results.map((x) => `${x.group}:${x.status}`),
  };
}

/** Who reported what about whom, read from a report body ("?" where it does not say). */
function reportFields(text: string): Pick<DeliveredReport, 'reporter' | 'suspect' | 'reason' | 'group'> {
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text);
  } catch {
    // The receiver refuses it; the line says "?".
  }
  const field = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '?');
  return {
    reporter: field('reporter'),
    suspect: field('instanceId'),
    reason: field('reason'),
    group: field('group'),
  };
}

/** The Tencent local mode's report path: the CMQ topic and the metadata service of the agents. */
export interface TencentReportPath {
  readonly metadata: Awaited<ReturnType<typeof startMetadataSimulator>>;
  /** The region of the topic (the agents' `reports.sink.region`). */
  readonly region: string;
  /** Every report delivered so far, oldest first. */
  delivered(): readonly DeliveredReport[];
  close(): Promise<void>;
}

/**
 * Creates {@link LOCAL_TOPIC} in the Tencent simulator, subscribed by the `havip-heartbeat` handler, and a
 * metadata service in Tencent's layout whose CAM role credentials (one set per instance, rotating) the
 * simulator accepts for `PublishCmqMsg`.
 */
export async function startTencentReportPath(opts: {
  readonly runtime: Runtime;
  readonly logger: Logger;
  readonly sim: TencentSimulatedCloud;
  readonly region: string;
  readonly memberIds: readonly string[];
  readonly print: (line: string) => void;
}): Promise<TencentReportPath> {
  const { sim } = opts;
  const metadata = await startMetadataSimulator({
    seed: Date.now() % 1_000_000,
    onIssue: (c) =>
      sim.addTemporaryCredentials({
        secretId: c.accessKeyId,
        secretKey: c.accessKeySecret,
        token: c.securityToken,
        expiresAt: c.expiresAt,
      }),
  });
  for (const id of opts.memberIds)
    metadata.addInstance({ instanceId: id, cloud: 'tencent', roleName: LOCAL_AGENT_ROLE });
  const log: DeliveredReport[] = [];
  let serial = 0;
  sim.cmq.createTopic(LOCAL_TOPIC, opts.region);
  const unsubscribe = sim.cmq.subscribe(LOCAL_TOPIC, {
    name: 'havip-heartbeat',
    async deliver(event, record) {
      const deliveredAt = Date.now();
      const { msgId, msgBody, publishTime } = record.CMQ;
      const r = await handleCmqMessage(
        opts.runtime.service,
        opts.logger,
        Buffer.from(event, 'utf8'),
        `local-cmq-${msgId}-${++serial}`,
      );
      const entry: DeliveredReport = {
        ...reportFields(msgBody),
        via: 'cmq',
        messageId: msgId,
        publishedAt: Date.parse(publishTime),
        ...handled(deliveredAt, r),
      };
      log.push(entry);
      opts.print(reportLine(entry));
    },
  });
  return {
    metadata,
    region: opts.region,
    delivered: () => log,
    async close() {
      unsubscribe();
      await sim.cmq.drain();
      await metadata.close();
    },
  };
}

function reportLine(d: DeliveredReport): string {
  const t = new Date(d.handledAt).toISOString().slice(11, 19);
  const about = d.reporter === d.suspect ? `${d.reporter} about itself` : `${d.reporter} about ${d.suspect}`;
  const acted = d.statuses.filter((s) => !s.endsWith(':noop'));
  return `${t}  REPORT               ${about}: ${d.reason} (${d.outcome}${acted.length > 0 ? ` → ${acted.join(', ')}` : ''})`;
}
