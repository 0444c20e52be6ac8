/**
 * Minimal typings for the parts of the `tablestore` 5.6.x SDK (CommonJS, ships no typings) that the
 * state-store adapter, `havip store init` and the test fake use. Shapes follow the SDK sources:
 * `lib/filter.js` (conditions), `lib/metadata.js` (enums, INF_MIN/INF_MAX), `lib/long.js` (Long),
 * `lib/client.js` (operations) and `lib/protocol/plain_buffer_coded_stream.js` (decoded rows).
 */
declare module 'tablestore' {
  namespace TableStore {
    /** A 64-bit integer as the SDK encodes and decodes it (an `int64-buffer` Int64LE instance). */
    interface Int64 {
      toNumber(): number;
      toString(radix?: number): string;
      toBuffer(): Buffer;
    }

    /** `TableStore.INF_MIN` / `TableStore.INF_MAX`: open range bounds, only valid in GetRange keys. */
    interface RangeBound {
      readonly __tablestoreRangeBound?: never;
    }

    type PrimaryKeyValue = string | Int64 | Buffer;
    /** A JS `number` is written as a DOUBLE column; integers must be `Long.fromNumber(...)`. */
    type ColumnValue = string | number | boolean | Int64 | Buffer;

    /** One object per key column, in table order: `[{ group: 'g1' }, { at: Long.fromNumber(1) }]`. */
    type PrimaryKeyInput = Array<Record<string, PrimaryKeyValue | RangeBound>>;
    /** One object per column: `[{ holder: 'x' }, { epoch: Long.fromNumber(3) }]`. */
    type AttributeColumnsInput = Array<Record<string, ColumnValue>>;
    type UpdateOfAttributeColumns = Array<
      | { PUT: AttributeColumnsInput }
      | { DELETE_ALL: string[] }
      | { DELETE: Array<Record<string, Int64>> }
      | { INCREMENT: Array<Record<string, Int64>> }
    >;

    interface DecodedPrimaryKeyColumn {
      name: string;
      value: PrimaryKeyValue;
    }
    interface DecodedAttribute {
      columnName: string;
      columnValue: ColumnValue;
      timestamp: Int64 | null;
    }
    /** A decoded row. GetRow on a missing row yields `{}` (no `primaryKey`). */
    interface Row {
      primaryKey?: DecodedPrimaryKeyColumn[];
      attributes?: DecodedAttribute[];
    }

    abstract class ColumnCondition {}

    class SingleColumnCondition extends ColumnCondition {
      /**
       * `passIfMissing` defaults to TRUE when omitted: the condition then passes on a row that lacks
       * the column. `latestVersionOnly` defaults to true.
       */
      constructor(
        columnName: string,
        columnValue: ColumnValue,
        comparator: number,
        passIfMissing?: boolean,
        latestVersionOnly?: boolean,
      );
      columnName: string;
      columnValue: ColumnValue;
      comparator: number;
      passIfMissing: boolean;
      latestVersionOnly: boolean;
    }

    class CompositeCondition extends ColumnCondition {
      constructor(combinator: number);
      combinator: number;
      sub_conditions: ColumnCondition[];
      addSubCondition(condition: ColumnCondition): void;
    }

    class Condition {
      constructor(rowExistenceExpectation: number, columnCondition?: ColumnCondition | null);
      rowExistenceExpectation: number;
      columnCondition: ColumnCondition | null;
    }

    interface ClientConfig {
      accessKeyId: string;
      secretAccessKey: string;
      stsToken?: string;
      endpoint: string;
      instancename: string;
      maxRetries?: number;
      httpOptions?: { timeout?: number; maxSockets?: number };
    }

    interface GetRowParams {
      tableName: string;
      primaryKey: PrimaryKeyInput;
      columnsToGet?: string[];
      maxVersions?: number;
    }
    interface PutRowParams {
      tableName: string;
      condition: Condition;
      primaryKey: PrimaryKeyInput;
      attributeColumns: AttributeColumnsInput;
    }
    interface UpdateRowParams {
      tableName: string;
      condition: Condition;
      primaryKey: PrimaryKeyInput;
      updateOfAttributeColumns: UpdateOfAttributeColumns;
    }
    interface DeleteRowParams {
      tableName: string;
      condition: Condition;
      primaryKey: PrimaryKeyInput;
    }
    interface GetRangeParams {
      tableName: string;
      direction: 'FORWARD' | 'BACKWARD';
      inclusiveStartPrimaryKey: PrimaryKeyInput;
      exclusiveEndPrimaryKey: PrimaryKeyInput;
      limit?: number;
      maxVersions?: number;
      columnsToGet?: string[];
    }
    interface RowResponse {
      consumed?: unknown;
      row: Row;
    }
    interface GetRangeResponse {
      consumed?: unknown;
      rows: Row[];
      /** Set when more rows remain (limit reached or the server's per-call cap). */
      nextStartPrimaryKey: DecodedPrimaryKeyColumn[] | null;
    }
    interface CreateTableParams {
      tableMeta: {
        tableName: string;
        primaryKey: Array<{ name: string; type: 'STRING' | 'INTEGER' | 'BINARY' }>;
      };
      reservedThroughput: { capacityUnit: { read: number; write: number } };
      /** `timeToLive` in seconds: -1 (never) or ≥ 86400. */
      tableOptions: { timeToLive: number; maxVersions: number };
    }
    interface ListTableResponse {
      tableNames: string[];
    }

    class Client {
      constructor(config: ClientConfig);
      getRow(params: GetRowParams): Promise<RowResponse>;
      putRow(params: PutRowParams): Promise<RowResponse>;
      updateRow(params: UpdateRowParams): Promise<RowResponse>;
      deleteRow(params: DeleteRowParams): Promise<RowResponse>;
      getRange(params: GetRangeParams): Promise<GetRangeResponse>;
      createTable(params: CreateTableParams): Promise<unknown>;
      listTable(params: Record<string, never>): Promise<ListTableResponse>;
      deleteTable(params: { tableName: string }): Promise<unknown>;
    }

    const RowExistenceExpectation: {
      readonly IGNORE: number;
      readonly EXPECT_EXIST: number;
      readonly EXPECT_NOT_EXIST: number;
    };
    const ComparatorType: {
      readonly EQUAL: number;
      readonly NOT_EQUAL: number;
      readonly GREATER_THAN: number;
      readonly GREATER_EQUAL: number;
      readonly LESS_THAN: number;
      readonly LESS_EQUAL: number;
    };
    const LogicalOperator: { readonly NOT: number; readonly AND: number; readonly OR: number };
    const Direction: { readonly FORWARD: 'FORWARD'; readonly BACKWARD: 'BACKWARD' };
    const Long: { fromNumber(n: number): Int64; fromString(s: string): Int64 };
    const INF_MIN: RangeBound;
    const INF_MAX: RangeBound;
  }
  export = TableStore;
}
