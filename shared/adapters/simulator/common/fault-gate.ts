/**
 * Where the injected faults meet the calls of a simulated API, in the order a cloud applies them:
 * the call arrives (counted, then held for any injected latency), throttling or an injected failure
 * may refuse it before it runs (a refused call has no effect), a read may answer an old picture of
 * the world, and the answer of a committed mutation may be lost. Every fault is counted. The gate
 * decides and counts; the cloud's dispatcher turns a refusal into its own error shape.
 */
import type { SimClock } from './clock.js';
import type { Faults, PreDecision, ServerFaultCode } from './faults.js';
import type { StatsCounter } from './stats.js';

/** What the gate asks of a fault controller, whatever its codes and transition kinds. */
type GateFaults<Code extends string> = Pick<
  Faults<Code, string>,
  'latencyFor' | 'before' | 'stalenessFor' | 'takeDrop'
>;

export class FaultGate<Code extends string = ServerFaultCode> {
  constructor(
    private readonly faults: GateFaults<Code>,
    private readonly clock: SimClock,
    private readonly stats: StatsCounter,
  ) {}

  /**
   * Counts the call and returns what to await before it runs: the injected latency on the simulator
   * clock or, without latency, an already-settled promise (an answer never arrives synchronously, as
   * over a network).
   */
  arrive(action: string): Promise<void> {
    this.stats.call(action);
    const latency = this.faults.latencyFor(action);
    if (!(latency > 0)) return Promise.resolve();
    this.stats.fault('latency');
    return new Promise<void>((resolve) => this.clock.setTimeout(resolve, latency));
  }

  /** Throttling or an injected failure (counted), or `ok`; taken after the latency, before the call runs. */
  admit(action: string, account: string): PreDecision<Code> {
    const pre = this.faults.before(action, account);
    if (pre.kind === 'throttle') this.stats.throttle();
    else if (pre.kind === 'error') this.stats.fault('error');
    return pre;
  }

  /** How far back a read looks (counted when it does), 0 for the live world. */
  staleness(action: string): number {
    const ms = this.faults.stalenessFor(action);
    if (ms > 0) this.stats.fault('stale');
    return ms;
  }

  /** Whether the answer of this committed mutation is lost (consumes and counts one drop). */
  drop(action: string): boolean {
    const drop = this.faults.takeDrop(action);
    if (drop) this.stats.fault('drop');
    return drop;
  }
}
