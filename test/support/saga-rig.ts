/**
 * A saga runner over fakes with real semantics: the simulator behind our Alibaba adapter (in-process
 * transport: the wire format without the socket), an in-memory SQLite store holding the group's lease,
 * and one ordered log of what reached the store and the cloud — so a test can check that the journal
 * and the fence come before every mutation, and which ClientToken each attempt carried.
 */
import { ACTION_OF } from '../../bench/lib/recording-cloud.js';
import { createAlibabaCloudApi } from '../../shared/adapters/alibaba/index.js';
import { createMemoryLogger } from '../../shared/adapters/logger/index.js';
import { SimulatedCloud, seedFromTopology } from '../../shared/adapters/simulator/index.js';
import { createSqliteStore } from '../../shared/adapters/sqlite/index.js';
import { systemClock } from '../../shared/app/runtime.js';
import { simulatorTransport } from '../../shared/app/simulator-transport.js';
import { loadTopology } from '../../shared/core/config.js';
import type { Decision, Group, MemberId } from '../../shared/core/model.js';
import { memberId } from '../../shared/core/model.js';
import { type GroupObservation, observeGroups } from '../../shared/core/observe.js';
import type { CloudApi, HaVipState, Lease, StateStore } from '../../shared/core/ports.js';
import { type SagaContext, SagaRunner, type SagaStep, type StepReport } from '../../shared/core/saga.js';

export const A = memberId('i-bp1rig00000000000001');
export const B = memberId('i-bp1rig00000000000002');
export const HAVIP = 'havip-bp1rig00000000000001';
export const EIP = 'eip-bp1rig00000000000001';

const yaml = (announce: string) => `
region: cn-hangzhou
groups:
  - name: web
    vSwitchId: vsw-bp1rig00000000000001
    haVipId: ${HAVIP}
    eip: { allocationId: ${EIP}, mode: havip }
    nopreempt: true
    announce: ${announce}
    announceDeadlineSeconds: 1
    members:
      - { id: ${A}, priority: 100, ip: 192.168.0.11 }
      - { id: ${B}, priority: 10, ip: 192.168.0.12 }
`;

export interface RigOptions {
  readonly announce?: 'none' | 'cloud-assistant' | 'agent';
  /** Wraps the logged adapter: a fault a test injects on the way to the cloud. */
  readonly wrapCloud?: (cloud: CloudApi, rig: SagaRig) => CloudApi;
  /** The saga's deadline from its start (default 3 s). */
  readonly deadlineMs?: number;
  /** How long a Cloud Assistant command runs in the simulator (default 0). */
  readonly cloudAssistantDelayMs?: number;
}

export class SagaRig {
  /** In order: `journal <PHASE> <step>`, `fence`, `<Action>` (with ` <ClientToken>` for mutations). */
  readonly log: string[] = [];
  readonly group: Group;
  readonly sim: SimulatedCloud;
  readonly store: StateStore;
  readonly cloud: CloudApi;
  lease!: Lease;
  private readonly deadlineMs: number;

  constructor(opts: RigOptions = {}) {
    const { topology } = loadTopology(yaml(opts.announce ?? 'none'), { source: 'saga rig' });
    this.group = topology.groups[0] as Group;
    this.sim = new SimulatedCloud(seedFromTopology(topology, { attach: 'highest' }), {
      randomSeed: 7,
      cloudAssistantDelayMs: opts.cloudAssistantDelayMs ?? 0,
    });
    this.store = logStore(createSqliteStore({ path: ':memory:' }), this.log);
    const adapter = createAlibabaCloudApi({
      credentials: { accessKeyId: 'rig-key', accessKeySecret: 'rig-secret' },
      transport: simulatorTransport(this.sim),
    });
    const logged = logCloud(adapter, this.log);
    this.cloud = opts.wrapCloud ? opts.wrapCloud(logged, this) : logged;
    this.deadlineMs = opts.deadlineMs ?? 3_000;
  }

  /** Takes the group lease, as the engine does before it acts. */
  async takeLease(ttlMs = 60_000): Promise<Lease> {
    const r = await this.store.acquireLease(this.group.name, 'rig', ttlMs, systemClock.now());
    if (!r.acquired) throw new Error('the rig could not take the lease');
    this.lease = r.lease;
    return r.lease;
  }

  /** What the cloud says about the group, as the engine observes it before a saga (not logged). */
  async observe(): Promise<GroupObservation> {
    const obs = await observeGroups(this.cloud, [this.group], () => systemClock.now());
    this.log.length = 0;
    return obs.get(this.group.name) as GroupObservation;
  }

  /** Runs the steps as the engine would, on `haVip` as last observed. */
  async run(
    steps: readonly SagaStep[],
    opts: {
      haVip?: HaVipState | undefined;
      decision?: Decision;
      observed?: (s: HaVipState) => Promise<void>;
      leaseTtlMs?: number;
    } = {},
  ): Promise<StepReport[]> {
    const ctx: SagaContext = {
      group: this.group,
      decision: opts.decision ?? { kind: 'noop', holder: A, reason: 'saga rig' },
      cloud: this.cloud,
      store: this.store,
      clock: systemClock,
      logger: createMemoryLogger(),
      random: () => 0.5,
      deadline: systemClock.now() + this.deadlineMs,
      backoff: { baseMs: 2, maxMs: 10 },
      poll: { initialMs: 2, maxMs: 10 },
      leaseTtlMs: opts.leaseTtlMs ?? 60_000,
      lease: this.lease,
      haVip: opts.haVip,
      observed: opts.observed,
    };
    return new SagaRunner(ctx).run(steps);
  }

  bound(): string[] {
    return [...(this.sim.haVip(HAVIP)?.associatedInstances ?? [])];
  }

  /** The log entries that are cloud actions of one kind. */
  calls(action: string): string[] {
    return this.log.filter((e) => e === action || e.startsWith(`${action} `));
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

export const attach = (member: MemberId): SagaStep => ({
  op: 'attach-havip',
  member,
  instanceType: 'EcsInstance',
});
export const detach = (member: MemberId, force = true): SagaStep => ({
  op: 'detach-havip',
  member,
  instanceType: 'EcsInstance',
  force,
});

/** `cloud` with some of its methods replaced (a fault a test injects on the way to the cloud). */
export function overriding(cloud: CloudApi, methods: Partial<CloudApi>): CloudApi {
  return new Proxy(cloud, {
    get(target, prop, receiver) {
      const own = (methods as Record<PropertyKey, unknown>)[prop];
      return own ?? Reflect.get(target, prop, receiver);
    },
  });
}

function logStore(store: StateStore, log: string[]): StateStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (prop === 'writeJournal')
        return (entry: Parameters<StateStore['writeJournal']>[0], now: number) => {
          log.push(`journal ${entry.phase}${entry.step ? ` ${entry.step}` : ''}`);
          return target.writeJournal(entry, now);
        };
      if (prop === 'assertEpoch')
        return (...args: Parameters<StateStore['assertEpoch']>) => {
          log.push('fence');
          return target.assertEpoch(...args);
        };
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function logCloud(cloud: CloudApi, log: string[]): CloudApi {
  return new Proxy(cloud, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (req: { clientToken?: string }) => {
        const action = ACTION_OF[String(prop)] ?? String(prop);
        log.push(req?.clientToken ? `${action} ${req.clientToken}` : action);
        return (value as (r: unknown) => Promise<unknown>).call(target, req);
      };
    },
  });
}
