/**
 * History for stale reads: a map that keeps, per entry, the versions of the last `keepMs`, so "the
 * entries as they were N ms ago" is exact while memory grows with the number of changes in the window,
 * not with the number of changes times the size of the map.
 */

/** A map that remembers the versions of each entry, committed at points in time. */
export class VersionedMap<V> extends Map<string, V> {
  private readonly dirty = new Set<string>();
  private readonly versions = new Map<string, { at: number; value: V | undefined }[]>();

  override set(key: string, value: V): this {
    this.dirty.add(key);
    return super.set(key, value);
  }

  override delete(key: string): boolean {
    this.dirty.add(key);
    return super.delete(key);
  }

  /** Records the current value of every entry changed since the last commit as its version at `at`. */
  commit(at: number, keepFrom: number): void {
    for (const key of this.dirty) {
      const list = this.versions.get(key) ?? [];
      const value = super.get(key);
      const last = list.at(-1);
      if (last !== undefined && last.at === at) last.value = value;
      else list.push({ at, value });
      // Keep the last version at or before the window start: it is the state at the window start.
      while (list.length > 1 && list[1]!.at <= keepFrom) list.shift();
      this.versions.set(key, list);
    }
    this.dirty.clear();
  }

  /** The entries as they were at time `t`. */
  at(t: number): Map<string, V> {
    const out = new Map<string, V>();
    for (const [key, list] of this.versions) {
      let found: V | undefined;
      for (const v of list) {
        if (v.at > t) break;
        found = v.value;
      }
      if (found !== undefined) out.set(key, found);
    }
    return out;
  }
}
