/**
 * Fault injection of the Tencent simulator: the common switches (latency, throttling, injected
 * failures, dropped answers, stale describes, slow transitions, the TAT agent per instance) with
 * Tencent's failure codes and transition kinds, plus one of its own: VPC tasks that end `FAILED`.
 */

import { InvalidInputError } from '../../core/errors.js';
import type { SimClock } from '../simulator/common/clock.js';
import { type FaultConfig, type FaultController, Faults } from '../simulator/common/faults.js';

/**
 * What an injected failure answers with: `InternalError` (HTTP 200, Tencent's envelope, no effect),
 * `ServiceUnavailable` (HTTP 503 from the "gateway", no envelope), or a mutex conflict
 * (`UnsupportedOperation.MutexOperationTaskRunning`, as when another task holds the resource).
 */
export type TencentFaultCode =
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'UnsupportedOperation.MutexOperationTaskRunning';
export const TENCENT_FAULT_CODES: readonly TencentFaultCode[] = [
  'InternalError',
  'ServiceUnavailable',
  'UnsupportedOperation.MutexOperationTaskRunning',
];

/** What takes time: CVM state changes, VPC tasks (a HAVIP's EIP), and the ARP switch itself. */
export type TencentTransitionKind = 'instance' | 'task' | 'arp';
export const TENCENT_TRANSITION_KINDS: readonly TencentTransitionKind[] = ['instance', 'task', 'arp'];

export type TencentFaultConfig = FaultConfig<TencentFaultCode, TencentTransitionKind> & {
  /** VPC tasks still to end `FAILED`. */
  readonly failNextTasks: number;
};

/** The fault switches of the Tencent simulator (keepalived is not simulated on Tencent: no switch for it). */
export interface TencentFaultController
  extends Omit<FaultController<TencentFaultCode, TencentTransitionKind>, 'setKeepalivedStuck' | 'config'> {
  /** The next `count` VPC tasks (HaVipAssociateAddressIp / HaVipDisassociateAddressIp) end `FAILED`, changing nothing. */
  failNextTasks(count: number): void;
  config(): TencentFaultConfig;
}

export class TencentFaults
  extends Faults<TencentFaultCode, TencentTransitionKind>
  implements TencentFaultController
{
  private taskFailures = 0;

  constructor(
    clock: SimClock,
    random: () => number,
    delays: Readonly<Record<TencentTransitionKind, number>>,
  ) {
    super(clock, random, delays, () => {}, {
      defaultCode: 'InternalError',
      instanceId: { pattern: /^ins-[A-Za-z0-9_.-]+$/, example: 'ins-…' },
    });
  }

  failNextTasks(count: number): void {
    if (!Number.isInteger(count) || count < 0)
      throw new InvalidInputError('simulator.fault-invalid', 'invalid fault setting', [
        { path: 'failNextTasks.count', message: `must be an integer >= 0, got ${String(count)}` },
      ]);
    this.taskFailures = count;
  }

  /** Whether the task that ends now fails (consumes one). */
  takeTaskFailure(): boolean {
    if (this.taskFailures === 0) return false;
    this.taskFailures -= 1;
    return true;
  }

  override reset(): void {
    this.taskFailures = 0;
    super.reset();
  }

  override config(): TencentFaultConfig {
    return { ...super.config(), failNextTasks: this.taskFailures };
  }
}
