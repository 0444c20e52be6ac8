/**
 * havip-failover's public API: the pure core that every entry point uses.
 *
 * ```ts
 * import { loadTopology, validateTopology, elect, decide } from 'havip-failover';
 * const { topology } = loadTopology(yamlText);
 * ```
 *
 * - {@link parseTopology} / {@link loadTopology}: YAML/JSON topology → frozen, validated `Topology`.
 * - {@link validateTopology}: static Alibaba HaVip quota and topology rules → findings.
 * - {@link validateLive}: the same findings format, checked against the cloud (real or simulated).
 * - {@link elect}: keepalived election (priority, then higher IPv4, then id).
 * - {@link decide}: the decision table (nopreempt, preempt delay, failover, split brain, flap guard…).
 * - {@link simulate}: what-if timelines over the decision rules.
 * - {@link Engine}: observe → decide → fenced saga, over the CloudApi / StateStore / Notifier ports.
 */
export { loadTopology, parseTopology, safeParseTopology } from './core/config.js';
export { type DecideInput, decide } from './core/decide.js';
export { compareCandidates, elect, ipv4ToNumber, rank } from './core/election.js';
export {
  Engine,
  type EngineDeps,
  type EngineOptions,
  type ReconcileRequest,
  type ReconcileResult,
} from './core/engine.js';
export * from './core/errors.js';
export { assessMember } from './core/health.js';
export type * from './core/model.js';
export type * from './core/ports.js';
export { QUOTA_PROFILES, resolveQuotas } from './core/quotas.js';
export { parseScenario } from './core/scenario.js';
export { simulate } from './core/simulate.js';
export { assertValid, validateTopology } from './core/validate.js';
export { validateLive } from './core/validate-live.js';
