/**
 * What the API families of the simulated cloud share: the world, its clock, quotas and faults, the
 * scheduler of later work, and `commit()`, the one way a change is recorded. The façade
 * ({@link SimulatedCloud}) builds one context and hands it to every family.
 */
import type { SimClock } from './common/clock.js';
import type { Faults, TransitionKind } from './common/faults.js';
import type { Scheduler } from './common/scheduler.js';
import { E } from './errors.js';
import { type Params, required } from './params.js';
import type { SimQuotas } from './types.js';
import type { World, WorldView } from './world.js';

export interface SimContext {
  readonly world: World;
  readonly clock: SimClock;
  readonly quotas: SimQuotas;
  readonly faults: Faults;
  readonly scheduler: Scheduler;
  /**
   * Every change ends here: masters that lost their binding or liveness are cleared, the change is
   * recorded for stale describes, and keepalived hosts get a chance to take over.
   */
  commit(): void;
  /** Runs `run` when an asynchronous transition of `kind` completes (after its current delay). */
  transition(kind: TransitionKind, run: () => void): void;
}

/** One API operation: `run` answers from `view` (reads; maybe stale) or changes the world (mutations). */
export interface Operation {
  readonly mutates: boolean;
  readonly run: (p: Params, view: WorldView) => Record<string, unknown>;
}

/** Operations by action name, of one API version. */
export type Operations = Readonly<Record<string, Operation>>;

export const read = (run: Operation['run']): Operation => ({ mutates: false, run });
export const mutation = (run: (p: Params) => Record<string, unknown>): Operation => ({ mutates: true, run });

/** The `RegionId` parameter, which must name a region of the world. */
export function requireRegion(world: World, p: Params): string {
  const regionId = required(p, 'RegionId');
  if (!world.regions.has(regionId)) throw E.regionNotFound(regionId);
  return regionId;
}
