/**
 * What a simulated cloud counts for reports and tests: calls by action, injected faults by kind,
 * throttled calls and the ARP announcements the network acted on or ignored.
 */

/** What `stats()` of a simulated cloud reports. */
export interface SimStats {
  /** Calls by action (every call that reached the simulator, including failed and throttled ones). */
  readonly calls: Record<string, number>;
  /** Faults injected by kind: `latency`, `throttle`, `error`, `drop`, `stale`. */
  readonly faults: Record<string, number>;
  readonly throttled: number;
  /** ARP announcements the VPC acted on (`accepted`) or ignored. */
  readonly announcements: { readonly accepted: number; readonly ignored: number };
}

export class StatsCounter {
  private calls: Record<string, number> = {};
  private faults: Record<string, number> = {};
  private throttled = 0;
  private announced = { accepted: 0, ignored: 0 };

  call(action: string): void {
    this.calls[action] = (this.calls[action] ?? 0) + 1;
  }

  fault(kind: string): void {
    this.faults[kind] = (this.faults[kind] ?? 0) + 1;
  }

  /** A throttled call: counted on its own and as a `throttle` fault. */
  throttle(): void {
    this.throttled += 1;
    this.fault('throttle');
  }

  announcement(accepted: boolean): void {
    if (accepted) this.announced.accepted += 1;
    else this.announced.ignored += 1;
  }

  snapshot(): SimStats {
    return {
      calls: { ...this.calls },
      faults: { ...this.faults },
      throttled: this.throttled,
      announcements: { ...this.announced },
    };
  }

  reset(): void {
    this.calls = {};
    this.faults = {};
    this.throttled = 0;
    this.announced = { accepted: 0, ignored: 0 };
  }
}
