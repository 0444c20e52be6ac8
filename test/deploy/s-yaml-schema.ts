/**
 * The project's own schema of the part of Serverless Devs' `s.yaml` (edition 3.0.0, `fc3` component) that
 * this project uses. The real schema is downloaded by `s` from its own registry at run time, so offline
 * tests check against this one instead; it follows the fc3 component's documented fields (function props,
 * `triggers[]` with `triggerName`, `triggerType`, `triggerConfig`, and per type: timer `cronExpression` /
 * `enable` / `payload`, http `authType` / `methods`, eventbridge `eventRuleFilterPattern` /
 * `eventSourceConfig`, mns_topic `sourceArn` / `invocationRole` / `notifyContentFormat` / `notifyStrategy`).
 *
 * Objects are strict: a misspelt key (`memorysize`) is an error here, where `s` would silently ignore it.
 * Values are checked after `${vars.*}` substitution; other magic variables (`${env()}`, `${config()}`,
 * `${file()}`) stay as text and are checked by the tests that care.
 */
import { z } from 'zod';

const MAGIC = /\$\{[^}]+\}/;
const ARN_PART = /^[A-Za-z0-9_.-]+$/;

/** A string that is either literal or contains an unresolved `${…}` (env/config/file) reference. */
const magicOr = (literal: z.ZodType<string>) =>
  z.string().refine((s) => MAGIC.test(s) || literal.safeParse(s).success, {
    message: 'invalid value (and not a $-brace reference)',
  });

/** acs:ram::<account>:role/<name>, with the account usually `${config('AccountID')}`. */
export const RoleArn = z
  .string()
  .regex(/^acs:ram::(\d{16}|\$\{config\('AccountID'\)\}):role\/[A-Za-z0-9.-]{1,64}$/, {
    message:
      "must be acs:ram::<accountId>:role/<roleName>, the account usually written config('AccountID') in a $-brace reference",
  });

const HttpMethod = z.enum(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']);

const TriggerName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,127}$/, {
  message: 'letters, digits, _ and -, starting with a letter or _ (at most 128)',
});

const triggerBase = {
  triggerName: TriggerName,
  qualifier: z.string().min(1).optional(),
  description: z.string().optional(),
};

/**
 * FC timer cron: six fields with seconds first (`0 * * * * *`), optionally prefixed `CRON_TZ=<zone> `, or
 * `@every <n>m|h`.
 */
export const CronExpression = z.string().regex(/^(CRON_TZ=\S+ )?(\S+ ){5}\S+$|^@every \d+[mh]$/, {
  message: "six-field cron with seconds first, e.g. '0 * * * * *', or '@every 1m'",
});

export const TimerTrigger = z.strictObject({
  ...triggerBase,
  triggerType: z.literal('timer'),
  triggerConfig: z.strictObject({
    cronExpression: CronExpression,
    enable: z.boolean(),
    payload: z.string().optional(),
  }),
});

export const HttpTrigger = z.strictObject({
  ...triggerBase,
  triggerType: z.literal('http'),
  triggerConfig: z.strictObject({
    authType: z.enum(['anonymous', 'function']),
    methods: z.array(HttpMethod).min(1),
    disableURLInternet: z.boolean().optional(),
  }),
});

export const EventBridgeTrigger = z.strictObject({
  ...triggerBase,
  triggerType: z.literal('eventbridge'),
  sourceArn: z.string().optional(),
  triggerConfig: z.strictObject({
    triggerEnable: z.boolean().optional(),
    asyncInvocationType: z.boolean().optional(),
    eventRuleFilterPattern: z.string().refine(
      (s) => {
        try {
          const v: unknown = JSON.parse(s);
          return typeof v === 'object' && v !== null && !Array.isArray(v);
        } catch {
          return false;
        }
      },
      { message: 'must be a JSON object in a string' },
    ),
    eventSourceConfig: z.strictObject({
      eventSourceType: z.enum(['Default', 'MNS', 'RocketMQ', 'RabbitMQ', 'Kafka', 'DTS']),
    }),
  }),
});

export const MnsTopicTrigger = z.strictObject({
  ...triggerBase,
  triggerType: z.literal('mns_topic'),
  sourceArn: z.string().regex(/^acs:mns:[^:]+:[^:]+:\/topics\/.+$/, {
    message: 'must be acs:mns:<region>:<accountId>:/topics/<name>',
  }),
  invocationRole: RoleArn,
  triggerConfig: z.strictObject({
    notifyContentFormat: z.enum(['JSON', 'STREAM']),
    notifyStrategy: z.enum(['BACKOFF_RETRY', 'EXPONENTIAL_DECAY_RETRY']),
    filterTag: z.string().max(16).optional(),
  }),
});

export const Trigger = z.discriminatedUnion('triggerType', [
  TimerTrigger,
  HttpTrigger,
  EventBridgeTrigger,
  MnsTopicTrigger,
]);
export type Trigger = z.infer<typeof Trigger>;

