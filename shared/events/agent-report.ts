/**
 * Host agent reports: what `havip agent` publishes when a peer falls silent, its own checks fail, a spot
 * termination notice appears, or one of those recovers. The message extends the MNS heartbeat message
 * (`{"type":"heartbeat.timeout"|"heartbeat.ok","instanceId","lastSeenAt"?}`, see mns.ts) with the group,
 * the reporter, a sequence, the reporter's own check state, a reason and an HMAC with the group key over
 * a canonical string, so the orchestrator parses and verifies exactly what the agent signs.
 * docs/agent.md documents the format.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { decodeText, invalidEvent, isPlainObject, parseJsonText, zodIssues } from './decode.js';

export const REPORT_FORMAT = 'havip-report/1';

/** Member ids as the topology spells them: ECS instances (i-…), Tencent CVMs (ins-…) and ENIs (eni-…). */
export const AGENT_MEMBER_ID_RE = /^(?:i|eni|ins)-[a-z0-9]{1,62}$/;
/** Group names as the topology spells them (they also appear in store keys and URLs). */
export const AGENT_GROUP_NAME_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const REPORT_REASONS = ['peer-silent', 'checks-failed', 'spot-termination', 'recovered'] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];
export type ReportType = 'heartbeat.timeout' | 'heartbeat.ok';
export type CheckState = 'ok' | 'failing';

/** A report before it is signed. */
export interface AgentReport {
  readonly type: ReportType;
  /** The suspect: the silent peer, or the reporter itself for its own checks and spot notices. */
  readonly instanceId: string;
  readonly group: string;
  readonly reporter: string;
  /** Grows across the reporter's restarts. */
  readonly sequence: number;
  readonly reason: ReportReason;
  /** The reporter's own check state when it sent the report. */
  readonly reporterChecks: CheckState;
  /** When the suspect's last valid advert arrived (the reporter's clock), for `peer-silent`. */
  readonly lastSeenAt?: string | undefined;
  /** The reporter's clock when it built the report (for people; never trusted for ordering). */
  readonly sentAt: string;
}

export interface SignedAgentReport extends AgentReport {
  readonly format: typeof REPORT_FORMAT;
  /** Lowercase hex HMAC-SHA256 of {@link reportCanonicalString} with the group key. */
  readonly mac: string;
}

/** Which `type` each reason travels with. */
export const TYPE_OF_REASON: Readonly<Record<ReportReason, ReportType>> = {
  'peer-silent': 'heartbeat.timeout',
  'checks-failed': 'heartbeat.timeout',
  'spot-termination': 'heartbeat.timeout',
  recovered: 'heartbeat.ok',
};

/** The exact string the MAC covers: the fields joined by `\n`, an absent `lastSeenAt` as an empty line. */
export function reportCanonicalString(r: AgentReport): string {
  return [
    REPORT_FORMAT,
    r.type,
    r.group,
    r.instanceId,
    r.reporter,
    String(r.sequence),
    r.reason,
    r.reporterChecks,
    r.lastSeenAt ?? '',
    r.sentAt,
  ].join('\n');
}

const macOf = (r: AgentReport, key: Uint8Array | string) =>
  createHmac('sha256', key).update(reportCanonicalString(r)).digest('hex');

/** Signs a report with the group key. */
export function signReport(r: AgentReport, key: Uint8Array | string): SignedAgentReport {
  const { lastSeenAt, ...rest } = r;
  return {
    format: REPORT_FORMAT,
    ...rest,
    ...(lastSeenAt === undefined ? {} : { lastSeenAt }),
    mac: macOf(r, key),
  };
}

/** Whether the report's MAC verifies with `key` (constant-time comparison). */
export function verifyReport(r: SignedAgentReport, key: Uint8Array | string): boolean {
  const expected = Buffer.from(macOf(r, key), 'hex');
  const given = Buffer.from(r.mac, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The message body the agent publishes (one JSON object, fields in a stable order). */
export function encodeReport(r: SignedAgentReport): string {
  return JSON.stringify(r);
}

const ISO_HINT = 'an ISO 8601 UTC timestamp like "2026-01-01T00:00:03.010Z"';
const HINTS: Record<string, string> = {
  format: `the agent writes "${REPORT_FORMAT}"`,
  type: 'use "heartbeat.timeout" or "heartbeat.ok"',
  instanceId: 'a member id like "i-bp1abc..." or "eni-bp1abc..."',
  reporter: 'a member id like "i-bp1abc..." or "eni-bp1abc..."',
  group: 'a group name of lowercase letters, digits and dashes, like web',
  sequence: 'a positive whole number that grows with every report from the reporter',
  reason: `one of ${REPORT_REASONS.join(', ')}`,
  reporterChecks: 'ok or failing',
  lastSeenAt: ISO_HINT,
  sentAt: ISO_HINT,
  mac: '64 lowercase hex characters: HMAC-SHA256 of the canonical string with the group key',
};

const memberId = z.string().regex(AGENT_MEMBER_ID_RE, 'is not a member id');
const isoTime = z.iso.datetime({ offset: false, message: 'is not an ISO 8601 UTC timestamp' });

const ReportSchema = z
  .strictObject({
    format: z.literal(REPORT_FORMAT),
    type: z.enum(['heartbeat.timeout', 'heartbeat.ok']),
    instanceId: memberId,
    group: z.string().regex(AGENT_GROUP_NAME_RE, 'is not a group name'),
    reporter: memberId,
    sequence: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    reason: z.enum(REPORT_REASONS),
    reporterChecks: z.enum(['ok', 'failing']),
    lastSeenAt: isoTime.optional(),
    sentAt: isoTime,
    mac: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters'),
  })
  .superRefine((r, ctx) => {
    if (TYPE_OF_REASON[r.reason] !== r.type)
      ctx.addIssue({
        code: 'custom',
        path: ['type'],
        message: `reason "${r.reason}" travels with type "${TYPE_OF_REASON[r.reason]}", not "${r.type}"`,
      });
    const aboutSelf = r.reason === 'checks-failed' || r.reason === 'spot-termination';
    if (aboutSelf && r.instanceId !== r.reporter)
      ctx.addIssue({
        code: 'custom',
        path: ['instanceId'],
        message: `a "${r.reason}" report is about the reporter itself: instanceId must equal reporter`,
      });
    if (r.reason === 'peer-silent' && r.instanceId === r.reporter)
      ctx.addIssue({
        code: 'custom',
        path: ['instanceId'],
        message: 'a "peer-silent" report names a peer, not the reporter',
      });
  });

/**
 * Whether a parsed MNS message body claims to be an agent report (a format, reporter or MAC): it is
 * then read as one, strictly, and never falls back to the unsigned heartbeat message.
 */
export function isAgentReport(message: unknown): boolean {
  return isPlainObject(message) && ('reporter' in message || 'format' in message || 'mac' in message);
}

/**
 * Parses a report from a message body (JSON text or an already parsed object). Throws
 * `InvalidInputError` (`event.invalid`) naming each bad field (under `at`, the report's own path in a
 * larger message). Does not verify the MAC: look up the group's key and call {@link verifyReport}.
 */
export function parseAgentReport(body: unknown, at = ''): SignedAgentReport {
  const text = decodeText(body, { maxBytes: 4096, what: 'agent report' });
  const doc = text === undefined ? body : parseJsonText(text, 'agent report', at);
  const parsed = ReportSchema.safeParse(doc);
  if (!parsed.success) throw invalidEvent('invalid agent report', zodIssues(parsed.error, at, HINTS));
  return parsed.data as SignedAgentReport;
}
