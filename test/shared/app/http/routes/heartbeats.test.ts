/**
 * `POST /v1/heartbeats` end to end (app → service → SQLite store): a sequence the receiver cannot trust
 * is an error the agent sees, and a member cannot be poisoned by one request (issue 13, item 1).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../../../../shared/app/http/app.js';
import { memberId } from '../../../../../shared/core/model.js';
import { MAX_SEQUENCE_SKEW_MS } from '../../../../../shared/core/signals.js';
import { AUTH, post } from '../../../../support/http.js';
import { createWorld, PRIMARY, type World } from '../../../../support/world.js';

const worlds: World[] = [];
afterEach(async () => {
  while (worlds.length > 0) await worlds.pop()?.close();
});

async function setup() {
  const world = await createWorld();
  worlds.push(world);
  const app = createHttpApp({ service: world.service, auth: AUTH, logger: world.logger, clock: world.clock });
  const beat = async (sequence?: number) => {
    const res = await app.request('/v1/heartbeats', post({ instanceId: PRIMARY, sequence }));
    return { status: res.status, body: (await res.json()) as Record<string, never> };
  };
  const latest = async () =>
    (await world.store.latestSignals([memberId(PRIMARY)])).get(memberId(PRIMARY))?.heartbeat;
  return { world, beat, latest };
}

describe('POST /v1/heartbeats: sequences bounded by the server clock', () => {
  it('regression (issue 13.1): a sequence from the future is a 400 naming it, and records nothing', async () => {
    const { beat, latest, world } = await setup();
    const refused = await beat(Number.MAX_SAFE_INTEGER);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      error: { code: 'request.invalid', issues: [{ path: 'sequence' }] },
    });
    expect(await latest()).toBeUndefined();
    // The agent's genuine beats go on being accepted: one request poisoned nothing.
    for (let i = 0; i < 3; i++) {
      const ok = await beat(world.clock.now() + i);
      expect(ok.status).toBe(200);
      expect(ok.body.accepted).toBe(true);
    }
  });

  it('trusts a sequence somewhat ahead (within the core’s skew), refuses one beyond it', async () => {
    const { beat, world } = await setup();
    const margin = 60_000; // the two clock readings (test, server) are a few ms apart
    expect((await beat(world.clock.now() + MAX_SEQUENCE_SKEW_MS - margin)).status).toBe(200);
    expect((await beat(world.clock.now() + MAX_SEQUENCE_SKEW_MS + margin)).status).toBe(400);
  });

  it('a heartbeat without a sequence is ordered by the server clock (what an agent falls back to)', async () => {
    const { beat, latest } = await setup();
    const ok = await beat(undefined);
    expect(ok.status).toBe(200);
    expect(ok.body.accepted).toBe(true);
    expect((await latest())?.sequence).toBeUndefined();
  });
});
