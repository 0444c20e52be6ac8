/**
 * The local mode's report paths. On Alibaba, as in the cloud: the agents publish to an embedded MNS
 * topic (the MNS simulator, with MNS's REST API and signature check), signing with STS credentials that
 * the metadata simulator issues per instance; the topic delivers each message, as FC's MNS trigger would,
 * to the same handler the `on-heartbeat` function calls (`handleHeartbeatMessage`). On Tencent the agents
 * post to the local API ({@link tapApiReports} watches that path).
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
  try {
    envelope = JSON.parse(event.toString('utf8'));
  } catch {
    // Not ours to judge: the handler has already refused it; the line says "?".
  }
  return {
    ...reportFields(envelope.Message ?? '{}'),
    publishedAt: envelope.PublishTime ?? deliveredAt,
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

/** The reports an API answered, as {@link LocalReportPath.delivered} lists those of the MNS topic. */
export interface ApiReportTap {
  /** The API's fetch handler, logging each `POST /v1/reports` it answers. */
  readonly fetch: (req: Request, env?: unknown) => Promise<Response>;
  delivered(): readonly DeliveredReport[];
}

/**
 * The report path of the Tencent local mode: the agents' `http` sink posts each report to the local
 * API's `POST /v1/reports`, which verifies, records and reconciles it in the request. The tap only
 * watches: it prints one line per answered report, as the MNS path does, and keeps it for the tests.
 */
export function tapApiReports(
  handler: (req: Request, env?: unknown) => Response | Promise<Response>,
  print: (line: string) => void,
): ApiReportTap {
  const log: DeliveredReport[] = [];
  return {
    delivered: () => log,
    async fetch(req, env) {
      if (req.method !== 'POST' || new URL(req.url).pathname !== '/v1/reports') return handler(req, env);
      const deliveredAt = Date.now();
      const body = await req.clone().text();
      const res = await handler(req, env);
      const answer = (await res
        .clone()
        .json()
        .catch(() => ({}))) as { accepted?: boolean; results?: { group: string; status: string }[] };
      const entry: DeliveredReport = {
        ...reportFields(body),
        publishedAt: deliveredAt,
        deliveredAt,
        handledAt: Date.now(),
        outcome: !res.ok ? 'rejected' : answer.accepted === true ? 'processed' : 'ignored',
        statuses: (answer.results ?? []).map((x) => `${x.group}:${x.status}`),
      };
      log.push(entry);
      print(reportLine(entry));
      return res;
    },
  };
}

function reportLine(d: DeliveredReport): string {
  const t = new Date(d.handledAt).toISOString().slice(11, 19);
  const about = d.reporter === d.suspect ? `${d.reporter} about itself` : `${d.reporter} about ${d.suspect}`;
  const acted = d.statuses.filter((s) => !s.endsWith(':noop'));
  return `${t}  REPORT               ${about}: ${d.reason} (${d.outcome}${acted.length > 0 ? ` → ${acted.join(', ')}` : ''})`;
}
