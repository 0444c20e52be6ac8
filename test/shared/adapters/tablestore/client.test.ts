/**
 * The real Tablestore client (`createTablestoreClient`): its option checks, and the SDK's error surface
 * and wire format against a local stand-in server — what `errors.ts` must recognise and what the
 * adapter's conditions look like on the wire.
 */
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import TableStore from 'tablestore';
import { describe, expect, it } from 'vitest';
import {
  createTablestoreClient,
  createTablestoreStore,
  isConditionCheckFailure,
} from '../../../../shared/adapters/tablestore/index.js';
import { InvalidInputError, StaleEpochError, StoreError } from '../../../../shared/core/errors.js';
import { groupName } from '../../../../shared/core/model.js';
import { sdkServiceError } from '../../../support/fake-tablestore.js';
import { errorOf } from '../../../support/rejection.js';

const T0 = 1_700_000_000_000;
const { Condition, RowExistenceExpectation, Long } = TableStore;

describe('createTablestoreClient', () => {
  it.each([
    {
      label: 'an endpoint without scheme',
      patch: { endpoint: 'inst.cn-hangzhou.ots.aliyuncs.com' },
      path: 'endpoint',
    },
    {
      label: 'an empty AccessKey id',
      patch: { credentials: { accessKeyId: '', accessKeySecret: 's' } },
      path: 'credentials.accessKeyId',
    },
    { label: 'an instance name with spaces', patch: { instanceName: 'my inst' }, path: 'instanceName' },
  ])('rejects $label naming $path', ({ patch, path }) => {
    let caught: unknown;
    try {
      createTablestoreClient({
        endpoint: 'https://inst.cn-hangzhou.ots.aliyuncs.com',
        instanceName: 'inst',
        credentials: { accessKeyId: 'id', accessKeySecret: 'secret' },
        ...patch,
      });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InvalidInputError);
    expect((caught as InvalidInputError).issues.map((i) => i.path)).toContain(path);
  });
});

// =============================================================================================
// The real SDK against a local stand-in server: the error surface and what goes on the wire

interface ProtoType {
  create(o: unknown): unknown;
  encode(m: unknown): { finish(): Uint8Array };
  decode(b: Uint8Array): Record<string, unknown>;
}
const protoModule = createRequire(import.meta.url)(
  'tablestore/lib/protocol/tablestore_compiled_proto.js',
) as {
  main: { proto: Record<string, ProtoType> };
  filter: { proto: Record<string, ProtoType> };
};
const mainProto = protoModule.main.proto;
const filterProto = protoModule.filter.proto;

