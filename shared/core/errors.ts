/**
 * One error base class for the whole project. Every error that crosses a layer boundary is a
 * {@link HavipError} with a stable, documented `code`; callers branch on `code`, never on message text.
 */

/**
 * Every error code, with its meaning: the one list (docs/http-api.md, "Error codes", documents it). An
 * error class accepts only these, so the compiler rejects an unknown or misspelt code. Findings of the
 * validators (`member.priority.owner`, `live.havip.missing`, …) are not errors: they have their own
 * lists (docs/configuration.md, docs/cloud-adapter.md).
 */
export const ERROR_CODES = Object.freeze({
  // Bad input (InvalidInputError): never retryable; `issues` name each field and the fix.
  'config.invalid':
    'the topology failed to parse or validate, or another configuration (HTTP auth, notifier or parser options) is malformed',
  'env.invalid':
    'an environment variable of the runtime is missing or malformed, or the topology file is unreadable',
  'credentials.missing': 'the invocation carried no cloud credentials: give the function a RAM role',
  'scenario.invalid': 'a `havip simulate` scenario is malformed or does not fit its group',
  'event.invalid': 'an FC trigger event (ECS, MNS, timer, HTTP trigger) could not be read',
  'report.refused':
    'a host agent report (or an unsigned heartbeat message) was refused: bad or missing MAC, unknown group or member',
  'request.invalid': 'an HTTP API body, query or path parameter is malformed',
  'announce.invalid-address': 'the address to announce is not an IPv4 address',
  'store.invalid-argument': 'a state-store option, table name or record is malformed',
  'cloud.options-invalid': 'the options of a cloud adapter (Alibaba, Tencent) are malformed',
  'simulator.options-invalid': 'the simulator options are malformed',
  'simulator.seed-invalid': 'the simulator seed is malformed or describes an impossible world',
  'simulator.fault-invalid': 'a simulator fault setting is malformed',
  'simulator.admin-invalid': 'a simulator admin request has a malformed body',
  'config.unreadable': "a configuration file (the host agent's) cannot be read",
  // The HTTP API.
  'http.not-found': 'no route matches the path',
  'http.method-not-allowed': 'the path does not support the method',
  'http.unsupported-media-type': 'a POST body that is not JSON',
  'http.payload-too-large': 'the request body exceeds the size limit',
  'auth.missing': 'no Authorization header and no X-Havip-* headers',
  'auth.invalid': 'malformed credentials, or a scheme that is not enabled',
  'auth.ambiguous': 'both a bearer token and signature headers were sent',
  'auth.invalid-token': 'the bearer token is not valid',
  'auth.invalid-signature': 'unknown key id, or the signature does not match',
  'auth.expired': 'the signature timestamp is outside the window',
  'auth.replayed': 'the signature was already used',
  'auth.not-configured': 'the server has no credentials configured',
  'auth.forbidden':
    "the credential's role, or the member an agent credential is bound to, does not allow the request",
  'auth.throttled':
    'one HMAC key signed more requests within the replay window than the server remembers; retry later',
  // Something the request names is not in the topology (NotFoundError).
  'group.not-found': 'the group is not in the topology',
  'member.not-found': 'the member (instance or ENI) is not in the topology',
  // The cloud (CloudError, CloudResponseLostError); docs/cloud-adapter.md and docs/tencent.md map the
  // clouds' codes to these.
  'cloud.throttled': 'the cloud API throttled the call (retryable)',
  'cloud.unavailable': 'the cloud API is unavailable or unreachable (retryable)',
  'cloud.conflict':
    'the resource is busy with another change, is already bound, or cannot run a Cloud Assistant command now',
  'cloud.not-found': 'the cloud resource does not exist (or is not bound)',
  'cloud.forbidden': 'the credentials are refused or lack a permission',
  'cloud.quota': 'a cloud quota is exhausted',
  'cloud.invalid-request': 'the cloud refused the request as invalid',
  'cloud.error': 'any other cloud failure, or an unreadable answer',
  'cloud.response-lost': 'a mutation got no answer and may have been applied: re-read state before retrying',
  // The state store.
  'store.stale-epoch': 'the lease epoch is no longer current: a newer actor owns the group',
  'store.lease-busy': 'another invocation holds the group lease (retryable)',
  'store.error': 'the state store failed for a reason other than a failed condition',
  // Everything else.
  'deadline.exceeded': 'the invocation deadline passed before the operation finished (retryable)',
  'notify.failed': 'a notifier (webhook, DingTalk) failed; never blocks a failover',
  'simulator.api-error': 'an API error answered by a simulator (`alibabaCode` or `tencentCode` says which)',
  'simulator.admin-not-found': 'no simulator admin route matches the request',
  // The host agent (shared/agent).
  'agent.state': "the agent's state directory cannot be read or written",
  'agent.sink': 'the agent could not deliver a report to its sink (MNS topic or HTTP collector)',
  internal: 'an unexpected error that is not a HavipError; the details are only in the server log',
} as const);

/** A stable error code: one of {@link ERROR_CODES}. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The codes under one prefix, e.g. `CodeIn<'auth'>` is `'auth.missing' | 'auth.invalid' | …`. */
export type CodeIn<P extends string> = Extract<ErrorCode, `${P}.${string}`>;

