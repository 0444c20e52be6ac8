/**
 * The report outbox and its dispatcher on a fake clock, against an in-process sink that records what it
 * accepts and can be made unreachable or refusing (a fake with real semantics, not a mock).
 */
import { describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../../shared/adapters/logger/index.js';
import { ReportDispatcher } from '../../../shared/agent/dispatcher.js';
import { DEFAULT_RETRY, Outbox, retryDelay } from '../../../shared/agent/outbox.js';
import { type ReportSink, SinkError } from '../../../shared/agent/sinks.js';
import { FakeTimers } from '../../support/fake-timers.js';

/** Records delivered bodies; while `down`, every publish fails the way the mode says. */
class FakeSink implements ReportSink {
  readonly delivered: string[] = [];
  calls = 0;
  mode: 'up' | 'unreachable' | 'refusing' = 'up';
  async publish(body: string): Promise<void> {
    this.calls++;
    if (this.mode === 'unreachable') throw new SinkError('cannot reach the sink', true);
    if (this.mode === 'refusing') throw new SinkError('HTTP 403', false);
    this.delivered.push(body);
  }
}

/** A deterministic uniform generator (xorshift), so the test does not depend on luck. */
const seeded = (seed: number) => () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
};

const setup = (random = seeded(42)) => {
  const timers = new FakeTimers();
  const sink = new FakeSink();
  const logger = createMemoryLogger();
  const d = new ReportDispatcher({ sink, timers, policy: DEFAULT_RETRY, logger, random });
  return { timers, sink, logger, d };
};

describe('outbox', () => {
  it('keeps one entry per key, the newest, in the order keys were last queued', () => {
    const o = new Outbox();
    o.put('b', 'silent');
    o.put('c', 'x');
    o.put('b', 'recovered');
    expect(o.peek()).toEqual({ key: 'c', body: 'x' });
    expect(o.size).toBe(2);
  });

  it('settles only the body that was sent, not a newer one queued meanwhile', () => {
    const o = new Outbox();
    o.put('b', 'silent');
    const sent = o.peek()!;
    o.put('b', 'recovered');
    o.settle(sent);
    expect(o.peek()).toEqual({ key: 'b', body: 'recovered' });
  });

  it('evicts the oldest beyond its bound', () => {
    const o = new Outbox(2);
    o.put('a', '1');
    o.put('b', '2');
    expect(o.put('c', '3')).toEqual({ key: 'a', body: '1' });
    expect(o.size).toBe(2);
  });

  it.each([
    { failures: 1, random: 0.99, delay: 1000 },
    { failures: 2, random: 0.75, delay: 1500 },
    { failures: 1, random: 0, delay: 1000 },
    { failures: 3, random: 0.5, delay: 2000 },
    { failures: 10, random: 0.999_999, delay: 29_999 },
    { failures: 60, random: 1 - 1e-9, delay: 29_999 },
  ])('retry delay after $failures failures with draw $random is $delay ms', ({ failures, random, delay }) => {
    expect(retryDelay(failures, DEFAULT_RETRY, () => random)).toBe(delay);
  });
});

describe('report dispatcher', () => {
  it('delivers queued reports one by one', async () => {
    const { timers, sink, d } = setup();
    d.enqueue('a', 'A');
    d.enqueue('b', 'B');
    await timers.advance(0);
    expect(sink.delivered).toEqual(['A', 'B']);
    expect(d.snapshot()).toMatchObject({ delivered: 2, queued: 0 });
  });

  it('sends only the newest report per key after an outage', async () => {
    const { timers, sink, d } = setup();
    sink.mode = 'unreachable';
    d.enqueue('web/i-b', 'silent');
    await timers.advance(0);
    d.enqueue('web/i-b', 'recovered');
    sink.mode = 'up';
    await timers.advance(60_000);
    expect(sink.delivered).toEqual(['recovered']);
  });

  it('never spins against an unreachable sink: the calls stay bounded over an hour', async () => {
    const { timers, sink, d, logger } = setup();
    sink.mode = 'unreachable';
    for (let i = 0; i < 50; i++) d.enqueue(`k${i}`, `r${i}`);
    await timers.advance(3_600_000);
    // The cap is 30 s with full jitter: about one call per 15 s on average, never more than one per
    // second whatever the draws (the floor).
    expect(sink.calls).toBeLessThan(3_600 / 15 + 60);
    expect(sink.calls).toBeGreaterThan(60);
    expect(d.snapshot()).toMatchObject({ queued: 50, delivered: 0 });
    expect(timers.pending).toBe(1);
    // The log stays quiet too: the first failure, then every 10th.
    expect(logger.find('report not delivered: will retry').length).toBeLessThanOrEqual(sink.calls / 10 + 1);
    sink.mode = 'up';
    await timers.advance(60_000);
    expect(sink.delivered).toHaveLength(50);
  });

  it('is bounded by the floor even when every draw is zero', async () => {
    const { timers, sink } = (() => {
      const s = setup(() => 0);
      s.sink.mode = 'unreachable';
      s.d.enqueue('k', 'r');
      return s;
    })();
    await timers.advance(600_000);
    expect(sink.calls).toBeLessThanOrEqual(601);
  });

  it('drops a report the sink refuses for good, and goes on with the next one', async () => {
    const { timers, sink, d, logger } = setup();
    sink.mode = 'refusing';
    d.enqueue('a', 'A');
    await timers.advance(0);
    sink.mode = 'up';
    d.enqueue('b', 'B');
    await timers.advance(60_000);
    expect(sink.delivered).toEqual(['B']);
    expect(d.snapshot()).toMatchObject({ dropped: 1, delivered: 1 });
    expect(logger.find(/dropped \(a retry cannot help\)/)).toHaveLength(1);
  });

  it('queues nothing after stop', async () => {
    const { timers, sink, d } = setup();
    d.stop();
    d.enqueue('a', 'A');
    await timers.advance(10_000);
    expect(sink.calls).toBe(0);
  });
});
