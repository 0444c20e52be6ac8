/**
 * ECS events → the core's signals (`instance-state`, `drain`). Two delivery paths carry the same ECS notifications:
 *
 * - EventBridge (CloudEvents 1.0 envelope, `source: "acs.ecs"`, `type: "ecs:Instance:…"`, the ECS
 *   notification in `data`), one event or a batched array;
 * - CloudMonitor system-event notifications (`product: "ECS"`, `name: "Instance:…"`, the ECS
 *   notification in `content`).
 *
 * Shapes follow Alibaba's ECS "instance event notification" documentation; see docs/events.md for what
 * is documented and what is assumed.
 */
import { z } from 'zod';
import { memberId } from '../core/model.js';
import type { DrainCause, Signal, SignalSource } from '../core/signals.js';
import {
  checkJsonTree,
  DEFAULT_MAX_EVENT_BYTES,
  INSTANCE_ID_RE,
  invalidEvent,
  isPlainObject,
  joinPath,
  limitOption,
  malformedElement,
  parseJsonBody,
  parseJsonText,
  zodIssues,
} from './decode.js';
import type { IgnoredEvent, ParseResult } from './parse-result.js';

/** Default maximum number of events in one EventBridge batch. */
export const DEFAULT_MAX_BATCH = 100;

export interface EcsParseOptions {
  /** Maximum body size in bytes (default 256 KiB). */
  readonly maxBytes?: number;
  /** Maximum events in a batch (default 100). */
  readonly maxBatch?: number;
}

/** ECS states that mean the instance is going or gone. */
const DOWN_STATES = new Set(['Stopping', 'Stopped', 'Deleted']);
/**
 * System-event lifecycle states after which nothing will happen to the instance any more (per the ECS
 * `DescribeInstanceHistoryEvents` status list: Scheduled, Avoided, Executing, Executed, Canceled, Failed,
 * Inquiring). Every other status (including ones added later) still drains: draining only moves the VIP
 * when an eligible peer exists, so erring towards it is safe.
 */
const TERMINAL_SYSTEM_EVENT_STATES = new Set(['Avoided', 'Executed', 'Canceled', 'Cancelled', 'Failed']);

const ID_HINT = 'an ECS instance id looks like "i-bp1abc..." (lowercase letters and digits after "i-")';

/**
 * Event ids key the de-duplication rows, whose keys the store bounds; real ids are UUID-sized (36
 * characters), so a longer one is refused here with a clear error rather than failing in the store.
 */
export const MAX_EVENT_ID_CHARS = 128;

const CloudEventSchema = z.looseObject({
  id: z.string().min(1).max(MAX_EVENT_ID_CHARS),
  source: z.string().min(1),
  specversion: z.string().min(1),
  type: z.string().min(1),
  subject: z.string().optional(),
  time: z.string().optional(),
  data: z.unknown().optional(),
});

const CloudMonitorEventSchema = z.looseObject({
  id: z.string().min(1).max(MAX_EVENT_ID_CHARS),
  product: z.string().min(1),
  name: z.string().min(1),
  resourceId: z.string().optional(),
  eventTime: z.string().optional(),
  content: z.unknown().optional(),
});

const InstanceRefSchema = { resourceId: z.string().optional(), instanceId: z.string().optional() };
const StateChangeDataSchema = z.looseObject({ ...InstanceRefSchema, state: z.string().min(1) });
const InterruptionDataSchema = z.looseObject({ ...InstanceRefSchema, action: z.string().optional() });
const SystemEventDataSchema = z.looseObject({
  ...InstanceRefSchema,
  eventType: z.string().optional(),
  eventStatus: z.string().optional(),
  notBefore: z.string().optional(),
});

const ENVELOPE_HINTS: Record<string, string> = {
  id: `every event needs a non-empty string "id" of at most ${MAX_EVENT_ID_CHARS} characters (used for de-duplication)`,
  source: 'EventBridge events carry "source", e.g. "acs.ecs"',
  specversion: 'CloudEvents need "specversion": "1.0"',
  type: 'EventBridge events carry "type", e.g. "ecs:Instance:StateChange"',
  subject: '"subject" must be a string like "acs:ecs:<region>:<uid>:instance/i-..."',
  time: '"time" must be a string timestamp',
  product: 'CloudMonitor events carry "product": "ECS"',
  name: 'CloudMonitor events carry "name", e.g. "Instance:StateChange"',
  resourceId: '"resourceId" must be a string',
  eventTime: '"eventTime" must be a string',
};

