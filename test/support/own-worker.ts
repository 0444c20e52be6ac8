/**
 * Most test files share long-lived worker processes with other files (`vitest.config.ts`: the forks
 * pool with `isolate: false`), so they share loaded modules. A file that needs modules of its own is
 * listed here and runs in a fresh worker thread of its own (the threads pool, isolated).
 *
 * Who needs one: a file that loads the Function Compute entry points. They keep a warm instance's
 * runtime at module level (functions/bootstrap.ts, functions/http-api.ts), built from `process.env` on
 * the first invocation: two such files in one worker would share one runtime. The list's test checks
 * that it names every such file. (The SCF entry points rebuild theirs when a test replaces the factory.)
 */

/** Test files that run in a worker of their own. */
export const OWN_WORKER_SUITES: readonly string[] = [
  'test/functions/fc-handlers.test.ts',
  'test/corpus/corpus.test.ts',
];

/** `import … from '../functions/x.js'` or `await import('../functions/x.js')`, outside a string. */
const FC_ENTRY_IMPORT =
  /^(?:\s*import\s[^'"`]*\bfrom\s*|[^'"`\n]*\bawait import\(\s*)['"`](?:\.\.\/)+functions\/(?!scf\/)[\w-]+\.(?:js|ts)['"`]/m;

/** Whether a test file's source loads an FC entry point (see above). */
export function loadsFcEntryPoint(source: string): boolean {
  return FC_ENTRY_IMPORT.test(source);
}
