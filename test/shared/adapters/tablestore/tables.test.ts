/** Creating the Tablestore tables (`ensureTablestoreTables`), over the in-memory fake. */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DEDUPE_TTL_SECONDS,
  ensureTablestoreTables,
  tablestoreTableNames,
} from '../../../../shared/adapters/tablestore/index.js';
import { InvalidInputError } from '../../../../shared/core/errors.js';
import { FakeTablestoreClient } from '../../../support/fake-tablestore.js';
import { errorOf } from '../../../support/rejection.js';

describe('ensureTablestoreTables', () => {
  it('creates the six tables with their keys and TTLs, then reports them as existing', async () => {
    const fake = new FakeTablestoreClient({ maxYields: 0 });
    const first = await ensureTablestoreTables(fake);
    expect(first.map((r) => [r.role, r.table, r.status, r.timeToLive])).toEqual([
      ['groups', 'havip_groups', 'created', -1],
      ['signals', 'havip_signals', 'created', -1],
      ['observations', 'havip_observations', 'created', -1],
      ['health', 'havip_health', 'created', -1],
      ['dedupe', 'havip_dedupe', 'created', DEFAULT_DEDUPE_TTL_SECONDS],
      ['history', 'havip_history', 'created', -1],
    ]);
    expect(fake.tableOptions('havip_history')).toEqual({
      timeToLive: -1,
      maxVersions: 1,
      primaryKey: [
        { name: 'group', type: 'STRING' },
        { name: 'at', type: 'INTEGER' },
        { name: 'epoch', type: 'INTEGER' },
        { name: 'seq', type: 'STRING' },
      ],
    });
    expect(fake.tableOptions('havip_signals')?.primaryKey.map((k) => k.name)).toEqual(['memberId', 'kind']);
    expect(fake.tableOptions('havip_observations')?.primaryKey.map((k) => k.name)).toEqual(['group']);
    const second = await ensureTablestoreTables(fake);
    expect(second.every((r) => r.status === 'exists')).toBe(true);
  });

  it('honours a prefix and TTLs, and treats a concurrent creation as existing', async () => {
    const fake = new FakeTablestoreClient({ maxYields: 0 });
    fake.failNext('createTable', { kind: 'ots', status: 409, code: 'OTSObjectAlreadyExist' });
    const r = await ensureTablestoreTables(fake, {
      tables: tablestoreTableNames('prod_'),
      dedupeTtlSeconds: 2 * 86_400,
      historyTtlSeconds: 90 * 86_400,
    });
    expect(r[0]).toMatchObject({ table: 'prod_groups', status: 'exists' });
    expect(fake.tableOptions('prod_dedupe')?.timeToLive).toBe(2 * 86_400);
    expect(fake.tableOptions('prod_history')?.timeToLive).toBe(90 * 86_400);
  });

  it.each([
    { label: 'a dedupe TTL under a day', opts: { dedupeTtlSeconds: 3600 }, path: 'dedupeTtlSeconds' },
    { label: 'an invalid table name', opts: { tables: { groups: 'has-dash' } }, path: 'tables.groups' },
  ])('rejects $label before calling the service', async ({ opts, path }) => {
    const fake = new FakeTablestoreClient({ maxYields: 0 });
    const e = await errorOf(ensureTablestoreTables(fake, opts));
    expect(e).toBeInstanceOf(InvalidInputError);
    expect((e as InvalidInputError).issues[0]?.path).toBe(path);
    expect(fake.calls).toEqual([]);
  });
});
