import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../../shared/adapters/logger/index.js';
import { createMetadataClient, type MetadataCloud } from '../../../shared/adapters/metadata/index.js';
import {
  type MetadataSimulator,
  startMetadataSimulator,
} from '../../../shared/adapters/metadata/simulator.js';
import { metadataSpotNotice, type SpotNotice, watchSpot } from '../../../shared/agent/spot.js';
import { FakeTimers } from '../../support/fake-timers.js';

let meta: MetadataSimulator;
beforeAll(async () => {
  meta = await startMetadataSimulator();
  meta.addInstance({ instanceId: 'i-spot1', cloud: 'alibaba' });
  meta.addInstance({ instanceId: 'i-spot2', cloud: 'tencent' });
});
afterAll(() => meta.close());

const noticeOf = (id: string, cloud: MetadataCloud) =>
  metadataSpotNotice(createMetadataClient({ cloud, baseUrl: meta.baseUrl(id) }));

describe('spot termination notice, read through the metadata client', () => {
  it.each([
    ['i-spot1', 'alibaba'],
    ['i-spot2', 'tencent'],
  ] as const)('%s (%s): none while 404, then the posted time', async (id, cloud) => {
    meta.setSpotTermination(id, undefined);
    expect(await noticeOf(id, cloud).check()).toBeUndefined();
    meta.setSpotTermination(id, Date.parse('2026-01-01T00:05:00Z'));
    expect(await noticeOf(id, cloud).check()).toBe('2026-01-01T00:05:00.000Z');
  });

  it('an unavailable metadata service is an error (the watcher tries again)', async () => {
    meta.setAvailable('i-spot1', false);
    await expect(noticeOf('i-spot1', 'alibaba').check()).rejects.toThrow(/HTTP 503/);
    meta.setAvailable('i-spot1', true);
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
