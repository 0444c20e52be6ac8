/**
 * The frame of one cloud call, the same on both clouds: one debug line when it succeeds, one warn line
 * (never credentials) and a HavipError when it fails, and a read whose body must match its schema.
 * Each cloud's `Caller` supplies the exchange (signing, transport, envelope) and its error mapping.
 */
import type { z } from 'zod';
import { CloudError, type CloudProvider, type HavipError } from '../../core/errors.js';
import type { Logger } from '../../core/ports.js';
import { type CallContext, cloudError } from './errors.js';

/** What the frame needs of one cloud's adapter. */
export interface CallFrame {
  readonly provider: CloudProvider;
  readonly logger?: Logger | undefined;
  readonly toCloudError: (e: unknown, ctx: CallContext) => HavipError;
  /** The answer's RequestId, when it carries one. */
  readonly requestIdOf: (body: unknown) => string | undefined;
}

/** The context of a call of `req` for its error messages; `subject` names the region and resources. */
export function callContext(
  req: { readonly action: string; readonly mutation: boolean; readonly service: string },
  subject: string,
): CallContext {
  return { action: req.action, mutation: req.mutation, subject, service: req.service };
}

/** Runs `exchange`, logs its outcome, and maps any failure with the cloud's error table. */
export async function framedCall<T>(
  frame: CallFrame,
  regionId: string,
  ctx: CallContext,
  exchange: () => Promise<T>,
): Promise<T> {
  const { provider, logger } = frame;
  try {
    const body = await exchange();
    logger?.debug(
      { action: ctx.action, regionId, requestId: frame.requestIdOf(body) },
      `${provider} call ok`,
    );
    return body;
  } catch (e) {
    const err = frame.toCloudError(e, ctx);
    logger?.warn(
      {
        action: ctx.action,
        regionId,
        code: err.code,
        retryable: err.retryable,
        [`${provider}Code`]: err instanceof CloudError ? err.providerCode : undefined,
        requestId: err instanceof CloudError ? err.requestId : undefined,
      },
      `${provider} call failed`,
    );
    throw err;
  }
}

/** `body` as `schema` reads it, else a non-retryable error naming the first field that does not match. */
export function parsedBody<S extends z.ZodType>(
  frame: CallFrame,
  ctx: CallContext,
  body: unknown,
  schema: S,
): z.output<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw cloudError(frame.provider, {
    code: 'cloud.error',
    action: ctx.action,
    providerCode: 'InvalidResponse',
    message: `unexpected response body at ${describeIssue(parsed.error)} (${ctx.subject})`,
    requestId: frame.requestIdOf(body),
    retryable: false,
  });
}

/** Render the first zod issue as `HaVips.HaVip[0].Status: …` for an error message. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid body';
  let path = '';
  for (const p of issue.path) {
    path += typeof p === 'number' ? `[${p}]` : path === '' ? String(p) : `.${String(p)}`;
  }
  return `${path || '(body)'}: ${issue.message}`;
}