/** Serves Tablestore's protobuf protocol from 127.0.0.1: answers per operation via `reply`. */
async function otsServer(reply: (op: string, body: Buffer) => { status: number; body: Uint8Array }) {
  const requests: Array<{ op: string; body: Buffer; instance: unknown }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const op = (req.url ?? '/').slice(1);
      const body = Buffer.concat(chunks);
      requests.push({ op, body, instance: req.headers['x-ots-instancename'] });
      const r = reply(op, body);
      res.writeHead(r.status, { 'x-ots-requestid': `local-${requests.length}` });
      res.end(Buffer.from(r.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = createTablestoreClient({
    endpoint: `http://127.0.0.1:${port}`,
    instanceName: 'local-inst',
    credentials: { accessKeyId: 'test-id', accessKeySecret: 'test-secret' },
    maxRetries: 0,
    timeoutMs: 5000,
  });
  return { client, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
const otsErrorBody = (code: string, message: string) =>
  mainProto.Error!.encode(mainProto.Error!.create({ code, message })).finish();
const emptyGetRow = () =>
  mainProto
    .GetRowResponse!.encode(
      mainProto.GetRowResponse!.create({
        consumed: { capacityUnit: { read: 1, write: 0 } },
        row: new Uint8Array(0),
      }),
    )
    .finish();

describe('tablestore SDK surface (real client, local server)', () => {
  it('a failed condition arrives as code 403 (number) with OTSConditionCheckFail in the message — as the fake renders it', async () => {
    const srv = await otsServer(() => ({
      status: 403,
      body: otsErrorBody('OTSConditionCheckFail', 'Condition check failed.'),
    }));
    try {
      const e = await errorOf(
        srv.client.putRow({
          tableName: 't',
          condition: new Condition(RowExistenceExpectation.EXPECT_NOT_EXIST, null),
          primaryKey: [{ id: 'x' }],
          attributeColumns: [{ v: Long.fromNumber(1) }],
        }),
      );
      expect(e.code).toBe(403);
      expect(isConditionCheckFailure(e)).toBe(true);
      expect(e.message).toBe(
        sdkServiceError(403, 'OTSConditionCheckFail', 'Condition check failed.', 'local-1').message,
      );
      expect(srv.requests[0]).toMatchObject({ op: 'PutRow', instance: 'local-inst' });
    } finally {
      await srv.close();
    }
  });

  it('throttling maps to a retryable StoreError with the OTS code and request id', async () => {
    const srv = await otsServer(() => ({
      status: 503,
      body: otsErrorBody('OTSServerBusy', 'Server is busy.'),
    }));
    try {
      const store = createTablestoreStore({ client: srv.client });
      const e = await errorOf(store.markEventSeen('ev-1', 60_000, T0));
      expect(e).toBeInstanceOf(StoreError);
      expect((e as StoreError).retryable).toBe(true);
      expect((e as StoreError).details).toMatchObject({
        otsCode: 'OTSServerBusy',
        httpStatus: 503,
        requestId: 'local-1',
      });
      expect(e.message).toContain('Server is busy.');
    } finally {
      await srv.close();
    }
  });

  it('the adapter sends filter_if_missing=true (passIfMissing=false) on every condition of a fenced journal write', async () => {
    const srv = await otsServer((op) =>
      op === 'UpdateRow'
        ? { status: 403, body: otsErrorBody('OTSConditionCheckFail', 'Condition check failed.') }
        : { status: 200, body: emptyGetRow() },
    );
    try {
      const store = createTablestoreStore({ client: srv.client });
      const entry = {
        group: groupName('g1'),
        epoch: 7,
        phase: 'PLANNED' as const,
        decision: { kind: 'noop' as const, holder: undefined, reason: 'x' },
        step: undefined,
        updatedAt: T0,
        detail: undefined,
      };
      const e = await errorOf(store.writeJournal(entry, T0));
      expect(e).toBeInstanceOf(StaleEpochError);
      const update = srv.requests.find((r) => r.op === 'UpdateRow');
      const decoded = mainProto.UpdateRowRequest!.decode(update!.body) as {
        condition: { rowExistence: number; columnCondition: Uint8Array };
      };
      expect(decoded.condition.rowExistence).toBe(RowExistenceExpectation.EXPECT_EXIST);
      const singles: Array<Record<string, unknown>> = [];
      const filterType = filterProto.FilterType as unknown as Record<string, number>;
      const walk = (bytes: Uint8Array) => {
        const f = filterProto.Filter!.decode(bytes) as { type: number; filter: Uint8Array };
        if (f.type === filterType.FT_COMPOSITE_COLUMN_VALUE) {
          const composite = filterProto.CompositeColumnValueFilter!.decode(f.filter) as {
            subFilters: unknown[];
          };
          for (const sub of composite.subFilters) walk(filterProto.Filter!.encode(sub).finish());
        } else {
          expect(f.type).toBe(filterType.FT_SINGLE_COLUMN_VALUE);
          singles.push(filterProto.SingleColumnValueFilter!.decode(f.filter));
        }
      };
      walk(decoded.condition.columnCondition);
      expect(singles.map((s) => s.columnName).sort()).toEqual(['epoch', 'expiresAt', 'released']);
      for (const s of singles) expect(s).toMatchObject({ filterIfMissing: true, latestVersionOnly: true });
    } finally {
      await srv.close();
    }
  });
});
