/**
 * Builds a real `TableStore.Client` (the only place that does; everything else takes a
 * `TablestoreClientLike` so tests can use an in-memory fake).
 */
import TableStore from 'tablestore';
import { z } from 'zod';
import { InvalidInputError } from '../../core/errors.js';

export interface TablestoreCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** STS token, e.g. Function Compute's `context.credentials.securityToken`. */
  readonly securityToken?: string | undefined;
}

export interface TablestoreClientOptions {
  /** e.g. `https://<instance>.cn-hangzhou.ots.aliyuncs.com` (or the `.vpc.` endpoint inside a VPC). */
  readonly endpoint: string;
  readonly instanceName: string;
  readonly credentials: TablestoreCredentials;
  /** Per-request socket timeout (default 5000 ms). */
  readonly timeoutMs?: number;
  /**
   * The SDK's own retry budget (default 2). It only retries reads and throttling errors; the SDK
   * default (20 tries, up to 3 s apart) would outlive a function invocation. Note that the SDK keeps
   * this value in a process-wide setting, so the last client created wins.
   */
  readonly maxRetries?: number;
}

const optionsSchema = z.object({
  endpoint: z
    .string()
    .regex(
      /^https?:\/\/[^\s/]+\/?$/,
      'must be an http(s) URL with no path, e.g. https://myinst.cn-hangzhou.ots.aliyuncs.com',
    ),
  instanceName: z
    .string()
    .regex(
      /^[A-Za-z][A-Za-z0-9-]{0,63}$/,
      'must be a Tablestore instance name (letters, digits and hyphens, starting with a letter)',
    ),
  credentials: z.object({
    accessKeyId: z.string().min(1, 'is empty: set ALIBABA_CLOUD_ACCESS_KEY_ID or pass credentials'),
    accessKeySecret: z.string().min(1, 'is empty: set ALIBABA_CLOUD_ACCESS_KEY_SECRET or pass credentials'),
    securityToken: z.string().optional(),
  }),
  timeoutMs: z.int().min(1).optional(),
  maxRetries: z.int().min(0).max(20).optional(),
});

/**
 * Creates a real Tablestore client (it satisfies `TablestoreClientLike` and `TablestoreAdminClientLike`).
 * Validates the options; performs no network call.
 */
export function createTablestoreClient(opts: TablestoreClientOptions): TableStore.Client {
  const r = optionsSchema.safeParse(opts);
  if (!r.success) {
    throw new InvalidInputError(
      'store.invalid-argument',
      'invalid Tablestore client options',
      r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    );
  }
  return new TableStore.Client({
    accessKeyId: opts.credentials.accessKeyId,
    secretAccessKey: opts.credentials.accessKeySecret,
    ...(opts.credentials.securityToken ? { stsToken: opts.credentials.securityToken } : {}),
    endpoint: opts.endpoint.replace(/\/$/, ''),
    instancename: opts.instanceName,
    maxRetries: opts.maxRetries ?? 2,
    httpOptions: { timeout: opts.timeoutMs ?? 5000 },
  });
}
