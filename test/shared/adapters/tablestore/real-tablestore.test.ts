/**
 * The StateStore contract against a REAL Tablestore instance. Opt-in, outside `npm test` (it needs an
 * Alibaba Cloud account): `npm run test:real-tablestore` with HAVIP_TABLESTORE_ENDPOINT,
 * HAVIP_TABLESTORE_INSTANCE, ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET set
 * (ALIBABA_CLOUD_SECURITY_TOKEN too for STS credentials). Asked to run without them, it fails: a
 * contract run that silently did nothing would read as a pass.
 *
 * It creates five temporary tables with a random prefix, waits until they accept writes, runs the
 * suite with every test in its own key namespace, and deletes the tables afterwards.
 */
import { randomBytes } from 'node:crypto';
import TableStore from 'tablestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTablestoreClient,
  createTablestoreStore,
  ensureTablestoreTables,
  otsErrorCode,
  type TablestoreTableNames,
  tablestoreTableNames,
} from '../../../../shared/adapters/tablestore/index.js';
import { StaleEpochError, StoreError } from '../../../../shared/core/errors.js';
import { type GroupName, groupName, type MemberId, memberId } from '../../../../shared/core/model.js';
import type { StateStore } from '../../../../shared/core/ports.js';
import type { SignalRecord } from '../../../../shared/core/signals.js';
import { runStateStoreContract } from '../../../support/state-store-contract.js';

const env = process.env;
const REQUIRED = [
  'HAVIP_TABLESTORE_ENDPOINT',
  'HAVIP_TABLESTORE_INSTANCE',
  'ALIBABA_CLOUD_ACCESS_KEY_ID',
  'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
] as const;
const missing = REQUIRED.filter((k) => !env[k]);

if (missing.length > 0)
  throw new Error(
    `the real Tablestore contract needs ${missing.join(', ')}: set them, or run npm test instead`,
  );

describe(`Tablestore contract on a real instance (opt-in: set ${REQUIRED.join(', ')} to run; creates and deletes temporary tables)`, () => {
  let client: TableStore.Client;
  let tables: TablestoreTableNames;

  beforeAll(async () => {
    client = createTablestoreClient({
      endpoint: env.HAVIP_TABLESTORE_ENDPOINT as string,
      instanceName: env.HAVIP_TABLESTORE_INSTANCE as string,
      credentials: {
        accessKeyId: env.ALIBABA_CLOUD_ACCESS_KEY_ID as string,
        accessKeySecret: env.ALIBABA_CLOUD_ACCESS_KEY_SECRET as string,
        securityToken: env.ALIBABA_CLOUD_SECURITY_TOKEN,
      },
      timeoutMs: 10_000,
    });
    tables = tablestoreTableNames(`havip_ct_${randomBytes(4).toString('hex')}_`);
    await ensureTablestoreTables(client, { tables, dedupeTtlSeconds: 86_400, historyTtlSeconds: 86_400 });
    await waitUntilWritable(client, tables);
  }, 180_000);

  afterAll(async () => {
    if (!tables) return;
    for (const table of Object.values(tables)) {
      await client.deleteTable({ tableName: table }).catch(() => undefined);
    }
  }, 60_000);

  it('a second init finds every table', async () => {
    const again = await ensureTablestoreTables(client, { tables });
    expect(again.map((r) => r.status)).toEqual(Array(5).fill('exists'));
  });

  runStateStoreContract(
    'tablestore (real instance)',
    async () => {
      const ns = `t${randomBytes(5).toString('hex')}.`;
      return {
        store: namespaced(createTablestoreStore({ client, tables }), ns),
        openPeer: async () => namespaced(createTablestoreStore({ client, tables }), ns),
      };
    },
    { sharedStorage: true, timeoutMs: 180_000, propertyRuns: 5 },
  );
});

/** New tables take a few seconds to load; poll each with a harmless read until it answers. */
async function waitUntilWritable(client: TableStore.Client, tables: TablestoreTableNames): Promise<void> {
  const keys: Record<keyof TablestoreTableNames, TableStore.PrimaryKeyInput> = {
    groups: [{ group: 'probe' }],
    signals: [{ memberId: 'probe' }, { kind: 'probe' }],
    observations: [{ group: 'probe' }],
    health: [{ memberId: 'probe' }],
    dedupe: [{ eventId: 'probe' }],
    history: [
      { group: 'probe' },
      { at: TableStore.Long.fromNumber(0) },
      { epoch: TableStore.Long.fromNumber(0) },
      { seq: 'probe' },
    ],
  };
  for (const role of Object.keys(keys) as Array<keyof TablestoreTableNames>) {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.getRow({ tableName: tables[role], primaryKey: keys[role], maxVersions: 1 });
        break;
      } catch (e) {
        if (attempt >= 60) throw e;
        const code = otsErrorCode(e);
        if (
          code !== undefined &&
          !['OTSTableNotReady', 'OTSObjectNotExist', 'OTSPartitionUnavailable'].includes(code)
        ) {
          throw e;
        }
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
    }
  }
}

