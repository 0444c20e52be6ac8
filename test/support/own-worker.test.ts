import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadsFcEntryPoint, OWN_WORKER_SUITES } from './own-worker.js';

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );
}

describe('suites in a worker of their own', () => {
  it('lists every test file that loads an FC entry point, and only existing files', () => {
    const loading = testFiles('test').filter((f) => loadsFcEntryPoint(readFileSync(f, 'utf8')));
    expect(loading.sort()).toEqual([...OWN_WORKER_SUITES].sort());
  });

  it('recognises an FC entry point import, not an SCF one', () => {
    const loads = (line: string) => loadsFcEntryPoint(`const a = 1;\n${line}\n`);
    expect(loads("  h = (await import('../../functions/on-ecs-event.js')).handler;")).toBe(true);
    expect(loads("import { handler } from '../functions/http-api.ts';")).toBe(true);
    expect(loads("  h = (await import('../../functions/scf/timer.js')).main_handler;")).toBe(false);
    expect(loads("import { x } from '../../shared/app/runtime.js';")).toBe(false);
    // a fixture string that holds such an import (test/layers.test.ts) loads nothing
    expect(loads(`  ['shared/x.ts', "import { h } from '../../functions/on-timer.js';"],`)).toBe(false);
  });
});
