/**
 * vitest global setup: an empty directory for this run's shared build (test/support/shared-build.ts),
 * removed when the run ends. Creating it costs nothing; the build happens only if a suite asks for it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where this run's shared build goes. */
    sharedBuildDir: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'havip-test-build-'));
  project.provide('sharedBuildDir', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
