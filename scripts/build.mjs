#!/usr/bin/env node
/**
 * Bundles every Function Compute handler in `functions/` into `<outdir>/<name>/` for `s deploy`.
 *
 *   node scripts/build.mjs [--outdir dist] [--topology <file>] [--measure] [--runs 7] [--json]
 *
 * - One directory per handler (every `functions/*.ts` except `bootstrap.ts`) with two CommonJS files,
 *   platform node, target node20, minified, with source maps, plus a `package.json` saying
 *   `"type": "commonjs"` so that Node (on Function Compute or anywhere else) never mistakes them for ES
 *   modules. `handler: index.handler` loads `index.js` (the entry point, 1–2 KiB) and calls its exported
 *   `handler`, which loads `app.js` (the application) on the first invocation: the entry point's
 *   `import()`s of `shared/app` become `require('./app.js')` (scripts/esbuild-plugins.mjs), so Function
 *   Compute's load of the handler file before the first invocation costs what a bare `node` costs.
 * - Why CommonJS and not an `.mjs` ES module (which Function Compute also loads on nodejs18 and later):
 *   the Tablestore SDK assigns undeclared loop variables (`for (key in …)` in its plain-buffer encoder,
 *   `for (sub in …)` in its request encoder). That works only in sloppy mode, as Node runs the package
 *   from node_modules; an ES module is always strict, and so is a CommonJS bundle of our TypeScript
 *   (esbuild emits "use strict" for it, following tsconfig's `strict`). Either fails with
 *   "key is not defined" on the first row written.
 * - So the Tablestore SDK is bundled on its own, from its plain CommonJS entry, into
 *   `<name>/node_modules/tablestore/index.js` (no "use strict" at the top: the SDK runs in sloppy mode as
 *   it does unbundled), and the handler bundle keeps `require("tablestore")` external. Node resolves that
 *   to the copy next to the handler before any global module path, so Function Compute's preinstalled
 *   (older) tablestore is never picked up. Side effect: the SDK is only read when the store is built.
 * - `better-sqlite3` stays external: it is a native module and the deployed functions use Tablestore. The
 *   SQLite store is still bundled and fails with "cannot find module 'better-sqlite3'" only if someone
 *   selects HAVIP_STORE=sqlite on Function Compute.
 * - `--topology <file>` checks a topology (YAML or JSON: syntax, schema and static rules, as the
 *   functions do) and writes it into every bundle as `topology.json`, for topologies too big for an
 *   environment variable (Function Compute allows 4 KB of variables per function): point
 *   HAVIP_TOPOLOGY_FILE at `/code/topology.json`, where Function Compute unpacks the code. The functions
 *   read a `.json` file with `JSON.parse`, a tenth of the YAML parser's time and transient memory
 *   (docs/performance.md, "Sweep scale"); a broken topology fails the build instead of every invocation.
 * - `--measure` starts fresh `node` processes that only load each bundle and reports the median wall
 *   time and peak RSS next to a bare `node` doing nothing, plus what loading the Tablestore SDK adds.
 *
 * - The Tencent SCF entry points (`functions/scf/*.ts`, docs/tencent-deployment.md) are bundled with the
 *   same settings, side by side into one code package: `<outdir>/scf/<name>.js`, one self-contained file
 *   each (`handler: <name>.main_handler` in serverless.yml; SCF looks for the file at the package root),
 *   without the Tablestore SDK: on SCF the state goes to PostgreSQL. They import `shared/app` statically
 *   (the two-file split above is Function Compute's); `--topology` writes `scf/topology.json` too.
 * - The host agent (`havip agent`, docs/agent.md) is bundled on its own into `<outdir>/agent/havip-agent.cjs`:
 *   one CommonJS file with every dependency inside and a `#!/usr/bin/env node` line, which runs on
 *   Node >= 20 without node_modules (copy it to a member host and run it).
 *
 * Exit code 0 on success, 1 when esbuild fails, 2 for bad arguments.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { appChunk, appEntry, lazySdkRequires } from './esbuild-plugins.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FUNCTIONS_DIR = path.join(ROOT, 'functions');
const SCF_DIR = path.join(FUNCTIONS_DIR, 'scf');
/** Shared by the entry points, not an entry point itself. */
const NOT_HANDLERS = new Set(['bootstrap']);