/** Normalised view of either envelope, so classification is written once. */
interface Envelope {
  readonly eventId: string;
  readonly source: SignalSource;
  /** Type without the `ecs:` prefix: `Instance:StateChange`, `Instance:SystemMaintenance.Reboot:Scheduled`. */
  readonly type: string;
  readonly data: unknown;
  /** Rendered path of the data object: `data` or `content` (with batch prefix). */
  readonly dataPath: string;
  /** Instance id fallback from the envelope (`subject` or `resourceId` ARN), with its path. */
  readonly fallbackId: { readonly value: string; readonly path: string } | undefined;
  readonly eventTime: string | undefined;
}

type OneResult = { signal: Signal } | { ignored: IgnoredEvent };

/**
 * Parse an ECS event delivered by EventBridge or CloudMonitor.
 *
 * Throws `InvalidInputError` (code `event.invalid`) when the body as a whole is unusable (not JSON, too
 * large, too many events, disallowed keys, or a single malformed event). In a batch, a malformed element
 * is reported in `ignored` (with `issues`) and the others are still processed.
 */
export function parseEcsEvent(body: unknown, opts: EcsParseOptions = {}): ParseResult {
  const maxBytes = limitOption(opts.maxBytes, DEFAULT_MAX_EVENT_BYTES, 'maxBytes');
  const maxBatch = limitOption(opts.maxBatch, DEFAULT_MAX_BATCH, 'maxBatch');
  const doc = parseJsonBody(body, { maxBytes, what: 'ECS event' });
  const result: ParseResult = { signals: [], ignored: [] };

  if (!Array.isArray(doc)) {
    collect(result, parseOne(doc, ''));
    return result;
  }
  if (doc.length > maxBatch) {
    throw invalidEvent('ECS event batch is too large', [
      {
        path: '',
        message: `the batch has ${doc.length} events; the limit is ${maxBatch}`,
        hint: 'lower the EventBridge batch size or raise maxBatch',
      },
    ]);
  }
  doc.forEach((element, i) => {
    const prefix = `[${i}]`;
    try {
      collect(result, parseOne(element, prefix));
    } catch (e) {
      result.ignored.push(malformedElement(e, element, prefix));
    }
  });
  return result;
}

function collect(result: ParseResult, one: OneResult): void {
  if ('signal' in one) result.signals.push(one.signal);
  else result.ignored.push(one.ignored);
}

function parseOne(value: unknown, prefix: string): OneResult {
  if (!isPlainObject(value)) {
    throw invalidEvent('ECS event is not an object', [
      {
        path: prefix,
        message: `expected a JSON object, got ${describe(value)}`,
        hint: 'send an EventBridge CloudEvent or a CloudMonitor ECS event unchanged',
      },
    ]);
  }
  if ('specversion' in value) return classify(cloudEventEnvelope(value, prefix));
  if ('product' in value || 'name' in value) return classify(cloudMonitorEnvelope(value, prefix));
  throw invalidEvent('unrecognised ECS event', [
    {
      path: prefix,
      message:
        'neither a CloudEvents envelope (specversion, source, type, data) nor a CloudMonitor event (product, name, content)',
      hint: 'route only EventBridge ECS events or CloudMonitor ECS system events to this function',
    },
  ]);
}

function cloudEventEnvelope(value: Record<string, unknown>, prefix: string): Envelope | IgnoredEvent {
  const parsed = CloudEventSchema.safeParse(value);
  if (!parsed.success)
    throw invalidEvent('invalid EventBridge event', zodIssues(parsed.error, prefix, ENVELOPE_HINTS));
  const ev = parsed.data;
  if (ev.source !== 'acs.ecs')
    return { eventId: ev.id, reason: `source "${ev.source}" is not ECS (acs.ecs)` };
  if (!ev.type.startsWith('ecs:'))
    return { eventId: ev.id, reason: `type "${ev.type}" is not an ECS event type` };
  const dataPath = joinPath(prefix, 'data');
  return {
    eventId: ev.id,
    source: 'eventbridge',
    type: ev.type.slice('ecs:'.length),
    data: unwrapStringData(ev.data, dataPath),
    dataPath,
    fallbackId:
      ev.subject === undefined ? undefined : { value: ev.subject, path: joinPath(prefix, 'subject') },
    eventTime: ev.time,
  };
}