export const FunctionProps = z
  .strictObject({
    region: z.string().regex(/^[a-z]{2}-[a-z0-9-]+$/, { message: 'a region id such as cn-hangzhou' }),
    functionName: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/, {
      message: 'letters, digits, _ and -, not starting with a digit or - (at most 64)',
    }),
    description: z.string().max(256).optional(),
    runtime: z.literal('nodejs20'),
    code: z.string().regex(/^\.\/dist\/[a-z0-9-]+$/, { message: 'must be ./dist/<handler>' }),
    handler: z.literal('index.handler'),
    timeout: z.int().min(1).max(600),
    cpu: z.number().min(0.05).max(16),
    memorySize: z
      .int()
      .min(128)
      .max(32768)
      .refine((m) => m % 64 === 0, { message: 'must be a multiple of 64 MB' }),
    diskSize: z.union([z.literal(512), z.literal(10240)]).optional(),
    role: RoleArn,
    internetAccess: z.boolean().optional(),
    vpcConfig: z.strictObject({
      vpcId: magicOr(z.string().regex(/^vpc-[A-Za-z0-9-]+$/)),
      vSwitchIds: z.array(magicOr(z.string().regex(/^vsw-[A-Za-z0-9-]+$/))).min(1),
      securityGroupId: magicOr(z.string().regex(/^sg-[A-Za-z0-9-]+$/)),
    }),
    logConfig: z
      .union([z.literal('auto'), z.strictObject({ project: z.string(), logstore: z.string() })])
      .optional(),
    environmentVariables: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()),
    triggers: z.array(Trigger).min(1),
  })
  .superRefine((p, ctx) => {
    // FC 3.0: memory in GB between 1x and 4x the vCPUs.
    const ratio = p.memorySize / 1024 / p.cpu;
    if (ratio < 1 || ratio > 4)
      ctx.addIssue({
        code: 'custom',
        path: ['memorySize'],
        message: `memory ${p.memorySize} MB for ${p.cpu} vCPU is a ratio of ${ratio.toFixed(2)} GB/vCPU; keep it between 1 and 4`,
      });
    const names = p.triggers.map((t) => t.triggerName);
    if (new Set(names).size !== names.length)
      ctx.addIssue({
        code: 'custom',
        path: ['triggers'],
        message: 'trigger names must be unique per function',
      });
  });
export type FunctionProps = z.infer<typeof FunctionProps>;

export const SYaml = z.strictObject({
  edition: z.literal('3.0.0'),
  name: z.string().regex(ARN_PART),
  access: z.string().min(1),
  vars: z.record(z.string(), z.unknown()).optional(),
  resources: z
    .record(z.string(), z.strictObject({ component: z.literal('fc3'), props: FunctionProps }))
    .refine((r) => Object.keys(r).length > 0, { message: 'at least one resource' }),
});
export type SYaml = z.infer<typeof SYaml>;

/**
 * Substitutes `${vars.a.b}` the way Serverless Devs does: a value that is exactly one reference takes the
 * referenced value with its type (an array stays an array); a reference inside a longer string is
 * replaced by its text. Other references are left untouched.
 *
 * @throws Error naming the path when a `vars` reference does not resolve.
 */
export function resolveVars(node: unknown, vars: Record<string, unknown>, path = ''): unknown {
  if (typeof node === 'string') {
    const whole = /^\$\{vars\.([A-Za-z0-9_.]+)\}$/.exec(node);
    if (whole) return lookup(vars, whole[1]!, path);
    return node.replace(/\$\{vars\.([A-Za-z0-9_.]+)\}/g, (_m, key: string) => {
      const v = lookup(vars, key, path);
      if (typeof v === 'object' && v !== null) throw new Error(`${path}: \${vars.${key}} is not a scalar`);
      return String(v);
    });
  }
  if (Array.isArray(node)) return node.map((v, i) => resolveVars(v, vars, `${path}[${i}]`));
  if (typeof node === 'object' && node !== null)
    return Object.fromEntries(
      Object.entries(node).map(([k, v]) => [
        k,
        k === 'vars' && path === '' ? v : resolveVars(v, vars, path ? `${path}.${k}` : k),
      ]),
    );
  return node;
}

function lookup(vars: Record<string, unknown>, key: string, path: string): unknown {
  let cur: unknown = vars;
  for (const part of key.split('.')) {
    if (typeof cur !== 'object' || cur === null || !(part in cur))
      throw new Error(`${path}: \${vars.${key}} is not defined in vars`);
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** `${env('NAME')}` / `${env('NAME', 'default')}` as a whole value, else undefined. */
export function envReference(value: string): { name: string; fallback: string | undefined } | undefined {
  const m = /^\$\{env\(\s*'([A-Za-z_][A-Za-z0-9_]*)'\s*(?:,\s*'([^']*)'\s*)?\)\}$/.exec(value);
  return m ? { name: m[1]!, fallback: m[2] } : undefined;
}