/**
 * Gives every contract test its own key space in the shared tables: group names, member ids and
 * event ids are prefixed on the way in and stripped on the way out (empty strings pass unchanged so
 * the validation tests still see them).
 */
function namespaced(inner: StateStore, ns: string): StateStore {
  const inG = (g: string): GroupName => groupName(g === '' ? g : ns + g);
  const inM = (m: string): MemberId => memberId(m === '' ? m : ns + m);
  const strip = (s: string): string => (s.startsWith(ns) ? s.slice(ns.length) : s);
  const outG = (g: string): GroupName => groupName(strip(g));
  const outM = (m: string): MemberId => memberId(strip(m));
  let closed = false;
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (closed) throw new StoreError('namespaced store is closed');
    try {
      return await fn();
    } catch (e) {
      if (e instanceof StaleEpochError) {
        const { group, epoch, ...rest } = e.details as { group: string; epoch: number };
        throw new StaleEpochError(strip(group), epoch, rest);
      }
      throw e;
    }
  };
  const lease = <L extends { group: GroupName }>(l: L): L => ({ ...l, group: outG(l.group) });
  return {
    acquireLease: (g, h, ttl, now) =>
      guard(async () => {
        const r = await inner.acquireLease(inG(g), h, ttl, now);
        return r.acquired
          ? { acquired: true, lease: lease(r.lease) }
          : { acquired: false, current: lease(r.current) };
      }),
    renewLease: (g, e, ttl, now) => guard(async () => lease(await inner.renewLease(inG(g), e, ttl, now))),
    releaseLease: (g, e) => guard(() => inner.releaseLease(inG(g), e)),
    assertEpoch: (g, e, now) => guard(() => inner.assertEpoch(inG(g), e, now)),
    getLease: (g) =>
      guard(async () => {
        const l = await inner.getLease(inG(g));
        return l && lease(l);
      }),
    writeJournal: (entry, now) => guard(() => inner.writeJournal({ ...entry, group: inG(entry.group) }, now)),
    readJournal: (g) =>
      guard(async () => {
        const j = await inner.readJournal(inG(g));
        return j && { ...j, group: outG(j.group) };
      }),
    recordSignal: (s) => guard(() => inner.recordSignal({ ...s, memberId: inM(s.memberId) })),
    latestSignals: (ids) =>
      guard(async () => {
        const got = await inner.latestSignals(ids.map(inM));
        return new Map(
          [...got].map(([id, byKind]) => [
            outM(id),
            Object.fromEntries(
              Object.entries(byKind).map(([k, s]) => [
                k,
                Array.isArray(s)
                  ? s.map((r: SignalRecord) => ({ ...r, memberId: outM(r.memberId) }))
                  : { ...(s as SignalRecord), memberId: outM((s as SignalRecord).memberId) },
              ]),
            ),
          ]),
        );
      }),
    recordObservation: (o) => guard(() => inner.recordObservation({ ...o, group: inG(o.group) })),
    latestObservations: (groups) =>
      guard(async () => {
        const got = await inner.latestObservations(groups.map(inG));
        return new Map([...got].map(([g, o]) => [outG(g), { ...o, group: outG(o.group) }]));
      }),
    getHealth: (ids) =>
      guard(async () => {
        const got = await inner.getHealth(ids.map(inM));
        return new Map([...got].map(([id, h]) => [outM(id), { ...h, memberId: outM(h.memberId) }]));
      }),
    putHealth: (state, v) => guard(() => inner.putHealth({ ...state, memberId: inM(state.memberId) }, v)),
    markEventSeen: (id, ttl, now) => guard(() => inner.markEventSeen(id === '' ? id : ns + id, ttl, now)),
    appendHistory: (r) => guard(() => inner.appendHistory({ ...r, group: inG(r.group) })),
    listHistory: (q) =>
      guard(async () => {
        if (q.group !== undefined) {
          return (await inner.listHistory({ ...q, group: inG(q.group) })).map((h) => ({
            ...h,
            group: outG(h.group),
          }));
        }
        // Across groups: read widely and keep this test's records (invalid limits pass through as-is).
        const valid = Number.isInteger(q.limit) && q.limit >= 1;
        const all = await inner.listHistory({ ...q, limit: valid ? 10_000 : q.limit });
        return all
          .filter((h) => h.group.startsWith(ns))
          .slice(0, q.limit)
          .map((h) => ({ ...h, group: outG(h.group) }));
      }),
    close: async () => {
      closed = true;
      await inner.close();
    },
  };
}
