/**
 * Summaries of repeated measurements. The machine running the benchmarks is shared and noisy, so
 * every figure is reported as a median with its spread (p10–p90 and min–max), never as a single run.
 */

/** A summary of repeated samples of one quantity. */
export interface Summary {
  readonly n: number;
  readonly median: number;
  readonly p10: number;
  readonly p90: number;
  readonly min: number;
  readonly max: number;
}

/** The `q` quantile (0–1) of ascending-sorted samples, linearly interpolated between neighbours. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

/** Median and spread of `samples`; NaN figures for an empty list. */
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: quantile(sorted, 0.5),
    p10: quantile(sorted, 0.1),
    p90: quantile(sorted, 0.9),
    min: sorted[0] ?? Number.NaN,
    max: sorted.at(-1) ?? Number.NaN,
  };
}

/** A number with a sensible number of decimals for a table cell. */
export function fmt(v: number, digits?: number): string {
  if (!Number.isFinite(v)) return '—';
  const d = digits ?? (Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2);
  return v.toFixed(d);
}

/** `median (p10–p90)` of a summary, with a unit suffix. */
export function fmtSummary(s: Summary, unit = '', digits?: number): string {
  return `${fmt(s.median, digits)}${unit} (${fmt(s.p10, digits)}–${fmt(s.p90, digits)})`;
}

/** Renders rows as a fixed-width text table (first row = header). */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) {
    r.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, c.length);
    });
  }
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const [head, ...body] = rows;
  if (head === undefined) return '';
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** One line of the final summary: a measured figure next to its target. */
export interface SummaryRow {
  readonly bench: string;
  readonly metric: string;
  readonly value: string;
  readonly target: string;
  /** `undefined` when the figure has no target (reported for information). */
  readonly met: boolean | undefined;
}
