/**
 * Execution: runs planned steps in order. Before each step the lease is fenced and the journal records
 * the step (so a crash leaves a journal the next lease holder rolls forward); then the step's handler
 * runs (handlers.ts) over the shared machinery (fenced-cloud.ts).
 */
import type { Lease } from '../ports.js';
import { FencedCloud, type Owed, type SagaContext, type StepResult } from './fenced-cloud.js';
import { type Handled, runStep, type StepRun } from './handlers.js';
import { PHASE, type SagaStep, type StepReport, stepKey, stepTarget } from './steps.js';

/** A step whose completion wait was left to the step after it; reported once that wait is over. */
interface Pending {
  readonly step: SagaStep;
  readonly key: string;
  readonly started: number;
  readonly owed: OwedOnce;
}

/** An owed wait that runs once, however often it is asked for (the next step and the runner await it). */
interface OwedOnce extends Owed {
  /** The wait, if it has started. */
  readonly running: () => Promise<StepResult> | undefined;
}

export class SagaRunner {
  private readonly cloud: FencedCloud;

  constructor(private readonly ctx: SagaContext) {
    this.cloud = new FencedCloud(ctx);
  }

  /** The lease as last renewed by the saga. */
  get lease(): Lease {
    return this.ctx.lease;
  }

  async run(steps: readonly SagaStep[]): Promise<StepReport[]> {
    const reports: StepReport[] = [];
    let pending: Pending | undefined;
    for (const [i, step] of steps.entries()) {
      const key = stepKey(step);
      await this.cloud.fence();
      await this.journal(step, key);
      const started = this.ctx.clock.now();
      const remaining = steps.slice(i + 1);
      const run = { cloud: this.cloud, key, remaining, owed: pending?.owed };
      const handled = await this.runHandler(step, run, pending);
      if (pending !== undefined) reports.push(this.report(pending, await pending.owed.finish()));
      pending = undefined;
      if ('owes' in handled) pending = { step, key, started, owed: once(handled.owes) };
      else reports.push(this.report({ step, key, started }, handled));
    }
    // Only a step followed by a detach leaves its wait, so none is left over; finishing is harmless.
    if (pending !== undefined) reports.push(this.report(pending, await pending.owed.finish()));
    return reports;
  }

  /** Runs a step's handler; if it fails, a wait it took over from the step before ends with it. */
  private async runHandler(step: SagaStep, run: StepRun, pending: Pending | undefined): Promise<Handled> {
    try {
      return await runStep(step, run);
    } catch (e) {
      await pending?.owed.running()?.catch(() => undefined);
      throw e;
    }
  }

  private async journal(step: SagaStep, key: string): Promise<void> {
    const { store, group, decision, clock } = this.ctx;
    await store.writeJournal(
      {
        group: group.name,
        epoch: this.ctx.lease.epoch,
        phase: PHASE[step.op],
        decision,
        step: key,
        updatedAt: clock.now(),
        detail: undefined,
      },
      clock.now(),
    );
  }

  private report(
    { step, key, started }: { step: SagaStep; key: string; started: number },
    { outcome, note, token }: StepResult,
  ): StepReport {
    this.ctx.logger.info(
      { group: this.ctx.group.name, epoch: this.ctx.lease.epoch, step: key, outcome, note },
      'saga step',
    );
    return {
      op: step.op,
      target: stepTarget(step),
      key,
      outcome,
      ...(token ? { clientToken: token } : {}),
      ...(note ? { note } : {}),
      durationMs: this.ctx.clock.now() - started,
    };
  }
}

function once(owed: Owed): OwedOnce {
  let result: Promise<StepResult> | undefined;
  return {
    readsHaVip: owed.readsHaVip,
    finish: () => {
      result ??= owed.finish();
      return result;
    },
    running: () => result,
  };
}
