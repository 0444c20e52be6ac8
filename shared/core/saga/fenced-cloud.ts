/**
 * The machinery every saga step shares: the lease fence, fenced and idempotent mutations with retries,
 * reads and settle polls. Steps (handlers.ts) say *what* to change; this says *how* a change is sent
 * safely: fenced by the lease epoch before every attempt, with one ClientToken for every retry of a step,
 * retried only when retryable, re-reading state after a lost response, and polled until it settles.
 */
import { CloudError, CloudResponseLostError, DeadlineExceededError, HavipError } from '../errors.js';
import type { Decision, Group } from '../model.js';
import type { Clock, CloudApi, EipState, HaVipState, Lease, Logger, StateStore } from '../ports.js';
import { type BackoffPolicy, backoffOrGiveUp, isRetryable } from '../retry.js';
import type { TencentCloudApi } from '../tencent-ports.js';
import { clientToken, type StepOutcome } from './steps.js';

export interface SagaContext {
  readonly group: Group;
  readonly decision: Decision;
  readonly cloud: CloudApi;
  readonly store: StateStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly random: () => number;
  readonly deadline: number;
  readonly backoff: BackoffPolicy;
  readonly poll: { readonly initialMs: number; readonly maxMs: number };
  readonly leaseTtlMs: number;
  lease: Lease;
  /** The HaVip as last read (the observation, then every poll): a settled state needs no extra read. */
  haVip: HaVipState | undefined;
  /** Told every HaVip the saga reads (the engine keeps it for agents' heartbeats); never throws. */
  readonly observed?: ((s: HaVipState) => Promise<void>) | undefined;
  /** Tencent groups: the Tencent port the steps call (tencent/handlers.ts). */
  readonly tencent?: TencentCloudApi | undefined;
  /** Which failures are worth retrying; default {@link isRetryable} (the adapter's word). */
  readonly retryable?: ((e: unknown) => boolean) | undefined;
}

/** What running one step amounts to. */
export interface StepResult {
  readonly outcome: StepOutcome;
  readonly note?: string;
  readonly token?: string;
}

/**
 * A step's completion wait, left to the detach that follows it: the detach reads the HaVip afresh after
 * its own journal write anyway, and that read can be the wait (an attach's settle poll) or run beside it
 * (an announce command's result). One round trip fewer on the failover's critical path.
 */
export interface Owed {
  readonly finish: () => Promise<StepResult>;
  /** `finish` ends with a settled read of the HaVip, which then is the detach's fresh read. */
  readonly readsHaVip: boolean;
}

const SETTLING: ReadonlySet<string> = new Set(['Associating', 'Unassociating', 'Creating']);
/** No change in flight on the resource. */
export const settled = (s: { readonly status: string }): boolean => !SETTLING.has(s.status);

export class FencedCloud {
  /** Whether `ctx.haVip` was read by this saga (after its own mutations), not only observed before it. */
  knownIsFresh = false;

  constructor(readonly ctx: SagaContext) {}

  get api(): CloudApi {
    return this.ctx.cloud;
  }

  get group(): Group {
    return this.ctx.group;
  }

  /** Whether a failed call is worth another attempt, as the cloud's policy says. */
  retryable(e: unknown): boolean {
    return (this.ctx.retryable ?? isRetryable)(e);
  }

  /** The ClientToken of a step: the same for every retry, so a retried committed request has no effect. */
  token(key: string): string {
    return clientToken(this.ctx.group.name, this.ctx.lease.epoch, key);
  }

  /** Every mutation and every journal write is preceded by this check (invariant 4). */
  async fence(): Promise<void> {
    const { store, group, leaseTtlMs, clock } = this.ctx;
    const now = clock.now();
    if (now > this.ctx.lease.expiresAt - leaseTtlMs / 2) {
      this.ctx.lease = await store.renewLease(group.name, this.ctx.lease.epoch, leaseTtlMs, now);
    }
    await store.assertEpoch(group.name, this.ctx.lease.epoch, clock.now());
  }