/** The base of every error the project throws across a layer boundary. */
export class HavipError extends Error {
  /** Stable machine-readable code, e.g. `config.invalid`, `cloud.throttled`: one of {@link ERROR_CODES}. */
  readonly code: ErrorCode;
  /** Whether repeating the same operation later may succeed (the engine's retry policy reads this). */
  readonly retryable: boolean;
  /** Structured context safe to log (never credentials). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { retryable?: boolean; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...this.details,
    };
  }
}

/** One problem in user-supplied input: which field, what is wrong, how to fix it. */
export interface InputIssue {
  /** Path in the input, rendered like `groups[1].members[0].priority`; `''` for the whole document. */
  readonly path: string;
  readonly message: string;
  readonly hint?: string;
}

/** Bad input (topology file, event payload, HTTP body, CLI argument). Never retryable. */
export class InvalidInputError extends HavipError {
  readonly issues: readonly InputIssue[];
  constructor(code: ErrorCode, summary: string, issues: readonly InputIssue[]) {
    super(code, formatIssues(summary, issues), { details: { issues } });
    this.issues = issues;
  }
}

/** The topology configuration failed to parse or failed static validation with errors. */
export class ConfigError extends InvalidInputError {
  constructor(summary: string, issues: readonly InputIssue[], code: ErrorCode = 'config.invalid') {
    super(code, summary, issues);
  }
}

/** The clouds whose adapters raise {@link CloudError}. */
export type CloudProvider = 'alibaba' | 'tencent';

/** What every cloud failure carries besides the cloud's own code. */
interface CloudErrorCommon {
  code?: CodeIn<'cloud'>;
  action: string;
  message: string;
  requestId?: string;
  statusCode?: number;
  retryable: boolean;
  cause?: unknown;
}

/**
 * A cloud API call failed. `providerCode` is the cloud's own error code (Alibaba's
 * `IncorrectHaVipStatus`, Tencent's `RequestLimitExceeded`); `provider` says which cloud answered.
 * `alibabaCode` is the same value under the name the Alibaba call sites have always read.
 */
export class CloudError extends HavipError {
  readonly provider: CloudProvider;
  readonly providerCode: string;
  /** The cloud's own code (named before a second cloud existed; equal to {@link providerCode}). */
  readonly alibabaCode: string;
  readonly requestId: string | undefined;
  readonly statusCode: number | undefined;
  readonly action: string;
  constructor(
    args: CloudErrorCommon & ({ alibabaCode: string } | { provider: 'tencent'; tencentCode: string }),
  ) {
    const tencent = 'tencentCode' in args;
    const providerCode = tencent ? args.tencentCode : args.alibabaCode;
    super(args.code ?? 'cloud.error', `${args.action}: ${providerCode}: ${args.message}`, {
      retryable: args.retryable,
      cause: args.cause,
      details: {
        action: args.action,
        ...(tencent ? { provider: 'tencent', tencentCode: providerCode } : { alibabaCode: providerCode }),
        requestId: args.requestId,
        statusCode: args.statusCode,
      },
    });
    this.provider = tencent ? 'tencent' : 'alibaba';
    this.providerCode = providerCode;
    this.alibabaCode = providerCode;
    this.requestId = args.requestId;
    this.statusCode = args.statusCode;
    this.action = args.action;
  }
}

/**
 * The response to a call never arrived (timeout, reset). The mutation may or may not have been
 * committed: the engine must re-read state before retrying.
 */
export class CloudResponseLostError extends HavipError {
  readonly action: string;
  constructor(action: string, cause?: unknown) {
    super('cloud.response-lost', `${action}: no response (the request may have been applied)`, {
      retryable: true,
      cause,
      details: { action },
    });
    this.action = action;
  }
}

/** Our lease epoch is no longer current: a newer actor owns the group. The stale actor must stop. */
export class StaleEpochError extends HavipError {
  constructor(group: string, epoch: number, details: Record<string, unknown> = {}) {
    super('store.stale-epoch', `group ${group}: epoch ${epoch} is no longer current; stopping`, {
      details: { group, epoch, ...details },
    });
  }
}

/** Another invocation holds the group lease. */
export class LeaseBusyError extends HavipError {
  constructor(group: string, holderEpoch: number, expiresAt: number) {
    super(
      'store.lease-busy',
      `group ${group}: lease held by epoch ${holderEpoch} until ${new Date(expiresAt).toISOString()}`,
      {
        retryable: true,
        details: { group, holderEpoch, expiresAt },
      },
    );
  }
}

/** The state store failed for a reason other than a failed condition. */
export class StoreError extends HavipError {
  constructor(
    message: string,
    options: { retryable?: boolean; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super('store.error', message, options);
  }
}

/** A referenced entity (group, member) is not in the topology. */
export class NotFoundError extends HavipError {
  constructor(kind: 'group' | 'member', id: string, hint?: string) {
    super(
      `${kind}.not-found`,
      `${kind} ${JSON.stringify(id)} is not in the topology${hint ? `: ${hint}` : ''}`,
      {
        details: { kind, id },
      },
    );
  }
}

/** The invocation deadline passed before the operation could finish. */
export class DeadlineExceededError extends HavipError {
  constructor(what: string, details: Record<string, unknown> = {}) {
    super('deadline.exceeded', `${what}: deadline exceeded`, { retryable: true, details });
  }
}

export function formatIssues(summary: string, issues: readonly InputIssue[]): string {
  if (issues.length === 0) return summary;
  const lines = issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}${i.hint ? ` (${i.hint})` : ''}`);
  return `${summary}\n${lines.join('\n')}`;
}

export function isHavipError(e: unknown): e is HavipError {
  return e instanceof HavipError;
}
