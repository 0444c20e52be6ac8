import { describe, expect, it } from 'vitest';
import {
  checkedFaults,
  type DeliveryFaults,
  type DeliveryInfo,
  DeliveryQueue,
  dice,
  planDelivery,
  type Subscriber,
} from '../../../../../shared/adapters/mns/simulator/delivery.js';
import { InvalidInputError } from '../../../../../shared/core/errors.js';

const T0 = Date.UTC(2026, 0, 1);

/** A queue on a clock the test moves; nothing is delivered unless the test says so. */
function setup(faults: DeliveryFaults, seed = 7) {
  const clock = { t: T0, now: () => clock.t };
  const queue = new DeliveryQueue({ clock, seed, autoDeliver: false, faults: () => faults });
  const seen: { seq: number; info: DeliveryInfo; at: number }[] = [];
  const sub: Subscriber = {
    name: 'fc',
    deliver: (event, info) => void seen.push({ seq: Number(event.toString()), info, at: clock.t }),
  };
  const publish = (seq: number, to: Subscriber = sub) =>
    queue.enqueue({ seq, topic: 't', messageId: `M${seq}` }, to, Buffer.from(String(seq)));
  return { clock, queue, seen, sub, publish };
}

describe('the fault plan', () => {
  it('is a pure function of seed, subscription and sequence number', () => {
    const f = { lossRate: 0.3, duplicateRate: 0.3, delayRate: 0.3, reorderRate: 0.3, jitterMs: 100 };
    for (let seq = 1; seq <= 50; seq++)
      expect(planDelivery(f, 1, 'a', seq)).toEqual(planDelivery(f, 1, 'a', seq));
    const plans = (seed: number, name: string) =>
      JSON.stringify(Array.from({ length: 50 }, (_, i) => planDelivery(f, seed, name, i + 1)));
    expect(plans(1, 'a')).not.toBe(plans(2, 'a'));
    expect(plans(1, 'a')).not.toBe(plans(1, 'b'));
  });

  it('draws uniformly enough that rates come out near what was asked', () => {
    const f = { lossRate: 0.2, duplicateRate: 0.1, reorderRate: 0.05 };
    const plans = Array.from({ length: 4000 }, (_, i) => planDelivery(f, 42, 'fc', i + 1));
    const share = (p: (x: (typeof plans)[number]) => boolean) => plans.filter(p).length / plans.length;
    expect(share((p) => p.lost)).toBeCloseTo(0.2, 1);
    // Duplication and reordering are drawn for the messages that were not lost.
    expect(share((p) => p.duplicated)).toBeCloseTo(0.8 * 0.1, 1);
    expect(share((p) => p.reordered)).toBeCloseTo(0.8 * 0.05, 1);
    const d = Array.from({ length: 4000 }, (_, i) => dice(9, `k${i}`));
    expect(Math.min(...d)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...d)).toBeLessThan(1);
  });

  it('rate 0 never fires, rate 1 always does; delays add up', () => {
    expect(planDelivery({}, 1, 'a', 1)).toEqual({
      delaysMs: [0],
      lost: false,
      duplicated: false,
      delayed: false,
      reordered: false,
    });
    expect(planDelivery({ lossRate: 1 }, 1, 'a', 1).delaysMs).toEqual([]);
    const p = planDelivery({ duplicateRate: 1, delayRate: 1, delayMs: 500, latencyMs: 20 }, 1, 'a', 1);
    expect(p.delaysMs).toEqual([520, 520]);
    const jittered = planDelivery({ latencyMs: 10, jitterMs: 5 }, 1, 'a', 1).delaysMs[0]!;
    expect(jittered).toBeGreaterThanOrEqual(10);
    expect(jittered).toBeLessThan(15);
  });

  it('refuses nonsense with the field named', () => {
    expect(() => checkedFaults({ lossRate: 2 })).toThrow(InvalidInputError);
    expect(() => checkedFaults({ lossRate: 2 })).toThrow(/lossRate/);
    expect(() => checkedFaults({ latencyMs: -1 })).toThrow(/latencyMs/);
    expect(() => checkedFaults({ lossrate: 0.1 })).toThrow(/lossrate|Unrecognized/);
  });
});

