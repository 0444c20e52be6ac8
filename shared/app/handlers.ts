/**
 * Trigger handlers, independent of Function Compute: parse → service → result. The FC entry points in
 * `functions/` (and the SCF ones in `functions/scf/`) only adapt the calling convention to these, and the
 * local mode calls them directly.
 *
 * Async triggers (EventBridge, MNS, timer) never throw on bad input: FC would retry a thrown invocation
 * for hours. They log a clear error and acknowledge. A *valid* event that fails for an infrastructure
 * reason (the state store unreachable) does throw, because a retry can then succeed.
 */

import type { ReconcileResult } from '../core/engine.js';
import { errorOf } from '../core/engine.js';
import { type ErrorCode, InvalidInputError } from '../core/errors.js';
import type { Logger } from '../core/ports.js';
import { parseEcsEvent } from '../events/ecs.js';
import { parseHeartbeatMessage } from '../events/mns.js';
import type { IgnoredEvent, ParseResult } from '../events/parse-result.js';
import type { ReportAuthority } from '../events/report-signals.js';
import { parseCmqMessage } from '../events/tencent/cmq.js';
import { parseTencentCvmEvent } from '../events/tencent/cvm.js';
import { parseScfTimerEvent } from '../events/tencent/timer.js';
import { parseTimerEvent, type TimerEvent } from '../events/timer.js';
import type { Service } from './service.js';

export interface AsyncHandlerResult {
  readonly acknowledged: true;
  /** `rejected` = the payload was invalid (logged, not retried). */
  readonly outcome: 'processed' | 'ignored' | 'rejected';
  readonly signals: number;
  readonly ignored: readonly IgnoredEvent[];
  readonly results: readonly Pick<ReconcileResult, 'group' | 'status' | 'epoch'>[];
  readonly error?: { readonly code: ErrorCode; readonly message: string };
}

/**
 * Logs an invalid payload (or a refused agent report: `report.refused`) and acknowledges it: a thrown
 * error would make FC retry it for hours. The issues name fields and members, never a key.
 */
function rejected(
  logger: Logger,
  e: InvalidInputError,
  invocationId: string,
  what: string,
): AsyncHandlerResult {
  logger.error(
    { error: errorOf(e), issues: e.issues, invocationId },
    e.code === 'report.refused'
      ? `refused a ${what}; acknowledged so it is not retried`
      : `rejected an invalid ${what}; acknowledged so it is not retried`,
  );
  return { acknowledged: true, outcome: 'rejected', signals: 0, ignored: [], results: [], error: errorOf(e) };
}

async function processSignals(
  service: Service,
  logger: Logger,
  parse: () => ParseResult,
  trigger: 'event' | 'heartbeat',
  invocationId: string,
  what: string,
): Promise<AsyncHandlerResult> {
  let parsed: ParseResult;
  try {
    parsed = parse();
  } catch (e) {
    if (!(e instanceof InvalidInputError)) throw e;
    return rejected(logger, e, invocationId, what);
  }
  for (const i of parsed.ignored) logger.info({ ignored: i, invocationId }, `ignored part of a ${what}`);
  if (parsed.signals.length === 0)
    return { acknowledged: true, outcome: 'ignored', signals: 0, ignored: parsed.ignored, results: [] };
  const { results, refused } = await service.ingest(parsed.signals, trigger, invocationId);
  // Agent reports the record phase refused (replays, older sequences) are ignored, with the reason.
  const ignored = [...parsed.ignored, ...refused.map((r) => ({ eventId: r.eventId, reason: r.reason }))];
  const nothingTaken = refused.length === parsed.signals.length;
  return {
    acknowledged: true,
    outcome: nothingTaken ? 'ignored' : 'processed',
    signals: parsed.signals.length,
    ignored,
    results: results.map((r) => ({ group: r.group, status: r.status, epoch: r.epoch })),
  };
}

/** An async trigger's handler: the raw event body in, an acknowledgement out. */
export type AsyncHandler = (
  service: Service,
  logger: Logger,
  body: unknown,
  invocationId: string,
) => Promise<AsyncHandlerResult>;

