/**
 * `npm run build` once per test run for the suites that only read its output (test/deploy/s-yaml.test.ts,
 * the cold-start benchmark's smoke test): about 8 s of esbuild CPU each time it runs. The suites may run
 * at the same moment in different worker processes, so the directory the global setup provides
 * (test/support/build-dir.ts) coordinates them: the first to create `lock/` builds, and writes the report
 * (or the failure); the others wait for it. A suite that builds with other flags builds on its own.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { inject } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BUILD_TIMEOUT_MS = 120_000;

export interface SharedBuild {
  /** `<outdir>/<handler>/index.js`, as `node scripts/build.mjs --outdir <outdir>` writes it. */
  readonly outdir: string;
  /** What `--json` printed. */
  readonly report: { bundles: { name: string }[] };
}

let mine: Promise<SharedBuild> | undefined;

/** This run's build (made by the first caller in any worker). */
export function sharedBuild(): Promise<SharedBuild> {
  mine ??= buildOrWait(inject('sharedBuildDir'));
  return mine;
}

async function buildOrWait(dir: string): Promise<SharedBuild> {
  const outdir = join(dir, 'out');
  const reportFile = join(dir, 'report.json');
  const failureFile = join(dir, 'failure.txt');
  if (claim(join(dir, 'lock'))) {
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [join(ROOT, 'scripts/build.mjs'), '--outdir', outdir, '--json'],
        { cwd: ROOT, maxBuffer: 16 * 1024 * 1024, timeout: BUILD_TIMEOUT_MS },
      );
      publish(reportFile, stdout);
    } catch (e) {
      publish(failureFile, e instanceof Error ? e.message : String(e));
      throw e;
    }
  }
  for (const started = Date.now(); Date.now() - started < BUILD_TIMEOUT_MS; await sleep(100)) {
    if (existsSync(reportFile)) return { outdir, report: JSON.parse(readFileSync(reportFile, 'utf8')) };
    if (existsSync(failureFile))
      throw new Error(`the shared build failed: ${readFileSync(failureFile, 'utf8')}`);
  }
  throw new Error(`the shared build in ${dir} did not finish within ${BUILD_TIMEOUT_MS} ms`);
}

/** Creates `lock` atomically: true for the one caller that made it. */
function claim(lock: string): boolean {
  try {
    mkdirSync(lock);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/** Writes a file whole or not at all, so that a waiting reader never sees half of it. */
function publish(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}
