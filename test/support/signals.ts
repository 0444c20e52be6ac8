/** Signals as the trigger parsers emit them, for tests that drive the ingest directly. */
import { memberId } from '../../shared/core/model.js';
import type {
  HeartbeatSignal,
  HeartbeatTimeoutSignal,
  InstanceStateSignal,
} from '../../shared/core/signals.js';

/** An EventBridge `Instance:StateChange`; with `time`, ordered by it as the parser does. */
export function stateChange(
  id: string,
  status: 'Stopping' | 'Stopped' | 'Running',
  eventId: string,
  time?: string,
): InstanceStateSignal {
  return {
    kind: 'instance-state',
    memberId: memberId(id),
    status,
    effect: status === 'Running' ? 'up' : 'down',
    eventId,
    source: 'eventbridge',
    ...(time === undefined ? {} : { eventTime: time, sequence: Date.parse(time) }),
  };
}

/** A heartbeat watcher's `heartbeat.timeout` over MNS. */
export function heartbeatTimeout(id: string, eventId: string): HeartbeatTimeoutSignal {
  return { kind: 'heartbeat-timeout', memberId: memberId(id), eventId, source: 'mns' };
}

/** An agent's heartbeat over HTTP. */
export function heartbeat(id: string, sequence?: number): HeartbeatSignal {
  return { kind: 'heartbeat', memberId: memberId(id), source: 'http', sequence };
}