  /**
   * Sends one mutation. Retries only retryable errors with full-jitter backoff inside the deadline; treats
   * "already in the desired state" codes as success; after a lost response re-reads state before retrying.
   * The caller passes the same ClientToken in every attempt, so a retry of a committed request has no
   * second effect.
   */
  async mutate(
    action: string,
    call: () => Promise<unknown>,
    alreadyDone: ReadonlySet<string>,
    effectVisible: () => Promise<boolean>,
  ): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      await this.fence();
      try {
        await call();
        return;
      } catch (e) {
        if (e instanceof CloudError && alreadyDone.has(e.alibabaCode)) return;
        if (e instanceof CloudResponseLostError) {
          const visible = await effectVisible().catch(() => false);
          if (visible) return;
        }
        if (!this.retryable(e)) throw e;
        const { logger, group, clock, deadline, backoff, random } = this.ctx;
        logger.warn(
          { group: group.name, action, attempt, code: e instanceof HavipError ? e.code : undefined },
          'retrying cloud call',
        );
        await backoffOrGiveUp(attempt, clock, deadline, backoff, random, action, e);
      }
    }
  }

  async readHaVip(): Promise<HaVipState> {
    const id = this.ctx.group.haVipId as string;
    const [s] = await this.ctx.cloud.describeHaVips({ regionId: this.ctx.group.region, haVipIds: [id] });
    this.ctx.haVip = s;
    this.knownIsFresh = true;
    if (s === undefined) throw notFound('DescribeHaVips', 'InvalidHaVipId.NotFound', id);
    await this.keepObserved(s);
    return s;
  }

  /**
   * Hands a read to the run's observer (kept for heartbeats) while this run's lease is live: a run paused
   * past its lease no longer speaks for the group, and must not write back the holder it was promoting
   * over what the lease's new owner keeps. The next mutation's fence refuses it anyway.
   */
  async keepObserved(s: HaVipState): Promise<void> {
    if (this.ctx.clock.now() < this.ctx.lease.expiresAt) await this.ctx.observed?.(s);
  }

  async readEip(): Promise<EipState> {
    const id = this.ctx.group.eip?.allocationId as string;
    const [e] = await this.ctx.cloud.describeEipAddresses({
      regionId: this.ctx.group.region,
      allocationIds: [id],
    });
    if (e === undefined) throw notFound('DescribeEipAddresses', 'InvalidAllocationId.NotFound', id);
    return e;
  }

  /** The HaVip once no change is in flight; no call when the last known state is already settled. */
  settledHaVip(what: string): Promise<HaVipState> {
    const known = this.ctx.haVip;
    if (known !== undefined && settled(known)) return Promise.resolve(known);
    return this.waitHaVip(settled, what);
  }

  /**
   * The HaVip read afresh for a detach, never the last known state: the new holder may have been unbound
   * since (its instance released), and detaching on an outdated picture would leave the HaVip unbound. It
   * is read after the detach's journal write, so no pause point lies between it and the detach. A wait
   * `owed` by the step before runs as part of it; when that wait outlasts one poll round the HaVip is
   * read again after it.
   */
  async haVipBeforeDetach(owed: Owed | undefined): Promise<HaVipState> {
    const what = 'HaVip to settle before detach';
    if (owed === undefined) return this.waitHaVip(settled, what);
    if (owed.readsHaVip) {
      await owed.finish();
      return this.ctx.haVip as HaVipState;
    }
    let readAt = 0;
    const read = this.waitHaVip(settled, what).then((s) => {
      readAt = this.ctx.clock.now();
      return s;
    });
    const [, state] = await Promise.all([owed.finish(), read]);
    if (this.ctx.clock.now() - readAt < this.ctx.poll.initialMs) return state;
    return this.waitHaVip(settled, what);
  }

  waitHaVip(pred: (s: HaVipState) => boolean, what: string, until = this.ctx.deadline): Promise<HaVipState> {
    return this.pollUntil(() => this.readHaVip(), pred, what, until);
  }

  waitEip(pred: (e: EipState) => boolean, what: string): Promise<EipState> {
    return this.pollUntil(() => this.readEip(), pred, what, this.ctx.deadline);
  }

  /** Polls with exponential backoff until `pred` holds or `until` passes. Retryable read errors are absorbed. */
  async pollUntil<T>(
    read: () => Promise<T>,
    pred: (t: T) => boolean,
    what: string,
    until: number,
  ): Promise<T> {
    const { clock, poll, leaseTtlMs } = this.ctx;
    let delay = poll.initialMs;
    for (;;) {
      try {
        const value = await read();
        if (pred(value)) return value;
      } catch (e) {
        if (!this.retryable(e)) throw e;
      }
      if (clock.now() + delay >= until) throw new DeadlineExceededError(`waiting for ${what}`);
      await clock.sleep(delay);
      delay = Math.min(poll.maxMs, Math.ceil(delay * 1.6));
      if (clock.now() > this.ctx.lease.expiresAt - leaseTtlMs / 2) await this.fence();
    }
  }
}

function notFound(action: string, alibabaCode: string, id: string): CloudError {
  return new CloudError({
    action,
    alibabaCode,
    message: `${id} not found`,
    retryable: false,
    code: 'cloud.not-found',
  });
}