function usage(message) {
  process.stderr.write(
    `build: ${message}\nusage: node scripts/build.mjs [--outdir <dir>] [--topology <file>] [--measure] [--runs <n>] [--json]\n`,
  );
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { outdir: path.join(ROOT, 'dist'), topology: undefined, measure: false, runs: 7, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--outdir') {
      const v = argv[++i];
      if (!v) usage('--outdir needs a directory');
      opts.outdir = path.resolve(v);
    } else if (a === '--topology') {
      const v = argv[++i];
      if (!v) usage('--topology needs a file');
      opts.topology = path.resolve(v);
      if (!existsSync(opts.topology)) usage(`--topology: ${v} does not exist`);
    } else if (a === '--measure') {
      opts.measure = true;
    } else if (a === '--runs') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1 || n > 50) usage('--runs must be a whole number from 1 to 50');
      opts.runs = n;
    } else if (a === '--json') {
      opts.json = true;
    } else {
      usage(`unknown argument ${JSON.stringify(a)}`);
    }
  }
  return opts;
}

/**
 * The build empties its output directory first, so it must never point at the sources, the repository,
 * or an unrelated folder: inside the repository only `dist/…` is accepted; outside it, a directory that
 * does not exist, is empty, or holds an earlier build (its `build-report.json`).
 */
async function checkOutdir(outdir) {
  const rel = path.relative(ROOT, outdir);
  const inside = rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  if (inside) {
    if (!/^dist(\/|$)/.test(rel))
      usage(`refusing to clean ${outdir}: inside the repository only dist/ may be used`);
    return;
  }
  const up = path.relative(outdir, ROOT);
  if (up === '' || (!up.startsWith('..') && !path.isAbsolute(up)))
    usage(`refusing to clean ${outdir}: it contains the repository`);
  if (!existsSync(outdir)) return;
  const entries = await readdir(outdir);
  if (entries.length > 0 && !entries.includes('build-report.json'))
    usage(`refusing to clean ${outdir}: it is not empty and holds no earlier build (no build-report.json)`);
}

/** Handler names: `<dir>/<name>.ts` except the shared bootstrap. */
async function handlerNames(dir = FUNCTIONS_DIR) {
  const files = await readdir(dir);
  return files
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => f.slice(0, -3))
    .filter((n) => !NOT_HANDLERS.has(n))
    .sort();
}

/** What every Function Compute bundle is built with (see the notes at the top). */
const HANDLER_BUILD = {
  absWorkingDir: ROOT,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  sourcemap: true,
  // The map points at the repository's sources; embedding them would double the upload for nothing.
  sourcesContent: false,
  external: ['better-sqlite3', 'tablestore'],
  metafile: true,
  logLevel: 'silent',
};

/** `index.js` (the entry point, loaded by Function Compute) and `app.js` (loaded by the first invocation). */
async function bundleOne(name, outdir) {
  const dir = path.join(outdir, name);
  const outfile = path.join(dir, 'index.js');
  const appFile = path.join(dir, 'app.js');
  const lazy = new Set();
  const entry = await build({
    ...HANDLER_BUILD,
    entryPoints: [path.join(FUNCTIONS_DIR, `${name}.ts`)],
    outfile,
    plugins: [appChunk(ROOT, lazy)],
    // `import('./app.js')` as `require('./app.js')`: the CommonJS loader, not the ES module loader.
    supported: { 'dynamic-import': false },
  });
  if (lazy.size === 0)
    throw new Error(`${name}: functions/${name}.ts loads nothing from shared/app with import()`);
  const app = await build({
    ...HANDLER_BUILD,
    stdin: { contents: appEntry(lazy), resolveDir: ROOT, sourcefile: `${name}-app.js`, loader: 'js' },
    outfile: appFile,
    // Strict like every module of ours in it (index.js gets this from tsconfig; a JS entry does not).
    banner: { js: '"use strict";' },
    plugins: [lazySdkRequires()],
  });
  for (const w of [...entry.warnings, ...app.warnings])
    process.stderr.write(`build: ${name}: warning: ${w.text}\n`);
  const sdkBytes = await bundleTablestore(dir);
  await writeFile(path.join(dir, 'package.json'), `${JSON.stringify({ type: 'commonjs', private: true })}\n`);
  const entryBytes = (await stat(outfile)).size;
  const appBytes = (await stat(appFile)).size;
  const mapBytes = (await stat(`${outfile}.map`)).size + (await stat(`${appFile}.map`)).size;
  return {
    name,
    dir,
    outfile,
    entryBytes,
    appBytes,
    codeBytes: entryBytes + appBytes,
    totalBytes: entryBytes + appBytes + mapBytes,
    tablestoreBytes: sdkBytes,
    // Which packages make up the application: where to look when the cold start grows.
    largest: largestPackages(app.metafile, appFile),
  };
}