/** A handler for events that carry signals; `what` names the payload in logs. */
function signalHandler(
  parse: (body: unknown, service: Service) => ParseResult,
  trigger: 'event' | 'heartbeat',
  what: string,
): AsyncHandler {
  return (service, logger, body, invocationId) =>
    processSignals(service, logger, () => parse(body, service), trigger, invocationId, what);
}

/** A handler for topic messages, whose agent reports are verified with the service's keys. */
function topicHandler(
  parse: (body: unknown, opts: { readonly reports?: ReportAuthority | undefined }) => ParseResult,
  what: string,
): AsyncHandler {
  return signalHandler(
    (body, service) => parse(body, { reports: service.reportAuthority }),
    'heartbeat',
    what,
  );
}

/**
 * A handler for a timer trigger; `fix` says where the group list sits in this trigger's event, and where
 * the operator fixes it.
 */
function timerHandler(
  parse: (body: unknown) => TimerEvent,
  fix: { readonly path: string; readonly hint: string },
): AsyncHandler {
  return (service, logger, body, invocationId) =>
    sweep(service, logger, () => parse(body), invocationId, fix);
}

/** EventBridge / CloudMonitor ECS events. */
export const handleEcsEvent = signalHandler((body) => parseEcsEvent(body), 'event', 'ECS event');

/** MNS topic messages: signed agent reports, heartbeats, alarms. */
export const handleHeartbeatMessage = topicHandler(parseHeartbeatMessage, 'MNS message');

/** The FC timer trigger. */
export const handleTimer = timerHandler((body) => parseTimerEvent(body), {
  path: 'payload.groups',
  hint: 'fix the timer trigger payload in s.yaml',
});

/** Tencent EventBridge CVM events (CloudMonitor events and CloudAudit API calls), one or an `EventList`. */
export const handleCvmEvent = signalHandler(
  (body) => parseTencentCvmEvent(body),
  'event',
  'EventBridge CVM event',
);

/** Tencent CMQ topic messages: the same bodies as the MNS path (signed agent reports, heartbeats, alarms). */
export const handleCmqMessage = topicHandler(parseCmqMessage, 'CMQ message');

/** The SCF timer trigger: its `Message` is read as FC's timer payload. */
export const handleScfTimer = timerHandler((body) => parseScfTimerEvent(body), {
  path: 'Message.groups',
  hint: 'fix the timer trigger argument in serverless.yml',
});

async function sweep(
  service: Service,
  logger: Logger,
  parse: () => TimerEvent,
  invocationId: string,
  /** Where the group list sits in this trigger's event, and where the operator fixes it. */
  fix: { readonly path: string; readonly hint: string },
): Promise<AsyncHandlerResult> {
  let groups: string[] | undefined;
  try {
    const t = parse();
    groups = t.scope.kind === 'groups' ? t.scope.groups : undefined;
    if (groups !== undefined)
      for (const g of groups) service.topology.groups.some((x) => x.name === g) || unknownGroup(g, fix);
  } catch (e) {
    if (!(e instanceof InvalidInputError)) throw e;
    return rejected(logger, e, invocationId, 'timer payload');
  }
  const results = await service.sweep(invocationId, groups);
  const acted = results.filter((r) => r.status !== 'noop');
  logger.info(
    { invocationId, groups: results.length, acted: acted.map((r) => `${r.group}:${r.status}`) },
    'sweep finished',
  );
  return {
    acknowledged: true,
    outcome: 'processed',
    signals: 0,
    ignored: [],
    results: results.map((r) => ({ group: r.group, status: r.status, epoch: r.epoch })),
  };
}

function unknownGroup(name: string, fix: { readonly path: string; readonly hint: string }): never {
  throw new InvalidInputError('event.invalid', 'the timer payload names an unknown group', [
    {
      path: fix.path,
      message: `${JSON.stringify(name)} is not in the topology`,
      hint: fix.hint,
    },
  ]);
}
