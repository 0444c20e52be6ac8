/**
 * The orchestrator side of the sweep benchmark, run in its own process (bundled with esbuild and started
 * with plain `node`, as on Function Compute) so that its peak RSS is the orchestrator's alone: the
 * simulator lives in the parent. Production wiring: the Alibaba adapter over HTTP, the pino logger on
 * stdout, the log notifier, default engine options; the store is SQLite in memory.
 *
 * Protocol (IPC): → `{ type: 'loaded' }`; for each sweep ← `{ type: 'go' }` → `{ type: 'swept', … }`;
 * finally → `{ type: 'done', maxRssKb }` and exit. Settings come from the environment (see below).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createAlibabaCloudApi } from '../shared/adapters/alibaba/index.js';
import { createLogger } from '../shared/adapters/logger/index.js';
import { createSqliteStore } from '../shared/adapters/sqlite/index.js';
import { createLogNotifier } from '../shared/adapters/webhook/index.js';
import { assembleRuntime } from '../shared/app/runtime.js';
import { loadTopology } from '../shared/core/config.js';

export type ChildMessage =
  | {
      readonly type: 'loaded';
      readonly loadMs: number;
      readonly groups: number;
      /** RSS once the code is loaded, before the topology is read. */
      readonly bootRssMb: number;
      /** Peak RSS so far: loading and validating the topology included. */
      readonly loadedPeakRssMb: number;
    }
  | {
      readonly type: 'swept';
      readonly ms: number;
      readonly statuses: Readonly<Record<string, number>>;
      /** A few failed results (group, code, message), when any failed. */
      readonly failed: readonly { group: string; code: string; message: string }[];
      /** Set when the sweep itself rejected (nothing was reconciled). */
      readonly error?: string;
      readonly rssMb: number;
      /** CPU time (user + system) the orchestrator process spent in the sweep. */
      readonly cpuMs: number;
      readonly heapUsedMb: number;
    }
  | { readonly type: 'done'; readonly maxRssKb: number };

function send(m: ChildMessage): Promise<void> {
  return new Promise((resolve, reject) =>
    process.send?.(m, undefined, {}, (e: Error | null) => (e ? reject(e) : resolve())),
  );
}

function nextGo(): Promise<boolean> {
  return new Promise((resolve) => {
    const onMessage = (m: unknown) => {
      process.off('disconnect', onGone);
      resolve((m as { type?: string }).type === 'go');
    };
    const onGone = () => resolve(false);
    process.once('message', onMessage);
    process.once('disconnect', onGone);
  });
}

async function main(): Promise<void> {
  const topologyFile = process.env.BENCH_TOPOLOGY_FILE;
  const endpoint = process.env.BENCH_CLOUD_ENDPOINT;
  const sweeps = Number(process.env.BENCH_SWEEPS ?? '2');
  if (!topologyFile || !endpoint)
    throw new Error('BENCH_TOPOLOGY_FILE and BENCH_CLOUD_ENDPOINT are required');

  const bootRssMb = process.memoryUsage().rss / 2 ** 20;
  const t0 = performance.now();
  const text = readFileSync(topologyFile, 'utf8');
  const { topology } = loadTopology(process.env.BENCH_TOPOLOGY_FORMAT === 'json' ? JSON.parse(text) : text, {
    source: topologyFile,
  });
  const logger = createLogger({ level: 'info' });
  const store = createSqliteStore({ path: ':memory:' });
  const runtime = assembleRuntime({
    topology,
    cloud: createAlibabaCloudApi({
      credentials: { accessKeyId: 'bench-key', accessKeySecret: 'bench-secret' },
      endpoints: { override: endpoint },
      protocol: 'http',
    }),
    store,
    notifier: createLogNotifier(logger),
    logger,
  });
  await send({
    type: 'loaded',
    loadMs: performance.now() - t0,
    groups: topology.groups.length,
    bootRssMb,
    loadedPeakRssMb: process.resourceUsage().maxRSS / 1024,
  });

  for (let k = 0; k < sweeps; k++) {
    if (!(await nextGo())) break;
    const start = performance.now();
    const cpu0 = process.cpuUsage();
    const resources = () => {
      const cpu = process.cpuUsage(cpu0);
      const mem = process.memoryUsage();
      return {
        cpuMs: (cpu.user + cpu.system) / 1000,
        rssMb: mem.rss / 2 ** 20,
        heapUsedMb: mem.heapUsed / 2 ** 20,
      };
    };
    let message: ChildMessage;
    try {
      const results = await runtime.engine.sweep({
        invocationId: `bench-sweep-${k}`,
        // The timer function's budget: a 60 s timeout minus the default 5 s margin.
        deadline: Date.now() + 55_000,
      });
      const ms = performance.now() - start;
      const statuses: Record<string, number> = {};
      for (const r of results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      const failed = results
        .filter((r) => r.status === 'failed')
        .slice(0, 3)
        .map((r) => ({ group: r.group, code: r.error?.code ?? '?', message: r.error?.message ?? '' }));
      message = { type: 'swept', ms, statuses, failed, ...resources() };
    } catch (e) {
      message = {
        type: 'swept',
        ms: performance.now() - start,
        statuses: {},
        failed: [],
        error: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
        ...resources(),
      };
    }
    await send(message);
  }
  await store.close();
  await send({ type: 'done', maxRssKb: process.resourceUsage().maxRSS });
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`sweep child: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
