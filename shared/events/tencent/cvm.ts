/**
 * Tencent EventBridge CVM events → the core's signals. One SCF trigger carries two kinds of event from
 * `source: "cvm.cloud.tencent"`, one at a time or batched in `{"EventList": [...]}`:
 *
 * - CloudMonitor events (`cvm:ErrorEvent:<name>`; the name appears both as `ping_unreachable` and as
 *   `PingUnreachable`), the instance in `data.instanceId` or `subject`;
 * - CloudAudit API calls (`cvm:CloudEvent:ApiCall`, `…:ConsoleCall`, `…:MiniProgramCall`): see
 *   `cloud-audit.ts`.
 *
 * How CloudMonitor events map, following the Alibaba ECS events (`../ecs.ts`):
 * - a host or kernel failure (`GuestRestarted_HostFailure`, `GuestCoreError`) is a `drain` with cause
 *   `system-failure`, as Alibaba's `SystemFailure.*`: the member stays out until an operator undrains it;
 * - a loss that ends by itself (`PingUnreachable`, `GuestReboot`) is liveness, as a heartbeat alarm on the
 *   MNS path: `heartbeat-timeout` while abnormal, `heartbeat` once the event is resolved (`status: "0"`).
 *   It counts only in groups with heartbeats (`health.heartbeatTimeoutSeconds`);
 * - events that leave the instance serving (`GuestOom`, `DiskReadonly`, …) and unknown names are ignored.
 * docs/tencent-deployment.md lists the payloads and what is assumed.
 */
import { memberId } from '../../core/model.js';
import type { DrainCause } from '../../core/signals.js';
import { DEFAULT_MAX_EVENT_BYTES, invalidEvent, joinPath, limitOption, parseJsonBody } from '../decode.js';
import { DEFAULT_MAX_BATCH } from '../ecs.js';
import type { ParseResult } from '../parse-result.js';
import { parseApiCall } from './cloud-audit.js';
import {
  dataObject,
  eachEvent,
  ignored,
  parseEnvelope,
  signals,
  type TencentCloudEvent,
} from './envelope.js';
import { CVM_ID_HINT, CVM_INSTANCE_ID_RE, instanceIdOfSubject } from './ids.js';

export const CVM_EVENT_SOURCE = 'cvm.cloud.tencent';

export interface TencentEventOptions {
  /** Maximum body size in bytes (default 256 KiB). */
  readonly maxBytes?: number;
  /** Maximum events in one `EventList` (default 100). */
  readonly maxBatch?: number;
}

type MonitorRule =
  | { readonly kind: 'drain'; readonly cause: DrainCause }
  | { readonly kind: 'liveness' }
  | { readonly kind: 'ignore'; readonly why: string };

/** Keyed by the event name in lower case without underscores, so both spellings meet. */
const MONITOR_RULES: Readonly<Record<string, MonitorRule>> = {
  guestrestartedhostfailure: { kind: 'drain', cause: 'system-failure' },
  guestcoreerror: { kind: 'drain', cause: 'system-failure' },
  pingunreachable: { kind: 'liveness' },
  guestreboot: { kind: 'liveness' },
  guestoom: { kind: 'ignore', why: 'the instance keeps running after an OOM kill' },
  diskreadonly: { kind: 'ignore', why: 'a read-only disk does not stop the instance from serving' },
};

/**
 * Parse what EventBridge delivers to the CVM events function. Throws `InvalidInputError`
 * (`event.invalid`) when the body as a whole is unusable; in a batch, a malformed element lands in
 * `ignored` with its issues and the others are still processed.
 */
export function parseTencentCvmEvent(body: unknown, opts: TencentEventOptions = {}): ParseResult {
  const maxBytes = limitOption(opts.maxBytes, DEFAULT_MAX_EVENT_BYTES, 'maxBytes');
  const maxBatch = limitOption(opts.maxBatch, DEFAULT_MAX_BATCH, 'maxBatch');
  const doc = parseJsonBody(body, { maxBytes, what: 'EventBridge event' });
  return eachEvent(doc, maxBatch, parseOne);
}

function parseOne(value: unknown, prefix: string): ParseResult {
  const ev = parseEnvelope(value, prefix);
  if (ev.source !== CVM_EVENT_SOURCE)
    return ignored(ev, `source "${ev.source}" is not CVM (${CVM_EVENT_SOURCE})`);
  const [product, category = '', name = ''] = ev.type.split(':');
  if (product !== 'cvm' && ev.type.includes(':'))
    return ignored(ev, `type "${ev.type}" is not a CVM event type`);
  if (category === 'CloudEvent') return parseApiCall(ev, prefix);
  // Bare names (`PingUnreachable`) are seen as well as `cvm:ErrorEvent:ping_unreachable`.
  return parseMonitorEvent(ev, prefix, ev.type.includes(':') ? name : ev.type);
}

function parseMonitorEvent(ev: TencentCloudEvent, prefix: string, name: string): ParseResult {
  const rule = MONITOR_RULES[name.toLowerCase().replaceAll('_', '')];
  if (rule === undefined) return ignored(ev, `CVM event "${name}" is not acted on`);
  if (rule.kind === 'ignore') return ignored(ev, `CVM event "${name}" is not acted on: ${rule.why}`);
  const instanceId = monitorInstanceId(ev, prefix);
  const resolved = String(ev.status ?? '') === '0';
  const about = { memberId: memberId(instanceId), eventId: ev.id, source: 'eventbridge' } as const;
  if (rule.kind === 'drain') {
    if (resolved)
      return ignored(ev, `${name} on ${instanceId} is resolved; nothing will happen to the instance`);
    return signals({ ...about, kind: 'drain', cause: rule.cause, eventType: name });
  }
  return signals(resolved ? { ...about, kind: 'heartbeat' } : { ...about, kind: 'heartbeat-timeout' });
}

/** `data.instanceId`, else the instance the `subject` names. */
function monitorInstanceId(ev: TencentCloudEvent, prefix: string): string {
  const data = dataObject(ev, prefix);
  const dataPath = joinPath(prefix, 'data');
  const fromData = data.instanceId;
  if (fromData !== undefined) {
    const path = joinPath(dataPath, 'instanceId');
    if (typeof fromData !== 'string' || !CVM_INSTANCE_ID_RE.test(fromData))
      throw invalidEvent(`invalid ${ev.type} event`, [
        { path, message: `${JSON.stringify(fromData)} is not a CVM instance id`, hint: CVM_ID_HINT },
      ]);
    return fromData;
  }
  const fromSubject = instanceIdOfSubject(ev.subject);
  if (fromSubject !== undefined) {
    if (!CVM_INSTANCE_ID_RE.test(fromSubject))
      throw invalidEvent(`invalid ${ev.type} event`, [
        {
          path: joinPath(prefix, 'subject'),
          message: `${JSON.stringify(fromSubject)} is not a CVM instance id`,
          hint: CVM_ID_HINT,
        },
      ]);
    return fromSubject;
  }
  throw invalidEvent(`invalid ${ev.type} event`, [
    {
      path: joinPath(dataPath, 'instanceId'),
      message: 'no instance id: neither data.instanceId nor an "ins-..." subject is present',
      hint: CVM_ID_HINT,
    },
  ]);
}
