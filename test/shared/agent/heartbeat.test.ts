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

describe('what the agent does with refusals', () => {
  /** A loop whose API answers from `answer` (given the posted body) and records what was posted. */
  const setup = (answer: (body: { instanceId: string; sequence?: number }) => Response) => {
    const timers = new FakeTimers();
    const posted: { instanceId: string; sequence?: number }[] = [];
    const applied: string[][] = [];
    const logger = createMemoryLogger();
    let n = 100;
    const loop = new HeartbeatLoop({
      instanceId: 'i-a',
      api: {
        endpoint: 'http://api.invalid',
        credentials: { kind: 'bearer', token: 't'.repeat(20) },
        timeoutMs: 1_000,
        now: () => timers.now(),
        fetch: async (_url, init) => {
          const body = JSON.parse(String(init?.body)) as { instanceId: string; sequence?: number };
          posted.push(body);
          return answer(body);
        },
      },
      normalMs: 5_000,
      fastMs: 500,
      fastForMs: 3_000,
      nextSequence: () => n++,
      timers,
      logger,
      takeover: { apply: async (addresses: string[]) => void applied.push(addresses) } as never,
    });
    return { loop, posted, applied, logger };
  };
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const sequenceRefused = json(400, {
    error: {
      code: 'request.invalid',
      message: 'sequence from the future\n  - sequence: is 600000 ms ahead of the server clock',
      issues: [{ path: 'sequence', message: 'is 600000 ms ahead of the server clock' }],
    },
  });
  const held = json(200, { accepted: true, holds: [{ group: 'web', address: '10.0.0.9' }] });

  it('regression (issue 13.1): a refused sequence is logged as an error once, and the beat is resent without one', async () => {
    let clockAhead = true;
    const { loop, posted, applied, logger } = setup((b) =>
      clockAhead && b.sequence !== undefined ? sequenceRefused.clone() : held.clone(),
    );
    await loop.beatOnce();
    await loop.beatOnce();
    expect(posted).toEqual([
      { instanceId: 'i-a', sequence: 100 },
      { instanceId: 'i-a' },
      { instanceId: 'i-a', sequence: 101 },
      { instanceId: 'i-a' },
    ]);
    // The reply to the resent beat drives the takeover: the member stays alive and serving.
    expect(applied).toEqual([['10.0.0.9'], ['10.0.0.9']]);
    const errors = logger.entries.filter((e) => e.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.msg).toMatch(/refused the heartbeat sequence/);
    expect(errors[0]?.fields.message).toMatch(/ahead of the server clock/);
    clockAhead = false;
    await loop.beatOnce();
    expect(posted.at(-1)).toEqual({ instanceId: 'i-a', sequence: 102 });
    expect(logger.entries.at(-1)?.msg).toBe('the API accepts the heartbeat sequence again');
  });

  it('logs the API error code and message of a refused beat (a credential bound to another member)', async () => {
    const { loop, applied, logger } = setup(() =>
      json(403, {
        error: { code: 'auth.forbidden', message: 'agent credential "web2" speaks for i-b only' },
      }),
    );
    await loop.beatOnce();
    expect(applied).toEqual([]);
    expect(logger.entries.at(-1)?.fields).toMatchObject({
      status: 403,
      code: 'auth.forbidden',
      message: 'agent credential "web2" speaks for i-b only',
    });
  });

  it('warns when the API stops accepting its heartbeats, and says when it accepts them again', async () => {
    let accepted = false;
    const { loop, logger } = setup(() => json(200, { accepted, holds: [] }));
    await loop.beatOnce();
    await loop.beatOnce();
    accepted = true;
    await loop.beatOnce();
    expect(logger.entries.map((e) => [e.level, e.msg.slice(0, 40)])).toEqual([
      ['warn', 'the API answers accepted: false: it hold'],
      ['info', 'the API accepts this agent heartbeats ag'],
    ]);
  });
});
