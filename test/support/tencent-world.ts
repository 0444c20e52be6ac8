/**
 * An engine on Tencent groups: the in-memory Tencent fake, an in-memory SQLite store, the system clock.
 * The Alibaba port is one that fails every call, so a Tencent group reaching Alibaba fails the test.
 */
import { createMemoryLogger } from '../../shared/adapters/logger/index.js';
import { createSqliteStore } from '../../shared/adapters/sqlite/index.js';
import { systemClock } from '../../shared/app/runtime.js';
import { loadTopology } from '../../shared/core/config.js';
import { Engine, type EngineOptions, type ReconcileResult, type Trigger } from '../../shared/core/engine.js';
import type { Group, ManualRequest, Topology } from '../../shared/core/model.js';
import type { CloudApi, StateStore } from '../../shared/core/ports.js';
import { TencentFake, type TencentFakeOptions } from './tencent-fake.js';
import { FAST_ENGINE, RecordingNotifier } from './world.js';

/** The Alibaba port of a Tencent-only world: any call is a bug. */
export const UNREACHABLE_ALIBABA: CloudApi = new Proxy({} as CloudApi, {
  get: (_t, name) => () => Promise.reject(new Error(`Alibaba ${String(name)} called for a Tencent group`)),
});

export interface TencentWorld {
  readonly fake: TencentFake;
  readonly topology: Topology;
  readonly group: Group;
  readonly store: StateStore;
  readonly notifier: RecordingNotifier;
  readonly engine: Engine;
  reconcile(
    trigger?: Trigger,
    extra?: { manual?: ManualRequest; deadlineMs?: number },
  ): Promise<ReconcileResult>;
  close(): Promise<void>;
}

export function createTencentWorld(
  yaml: string,
  seed: (fake: TencentFake) => void,
  opts: { fake?: TencentFakeOptions; engine?: Partial<EngineOptions>; store?: StateStore } = {},
): TencentWorld {
  const { topology } = loadTopology(yaml, { source: 'tencent test topology' });
  const fake = new TencentFake(opts.fake);
  seed(fake);
  const store = opts.store ?? createSqliteStore({ path: ':memory:' });
  const notifier = new RecordingNotifier();
  const engine = new Engine(
    {
      cloud: UNREACHABLE_ALIBABA,
      tencent: fake,
      store,
      notifier,
      clock: systemClock,
      logger: createMemoryLogger(),
      random: () => 0.5,
    },
    topology,
    { ...FAST_ENGINE, ...opts.engine },
  );
  const group = topology.groups[0] as Group;
  let n = 0;
  return {
    fake,
    topology,
    group,
    store,
    notifier,
    engine,
    reconcile: (trigger = 'sweep', extra = {}) =>
      engine.reconcile({
        group: group.name,
        trigger,
        invocationId: `inv-${++n}`,
        deadline: systemClock.now() + (extra.deadlineMs ?? 10_000),
        manual: extra.manual,
      }),
    close: () => store.close(),
  };
}
