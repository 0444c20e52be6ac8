/**
 * The PostgreSQL adapter against a real server: the StateStore contract (one schema emptied before each
 * test, with a peer store on it), then separate OS processes racing on the same groups.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from '../../../../shared/adapters/postgres/index.js';
import { groupName } from '../../../../shared/core/model.js';
import { runContenders } from '../../../support/contenders.js';
import { PostgresSchemas, postgresSubjects, postgresTestUrl } from '../../../support/postgres.js';
import type { ContenderLog } from '../../../support/postgres-contender.js';
import { runStateStoreContract } from '../../../support/state-store-contract.js';

const schemas = new PostgresSchemas();
afterAll(() => schemas.dropAll());

runStateStoreContract('postgres', postgresSubjects(schemas), { sharedStorage: true });

describe('separate processes on one database', () => {
  const GROUPS = ['web', 'db', 'cache'];

  it('fence each other: every epoch issued once, stale writers refused, no accepted journal entry lost', async () => {
    const opts = await schemas.fresh();
    const logs = await runContenders<ContenderLog>(
      'test/support/postgres-contender.ts',
      Array.from({ length: 4 }, (_, i) => ({
        HAVIP_TEST_POSTGRES_URL: postgresTestUrl(),
        SCHEMA: opts.schema,
        PROC: `p${i}`,
        GROUPS: GROUPS.join(','),
        ROUNDS: '60',
      })),
    );
    const store = createPostgresStore(opts);
    try {
      for (const g of GROUPS) {
        const won = logs.flatMap((l) => l.acquired.filter((a) => a.group === g));
        const epochs = won.map((w) => w.epoch).sort((a, b) => a - b);
        // Each epoch issued exactly once (one winner), none skipped.
        expect(epochs, g).toEqual(Array.from({ length: epochs.length }, (_, i) => i + 1));
        // The append-only history has one record per winner: none lost, none doubled.
        const history = await store.listHistory({ group: groupName(g), limit: 10_000 });
        expect(history.map((h) => h.actor).sort(), g).toEqual(won.map((w) => w.holder).sort());

        // A write is never accepted once a newer epoch's acquire had returned before it was sent.
        const accepted = logs.flatMap((l) => l.accepted.filter((a) => a.group === g));
        for (const a of accepted) {
          const newer = won.find((w) => w.epoch > a.epoch && w.done < a.sent);
          expect(
            newer,
            `${g}: ${a.op} of epoch ${a.epoch} accepted after epoch ${newer?.epoch} was taken`,
          ).toBeUndefined();
        }

        // The stored journal is the last accepted write of the newest epoch that wrote one.
        const journals = accepted.filter((a) => a.op === 'journal');
        const newest = Math.max(...journals.map((j) => j.epoch));
        const last = journals
          .filter((j) => j.epoch === newest)
          .sort((x, y) => x.sent - y.sent)
          .at(-1);
        expect((await store.readJournal(groupName(g)))?.step, g).toBe(last?.step);

        // The counter carries on after everything: the next acquire is the next epoch.
        const next = await store.acquireLease(groupName(g), 'after', 1_000, Date.now() + 3_600_000);
        expect(next, g).toMatchObject({ acquired: true, lease: { epoch: epochs.length + 1 } });
      }
      expect(logs.flatMap((l) => l.violations)).toEqual([]);
      // The run did exercise stale writers (leases of 20–80 ms, pauses of up to 30 ms between writes).
      expect(logs.flatMap((l) => l.refused).length).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  }, 120_000);
});
