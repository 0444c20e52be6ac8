import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../../shared/adapters/logger/index.js';
import { httpSpotNotice, type SpotNotice, watchSpot } from '../../../shared/agent/spot.js';
import { FakeTimers } from '../../support/fake-timers.js';

let reply = { status: 404, body: '' };
const server: Server = createServer((req, res) => {
  req.resume();
  res.writeHead(reply.status).end(reply.body);
});
let url: string;
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/latest/meta-data/instance/spot/termination-time`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('spot termination notice', () => {
  it.each([
    { status: 404, body: 'Not Found', notice: undefined },
    { status: 200, body: '2026-01-01T00:05:00Z\n', notice: '2026-01-01T00:05:00Z' },
  ])('reads HTTP $status as $notice', async ({ status, body, notice }) => {
    reply = { status, body };
    expect(await httpSpotNotice(url).check()).toBe(notice);
  });

  it('treats another answer as an error', async () => {
    reply = { status: 500, body: '' };
    await expect(httpSpotNotice(url).check()).rejects.toThrow(/HTTP 500/);
  });

  it('polls until a notice appears, tells once, and stops polling', async () => {
    const timers = new FakeTimers();
    let time: string | undefined;
    let polls = 0;
    const notice: SpotNotice = {
      check: async () => {
        polls++;
        return time;
      },
    };
    const seen: string[] = [];
    watchSpot(notice, 5_000, { timers, logger: createMemoryLogger(), onNotice: (t) => seen.push(t) });
    await timers.advance(10_000);
    expect(polls).toBe(3);
    time = '2026-01-01T00:05:00Z';
    await timers.advance(5_000);
    await timers.advance(60_000);
    expect(seen).toEqual(['2026-01-01T00:05:00Z']);
    expect(polls).toBe(4);
  });
});
