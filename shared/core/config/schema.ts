/**
 * The topology schema (zod) of the raw document: syntax, types, ranges, the format of every single
 * value and unknown keys. Every defaultable field is optional here; defaults are applied after merging
 * (normalise.ts). A custom issue carries its finding code (and hint) in `params`.
 */
import { z } from 'zod';
import {
  checkAllocationId,
  checkGroupName,
  checkHaVipId,
  checkMemberId,
  checkMemberIp,
  checkPriority,
  checkRegionId,
  checkVSwitchId,
  type Problem,
} from '../validate/field-rules.js';
import {
  checkTencentEipAddressIp,
  checkTencentHaVipId,
  checkTencentMemberId,
  checkTencentSubnetId,
  checkTencentVpcId,
  type TencentProblem,
} from '../validate/tencent/field-rules.js';
import type { ParseCode } from './parse-codes.js';

/** What a custom issue carries in `params`. */
export interface IssueParams {
  readonly code?: ParseCode | Problem['code'] | TencentProblem['code'];
  readonly hint?: string;
}

type ErrorFn = (iss: { code?: string; input?: unknown }) => string | undefined;

/** Type errors say what is allowed; other issue kinds keep their own message. */
const expect =
  (what: string): ErrorFn =>
  (iss) =>
    iss.code === 'invalid_type' ? `must be ${what}` : undefined;

function int(min: number, max: number) {
  return z.number({ error: expect(`an integer ${min}–${max}`) }).superRefine((n, ctx) => {
    if (!Number.isInteger(n) || n < min || n > max) {
      const params: IssueParams = { code: 'config.range' };
      ctx.addIssue({ code: 'custom', message: `must be an integer ${min}–${max}, got ${n}`, params });
    }
  });
}

/** Reports a field rule's problem as a custom issue. */
function problemIssue(ctx: z.RefinementCtx, p: Problem | TencentProblem | undefined): void {
  if (!p) return;
  const params: IssueParams = { code: p.code, hint: p.hint };
  ctx.addIssue({ code: 'custom', message: p.message, params });
}

function ruled(rule: (s: string) => Problem | TencentProblem | undefined, what: string) {
  return z.string({ error: expect(what) }).superRefine((s, ctx) => problemIssue(ctx, rule(s)));
}

const bool = () => z.boolean({ error: expect('true or false') });
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values);
const strict = <S extends z.ZodRawShape>(shape: S, what: string) =>
  z.strictObject(shape, { error: expect(what) });

const priority = z
  .number({ error: expect('an integer 1–254') })
  .superRefine((n, ctx) => problemIssue(ctx, checkPriority(n)));

const probeTiming = {
  port: int(1, 65535),
  timeoutMs: int(1, 60_000).optional(),
  intervalSeconds: int(1, 3600).optional(),
};
const probeSchema = z.discriminatedUnion(
  'kind',
  [
    strict({ kind: z.literal('tcp'), ...probeTiming }, 'a mapping like {kind: tcp, port: 80}'),
    strict(
      {
        kind: z.literal('http'),
        ...probeTiming,
        path: z
          .string({ error: expect('a URL path like /healthz') })
          .regex(/^\/\S*$/, { error: 'must be a URL path starting with / and without spaces, like /healthz' })
          .optional(),
        expectStatus: z
          .array(int(100, 599), { error: expect('a list of HTTP status codes like [200, 204]') })
          .min(1, { error: 'must list at least one status code' })
          .optional(),
      },
      'a mapping like {kind: http, port: 8080, path: /healthz}',
    ),
  ],
  { error: expect('a mapping like {kind: tcp, port: 80}') },
);

/** Group settings that a `defaults` block may also carry. */
const settingsShape = {
  nopreempt: bool().optional(),
  preemptDelaySeconds: int(0, 3600).optional(),
  flapGuard: strict(
    { maxMoves: int(1, 100).optional(), windowSeconds: int(1, 86_400).optional() },
    'a mapping like {maxMoves: 3, windowSeconds: 600}',
  ).optional(),
  health: strict(
    {
      heartbeatTimeoutSeconds: int(1, 3600).optional(),
      probe: probeSchema.optional(),
      fall: int(1, 100).optional(),
      rise: int(1, 100).optional(),
    },
    'a mapping like {heartbeatTimeoutSeconds: 15, fall: 3, rise: 2}',
  ).optional(),
  agent: strict(
    {
      healthPort: int(1, 65535).optional(),
      reportTtlSeconds: int(10, 3600).optional(),
      witnessTimeoutMs: int(100, 5000).optional(),
    },
    'a mapping like {healthPort: 7402, reportTtlSeconds: 90, witnessTimeoutMs: 500}',
  ).optional(),
  announce: oneOf(['agent', 'cloud-assistant', 'keepalived', 'none']).optional(),
  announceDeadlineSeconds: int(1, 3600).optional(),
  fencing: oneOf(['none', 'stop']).optional(),
  keepalivedForceMove: bool().optional(),
};

