/**
 * A Tencent Cloud simulator (VPC HAVIPs, CVM, TAT, CMQ topics) speaking API 3.0 on the wire: the
 * embedded cloud of Tencent tests and of the local mode (`havip local --cloud tencent`). See
 * docs/tencent.md.
 *
 * Layout: `cloud.ts` is the façade; `dispatch.ts` answers calls (faults, envelope); one module per API
 * family (`havip.ts`, `tasks.ts`, `network.ts`, `cvm.ts`, `tat.ts`, `cmq.ts`) and the ARP data plane
 * (`dataplane.ts`) share a context (`context.ts`); `server.ts` + `signature.ts` put it on the wire;
 * `seed.ts` + `build-world.ts` make the world. The clock, scheduler, faults, history, paging, events,
 * stats and seeded randomness are the cloud-neutral pieces of `../simulator/common/`.
 */
export { ManualClock, type SimClock, systemClock } from '../simulator/common/clock.js';
export type { SimulatorServer } from '../simulator/common/http-server.js';
export type { SimStats } from '../simulator/common/stats.js';
export type { CloudAuditCallType, TencentCloudAuditEvent } from './audit.js';
export {
  type TencentSimSnapshot,
  TencentSimulatedCloud,
  type TencentSimulatedCloudOptions,
} from './cloud.js';
export {
  type CmqStats,
  type CmqSubscriber,
  type CmqTopics,
  type CmqTriggerRecord,
  MAX_CMQ_MESSAGE_BYTES,
} from './cmq.js';
export type { TencentInstanceStateChange } from './cvm.js';
export type { TencentAnnounceResult } from './dataplane.js';
export { tencentDemoSeed } from './demo.js';
export type { TencentSimRequest, TencentSimResponse } from './dispatch.js';
export { TencentSimApiError } from './errors.js';
export {
  TENCENT_FAULT_CODES,
  TENCENT_TRANSITION_KINDS,
  type TencentFaultCode,
  type TencentFaultConfig,
  type TencentFaultController,
  type TencentTransitionKind,
} from './faults.js';
export { inProcessTransport } from './in-process.js';
export type { SiteProfile } from './render.js';
export { parseTencentSeed, type TencentSimQuotas, type TencentSimSeed, tencentSeedSchema } from './seed.js';
export { startTencentSimulatorServer, type TencentSimulatorServerOptions } from './server.js';
export {
  MAX_SKEW_SECONDS,
  type TencentSimCredentials,
  type TencentSimTemporaryCredentials,
} from './signature.js';
export { type TencentSeedFromTopologyOptions, tencentSeedFromTopology } from './topology.js';
export type { EipRec, EniRec, HaVipRec, InstanceRec, TaskRec, TatTaskRec } from './world.js';
