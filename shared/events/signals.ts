/**
 * Normalised signals: what every trigger parser produces, whatever the payload looked like.
 *
 * A signal says *which member* and *what happened*. It deliberately carries no receiver time: the
 * handler stamps that from its own clock, because the sender's clock is never trusted for ordering.
 * Sender timestamps (`eventTime`, `lastSeenAt`, `notBefore`) are passed through as opaque strings for
 * operators only.
 */
import type { InputIssue } from '../core/errors.js';

/** Which trigger path a signal came in on. */
export type SignalSource = 'eventbridge' | 'cloudmonitor-event' | 'mns' | 'cloudmonitor-alarm' | 'http';

/** Drain causes derived from ECS system events. */
export type DrainCause = 'spot-interruption' | 'maintenance' | 'system-failure';

/** An ECS lifecycle change (`Instance:StateChange`). */
export interface InstanceStateSignal {
  readonly kind: 'instance-state';
  readonly instanceId: string;
  /** ECS state as sent: `Stopping`, `Stopped`, `Deleted`, `Running`. */
  readonly status: string;
  /** `down` for Stopping/Stopped/Deleted, `up` for Running. */
  readonly effect: 'down' | 'up';
  readonly eventId: string;
  readonly source: SignalSource;
  /** The sender's timestamp, verbatim. Informational only. */
  readonly eventTime?: string;
}

/** A planned or imminent loss of the instance: move away while a peer can still take over. */
export interface DrainSignal {
  readonly kind: 'drain';
  readonly instanceId: string;
  readonly cause: DrainCause;
  /** ECS event code without status, e.g. `SystemMaintenance.Reboot`, `PreemptibleInstanceInterruption`. */
  readonly eventType: string;
  readonly eventId: string;
  readonly source: SignalSource;
  /** When the maintenance may start at the earliest (sender's clock, verbatim). */
  readonly notBefore?: string;
}

/** A heartbeat watcher (or a CloudMonitor alarm) reports the member silent. */
export interface HeartbeatTimeoutSignal {
  readonly kind: 'heartbeat-timeout';
  readonly instanceId: string;
  /** The sender's idea of the last heartbeat, verbatim. Informational only. */
  readonly lastSeenAt?: string;
  readonly eventId: string;
  readonly source: SignalSource;
}

/** The heartbeat alarm cleared (back to OK). */
export interface HeartbeatOkSignal {
  readonly kind: 'heartbeat-ok';
  readonly instanceId: string;
  readonly eventId: string;
  readonly source: SignalSource;
}

export type Signal = InstanceStateSignal | DrainSignal | HeartbeatTimeoutSignal | HeartbeatOkSignal;

/**
 * Something in the payload that produced no signal. `issues` is present only when the element was
 * malformed (inside a batch, where one bad element must not hold up the good ones); otherwise the
 * element was well-formed but not something the orchestrator acts on.
 */
export interface IgnoredEvent {
  readonly eventId?: string;
  readonly reason: string;
  readonly issues?: readonly InputIssue[];
}

export interface ParseResult {
  readonly signals: Signal[];
  readonly ignored: IgnoredEvent[];
}
