/** Typo suggestions for keys and enum values: "did you mean haVipId?". */

/** The closest candidate, if it is close enough to be a plausible typo. */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  const a = normalise(input);
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const b = normalise(c);
    const d = typoDistance(a, b);
    if (
      d <= Math.max(1, Math.floor(Math.max(a.length, b.length) / 4)) &&
      (best === undefined || d < best.d)
    ) {
      best = { c, d };
    }
  }
  return best?.c;
}

/** Case, dashes, underscores and spaces do not count as typos (`cloud_assistant` is `cloud-assistant`). */
function normalise(s: string): string {
  return s.toLowerCase().replace(/[-_\s]/g, '');
}

/** How far apart two normalised names are, counting a prefix or an abbreviation as close. */
function typoDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (Math.min(a.length, b.length) >= 4 && (a.startsWith(b) || b.startsWith(a))) return 1;
  // A misspelt abbreviation of a longer key (`intervl` for `intervalSeconds`).
  if (a.length >= 5 && a.length < b.length && editDistance(a, b.slice(0, a.length)) <= 1) return 2;
  return editDistance(a, b);
}

/** Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i]!;
      let v = Math.min(d[i - 1]![j]! + 1, row[j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      row[j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