describe('delivering', () => {
  it('loses, duplicates and holds back exactly the messages the seed says', async () => {
    const faults = { lossRate: 0.15, duplicateRate: 0.15, reorderRate: 0.15 };
    const { queue, seen, publish } = setup(faults, 1234);
    const n = 300;
    for (let seq = 1; seq <= n; seq++) publish(seq);
    await queue.drain();

    const plans = Array.from({ length: n }, (_, i) => planDelivery(faults, 1234, 'fc', i + 1));
    const expected = new Map<number, number>();
    plans.forEach((p, i) => {
      if (p.delaysMs.length > 0) expected.set(i + 1, p.delaysMs.length);
    });
    const observed = new Map<number, number>();
    for (const s of seen) observed.set(s.seq, (observed.get(s.seq) ?? 0) + 1);
    expect(observed).toEqual(expected);

    const lost = plans.filter((p) => p.lost).length;
    const duplicated = plans.filter((p) => p.duplicated).length;
    expect(lost).toBeGreaterThan(20); // the seed does exercise each fault
    expect(duplicated).toBeGreaterThan(20);
    expect(queue.stats).toMatchObject({
      planned: n,
      lost,
      duplicated,
      invocations: seen.length,
      delivered: seen.length,
    });

    // Every held-back message that something overtook arrives after a later one: count the inversions.
    const firstArrival = [...new Set(seen.map((s) => s.seq))];
    const inversions = firstArrival.filter(
      (seq, i) => i + 1 < firstArrival.length && seq > firstArrival[i + 1]!,
    ).length;
    expect(inversions).toBeGreaterThan(10);
    expect(inversions).toBeLessThanOrEqual(queue.stats.reordered);
  });

  it('a held-back message goes out right after the next one', async () => {
    const { queue, seen, publish } = setup({ reorderRate: 1 });
    for (let seq = 1; seq <= 6; seq++) publish(seq);
    await queue.drain();
    expect(seen.map((s) => s.seq)).toEqual([2, 1, 4, 3, 6, 5]);
    expect(queue.stats.reordered).toBe(3);
  });

  it('a held-back message with no successor is released after maxHoldMs', () => {
    const { clock, queue, seen, publish } = setup({ reorderRate: 1, maxHoldMs: 2_000 });
    publish(1);
    queue.deliverDue();
    clock.t += 1_999;
    queue.deliverDue();
    expect(seen).toEqual([]);
    clock.t += 1;
    queue.deliverDue();
    expect(seen.map((s) => [s.seq, s.at - T0])).toEqual([[1, 2_000]]);
  });

  it('latency and extra delay hold a delivery until its time on the clock', () => {
    const { clock, queue, seen, publish } = setup({ latencyMs: 100, delayRate: 1, delayMs: 900 });
    publish(1);
    clock.t += 999;
    queue.deliverDue();
    expect(seen).toEqual([]);
    clock.t += 1;
    queue.deliverDue();
    expect(seen.map((s) => s.at - T0)).toEqual([1_000]);
    expect(queue.stats.delayed).toBe(1);
  });

  it('retries a failed invocation as FC does (3 retries, 10–20 s apart), then gives up', async () => {
    const { clock, queue } = setup({});
    const attempts: number[] = [];
    const failing: Subscriber = {
      name: 'broken',
      deliver: (_e, info) => {
        attempts.push(info.attempt);
        if (info.attempt < 3) throw new Error('handler failed');
      },
    };
    queue.enqueue({ seq: 1, topic: 't', messageId: 'M1' }, failing, Buffer.from('x'));
    queue.deliverDue();
    await Promise.resolve();
    await new Promise((r) => setImmediate(r));
    expect(attempts).toEqual([1]);
    // The retry is not due before 10 s.
    clock.t += 9_999;
    queue.deliverDue();
    expect(attempts).toEqual([1]);
    await queue.drain();
    expect(attempts).toEqual([1, 2, 3]);
    expect(queue.stats).toMatchObject({ invocations: 3, failedAttempts: 2, delivered: 1, abandoned: 0 });

    const never: Subscriber = { name: 'never', deliver: () => Promise.reject(new Error('no')) };
    queue.enqueue({ seq: 2, topic: 't', messageId: 'M2' }, never, Buffer.from('x'));
    await queue.drain();
    expect(queue.stats).toMatchObject({ failedAttempts: 6, abandoned: 1 });
  });

  it('invokes concurrently: a slow handler does not hold up the next message', async () => {
    const { queue, publish } = setup({});
    const started: number[] = [];
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slow: Subscriber = {
      name: 'slow',
      deliver: async (e) => {
        started.push(Number(e.toString()));
        await gate;
      },
    };
    publish(1, slow);
    publish(2, slow);
    queue.deliverDue();
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([1, 2]);
    release();
    await queue.drain();
    expect(queue.stats.delivered).toBe(2);
  });

  it('delivers on real timers when asked to', async () => {
    const arrived = new Promise<string>((resolve) => {
      const queue = new DeliveryQueue({
        clock: { now: () => Date.now() },
        seed: 1,
        autoDeliver: true,
        faults: () => ({ latencyMs: 5 }),
      });
      queue.enqueue(
        { seq: 1, topic: 't', messageId: 'M1' },
        { name: 's', deliver: (e) => resolve(e.toString()) },
        Buffer.from('hello'),
      );
    });
    expect(await arrived).toBe('hello');
  });
});
