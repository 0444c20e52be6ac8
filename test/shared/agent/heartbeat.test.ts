import { describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../../shared/adapters/logger/index.js';
import { HeartbeatLoop, heldAddresses } from '../../../shared/agent/heartbeat.js';
import { FakeTimers } from '../../support/fake-timers.js';

describe('heartbeat reply', () => {
  it.each<{ name: string; body: unknown; result: ReturnType<typeof heldAddresses> }>([
    {
      name: 'the held addresses, once each',
      body: {
        accepted: true,
        holds: [
          { group: 'a', address: '10.0.0.1' },
          { group: 'b', address: '10.0.0.1' },
        ],
      },
      result: { ok: true, addresses: ['10.0.0.1'] },
    },
    {
      name: 'a hold without an address (none known yet) is skipped',
      body: { accepted: true, holds: [{ group: 'a' }] },
      result: { ok: true, addresses: [] },
    },
    {
      name: 'no holds array is unusable',
      body: { accepted: true },
      result: { ok: false, why: expect.stringMatching(/^holds: /) },
    },
    {
      name: 'an address that is not a dotted quad is unusable',
      body: { accepted: true, holds: [{ group: 'a', address: '10.0.0.1 dev lo' }] },
      result: { ok: false, why: expect.stringMatching(/^holds\.0\.address/) },
    },
  ])('$name', ({ body, result }) => {
    expect(heldAddresses(body)).toEqual(result);
  });
});

describe('heartbeat period', () => {
  /** A loop against an in-process API that records when each beat arrived. */
  const setup = () => {
    const timers = new FakeTimers();
    const beats: number[] = [];
    const fakeApi: typeof fetch = async () => {
      beats.push(timers.now());
      return new Response('{"accepted":true,"holds":[]}', { status: 200 });
    };
    const loop = new HeartbeatLoop({
      instanceId: 'i-a',
      api: {
        endpoint: 'http://api.invalid',
        credentials: { kind: 'bearer', token: 't'.repeat(20) },
        timeoutMs: 1_000,
        now: () => timers.now(),
        fetch: fakeApi,
      },
      normalMs: 5_000,
      fastMs: 500,
      fastForMs: 3_000,
      nextSequence: (() => {
        let n = 0;
        return () => ++n;
      })(),
      timers,
      logger: createMemoryLogger(),
      takeover: undefined,
    });
    return { timers, beats, loop };
  };

  it('beats every 5 s, every 0.5 s for a while after a change, then every 5 s again', async () => {
    const { timers, beats, loop } = setup();
    const t0 = timers.now();
    loop.start();
    await timers.advance(10_000);
    expect(beats.map((t) => t - t0)).toEqual([0, 5_000, 10_000]);
    loop.hurry();
    expect(loop.snapshot().fast).toBe(true);
    await timers.advance(10_000);
    const fast = beats.slice(3).map((t) => t - t0);
    // The first fast beat within one fast period, one every 500 ms while the 3 s window lasts, then 5 s.
    expect(fast).toEqual([10_500, 11_000, 11_500, 12_000, 12_500, 13_000, 18_000]);
    expect(loop.snapshot().fast).toBe(false);
    loop.stop();
    const n = beats.length;
    await timers.advance(30_000);
    expect(beats).toHaveLength(n);
  });
});
