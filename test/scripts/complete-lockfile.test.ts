/**
 * `npm ci` refuses a lock in which an optional dependency has no entry. The registry this project builds
 * against does not serve some platform binaries, so scripts/complete-lockfile.mjs must be run after
 * `npm install`; this test catches a lock written without it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('package-lock.json', () => {
  it('has an entry for every optional dependency (run `node scripts/complete-lockfile.mjs` after npm install)', () => {
    const { packages } = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
      packages: Record<string, { optionalDependencies?: Record<string, string> }>;
    };
    const missing: string[] = [];
    for (const [path, entry] of Object.entries(packages)) {
      for (const dep of Object.keys(entry.optionalDependencies ?? {})) {
        const nested = `${path === '' ? '' : `${path}/`}node_modules/${dep}`;
        if (!(nested in packages) && !(`node_modules/${dep}` in packages))
          missing.push(`${path || '(root)'} → ${dep}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
