/**
 * A setup file (`vitest.config.ts`): test files share worker processes, so whatever one file sets in
 * `process.env` is put back when it ends, before the next file in that worker starts.
 */
import { afterAll } from 'vitest';

const before = { ...process.env };

afterAll(() => {
  for (const name of Object.keys(process.env)) if (!(name in before)) delete process.env[name];
  Object.assign(process.env, before);
});
