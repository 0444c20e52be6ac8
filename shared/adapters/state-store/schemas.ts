/**
 * The shapes of what a StateStore accepts and keeps, as zod schemas: the same for every adapter, used to
 * check arguments at the port (`arguments.ts`) and to check records read back from storage (`codecs.ts`,
 * `signals.ts`).
 */
import { z } from 'zod';
import type { JournalPhase } from '../../core/ports.js';
import {
  DRAIN_CAUSES,
  PEER_REPORT_REASONS,
  SELF_REPORT_REASONS,
  SIGNAL_SOURCES,
} from '../../core/signals.js';

export const epochMs = z.int().min(0);
/** Group names, member ids and event ids: the key columns every adapter bounds. */
export const name = z.string().min(1).max(255);
const detailSchema = z.record(z.string(), z.unknown());

/** Every journal phase, in saga order. */
const JOURNAL_PHASES = [
  'PLANNED',
  'DETACHING',
  'ATTACHING',
  'ANNOUNCING',
  'VERIFYING',
  'EIP',
  'FENCING',
  'DONE',
  'FAILED',
] as const satisfies readonly JournalPhase[];

const HISTORY_OUTCOMES = ['done', 'failed', 'switch-incomplete', 'unverified', 'blocked', 'planned'] as const;

/** Structural check only: the decision model is owned by the core; the store just round-trips it. */
const decisionSchema = z.looseObject({
  kind: z.enum(['noop', 'attach', 'move', 'repair-split-brain', 'alert']),
  reason: z.string(),
});

export const journalSchema = z.object({
  group: name,
  epoch: z.int().min(1),
  phase: z.enum(JOURNAL_PHASES),
  decision: decisionSchema,
  step: z.string().optional(),
  updatedAt: epochMs,
  detail: detailSchema.optional(),
});

export const historySchema = z.object({
  group: name,
  epoch: z.int().min(0),
  at: epochMs,
  decision: decisionSchema,
  outcome: z.enum(HISTORY_OUTCOMES),
  actor: z.string().optional(),
  durationMs: z.number().min(0).optional(),
  detail: detailSchema.optional(),
});

export const healthSchema = z.object({
  memberId: name,
  probeHealthy: z.boolean(),
  consecutiveFailures: z.int().min(0),
  consecutiveSuccesses: z.int().min(0),
  eligibleSince: epochMs.optional(),
  updatedAt: epochMs,
});

// Signals: one shape per kind (`shared/core/signals.ts`), the receiver's time added.

const signalBase = {
  memberId: name,
  receivedAt: epochMs,
  eventId: z.string().optional(),
  source: z.enum(SIGNAL_SOURCES),
};
const sequence = z.int().min(0).optional();
const operator = { reason: z.string(), actor: z.string().optional() };
/** What every agent report carries (member ids are bounded like every key). */
const report = {
  group: name,
  sequence,
  reporterChecks: z.enum(['ok', 'failing']),
  sentAt: z.string().optional(),
};

export const signalSchema = z.discriminatedUnion('kind', [
  z.object({ ...signalBase, kind: z.literal('heartbeat'), sequence }),
  z.object({ ...signalBase, kind: z.literal('heartbeat-timeout'), lastSeenAt: z.string().optional() }),
  z.object({
    ...signalBase,
    kind: z.literal('instance-state'),
    status: z.string(),
    effect: z.enum(['down', 'up']),
    eventTime: z.string().optional(),
    sequence,
  }),
  z.discriminatedUnion('cause', [
    z.object({
      ...signalBase,
      kind: z.literal('drain'),
      cause: z.enum(DRAIN_CAUSES),
      eventType: z.string(),
      notBefore: z.string().optional(),
    }),
    z.object({ ...signalBase, kind: z.literal('drain'), cause: z.literal('manual'), ...operator }),
  ]),
  z.object({ ...signalBase, kind: z.literal('undrain'), ...operator }),
  z.object({
    ...signalBase,
    ...report,
    kind: z.literal('peer-report'),
    reporter: name,
    reason: z.enum(PEER_REPORT_REASONS),
    lastSeenAt: z.string().optional(),
  }),
  z.object({ ...signalBase, ...report, kind: z.literal('self-report'), reason: z.enum(SELF_REPORT_REASONS) }),
]);

/** The HaVip as an observation keeps it (the `HaVipState` of the CloudApi port). */
const haVipSchema = z.object({
  haVipId: name,
  regionId: z.string(),
  ipAddress: z.string(),
  status: z.string(),
  vpcId: z.string(),
  vSwitchId: z.string(),
  masterInstanceId: z.string().optional(),
  associatedInstanceType: z.string().optional(),
  associatedInstances: z.array(z.string()),
  associatedEipAddresses: z.array(z.string()),
});

export const observationSchema = z.object({
  group: name,
  observedAt: epochMs,
  haVip: haVipSchema.optional(),
  promoted: z.string().min(1).optional(),
});
