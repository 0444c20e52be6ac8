/**
 * What the API families of the Tencent simulator share: the world, its clock, quotas and faults, the
 * scheduler of later work, `commit()` (the one way a change is recorded) and the data plane's
 * behaviour switches. The façade ({@link TencentSimulatedCloud}) builds one context for every family.
 */
import type { SimClock } from '../simulator/common/clock.js';
import type { Scheduler } from '../simulator/common/scheduler.js';
import type { TencentService } from '../tencent/endpoints.js';
import type { TencentFaults, TencentTransitionKind } from './faults.js';
import type { Params } from './params.js';
import type { TencentSimQuotas } from './seed.js';
import type { TencentWorld, TencentWorldView } from './world.js';

export interface TencentSimContext {
  readonly world: TencentWorld;
  readonly clock: SimClock;
  readonly quotas: TencentSimQuotas;
  readonly faults: TencentFaults;
  readonly scheduler: Scheduler;
  /**
   * Whether removing the holder from the drift scope evicts it (undocumented: `FlushedTime` names a
   * "manual unbind" as a move). Default true.
   */
  readonly evictOnScopeRemoval: boolean;
  /** Every change ends here: it is recorded for stale describes. */
  commit(): void;
  /** Runs `run` when a transition of `kind` completes (after its current delay). */
  transition(kind: TencentTransitionKind, run: () => void): void;
}

/** What an operation knows about its call besides the body. */
export interface Call {
  /** `X-TC-Region`, already checked to be a region of the world. */
  readonly region: string;
  /** The answer's RequestId (a VPC task's id is the RequestId of the call that started it). */
  readonly requestId: string;
  /** What a read answers from: the live world, or with staleness injected the world as it was. */
  readonly view: TencentWorldView;
}

/** One API action: which service answers it, the body keys it takes, and what it does. */
export interface Operation {
  readonly service: TencentService;
  readonly params: readonly string[];
  readonly mutates: boolean;
  readonly run: (p: Params, call: Call) => Record<string, unknown>;
}

export type Operations = Readonly<Record<string, Operation>>;

export const read = (
  service: TencentService,
  params: readonly string[],
  run: Operation['run'],
): Operation => ({
  service,
  params,
  mutates: false,
  run,
});

export const mutation = (
  service: TencentService,
  params: readonly string[],
  run: Operation['run'],
): Operation => ({
  service,
  params,
  mutates: true,
  run,
});
