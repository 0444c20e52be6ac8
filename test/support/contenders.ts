/**
 * Separate OS processes racing on one store: each child runs a script with tsx, prints `ready` once it
 * is set up, starts when all are ready (a line on its stdin), and prints its result as JSON on its last
 * line before exiting.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function ready(child: ChildProcessWithoutNullStreams): Promise<void> {
  return new Promise((resolve) => {
    let seen = '';
    const onData = (d: Buffer) => {
      seen += d.toString();
      if (seen.includes('ready\n')) {
        child.stdout.off('data', onData);
        resolve();
      }
    };
    child.stdout.on('data', onData);
  });
}

function finished(child: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`contender exited ${code}: ${err.slice(-2_000)}`)),
    );
  });
}

/** Runs `script` (a path under the repository) once per env, all started together; their JSON results. */
export async function runContenders<R>(
  script: string,
  envs: readonly Record<string, string>[],
): Promise<R[]> {
  const children = envs.map((env) =>
    spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(script, `file://${ROOT}/`))], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
  const outputs = children.map(finished);
  try {
    await Promise.race([Promise.all(children.map(ready)), Promise.all(outputs)]);
  } finally {
    for (const child of children) child.stdin.end('go\n');
  }
  return (await Promise.all(outputs)).map((out) => JSON.parse(out.trim().split('\n').at(-1) ?? 'null') as R);
}
