/**
 * The action protocol (SEMANTICS.md "Action protocol"): a decision becomes a list of steps; each step is
 * fenced by the lease epoch, journaled before it runs, sent with a ClientToken derived from
 * (group, epoch, step), retried only when retryable, and followed by polling the asynchronous status until
 * it settles. The dry run (`plan`) returns the same steps without running them.
 *
 * - saga/steps.ts: the steps, their reports and ClientTokens;
 * - saga/plan.ts: planning, pure;
 * - saga/runner.ts: execution, one handler per step kind (saga/handlers.ts) over the shared fence,
 *   retry and poll machinery (saga/fenced-cloud.ts).
 */
export type { SagaContext } from './saga/fenced-cloud.js';
export { planSteps } from './saga/plan.js';
export { SagaRunner } from './saga/runner.js';
export {
  clientToken,
  fnv1a64,
  plannedReport,
  type SagaStep,
  type StepOutcome,
  type StepReport,
  stepKey,
  stepTarget,
} from './saga/steps.js';
