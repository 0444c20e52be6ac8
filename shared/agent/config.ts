/**
 * The agent's configuration file (YAML or JSON), validated with zod. Every problem is reported with the
 * field's path, what is wrong and how to fix it; nothing runs until the whole file is valid. Secrets are
 * never inline: a key or token is `{file: …}` or `{env: …}` (see secrets.ts). docs/agent.md lists every
 * setting and its default.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CMQ_TOPIC_RE, TENCENT_REGION_RE } from '../adapters/tencent/cmq.js';
import { type InputIssue, InvalidInputError } from '../core/errors.js';
import { AGENT_GROUP_NAME_RE, AGENT_MEMBER_ID_RE } from '../events/agent-report.js';
import { zodIssues } from '../events/decode.js';

const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
export const IPV4_RE = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

const seconds = (min: number, max: number, dflt: number) =>
  z
    .number({ error: 'must be a number of seconds' })
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`)
    .default(dflt);
const count = (min: number, max: number, dflt: number) =>
  z
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`)
    .default(dflt);
const port = (dflt?: number) => {
  const p = z
    .number({ error: 'must be a port number' })
    .int('must be a whole number')
    .min(1, 'must be a port from 1 to 65535')
    .max(65535, 'must be a port from 1 to 65535');
  return dflt === undefined ? p : p.default(dflt);
};
const ipv4 = z
  .string({ error: 'must be an IPv4 address' })
  .regex(IPV4_RE, 'must be an IPv4 address like 192.168.0.11');
const memberId = z
  .string({ error: 'must be a member id' })
  .regex(
    AGENT_MEMBER_ID_RE,
    'must be an instance id (Alibaba i-…, Tencent ins-…) or ENI id (eni-…) in lowercase',
  );
const httpUrl = z
  .string({ error: 'must be a URL' })
  .url('must be a URL like https://host/path')
  .refine((u) => /^https?:\/\//.test(u), 'must start with http:// or https://');

/** A secret's source: a file (first line, trimmed) or an environment variable; never the value itself. */
export const SecretRef = z
  .strictObject({
    file: z.string().min(1, 'must be a path').optional(),
    env: z.string().regex(ENV_NAME_RE, 'must be an environment variable name').optional(),
  })
  .refine((s) => (s.file === undefined) !== (s.env === undefined), {
    message: 'give exactly one of file or env (never the secret itself)',
  });
export type SecretRef = z.infer<typeof SecretRef>;

const PeerSchema = z.strictObject({
  id: memberId,
  address: z
    .string({ error: 'must be an IPv4 address' })
    .regex(
      new RegExp(`^${OCTET}(?:\\.${OCTET}){3}(?::[0-9]{1,5})?$`),
      'must be an IPv4 address, optionally with :port',
    ),
});

const GroupSchema = z.strictObject({
  name: z
    .string({ error: 'must be a group name' })
    .regex(AGENT_GROUP_NAME_RE, 'must be the group name of the topology (lowercase letters, digits, dashes)'),
  key: SecretRef,
  peers: z
    .array(PeerSchema)
    .min(1, 'must list the other members of the group')
    .max(9, 'a group has at most 10 members'),
});

const checkCommon = {
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1–64 letters, digits, ".", "_" or "-"'),
  intervalSeconds: seconds(0.1, 3600, 2),
  timeoutSeconds: seconds(0.05, 3600, 1),
  fall: count(1, 100, 3),
  rise: count(1, 100, 2),
  initFail: z.boolean().default(false),
};
const CheckSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('exec'),
      command: z
        .array(z.string(), { error: 'must be a list: the program and its arguments' })
        .min(1, 'must name a program')
        .refine(
          (argv) => argv[0]?.startsWith('/') === true,
          'the program (first item) must be an absolute path',
        ),
      ...checkCommon,
    }),
    z.strictObject({ kind: z.literal('tcp'), host: z.string().min(1), port: port(), ...checkCommon }),
    z.strictObject({
      kind: z.literal('http'),
      url: httpUrl,
      expectStatus: z.array(z.number().int().min(100).max(599)).min(1).default([200]),
      ...checkCommon,
    }),
  ])
  .refine((c) => c.timeoutSeconds < c.intervalSeconds, {
    path: ['timeoutSeconds'],
    message: 'must be shorter than intervalSeconds: a check never overlaps itself',
  });

const SinkSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('http'), url: httpUrl, token: SecretRef.optional() }),
  z.strictObject({
    type: z.literal('mns'),
    endpoint: httpUrl,
    topic: z.string().regex(/^[A-Za-z0-9-]{1,255}$/, 'must be an MNS topic name'),
    /** `instance-role`: the RAM role's STS credentials from the metadata service; `env`: ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET. */
    credentials: z.enum(['instance-role', 'env']).default('instance-role'),
    /** The instance role; discovered from the metadata service when absent. */
    roleName: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be a RAM role name')
      .optional(),
  }),
  z.strictObject({
    type: z.literal('cmq'),
    topic: z
      .string({ error: 'must be a CMQ topic name' })
      .regex(
        CMQ_TOPIC_RE,
        'must be a CMQ topic name: 1–64 letters, digits, "-" or "_", starting with a letter',
      ),
    region: z
      .string({ error: 'must be a Tencent region' })
      .regex(TENCENT_REGION_RE, 'must be the region of the topic, like ap-guangzhou'),
    /** Default https://tdmq.tencentcloudapi.com; inside a VPC https://tdmq.internal.tencentcloudapi.com. */
    endpoint: httpUrl.optional(),
    /** `instance-role`: the CAM role's temporary credentials from the metadata service; `env`: TENCENTCLOUD_SECRET_ID/_KEY. */
    credentials: z.enum(['instance-role', 'env']).default('instance-role'),
    /** The CAM role; discovered from the metadata service when absent. */
    roleName: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._+=,@-]{0,127}$/, 'must be a CAM role name')
      .optional(),
  }),
]);

const ApiAuthSchema = z
  .strictObject({
    bearer: SecretRef.optional(),
    hmac: z.strictObject({ keyId: z.string().min(1), secret: SecretRef }).optional(),
  })
  .refine((a) => (a.bearer === undefined) !== (a.hmac === undefined), {
    message: 'give exactly one of bearer or hmac',
  });

const AgentConfigShape = z.strictObject({
  instanceId: memberId.optional(),
  stateDirectory: z.string().min(1).default('/var/lib/havip-agent'),
  advert: z.strictObject({
    bind: ipv4,
    port: port(7401),
    intervalSeconds: seconds(0.1, 60, 1),
    deadFactor: count(2, 20, 3),
    maxClockSkewSeconds: seconds(1, 3600, 60),
  }),
  groups: z.array(GroupSchema).min(1, 'must list at least one group'),
  checks: z.array(CheckSchema).default([]),
  reports: z.strictObject({
    sink: SinkSchema,
    repeatSeconds: z.union([z.literal(0), seconds(5, 3600, 30)]).default(30),
    timeoutSeconds: seconds(0.5, 60, 5),
    backoff: z
      .strictObject({ baseSeconds: seconds(0.1, 60, 1), maxSeconds: seconds(1, 3600, 30) })
      .default({ baseSeconds: 1, maxSeconds: 30 }),
  }),
  api: z
    .strictObject({
      endpoint: httpUrl,
      auth: ApiAuthSchema,
      intervalSeconds: seconds(1, 300, 5),
      fastIntervalSeconds: seconds(0.2, 60, 0.5),
      fastForSeconds: seconds(0, 600, 20),
      timeoutSeconds: seconds(0.2, 60, 2),
    })
    .optional(),
  takeover: z
    .strictObject({
      mode: z.enum(['on', 'off']).optional(),
      dataPlane: z.enum(['linux', 'simulator']).default('linux'),
      simulatorUrl: httpUrl.optional(),
      interface: z
        .string()
        .regex(/^[A-Za-z0-9_.:@-]{1,15}$/, 'must be an interface name like eth0')
        .optional(),
      garpCount: count(1, 100, 5),
      garpRefreshSeconds: seconds(0, 86_400, 60),
    })
    .default({ dataPlane: 'linux', garpCount: 5, garpRefreshSeconds: 60 }),
  spot: z
    .strictObject({
      enabled: z.boolean().default(false),
      provider: z.enum(['alibaba', 'tencent']).default('alibaba'),
      intervalSeconds: seconds(1, 600, 5),
    })
    .default({ enabled: false, provider: 'alibaba', intervalSeconds: 5 }),
  health: z.strictObject({ address: ipv4.optional(), port: port(7402) }).default({ port: 7402 }),
  /** The instance metadata service: the role's STS credentials (mns and cmq sinks) and the spot notice. */
  metadata: z
    .strictObject({
      baseUrl: httpUrl.optional(),
      imds: z.enum(['token-or-plain', 'token', 'plain']).default('token-or-plain'),
      timeoutSeconds: seconds(0.2, 30, 1),
    })
    .default({ imds: 'token-or-plain', timeoutSeconds: 1 }),
});
const AgentConfigSchema = AgentConfigShape.superRefine(crossFieldRules);

export type AgentConfigFile = z.infer<typeof AgentConfigShape>;
export type CheckConfig = AgentConfigFile['checks'][number];
export type SinkConfig = AgentConfigFile['reports']['sink'];
export type ApiConfig = NonNullable<AgentConfigFile['api']>;

/** The validated configuration, with the instance id and the takeover mode settled. */
export interface AgentConfig extends Omit<AgentConfigFile, 'instanceId' | 'takeover'> {
  readonly instanceId: string;
  readonly takeover: AgentConfigFile['takeover'] & { readonly mode: 'on' | 'off' };
}

