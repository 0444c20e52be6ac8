/**
 * CloudAudit API calls delivered by EventBridge (`cvm:CloudEvent:ApiCall`, `…:ConsoleCall`,
 * `…:MiniProgramCall`, the CloudAudit log in `data`) → `instance-state` signals for the instances a
 * successful `StopInstances`, `StartInstances` or `TerminateInstances` names. Tencent documents no EventBridge event for a
 * plain stop, so the API call is the earliest word that a member is going down.
 *
 * The signal uses the core's state vocabulary (the one Alibaba's ECS events bring): `Stopping` for a stop,
 * `Deleted` for a termination, both `down`; `Starting` for a start, `up` (a sign of life, as Alibaba's
 * `Running` event: Tencent sends nothing when the instance is running again); the event's time orders it
 * against later state changes.
 * Which fields carry the instances is only partly documented: `requestParameters.InstanceIds` (an array,
 * or the flattened `InstanceIds.N` form), an object or a JSON string, then an `ins-…` subject.
 */
import { z } from 'zod';
import { memberId } from '../../core/model.js';
import type { Signal } from '../../core/signals.js';
import { checkJsonTree, invalidEvent, isPlainObject, joinPath, parseJsonText, zodIssues } from '../decode.js';
import type { ParseResult } from '../parse-result.js';
import { dataObject, eventTime, ignored, type TencentCloudEvent } from './envelope.js';
import { CVM_ID_HINT, CVM_INSTANCE_ID_RE, instanceIdOfSubject } from './ids.js';

/**
 * The calls acted on, and the state each announces. A successful `StartInstances` is `Starting`, not
 * down (as Alibaba's ECS `Starting` event): it ends the hold of an earlier stop event, so a restarted
 * member is eligible again once a describe says RUNNING, instead of after the grace that lets a
 * describe override a stop event with no newer word (health.ts, 60 s).
 */
const CALLS: Readonly<Record<string, { status: string; effect: 'down' | 'up' }>> = {
  StopInstances: { status: 'Stopping', effect: 'down' },
  StartInstances: { status: 'Starting', effect: 'up' },
  TerminateInstances: { status: 'Deleted', effect: 'down' },
};

/** StopInstances, StartInstances and TerminateInstances take at most 100 instances per call. */
const MAX_INSTANCES_PER_CALL = 100;

const Code = z.union([z.number(), z.string()]);
const ApiCallSchema = z.looseObject({
  eventName: z.string().min(1),
  errorCode: Code.optional(),
  apiErrorCode: Code.optional(),
  requestParameters: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
});

const HINTS: Record<string, string> = {
  eventName: 'a CloudAudit log names the API in "eventName", e.g. "StopInstances"',
  errorCode: 'errorCode is a number (0 when the call was authorised)',
  apiErrorCode: 'apiErrorCode is a number (0 when the call succeeded)',
  requestParameters: 'requestParameters is an object (or a JSON string) of the call parameters',
};

export function parseApiCall(ev: TencentCloudEvent, prefix: string): ParseResult {
  const dataPath = joinPath(prefix, 'data');
  const parsed = ApiCallSchema.safeParse(dataObject(ev, prefix));
  if (!parsed.success)
    throw invalidEvent('invalid CloudAudit event', zodIssues(parsed.error, dataPath, HINTS));
  const call = parsed.data;
  const acted = CALLS[call.eventName];
  if (acted === undefined) return ignored(ev, `API call ${call.eventName} is not acted on`);
  const failed = [call.errorCode, call.apiErrorCode].find(
    (c) => c !== undefined && String(c) !== '0' && c !== '',
  );
  if (failed !== undefined)
    return ignored(ev, `${call.eventName} failed (error ${String(failed)}); no instance changed state`);
  const time = eventTime(ev.time);
  const list = instancesOf(call.requestParameters, joinPath(dataPath, 'requestParameters'), ev, prefix);
  const out: Signal[] = [...new Set(list)].map((id) => ({
    kind: 'instance-state',
    memberId: memberId(id),
    ...acted,
    eventId: ev.id,
    source: 'eventbridge',
    ...(time.text === undefined ? {} : { eventTime: time.text }),
    ...(time.ms === undefined ? {} : { sequence: time.ms }),
  }));
  return { signals: out, ignored: [] };
}

function instancesOf(
  raw: string | Record<string, unknown> | undefined,
  path: string,
  ev: TencentCloudEvent,
  prefix: string,
): string[] {
  const params = typeof raw === 'string' ? parseParameters(raw, path) : raw;
  const found: { value: unknown; path: string }[] = [];
  if (params !== undefined) {
    const list = params.InstanceIds;
    if (list !== undefined) {
      const listPath = joinPath(path, 'InstanceIds');
      if (!Array.isArray(list))
        throw invalid(ev, listPath, `expected an array of instance ids, got ${typeof list}`);
      for (const [i, value] of list.entries()) found.push({ value, path: `${listPath}[${i}]` });
    }
    for (const [key, value] of Object.entries(params))
      if (/^InstanceIds\.\d+$/.test(key)) found.push({ value, path: joinPath(path, key) });
  }
  if (found.length === 0) {
    const subject = instanceIdOfSubject(ev.subject);
    if (subject !== undefined) found.push({ value: subject, path: joinPath(prefix, 'subject') });
  }
  if (found.length === 0)
    throw invalid(ev, joinPath(path, 'InstanceIds'), 'no instance id: the call names no InstanceIds');
  if (found.length > MAX_INSTANCES_PER_CALL)
    throw invalid(
      ev,
      joinPath(path, 'InstanceIds'),
      `${found.length} instances; a call takes at most ${MAX_INSTANCES_PER_CALL}`,
    );
  return found.map(({ value, path: at }) => {
    if (typeof value !== 'string' || !CVM_INSTANCE_ID_RE.test(value))
      throw invalid(ev, at, `${JSON.stringify(value)} is not a CVM instance id`);
    return value;
  });
}

function parseParameters(text: string, path: string): Record<string, unknown> {
  const value = parseJsonText(text, 'CloudAudit requestParameters', path);
  checkJsonTree(value, 'CloudAudit requestParameters', path);
  if (!isPlainObject(value))
    throw invalidEvent('invalid CloudAudit event', [
      { path, message: 'expected a JSON object', hint: HINTS.requestParameters ?? '' },
    ]);
  return value;
}

function invalid(ev: TencentCloudEvent, path: string, message: string) {
  return invalidEvent(`invalid ${ev.type} event`, [{ path, message, hint: CVM_ID_HINT }]);
}
