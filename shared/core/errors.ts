/**
 * One error base class for the whole project. Every error that crosses a layer boundary is a
 * {@link HavipError} with a stable, documented `code`; callers branch on `code`, never on message text.
 */
export class HavipError extends Error {
  /** Stable machine-readable code, e.g. `config.invalid`, `cloud.throttled`. Documented in the README. */
  readonly code: string;
  /** Whether repeating the same operation later may succeed (the engine's retry policy reads this). */
  readonly retryable: boolean;
  /** Structured context safe to log (never credentials). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: string,
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
  constructor(code: string, summary: string, issues: readonly InputIssue[]) {
    super(code, formatIssues(summary, issues), { details: { issues } });
    this.issues = issues;
  }
}

/** The topology configuration failed to parse or failed static validation with errors. */
export class ConfigError extends InvalidInputError {
  constructor(summary: string, issues: readonly InputIssue[], code = 'config.invalid') {
    super(code, summary, issues);
  }
}

/** A cloud API call failed. `alibabaCode` is Alibaba's own error code (e.g. `IncorrectHaVipStatus`). */
export class CloudError extends HavipError {
  readonly alibabaCode: string;
  readonly requestId: string | undefined;
  readonly statusCode: number | undefined;
  readonly action: string;
  constructor(args: {
    code?: string;
    action: string;
    alibabaCode: string;
    message: string;
    requestId?: string;
    statusCode?: number;
    retryable: boolean;
    cause?: unknown;
  }) {
    super(args.code ?? 'cloud.error', `${args.action}: ${args.alibabaCode}: ${args.message}`, {
      retryable: args.retryable,
      cause: args.cause,
      details: {
        action: args.action,
        alibabaCode: args.alibabaCode,
        requestId: args.requestId,
        statusCode: args.statusCode,
      },
    });
    this.alibabaCode = args.alibabaCode;
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
  constructor(kind: string, id: string, hint?: string) {
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
