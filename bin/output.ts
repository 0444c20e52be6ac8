/**
 * Output helpers shared by every `havip` command: plain-text tables, `--json` output, findings and
 * exit codes. Commands print through these so that all verbs look and exit alike.
 */
import type { Finding } from '../shared/core/model.js';

/**
 * Process exit codes used by every command:
 * `OK` success (warnings allowed), `FINDINGS` the input or the system has errors,
 * `USAGE` the command could not run (bad arguments, unreadable file).
 */
export const ExitCode = Object.freeze({ OK: 0, FINDINGS: 1, USAGE: 2 } as const);
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Anything with `write(text)`: `process.stdout`, `process.stderr`, or a buffer in tests. */
export interface Sink {
  write(text: string): unknown;
}

/** A table column: a property name of the row, or a header with a function computing the cell. */
export type Column<Row> =
  | (keyof Row & string)
  | { readonly header: string; readonly value: (row: Row) => unknown };

/** A cell as one line of text: `undefined`/`null` are blank, objects are JSON, newlines are folded. */
export function formatCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text =
    typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}

/**
 * Renders rows as an aligned plain-text table with an upper-case header line. Columns are separated
 * by two spaces; the last column is not padded, so long messages do not create trailing blanks.
 */
export function renderTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const headers = columns.map((c) => (typeof c === 'string' ? c : c.header).toUpperCase());
  const cells = rows.map((row) =>
    columns.map((c) =>
      formatCell(typeof c === 'string' ? (row as Record<string, unknown>)[c] : c.value(row)),
    ),
  );
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (parts: readonly string[]) =>
    parts
      .map((p, i) => (i === parts.length - 1 ? p : p.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(headers), ...cells.map(line)].join('\n')}\n`;
}

/** Prints {@link renderTable} to `out` (stdout by default). */
export function printTable<Row>(
  rows: readonly Row[],
  columns: readonly Column<Row>[],
  out: Sink = process.stdout,
): void {
  out.write(renderTable(rows, columns));
}

/** Prints `value` as indented JSON followed by a newline (stdout by default). */
export function printJson(value: unknown, out: Sink = process.stdout): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** The columns findings are shown with; the whole document's path `''` is shown as `(document)`. */
export const FINDING_COLUMNS: readonly Column<Finding>[] = Object.freeze([
  'severity',
  'code',
  { header: 'path', value: (f: Finding) => f.path || '(document)' },
  'message',
  'hint',
]);

/** `2 errors, 1 warning`. */
export function summarizeFindings(findings: readonly Finding[]): string {
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  return `${n(errors, 'error')}, ${n(warnings, 'warning')}`;
}

/** {@link ExitCode.FINDINGS} when any finding is an error, {@link ExitCode.OK} otherwise. */
export function exitCodeForFindings(findings: readonly Finding[]): ExitCode {
  return findings.some((f) => f.severity === 'error') ? ExitCode.FINDINGS : ExitCode.OK;
}

/**
 * Prints findings: with `json`, the array as is (an empty array when clean); otherwise a table and a
 * summary line, or `cleanMessage` when there are none.
 */
export function printFindings(
  findings: readonly Finding[],
  opts: { readonly json: boolean; readonly cleanMessage: string },
  out: Sink = process.stdout,
): void {
  if (opts.json) {
    printJson(findings, out);
    return;
  }
  if (findings.length === 0) {
    out.write(`${opts.cleanMessage}\n`);
    return;
  }
  printTable(findings, FINDING_COLUMNS, out);
  out.write(`\n${summarizeFindings(findings)}\n`);
}

/** Where a command's exit code goes: `process.exitCode` in the CLI, a variable in tests. */
export interface ExitCodeSink {
  readonly setExitCode: (code: ExitCode) => void;
}

/**
 * Reports that a command could not run at all and returns {@link ExitCode.USAGE} for the caller to exit
 * with. It never touches the process, so a command can run inside another program (and inside tests).
 */
export function failUsage(command: string, message: string, hint: string | undefined, err: Sink): ExitCode {
  err.write(`havip ${command}: ${message}\n${hint ? `hint: ${hint}\n` : ''}`);
  return ExitCode.USAGE;
}
