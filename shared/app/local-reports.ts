/**
 * The local mode's report path, as in the cloud: the agents publish to an embedded MNS topic (the MNS
 * simulator, with MNS's REST API and signature check), signing with STS credentials that the metadata
 * simulator issues per instance; the topic delivers each message, as FC's MNS trigger would, to the same
 * handler the `on-heartbeat` function calls (`handleHeartbeatMessage`).
 */
import { startMetadataSimulator } from '../adapters/metadata/simulator.js';
import { type MnsSimulator, startMnsSimulator } from '../adapters/mns/simulator/index.js';
import type { Logger } from '../core/ports.js';
import { type AsyncHandlerResult, handleHeartbeatMessage } from './handlers.js';
import type { Runtime } from './runtime.js';

export const LOCAL_TOPIC = 'havip-heartbeats';
export const LOCAL_AGENT_ROLE = 'havip-agent';

/** One delivered report, as the local mode saw it (for the printed lines, the tests and the benchmark). */
export interface DeliveredReport {
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
      const entry = describe(event, deliveredAt, r);
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

function describe(event: Buffer, deliveredAt: number, r: AsyncHandlerResult): DeliveredReport {
  let envelope: { Message?: string; PublishTime?: number } = {};
  let body: Record<string, unknown> = {};
  try {
    envelope = JSON.parse(event.toString('utf8'));
    body = JSON.parse(envelope.Message ?? '{}');
  } catch {
    // Not ours to judge: the handler has already refused it; the line says "?".
  }
  const text = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '?');
  return {
    publishedAt: envelope.PublishTime ?? deliveredAt,
    deliveredAt,
    handledAt: Date.now(),
    reporter: text('reporter'),
    suspect: text('instanceId'),
    reason: text('reason'),
    group: text('group'),
    outcome: r.outcome,
    statuses: r.results.map((x) => `${x.group}:${x.status}`),
  };
}

function reportLine(d: DeliveredReport): string {
  const t = new Date(d.handledAt).toISOString().slice(11, 19);
  const about = d.reporter === d.suspect ? `${d.reporter} about itself` : `${d.reporter} about ${d.suspect}`;
  const acted = d.statuses.filter((s) => !s.endsWith(':noop'));
  return `${t}  REPORT               ${about}: ${d.reason} (${d.outcome}${acted.length > 0 ? ` → ${acted.join(', ')}` : ''})`;
}