function cloudMonitorEnvelope(value: Record<string, unknown>, prefix: string): Envelope | IgnoredEvent {
  const parsed = CloudMonitorEventSchema.safeParse(value);
  if (!parsed.success)
    throw invalidEvent('invalid CloudMonitor event', zodIssues(parsed.error, prefix, ENVELOPE_HINTS));
  const ev = parsed.data;
  if (ev.product.toUpperCase() !== 'ECS')
    return { eventId: ev.id, reason: `product "${ev.product}" is not ECS` };
  return {
    eventId: ev.id,
    source: 'cloudmonitor-event',
    type: ev.name,
    data: ev.content,
    dataPath: joinPath(prefix, 'content'),
    fallbackId:
      ev.resourceId === undefined
        ? undefined
        : { value: ev.resourceId, path: joinPath(prefix, 'resourceId') },
    eventTime: ev.eventTime,
  };
}

/**
 * An EventBridge transform may deliver `data` as a JSON string; accept it when it holds an object. This
 * is a tolerance, not a documented shape.
 */
function unwrapStringData(data: unknown, path: string): unknown {
  if (typeof data !== 'string') return data;
  const inner = parseJsonText(data, 'ECS event data', path);
  checkJsonTree(inner, 'ECS event data', path);
  return inner;
}

function classify(env: Envelope | IgnoredEvent): OneResult {
  if (!('type' in env)) return { ignored: env };
  // Type grammar: <Resource>:<Code>[:<Status>], e.g. Instance:SystemMaintenance.Reboot:Scheduled.
  const [resource, code = '', nameStatus] = env.type.split(':');
  if (resource !== 'Instance') return ignore(env, `event "${env.type}" is not about an instance`);

  if (code === 'StateChange') {
    const data = parseData(
      StateChangeDataSchema,
      env,
      'state must be a string such as "Stopped" or "Running"',
    );
    const instanceId = resolveInstanceId(data, env);
    const state = data.state;
    let effect: 'down' | 'up';
    if (DOWN_STATES.has(state)) effect = 'down';
    else if (state === 'Running') effect = 'up';
    else
      return ignore(
        env,
        `instance ${instanceId} state "${state}" is transitional; only Running, Stopping, Stopped and Deleted are acted on`,
      );
    const sequence = eventTimeMs(env.eventTime);
    return {
      signal: {
        kind: 'instance-state',
        memberId: memberId(instanceId),
        status: state,
        effect,
        eventId: env.eventId,
        source: env.source,
        ...(env.eventTime === undefined ? {} : { eventTime: env.eventTime }),
        ...(sequence === undefined ? {} : { sequence }),
      },
    };
  }

  if (code === 'PreemptibleInstanceInterruption') {
    const data = parseData(InterruptionDataSchema, env, 'action is a string such as "delete"');
    return drain(env, resolveInstanceId(data, env), 'spot-interruption', code, undefined);
  }

  const cause: DrainCause | undefined = code.startsWith('SystemMaintenance.')
    ? 'maintenance'
    : code.startsWith('SystemFailure.')
      ? 'system-failure'
      : undefined;
  if (cause !== undefined) {
    const data = parseData(SystemEventDataSchema, env, 'system-event fields are strings');
    const instanceId = resolveInstanceId(data, env);
    // The content's eventStatus is authoritative: the documented CloudMonitor example of an Avoided event
    // still carries the name suffix ":Scheduled".
    const status = data.eventStatus ?? nameStatus;
    if (status !== undefined && TERMINAL_SYSTEM_EVENT_STATES.has(status)) {
      return ignore(env, `${code} on ${instanceId} is ${status}; nothing will happen to the instance`);
    }
    return drain(env, instanceId, cause, data.eventType ?? code, data.notBefore);
  }

  return ignore(env, `event "${env.type}" is not acted on`);
}

