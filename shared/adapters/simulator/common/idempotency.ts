/**
 * Idempotency tokens (`ClientToken`): the first successful call with a token is remembered with a
 * fingerprint of its parameters; a repeat with the same fingerprint gets the remembered answer without
 * a second effect, a repeat with other parameters is refused. A failed call is not remembered, so a
 * retry after an error runs again. The oldest tokens are forgotten first once `max` are kept.
 */

export class IdempotencyCache<R> {
  private readonly entries = new Map<string, { readonly fingerprint: string; readonly result: R }>();

  constructor(private readonly max: number) {}

  /**
   * The remembered result for `key`, or the result of `run` (remembered when it returns). Throws what
   * `mismatch` makes when `key` was used with another fingerprint.
   */
  run(key: string, fingerprint: string, run: () => R, mismatch: () => Error): R {
    const prev = this.entries.get(key);
    if (prev !== undefined) {
      if (prev.fingerprint !== fingerprint) throw mismatch();
      return prev.result;
    }
    const result = run();
    this.entries.set(key, { fingerprint, result });
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string);
    return result;
  }
}

/** A fingerprint of request parameters that ignores their order and the parameter `without` (the token). */
export function fingerprintOf(params: Readonly<Record<string, string>>, without: string): string {
  return JSON.stringify(
    Object.entries(params)
      .filter(([k]) => k !== without)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}