/** The packages in one output file, largest first. */
function largestPackages(metafile, file) {
  const byPackage = new Map();
  for (const [input, info] of Object.entries(metafile.outputs[path.relative(ROOT, file)]?.inputs ?? {})) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const key = m ? m[1] : input.split('/').slice(0, 2).join('/');
    byPackage.set(key, (byPackage.get(key) ?? 0) + info.bytesInOutput);
  }
  return [...byPackage.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([pkg, bytes]) => ({ pkg, bytes }));
}

/**
 * `<outdir>/scf/<name>.js`: one self-contained file per SCF entry point, side by side in one code package
 * (SCF loads `<name>.js` from the package root). The FC entry/app split is not applied: the SCF entry
 * points import `shared/app` statically, and a per-function `app.js` could not share one directory.
 */
async function bundleScf(name, outdir) {
  const dir = path.join(outdir, 'scf');
  const outfile = path.join(dir, `${name}.js`);
  const result = await build({
    ...HANDLER_BUILD,
    entryPoints: [path.join(SCF_DIR, `${name}.ts`)],
    outfile,
    plugins: [lazySdkRequires()],
  });
  for (const w of result.warnings) process.stderr.write(`build: scf/${name}: warning: ${w.text}\n`);
  await writeFile(path.join(dir, 'package.json'), `${JSON.stringify({ type: 'commonjs', private: true })}\n`);
  const codeBytes = (await stat(outfile)).size;
  const mapBytes = (await stat(`${outfile}.map`)).size;
  return {
    name,
    dir,
    outfile,
    codeBytes,
    totalBytes: codeBytes + mapBytes,
    largest: largestPackages(result.metafile, outfile),
  };
}

/**
 * The topology file as JSON, checked by the project's own parser and rules (bundled for the occasion):
 * exits 2 naming every problem, as the functions would at start-up.
 */
async function topologyAsJson(file) {
  const out = await build({
    stdin: {
      contents: `export { parseYaml } from './shared/core/config/yaml.ts'; export { loadTopology } from './shared/core/config.ts';`,
      resolveDir: ROOT,
      loader: 'ts',
    },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    write: false,
    logLevel: 'silent',
  });
  const mod = { exports: {} };
  new Function('module', 'exports', 'require', out.outputFiles[0].text)(
    mod,
    mod.exports,
    createRequire(import.meta.url),
  );
  const { parseYaml, loadTopology } = mod.exports;
  const text = await readFile(file, 'utf8');
  const parsed = parseYaml(text);
  try {
    if (!parsed.ok) loadTopology(text, { source: file }); // throws with the syntax findings
    loadTopology(parsed.value, { source: file });
  } catch (e) {
    usage(`--topology: ${e.message}`); // the message lists every problem with its hint
  }
  return `${JSON.stringify(parsed.value)}\n`;
}

