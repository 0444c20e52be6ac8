/**
 * esbuild plugins of the Function Compute bundles, shared by scripts/build.mjs and the benchmarks that
 * bundle the way it does (bench/sweep.ts).
 *
 * - {@link lazySdkRequires}: `@darabonba/typescript`, the runtime of `@alicloud/openapi-core`, requires
 *   WebSocket, proxy-agent, XML, date and lodash packages when it is loaded, although a signed JSON call
 *   (all the adapter makes) uses none of them. Each such `require()` gets a stand-in that loads the
 *   package on first use, so a cold start neither compiles nor runs them (about a quarter of the
 *   client's load time, and 4–6 MB of RSS; docs/performance.md, "Cold start").
 * - {@link appChunk}: the entry points in `functions/` load the application with `import()` on their
 *   first invocation. This plugin turns those imports into `require('./app.js')`, a second bundle next
 *   to `index.js`, so that loading `index.js` (what Function Compute does before the first invocation
 *   reaches the handler) reads and compiles a few kilobytes instead of the whole application.
 */
import path from 'node:path';

/** Packages required by `@darabonba/typescript` at load time that the adapter's calls never use. */
export const LAZY_SDK_REQUIRES = Object.freeze([
  'ws',
  'socks-proxy-agent',
  'https-proxy-agent',
  'http-proxy-agent',
  'xml2js',
  'moment',
  'lodash',
]);

/** Only these packages' `require()` calls are deferred: their code reads the modules by property. */
const LAZY_IMPORTERS = /node_modules[\\/]@darabonba[\\/]typescript[\\/]/;

/**
 * A module that stands for `require(<real>)` and loads it on first use. It claims `__esModule`, so that
 * TypeScript's `__importStar` / `__importDefault` helpers keep it as is instead of copying its keys (which
 * would load it at once); `.default` of a CommonJS package is the package itself, as those helpers make it.
 */
function standIn(real) {
  return `let real;
const load = () => (real === undefined ? (real = require(${JSON.stringify(real)})) : real);
module.exports = new Proxy(function lazyRequire() {}, {
  get: (_t, key) => {
    if (key === '__esModule') return true;
    const m = load();
    return key === 'default' && !(m && m.__esModule) ? m : m[key];
  },
  has: (_t, key) => key === '__esModule' || key in load(),
  apply: (_t, self, args) => Reflect.apply(load(), self, args),
  construct: (_t, args) => Reflect.construct(load(), args),
});
`;
}

/**
 * What esbuild would resolve `args` to without our plugins' hooks (they skip `pluginData.real`).
 * @param {import('esbuild').PluginBuild} build
 * @param {import('esbuild').OnResolveArgs} args
 */
function resolveAsUsual(build, args) {
  return build.resolve(args.path, {
    kind: args.kind,
    importer: args.importer,
    resolveDir: args.resolveDir,
    pluginData: { real: true },
  });
}

/** @returns {import('esbuild').Plugin} */
export function lazySdkRequires(names = LAZY_SDK_REQUIRES) {
  const filter = new RegExp(`^(${names.map((n) => n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$`);
  return {
    name: 'lazy-sdk-requires',
    setup(build) {
      build.onResolve({ filter }, async (args) => {
        if (args.kind !== 'require-call' || args.pluginData?.real || !LAZY_IMPORTERS.test(args.importer))
          return undefined;
        const real = await resolveAsUsual(build, args);
        if (real.errors.length > 0) return { errors: real.errors };
        return { path: real.path, namespace: 'lazy-sdk-require' };
      });
      build.onLoad({ filter: /.*/, namespace: 'lazy-sdk-require' }, (args) => ({
        contents: standIn(args.path),
        resolveDir: path.dirname(args.path),
        loader: 'js',
      }));
    },
  };
}

/**
 * For an entry point in `functions/`: every `import()` of a module under `shared/app/` becomes
 * `require('./app.js')`, and the module's path is added to `modules`; build `app.js` from those with
 * {@link appEntry}. A static import of `shared/app/` from the entry is refused: it would pull the
 * application back into `index.js`.
 *
 * @param {string} root the repository
 * @param {Set<string>} modules receives the absolute paths of the modules `app.js` must export
 * @returns {import('esbuild').Plugin}
 */
export function appChunk(root, modules) {
  const appDir = path.join(root, 'shared', 'app') + path.sep;
  const functionsDir = path.join(root, 'functions') + path.sep;
  return {
    name: 'app-chunk',
    setup(build) {
      build.onResolve({ filter: /shared\/app\// }, async (args) => {
        if (args.pluginData?.real || !args.importer.startsWith(functionsDir)) return undefined;
        const real = await resolveAsUsual(build, args);
        if (real.errors.length > 0) return { errors: real.errors };
        if (!real.path.startsWith(appDir)) return undefined;
        if (args.kind !== 'dynamic-import')
          return {
            errors: [
              {
                text: `${path.relative(root, args.importer)} imports ${args.path} statically; load the application with import() so that index.js stays small (see functions/bootstrap.ts)`,
              },
            ],
          };
        modules.add(real.path);
        return { path: './app.js', external: true };
      });
    },
  };
}

/** The source of `app.js`: everything the entry point loads lazily, as one module. */
export function appEntry(modules) {
  return [...modules]
    .sort()
    .map((m) => `export * from ${JSON.stringify(m)};`)
    .join('\n');
}
