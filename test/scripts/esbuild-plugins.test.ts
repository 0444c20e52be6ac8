/**
 * The esbuild plugins of the Function Compute bundles, on small fixture trees: a deferred SDK require
 * runs its package on first use only, and an entry point's import() of shared/app becomes app.js.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { appChunk, appEntry, lazySdkRequires } from '../../scripts/esbuild-plugins.mjs';

const root = mkdtempSync(join(tmpdir(), 'havip-esbuild-plugins-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function files(tree: Record<string, string>): void {
  for (const [path, text] of Object.entries(tree)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

files({
  // Stands for @darabonba/typescript: requires lodash at load time, uses it only when called.
  'node_modules/@darabonba/typescript/index.js':
    'const _ = require("lodash"); exports.pick = (o) => _.marker(o);',
  'node_modules/lodash/index.js': 'globalThis.loads.push("lodash"); exports.marker = (o) => "picked " + o;',
  'sdk-user.js': 'module.exports = require("@darabonba/typescript");',
  'functions/x.ts': 'export const handler = async () => (await import("../shared/app/y.js")).answer();',
  'functions/static.ts': 'import { answer } from "../shared/app/y.js"; export const handler = answer;',
  'shared/app/y.ts': 'export const answer = () => 42;',
});

/** Bundles `entry` and runs it in a fresh context; returns its exports and the packages it loaded. */
async function bundleAndRun(entry: string, plugins: Parameters<typeof build>[0]['plugins']) {
  const out = await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    write: false,
    plugins,
    logLevel: 'silent',
  });
  const sandbox = { module: { exports: {} as Record<string, (o: string) => string> }, loads: [] as string[] };
  runInNewContext(`${out.outputFiles[0]?.text}`, {
    ...sandbox,
    exports: sandbox.module.exports,
    globalThis: sandbox,
  });
  return sandbox;
}

describe('lazySdkRequires', () => {
  it('runs a package required by the SDK runtime on its first use, not when the bundle loads', async () => {
    const lazy = await bundleAndRun('sdk-user.js', [lazySdkRequires(['lodash'])]);
    expect(lazy.loads).toEqual([]);
    expect(lazy.module.exports.pick?.('a')).toBe('picked a');
    expect(lazy.loads).toEqual(['lodash']);
  });

  it('changes nothing without the plugin (the fixture does load lodash eagerly)', async () => {
    const eager = await bundleAndRun('sdk-user.js', []);
    expect(eager.loads).toEqual(['lodash']);
  });
});

describe('appChunk', () => {
  it("turns an entry point's import() of shared/app into require('./app.js') and names the module", async () => {
    const modules = new Set<string>();
    const out = await build({
      entryPoints: [join(root, 'functions/x.ts')],
      bundle: true,
      format: 'cjs',
      platform: 'node',
      write: false,
      supported: { 'dynamic-import': false },
      plugins: [appChunk(root, modules)],
      logLevel: 'silent',
    });
    const code = out.outputFiles[0]?.text ?? '';
    expect(code).toContain('require("./app.js")');
    expect(code).not.toContain('=> 42');
    expect([...modules]).toEqual([join(root, 'shared/app/y.ts')]);
    expect(appEntry(modules)).toBe(`export * from ${JSON.stringify(join(root, 'shared/app/y.ts'))};`);
  });

  it('refuses a static import of shared/app from an entry point, saying why', async () => {
    const failure = build({
      entryPoints: [join(root, 'functions/static.ts')],
      bundle: true,
      write: false,
      plugins: [appChunk(root, new Set())],
      logLevel: 'silent',
    });
    await expect(failure).rejects.toThrow(
      /imports \.\.\/shared\/app\/y\.js statically; load the application with import\(\)/,
    );
  });
});
