/**
 * An Alibaba VPC/ECS API simulator: the embedded default cloud of the local mode and the cloud every
 * integration test runs against. See docs/simulator.md.
 */
export { ManualClock, systemClock } from './clock.js';
export { ECS_VERSION, SimulatedCloud, type SimulatedCloudOptions, VPC_VERSION } from './cloud.js';
export { demoSeed } from './demo.js';
export { SimApiError } from './errors.js';
export type { SimEcsStateChangeEvent, SimEventSink, SimInstanceEventState } from './events.js';
export type {
  CloudAssistantMode,
  FaultConfig,
  FaultController,
  ServerFaultCode,
  ThrottleConfig,
  TransitionKind,
} from './faults.js';
export { seededRandom } from './random.js';
export { type SimulatorServer, type SimulatorServerOptions, startSimulatorServer } from './server.js';
export { percentEncode } from './signature.js';
export { type SeedFromTopologyOptions, seedFromTopology } from './topology.js';
export {
  parseSimSeed,
  type SimAnnounceResult,
  type SimClock,
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
  type SimStats,
  type SimTimer,
  type SimVpcSeed,
  type SimVSwitchSeed,
  simSeedSchema,
} from './types.js';