function drain(
  env: Envelope,
  instanceId: string,
  cause: DrainCause,
  eventType: string,
  notBefore: string | undefined,
): OneResult {
  return {
    signal: {
      kind: 'drain',
      memberId: memberId(instanceId),
      cause,
      eventType,
      eventId: env.eventId,
      source: env.source,
      ...(notBefore === undefined ? {} : { notBefore }),
    },
  };
}

/**
 * The order of an ECS state change: its event time, stamped by Alibaba's event service (not by the
 * member). ISO 8601 (EventBridge) or CloudMonitor's compact `20261120T161532.058+0800`. Undefined when
 * absent, unparseable or before 1970 (the signal then orders by receiver time): the store only takes
 * non-negative sequences, and refusing a whole event over its timestamp would make FC retry it for hours.
 */
export function eventTimeMs(t: string | undefined): number | undefined {
  if (t === undefined) return undefined;
  const compact = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\.\d{1,3})?([+-]\d{2})(\d{2})$/.exec(t);
  const iso = compact
    ? `${compact[1]}-${compact[2]}-${compact[3]}T${compact[4]}:${compact[5]}:${compact[6]}${compact[7] ?? ''}${compact[8]}:${compact[9]}`
    : t;
  const ms = Date.parse(iso);
  return Number.isSafeInteger(ms) && ms >= 0 ? ms : undefined;
}

function ignore(env: Envelope, reason: string): OneResult {
  return { ignored: { eventId: env.eventId, reason } };
}

function parseData<T extends z.ZodType>(schema: T, env: Envelope, hint: string): z.infer<T> {
  if (!isPlainObject(env.data)) {
    throw invalidEvent(`invalid ${env.type} event`, [
      {
        path: env.dataPath,
        message: `expected an object, got ${describe(env.data)}`,
        hint: 'the ECS notification must be an object in "data" (EventBridge) or "content" (CloudMonitor)',
      },
    ]);
  }
  const parsed = schema.safeParse(env.data);
  if (!parsed.success) {
    const hints: Record<string, string> = {
      state: hint,
      action: hint,
      eventType: hint,
      eventStatus: 'eventStatus is a string such as "Scheduled" or "Executed"',
      notBefore: 'notBefore is a timestamp string',
      resourceId: ID_HINT,
      instanceId: ID_HINT,
    };
    throw invalidEvent(`invalid ${env.type} event`, zodIssues(parsed.error, env.dataPath, hints));
  }
  return parsed.data;
}

/** The instance id: data.resourceId, data.instanceId, then the envelope's subject/resourceId ARN. */
function resolveInstanceId(
  data: { resourceId?: string | undefined; instanceId?: string | undefined },
  env: Envelope,
): string {
  const candidates: { value: string; path: string }[] = [];
  if (data.resourceId !== undefined)
    candidates.push({ value: data.resourceId, path: joinPath(env.dataPath, 'resourceId') });
  if (data.instanceId !== undefined)
    candidates.push({ value: data.instanceId, path: joinPath(env.dataPath, 'instanceId') });
  if (env.fallbackId !== undefined) {
    // ARN form acs:ecs:<region>:<uid>:instance/<id>; anything else is not an instance reference.
    const m = /:instance\/([^/]+)$/.exec(env.fallbackId.value);
    if (m?.[1] !== undefined) candidates.push({ value: m[1], path: env.fallbackId.path });
  }
  const first = candidates[0];
  if (first === undefined) {
    throw invalidEvent(`invalid ${env.type} event`, [
      {
        path: joinPath(env.dataPath, 'resourceId'),
        message: 'no instance id: none of resourceId, instanceId or an "instance/i-..." subject is present',
        hint: ID_HINT,
      },
    ]);
  }
  if (!INSTANCE_ID_RE.test(first.value)) {
    throw invalidEvent(`invalid ${env.type} event`, [
      {
        path: first.path,
        message: `${JSON.stringify(first.value)} is not an ECS instance id`,
        hint: ID_HINT,
      },
    ]);
  }
  return first.value;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v;
}