function crossFieldRules(cfg: AgentConfigFile, ctx: z.RefinementCtx): void {
  const groups = new Set<string>();
  cfg.groups.forEach((g, i) => {
    if (groups.has(g.name))
      ctx.addIssue({
        code: 'custom',
        path: ['groups', i, 'name'],
        message: `group ${g.name} is listed twice`,
      });
    groups.add(g.name);
    const ids = new Set<string>();
    g.peers.forEach((p, j) => {
      if (ids.has(p.id))
        ctx.addIssue({
          code: 'custom',
          path: ['groups', i, 'peers', j, 'id'],
          message: `peer ${p.id} is listed twice`,
        });
      ids.add(p.id);
    });
  });
  const checks = new Set<string>();
  cfg.checks.forEach((k, i) => {
    if (checks.has(k.name))
      ctx.addIssue({
        code: 'custom',
        path: ['checks', i, 'name'],
        message: `check ${k.name} is listed twice`,
      });
    checks.add(k.name);
  });
  const mode = cfg.takeover.mode ?? (cfg.api === undefined ? 'off' : 'on');
  if (mode === 'on' && cfg.api === undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['takeover', 'mode'],
      message:
        'the takeover needs api: the heartbeat replies say which addresses this member holds; configure api or set takeover.mode: off',
    });
  if (cfg.takeover.dataPlane === 'simulator' && cfg.takeover.simulatorUrl === undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['takeover', 'simulatorUrl'],
      message: 'the simulator data plane needs the simulator URL, e.g. http://127.0.0.1:9100',
    });
  if (cfg.reports.backoff.baseSeconds > cfg.reports.backoff.maxSeconds)
    ctx.addIssue({
      code: 'custom',
      path: ['reports', 'backoff', 'baseSeconds'],
      message: 'must not exceed maxSeconds',
    });
}

const HINTS: Record<string, string> = {
  'advert.bind': "the member's own private IPv4 address (never the HaVip)",
  'groups.key': 'e.g. key: {file: /etc/havip/web.key}; generate one with `openssl rand -hex 32`',
  'groups.peers.address': "the peer's own private IPv4 address (never the HaVip)",
  'checks.kind': 'use exec, tcp or http',
  'reports.sink.type':
    'use mns on Alibaba (the on-heartbeat MNS topic), cmq on Tencent (the havip-heartbeat CMQ topic), or http (a collector of your own, or the API’s …/v1/reports)',
  'reports.sink.credentials':
    'instance-role (the RAM or CAM role of the instance) or env (mns: ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET; cmq: TENCENTCLOUD_SECRET_ID/_KEY)',
  'reports.sink.region': 'the region the CMQ topic lives in, e.g. ap-guangzhou',
  'metadata.baseUrl':
    'leave it out on ECS (http://100.100.100.200) and CVM (http://metadata.tencentyun.com); local mode gives each agent its simulator URL',
  'api.auth': 'e.g. auth: {bearer: {file: /etc/havip/api.token}}',
  'takeover.mode': 'on: configure and announce the held addresses; off: never touch addresses',
};

/**
 * Parses and validates a configuration document. `instanceId` is the one on the command line; the file
 * may repeat it, and then the two must agree. Throws `InvalidInputError` (`config.invalid`).
 */
export function parseAgentConfig(
  text: string,
  instanceId: string,
  source = 'agent configuration',
): AgentConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text, { uniqueKeys: true });
  } catch (e) {
    throw invalid(source, [
      { path: '', message: `not valid YAML or JSON: ${(e as Error).message.split('\n')[0]}` },
    ]);
  }
  const parsed = AgentConfigSchema.safeParse(doc ?? {});
  if (!parsed.success) throw invalid(source, zodIssues(parsed.error, '', HINTS));
  const cfg = parsed.data;
  const issues: InputIssue[] = [];
  if (!AGENT_MEMBER_ID_RE.test(instanceId))
    issues.push({
      path: '--instance-id',
      message: `${JSON.stringify(instanceId)} is not a member id`,
      hint: 'i-… (Alibaba ECS), ins-… (Tencent CVM) or eni-…, lowercase',
    });
  if (cfg.instanceId !== undefined && cfg.instanceId !== instanceId)
    issues.push({
      path: 'instanceId',
      message: `says ${cfg.instanceId} but --instance-id says ${instanceId}`,
      hint: 'run the agent with the id of the member it runs on',
    });
  for (const [i, g] of cfg.groups.entries())
    for (const [j, p] of g.peers.entries())
      if (p.id === instanceId)
        issues.push({
          path: `groups[${i}].peers[${j}].id`,
          message: 'is this member itself',
          hint: 'list only the other members',
        });
  if (issues.length > 0) throw invalid(source, issues);
  const mode = cfg.takeover.mode ?? (cfg.api === undefined ? 'off' : 'on');
  return { ...cfg, instanceId, takeover: { ...cfg.takeover, mode } };
}

function invalid(source: string, issues: readonly InputIssue[]): InvalidInputError {
  return new InvalidInputError('config.invalid', `invalid agent configuration (${source})`, issues);
}

/** A peer's address and port (the advert port unless the address names one). */
export function peerEndpoint(address: string, advertPort: number): { host: string; port: number } {
  const [host, p] = address.split(':');
  return { host: host!, port: p === undefined ? advertPort : Number(p) };
}