/** The host agent as one self-contained file (no node_modules on the member hosts). */
async function bundleAgent(outdir) {
  const outfile = path.join(outdir, 'agent', 'havip-agent.cjs');
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [path.join(ROOT, 'bin', 'havip-agent.ts')],
    outfile,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    minify: true,
    banner: { js: '#!/usr/bin/env node' },
    logLevel: 'silent',
  });
  for (const w of result.warnings) process.stderr.write(`build: agent: warning: ${w.text}\n`);
  await chmod(outfile, 0o755);
  return { file: path.relative(outdir, outfile), bytes: (await stat(outfile)).size };
}

const require = createRequire(import.meta.url);

/** The Tablestore SDK as its own sloppy-mode CommonJS bundle in `<dir>/node_modules/tablestore/`. */
async function bundleTablestore(dir) {
  const entry = require.resolve('tablestore', { paths: [ROOT] });
  const pkg = JSON.parse(await readFile(path.join(path.dirname(entry), 'package.json'), 'utf8'));
  const outDir = path.join(dir, 'node_modules', 'tablestore');
  const outfile = path.join(outDir, 'index.js');
  await build({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    minify: true,
    logLevel: 'silent',
  });
  const head = (await readFile(outfile, 'utf8')).slice(0, 64);
  if (/^\s*["']use strict["']/.test(head))
    throw new Error('the Tablestore bundle starts with "use strict"; the SDK needs sloppy mode');
  await writeFile(
    path.join(outDir, 'package.json'),
    `${JSON.stringify({ name: 'tablestore', version: pkg.version, main: 'index.js', private: true })}\n`,
  );
  return (await stat(outfile)).size;
}

function kib(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** Wall time (ms) and peak RSS (MiB) of one fresh `node -e <script>` (CommonJS). */
function runNode(script, cwd) {
  const t0 = process.hrtime.bigint();
  // /usr/bin/time is not everywhere; the child reports its own peak RSS instead.
  const r = spawnSync(
    process.execPath,
    ['-e', `${script}\nprocess.stdout.write(String(process.resourceUsage().maxRSS));`],
    { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } },
  );
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`measurement failed: ${r.stderr.trim() || `exit ${r.status}`}`);
  return { ms, rssMiB: Number(r.stdout.trim()) / 1024 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Runs every probe once per round, round after round, so that a machine slowing down or speeding up
 * during the measurement affects all probes alike; reports medians.
 */
function measure(results, runs) {
  const probes = [{ key: 'bare', script: '', cwd: ROOT }];
  for (const r of results) {
    const file = path.join(r.dir, 'index.js');
    probes.push({
      key: r.name,
      script: `const m = require(${JSON.stringify(file)}); if (typeof m.handler !== 'function') process.exit(3);`,
      cwd: r.dir,
    });
    // What the first invocation loads on top: the application bundle.
    probes.push({
      key: `${r.name}+app`,
      script: `require(${JSON.stringify(file)}); require(${JSON.stringify(path.join(r.dir, 'app.js'))});`,
      cwd: r.dir,
    });
  }
  // The first invocation also loads the Tablestore SDK (the store is built on first use).
  const first = results[0];
  probes.push({
    key: 'tablestore',
    script: `require(${JSON.stringify(path.join(first.dir, 'node_modules', 'tablestore', 'index.js'))});`,
    cwd: first.dir,
  });
  const samples = new Map(probes.map((p) => [p.key, []]));
  for (let i = 0; i < runs; i++) for (const p of probes) samples.get(p.key).push(runNode(p.script, p.cwd));
  const summary = (key) => {
    const xs = samples.get(key);
    return { ms: median(xs.map((x) => x.ms)), rssMiB: median(xs.map((x) => x.rssMiB)) };
  };
  const bare = summary('bare');
  const delta = (key) => {
    const m = summary(key);
    return { ...m, extraMs: m.ms - bare.ms, extraRssMiB: m.rssMiB - bare.rssMiB };
  };
  return {
    runs,
    bare,
    bundles: results.map((r) => ({ name: r.name, ...delta(r.name), withApp: delta(`${r.name}+app`) })),
    tablestoreSdk: delta('tablestore'),
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const names = await handlerNames();
  if (names.length === 0) usage(`no handlers found in ${FUNCTIONS_DIR}`);
  // Checked before anything is written: a broken topology leaves the previous build in place.
  const topologyJson = opts.topology ? await topologyAsJson(opts.topology) : undefined;
  const scfNames = await handlerNames(SCF_DIR);

  await checkOutdir(opts.outdir);
  await rm(opts.outdir, { recursive: true, force: true });
  await mkdir(opts.outdir, { recursive: true });

  let results;
  let scfResults;
  let agent;
  try {
    [results, scfResults, agent] = await Promise.all([
      Promise.all(names.map((n) => bundleOne(n, opts.outdir))),
      Promise.all(scfNames.map((n) => bundleScf(n, opts.outdir))),
      bundleAgent(opts.outdir),
    ]);
  } catch (e) {
    const errors = e?.errors ?? [];
    for (const err of errors) {
      const loc = err.location ? `${err.location.file}:${err.location.line}: ` : '';
      process.stderr.write(`build: ${loc}${err.text}\n`);
    }
    if (errors.length === 0) process.stderr.write(`build: ${e?.message ?? String(e)}\n`);
    process.exit(1);
  }

  if (topologyJson !== undefined) {
    for (const r of [...results, ...scfResults])
      await writeFile(path.join(r.dir, 'topology.json'), topologyJson);
  }

  for (const r of [...results, ...scfResults]) {
    if (!existsSync(r.outfile)) {
      process.stderr.write(`build: ${r.name}: ${path.basename(r.outfile)} was not written\n`);
      process.exit(1);
    }
  }

  const report = {
    outdir: opts.outdir,
    bundles: results.map(({ dir, outfile, ...rest }) => rest),
    scf: scfResults.map(({ dir, outfile, ...rest }) => rest),
    agent,
    topology: opts.topology ? 'topology.json' : undefined,
    ...(opts.measure ? { coldStart: measure(results, opts.runs) } : {}),
  };
  await writeFile(path.join(opts.outdir, 'build-report.json'), `${JSON.stringify(report, null, 2)}\n`);

  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const rel = path.relative(process.cwd(), opts.outdir) || '.';
  const top = (r) =>
    r.largest
      .slice(0, 4)
      .map((l) => `${l.pkg} ${kib(l.bytes)}`)
      .join(', ');
  for (const r of results) {
    process.stdout.write(
      `${rel}/${r.name}/index.js  ${kib(r.entryBytes)} + app.js ${kib(r.appBytes)}  (with maps ${kib(r.totalBytes)}; largest: ${top(r)}) + node_modules/tablestore ${kib(r.tablestoreBytes)}\n`,
    );
  }
  for (const r of scfResults)
    process.stdout.write(
      `${rel}/scf/${r.name}.js  ${kib(r.codeBytes)}  (with map ${kib(r.totalBytes)}; largest: ${top(r)})\n`,
    );
  process.stdout.write(
    `${rel}/${agent.file}  ${kib(agent.bytes)}  (the host agent: node ${agent.file.split('/').pop()} --help)\n`,
  );
  if (report.coldStart) {
    const c = report.coldStart;
    process.stdout.write(
      `\ncold start: load only, median of ${c.runs} fresh node processes (bare node ${c.bare.ms.toFixed(0)} ms, ${c.bare.rssMiB.toFixed(1)} MiB RSS)\n`,
    );
    for (const b of c.bundles) {
      process.stdout.write(
        `  ${b.name.padEnd(14)} ${b.ms.toFixed(0).padStart(5)} ms (+${b.extraMs.toFixed(0)} ms)  ${b.rssMiB.toFixed(1)} MiB (+${b.extraRssMiB.toFixed(1)} MiB);  with app.js, as after the first invocation: +${b.withApp.extraMs.toFixed(0)} ms, +${b.withApp.extraRssMiB.toFixed(1)} MiB\n`,
      );
    }
    const t = c.tablestoreSdk;
    process.stdout.write(
      `  node_modules/tablestore alone: +${t.extraMs.toFixed(0)} ms, +${t.extraRssMiB.toFixed(1)} MiB (loaded by the first invocation, not by the handler's load)\n`,
    );
  }
}

await main();
