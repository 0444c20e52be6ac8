/**
 * How the store talks Tablestore's data model: conditions built so that the SDK's traps cannot bite, and
 * typed access to the columns of a decoded row.
 *
 * - `SingleColumnCondition`'s `passIfMissing` defaults to true, which would let `epoch == 7` pass on a
 *   row without an `epoch` column. Every condition is built by {@link col}, which passes false.
 * - Integers are written as `TableStore.Long` ({@link long}): a JS number would be stored as a DOUBLE
 *   and would never compare equal to an INTEGER column.
 */
import TableStore from 'tablestore';
import { StoreError } from '../../core/errors.js';

const {
  Condition,
  SingleColumnCondition,
  CompositeCondition,
  RowExistenceExpectation: RowExp,
  LogicalOperator: Logic,
  Long,
} = TableStore;

export const Cmp = TableStore.ComparatorType;

type ColumnCondition = TableStore.SingleColumnCondition | TableStore.CompositeCondition;

/** A column condition that FAILS when the column is missing (trap 1) and looks at the latest version only. */
export function col(
  name: string,
  comparator: number,
  value: TableStore.ColumnValue,
): TableStore.SingleColumnCondition {
  return new SingleColumnCondition(name, value, comparator, false, true);
}
export function allOf(...conditions: ColumnCondition[]): TableStore.CompositeCondition {
  const c = new CompositeCondition(Logic.AND);
  for (const sub of conditions) c.addSubCondition(sub);
  return c;
}
export function anyOf(...conditions: ColumnCondition[]): TableStore.CompositeCondition {
  const c = new CompositeCondition(Logic.OR);
  for (const sub of conditions) c.addSubCondition(sub);
  return c;
}
export const rowMustExist = (c?: ColumnCondition): TableStore.Condition =>
  new Condition(RowExp.EXPECT_EXIST, c ?? null);
export const rowMustNotExist = (): TableStore.Condition => new Condition(RowExp.EXPECT_NOT_EXIST, null);
export const long = (n: number): TableStore.Int64 => Long.fromNumber(n);

function isInt64(v: unknown): v is TableStore.Int64 {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Buffer.isBuffer(v) &&
    typeof (v as { toNumber?: unknown }).toNumber === 'function'
  );
}

/** Typed access to a decoded row's attribute columns; wrong types are reported, never coerced. */
export class Columns {
  private readonly values = new Map<string, TableStore.ColumnValue>();
  constructor(
    private readonly where: string,
    row: TableStore.Row,
  ) {
    for (const a of row.attributes ?? []) this.values.set(a.columnName, a.columnValue);
  }

  static of(where: string, row: TableStore.Row | undefined): Columns | undefined {
    return row?.primaryKey !== undefined && row.primaryKey.length > 0 ? new Columns(where, row) : undefined;
  }

  private corrupt(name: string, problem: string): StoreError {
    return new StoreError(
      `${this.where}: column ${JSON.stringify(name)} ${problem}; the row was not written by havip (or by an incompatible version) — inspect it and delete it if it is stray`,
      { details: { row: this.where, column: name } },
    );
  }

  int(name: string): number | undefined {
    const v = this.values.get(name);
    if (v === undefined) return undefined;
    if (!isInt64(v)) throw this.corrupt(name, `has a ${typeof v} value, expected INTEGER`);
    return v.toNumber();
  }
  str(name: string): string | undefined {
    const v = this.values.get(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw this.corrupt(name, 'is not a STRING');
    return v;
  }
  bool(name: string): boolean | undefined {
    const v = this.values.get(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') throw this.corrupt(name, 'is not a BOOLEAN');
    return v;
  }
  reqInt(name: string): number {
    const v = this.int(name);
    if (v === undefined) throw this.corrupt(name, 'is missing');
    return v;
  }
  reqStr(name: string): string {
    const v = this.str(name);
    if (v === undefined) throw this.corrupt(name, 'is missing');
    return v;
  }
  reqBool(name: string): boolean {
    const v = this.bool(name);
    if (v === undefined) throw this.corrupt(name, 'is missing');
    return v;
  }
}

/** The string value of a row's `index`-th primary key column. */
export function pkString(row: TableStore.Row, index: number): string | undefined {
  const v = row.primaryKey?.[index]?.value;
  return typeof v === 'string' ? v : undefined;
}