const memberSchema = strict(
  {
    id: ruled(checkMemberId, 'an ECS instance id (i-…) or an ENI id (eni-…)'),
    priority: priority.optional(),
    ip: ruled(checkMemberIp, 'an IPv4 address like 192.168.0.11'),
  },
  'a mapping like {id: i-…, priority: 100, ip: 192.168.0.11}',
);

const CLOUDS = ['alibaba', 'tencent'] as const;

const groupSchema = strict(
  {
    name: ruled(checkGroupName, 'a group name like web'),
    cloud: z.literal('alibaba'),
    region: ruled(checkRegionId, 'a region id like cn-hangzhou').optional(),
    vSwitchId: ruled(checkVSwitchId, 'a vSwitch id like vsw-…'),
    haVipId: ruled(checkHaVipId, 'a HaVip id like havip-…').optional(),
    eip: strict(
      {
        allocationId: ruled(checkAllocationId, 'an EIP allocation id like eip-…'),
        mode: oneOf(['havip', 'direct']).optional(),
      },
      'a mapping like {allocationId: eip-…, mode: havip}',
    ).optional(),
    ...settingsShape,
    members: z
      .array(memberSchema, { error: expect('a list of members') })
      .min(1, { error: 'must list at least one member' }),
  },
  'a mapping with name, vSwitchId, haVipId and members',
);

const tencentMemberSchema = strict(
  {
    id: ruled(checkTencentMemberId, 'a CVM instance id (ins-…) or an ENI id (eni-…)'),
    priority: priority.optional(),
    ip: ruled(checkMemberIp, 'an IPv4 address like 10.0.1.11'),
  },
  'a mapping like {id: ins-…, priority: 100, ip: 10.0.1.11}',
);

/** A group on Tencent Cloud: a HAVIP (moved by ARP within its drift scope), its VPC and subnet. */
const tencentGroupSchema = strict(
  {
    name: ruled(checkGroupName, 'a group name like web'),
    cloud: z.literal('tencent'),
    region: ruled(checkRegionId, 'a region id like ap-guangzhou').optional(),
    haVipId: ruled(checkTencentHaVipId, 'a HAVIP id like havip-…'),
    vpcId: ruled(checkTencentVpcId, 'a VPC id like vpc-…'),
    subnetId: ruled(checkTencentSubnetId, 'a subnet id like subnet-…'),
    eip: strict(
      { addressIp: ruled(checkTencentEipAddressIp, 'a public IPv4 address like 203.0.113.10') },
      'a mapping like {addressIp: 203.0.113.10}',
    ).optional(),
    ...settingsShape,
    members: z
      .array(tencentMemberSchema, { error: expect('a list of members') })
      .min(1, { error: 'must list at least one member' }),
  },
  'a mapping with name, haVipId, vpcId, subnetId and members',
);

/**
 * A group is on the cloud its `cloud` names; {@link withGroupClouds} fills a missing one from the
 * document's `cloud` (default alibaba) before parsing, so the union always has its discriminator.
 */
const anyGroupSchema = z.discriminatedUnion('cloud', [groupSchema, tencentGroupSchema], {
  error: expect('a mapping with name, vSwitchId, haVipId and members'),
});

export const documentSchema = strict(
  {
    region: ruled(checkRegionId, 'a region id like cn-hangzhou'),
    cloud: oneOf(CLOUDS).optional(),
    quotaProfile: oneOf(['current', 'legacy']).optional(),
    quotas: strict(
      {
        membersPerHaVip: int(1, 1000).optional(),
        haVipsPerInstance: int(1, 1000).optional(),
        eipsPerHaVip: int(1, 1000).optional(),
        haVipsPerRegion: int(1, 10_000).optional(),
      },
      'a mapping of quota overrides like {membersPerHaVip: 4}',
    ).optional(),
    defaults: strict(settingsShape, 'a mapping of group settings').optional(),
    groups: z
      .array(anyGroupSchema, { error: expect('a list of groups') })
      .min(1, { error: 'must list at least one group' }),
  },
  'a mapping with region and groups (see examples/two-node.yaml)',
);

export type RawDocument = z.infer<typeof documentSchema>;
export type RawGroup = z.infer<typeof groupSchema>;
export type RawTencentGroup = z.infer<typeof tencentGroupSchema>;
export type RawSettings = NonNullable<RawDocument['defaults']>;
export type RawProbe = z.infer<typeof probeSchema>;

/**
 * Gives every group the cloud it is on before parsing: its own `cloud`, else the document's (when that
 * is a known cloud), else alibaba. A group that is not a mapping is left for the schema to report.
 */
export function withGroupClouds(data: unknown): unknown {
  if (!isRecord(data) || !Array.isArray(data.groups)) return data;
  const fallback = (CLOUDS as readonly unknown[]).includes(data.cloud) ? data.cloud : 'alibaba';
  const groups = data.groups.map((g: unknown) =>
    isRecord(g) && g.cloud === undefined ? { ...g, cloud: fallback } : g,
  );
  return { ...data, groups };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
