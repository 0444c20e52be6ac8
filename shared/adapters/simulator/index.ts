/**
 * An Alibaba VPC/ECS API simulator: the embedded default cloud of the local mode and the cloud every
 * integration test runs against. See docs/simulator.md.
 *
 * Layout: `cloud.ts` is the façade; `dispatch.ts` answers calls (faults, ClientToken); one module per
 * API family (`havip.ts`, `eip.ts`, `ecs.ts`, `assistant.ts`) and the data plane (`dataplane.ts`) share
 * a context (`context.ts`) and one Describe* implementation (`describe.ts`). `common/` holds the
 * cloud-neutral pieces a simulator of another cloud reuses: clock, scheduler, faults and their gate,
 * idempotency, paging, history, events, stats and seeded randomness.
 */

export { ECS_VERSION, SimulatedCloud, type SimulatedCloudOptions, VPC_VERSION } from './cloud.js';
export { ManualClock, type SimClock, type SimTimer, systemClock } from './common/clock.js';
export type {
  CloudAssistantMode,
  FaultConfig,
  FaultController,
  ServerFaultCode,
  ThrottleConfig,
  TransitionKind,
} from './common/faults.js';
export { seededRandom } from './common/random.js';
export type { SimStats } from './common/stats.js';
export { demoSeed } from './demo.js';
export { SimApiError } from './errors.js';
export type { SimEcsStateChangeEvent, SimEventSink, SimInstanceEventState } from './events.js';
export type { SimSnapshot } from './ground-truth.js';
export { type SimulatorServer, type SimulatorServerOptions, startSimulatorServer } from './server.js';
export { percentEncode } from './signature.js';
export { type SeedFromTopologyOptions, seedFromTopology } from './topology.js';
export {
  parseSimSeed,
  type SimAnnounceResult,
  type SimEipInstanceType,
  type SimEipSeed,
  type SimEipStatus,
  type SimEipView,
  type SimEniSeed,
  type SimEniView,
  type SimHaVipInstanceType,
  type SimHaVipSeed,
  type SimHaVipStatus,
  type SimHaVipView,
  type SimInstanceSeed,
  type SimInstanceStatus,
  type SimInstanceView,
  type SimInvocationStatus,
  type SimInvocationView,
  type SimKeepalivedSeed,
  type SimQuotas,
  type SimRegionSeed,
  type SimRequest,
  type SimResponse,
  type SimSeed,
  type SimVpcSeed,
  type SimVSwitchSeed,
  simSeedSchema,
} from './types.js';
