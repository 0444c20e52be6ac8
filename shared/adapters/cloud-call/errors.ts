/**
 * What both cloud adapters do with a failed call once their own table has classified the cloud's code:
 * the stable codes, the message with its hint, and the mapping of a call that got no answer (not sent,
 * lost, or a client-side failure). Each cloud keeps its own code table and knows how to read its
 * transport's errors (alibaba/errors.ts, tencent/errors.ts).
 */
import {
  CloudError,
  type CloudProvider,
  CloudResponseLostError,
  type HavipError,
} from '../../core/errors.js';

/** The stable HavipError codes the cloud adapters produce (besides `cloud.response-lost`). */
export type CloudErrorCode =
  | 'cloud.throttled'
  | 'cloud.unavailable'
  | 'cloud.conflict'
  | 'cloud.not-found'
  | 'cloud.forbidden'
  | 'cloud.invalid-request'
  | 'cloud.quota'
  | 'cloud.error';

export interface Classification {
  readonly code: CloudErrorCode;
  readonly retryable: boolean;
}

/** What the adapter knows about the failed call, for the error message. */
export interface CallContext {
  readonly action: string;
  readonly mutation: boolean;
  /** Non-secret identifying parameters (region, resource ids) to name in the message. */
  readonly subject: string;
  /** The API's service (`vpc`, `ecs`, `cvm`, …), for the permission hint. */
  readonly service: string;
}

/** The class of an answer whose code no table knew, by its HTTP status alone. */
export function classifyByStatus(status: number | undefined): Classification {
  if (status !== undefined && status >= 500) return { code: 'cloud.unavailable', retryable: true };
  if (status === 401 || status === 403) return { code: 'cloud.forbidden', retryable: false };
  if (status === 404) return { code: 'cloud.not-found', retryable: false };
  return { code: 'cloud.error', retryable: false };
}

/** What a CloudError carries besides the cloud's own code, with a code of this layer. */
type CloudFailure = Omit<
  Extract<ConstructorParameters<typeof CloudError>[0], { alibabaCode: string }>,
  'alibabaCode'
> & {
  readonly code: CloudErrorCode;
  readonly providerCode: string;
};

/** A cloud failure of `provider`; `providerCode` is the cloud's own code. */
export function cloudError(provider: CloudProvider, a: CloudFailure): CloudError {
  const { providerCode, ...rest } = a;
  return new CloudError({
    ...rest,
    ...(provider === 'tencent' ? { provider, tencentCode: providerCode } : { alibabaCode: providerCode }),
  });
}

/** A cloud's hints: for particular codes, else for a class of failure. */
export interface Hints {
  readonly byCode: Readonly<Record<string, string>>;
  readonly byClass: Partial<Record<CloudErrorCode, (c: CallContext) => string>>;
}

/** An error answer of the API: its text, the call's subject and the hint if there is one, as one error. */
export function answerError(
  provider: CloudProvider,
  ctx: CallContext,
  cls: Classification,
  hints: Hints,
  a: {
    readonly providerCode: string;
    readonly text: string;
    readonly requestId: string | undefined;
    readonly statusCode: number | undefined;
    readonly cause?: Error;
  },
): CloudError {
  const hint = hints.byCode[a.providerCode] ?? hints.byClass[cls.code]?.(ctx);
  return cloudError(provider, {
    code: cls.code,
    action: ctx.action,
    providerCode: a.providerCode,
    message: `${a.text} (${ctx.subject})${hint ? `; ${hint}` : ''}`,
    requestId: a.requestId,
    statusCode: a.statusCode,
    retryable: cls.retryable,
    cause: a.cause,
  });
}

/** Node socket failures after the request may have reached the server: a mutation may have been applied. */
export const LOST_SOCKET_CODES: readonly string[] = [
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
];
/** Node socket failures before anything was sent: the call was certainly not applied. */
export const NOT_SENT_SOCKET_CODES: readonly string[] = [
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
];

/** How a cloud's transport failure reads, as its adapter made it out. */
export interface NoAnswer {
  /** The socket-level code (`ECONNRESET`), or ''. */
  readonly code: string;
  /** Nothing was sent: the call was certainly not applied. */
  readonly notSent: boolean;
  readonly timedOut: boolean;
  /** The request may have reached the server (a socket failure after sending). */
  readonly lost: boolean;
  /** A body that is not JSON: it came after the server acted. */
  readonly badBody: boolean;
  /** The error's message, safe to show. */
  readonly text: string;
  /** The error to keep as `cause`, safe to keep. */
  readonly cause: Error;
}

/** A call that got no usable answer: unavailable when not sent, lost (for a mutation), or a client error. */
export function noAnswerError(provider: CloudProvider, ctx: CallContext, f: NoAnswer): HavipError {
  const fail = (code: CloudErrorCode, providerCode: string, message: string, retryable: boolean) =>
    cloudError(provider, { code, action: ctx.action, providerCode, message, retryable, cause: f.cause });
  if (f.notSent)
    return fail(
      'cloud.unavailable',
      `Network.${f.code}`,
      `the endpoint could not be reached (${ctx.subject}); check the endpoint and network path`,
      true,
    );
  if (f.timedOut || f.lost || f.badBody) {
    if (ctx.mutation) return new CloudResponseLostError(ctx.action, f.cause);
    const providerCode = f.timedOut ? 'RequestTimeout' : f.badBody ? 'InvalidResponse' : `Network.${f.code}`;
    return fail('cloud.unavailable', providerCode, `no usable response (${ctx.subject})`, true);
  }
  const providerCode = f.code ? `Client.${f.code}` : 'Client.Error';
  return fail('cloud.error', providerCode, `${f.text} (${ctx.subject})`, false);
}
