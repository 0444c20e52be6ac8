/**
 * Delivery of a simulated cloud's events: every subscriber receives every event synchronously, in
 * order, and the most recent ones are kept for late readers (the admin endpoint).
 */

export type EventSink<E> = (event: E) => void;

export class EventBus<E> {
  private readonly sinks = new Set<EventSink<E>>();
  private readonly recent: E[] = [];

  /** `keep`: how many of the most recent events {@link recentEvents} returns. */
  constructor(private readonly keep: number) {}

  /** Returns an unsubscribe function. */
  subscribe(sink: EventSink<E>): () => void {
    this.sinks.add(sink);
    return () => {
      this.sinks.delete(sink);
    };
  }

  publish(event: E): void {
    this.recent.push(event);
    if (this.recent.length > this.keep) this.recent.shift();
    for (const sink of this.sinks) {
      try {
        sink(event);
      } catch {
        // A broken subscriber must not break the cloud or starve the other subscribers.
      }
    }
  }

  /** The most recent events, oldest first. */
  recentEvents(): readonly E[] {
    return [...this.recent];
  }
}
