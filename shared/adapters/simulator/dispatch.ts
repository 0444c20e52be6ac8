/**
 * Request dispatch: one API call in, one answer out, as the cloud would give it. The fault gate comes
 * first (latency, then throttling or an injected failure: a refused call has no effect), then the
 * operation of the call's version and action: a read answers from the live world or, with staleness
 * injected, from the world as it was; a mutation runs under `ClientToken` idempotency and its answer
 * may be dropped. Errors are answers in Alibaba's shape, never rejections.
 */
import type { FaultGate } from './common/fault-gate.js';
import type { ServerFaultCode } from './common/faults.js';
import { fingerprintOf, IdempotencyCache } from './common/idempotency.js';
import { counterId } from './common/random.js';
import type { Operation, Operations, SimContext } from './context.js';
import { E, SimApiError } from './errors.js';
import { optional } from './params.js';
import type { SimRequest, SimResponse } from './types.js';

export const VPC_VERSION = '2016-04-28';
export const ECS_VERSION = '2014-05-26';

/** ClientTokens remembered per simulator; the oldest are forgotten first. */
const MAX_TOKENS = 10_000;

const SERVER_FAULTS: Record<ServerFaultCode, { status: number; message: string }> = {
  ServiceUnavailable: {
    status: 503,
    message: 'The request has failed due to a temporary failure of the server.',
  },
  InternalError: {
    status: 500,
    message: 'The request processing has failed due to some unknown error, exception or failure.',
  },
};

export class Dispatcher {
  private readonly ops: ReadonlyMap<string, Operation>;
  private readonly tokens = new IdempotencyCache<Record<string, unknown>>(MAX_TOKENS);
  private requestSeq = 0;

  /** `operations`: the operations of each API version. */
  constructor(
    private readonly ctx: SimContext,
    private readonly gate: FaultGate,
    operations: Readonly<Record<string, Operations>>,
    private readonly historyMs: number,
  ) {
    const ops = new Map<string, Operation>();
    for (const [version, byAction] of Object.entries(operations))
      for (const [action, op] of Object.entries(byAction)) ops.set(`${version}/${action}`, op);
    this.ops = ops;
  }

  /**
   * Answers one API call like the cloud would: latency, throttling and injected failures first (a
   * throttled or failed call has no effect), then the operation. Never rejects: errors are responses.
   */
  async handle(req: SimRequest): Promise<SimResponse> {
    const requestId = counterId(1, ++this.requestSeq);
    await this.gate.arrive(req.action);
    const hostId = req.version === ECS_VERSION ? 'ecs.aliyuncs.com' : 'vpc.aliyuncs.com';
    const pre = this.gate.admit(req.action, req.accessKeyId ?? 'default');
    if (pre.kind === 'throttle') {
      return errorResponse(
        new SimApiError(pre.status, 'Throttling.User', 'Request was denied due to user flow control.'),
        requestId,
        hostId,
      );
    }
    if (pre.kind === 'error') {
      const f = SERVER_FAULTS[pre.code];
      return errorResponse(new SimApiError(f.status, pre.code, f.message), requestId, hostId);
    }
    const op = this.ops.get(`${req.version}/${req.action}`);
    if (op === undefined) return errorResponse(E.actionNotFound(req.version, req.action), requestId, hostId);
    try {
      return op.mutates ? this.mutate(req, op, requestId) : this.read(req, op, requestId);
    } catch (e) {
      if (e instanceof SimApiError) return errorResponse(e, requestId, hostId);
      const message = e instanceof Error ? e.message : String(e);
      return errorResponse(
        new SimApiError(500, 'InternalError', `simulator bug: ${message}`),
        requestId,
        hostId,
      );
    }
  }

  /** A read answers the live world, or with staleness injected the world as it was (within historyMs). */
  private read(req: SimRequest, op: Operation, requestId: string): SimResponse {
    const staleMs = this.gate.staleness(req.action);
    const now = this.ctx.clock.now();
    // History older than historyMs is folded into the state at the window start.
    const view =
      staleMs > 0 ? this.ctx.world.viewAt(Math.max(now - staleMs, now - this.historyMs)) : this.ctx.world;
    return { status: 200, body: { RequestId: requestId, ...op.run(req.params, view) }, requestId };
  }

  private mutate(req: SimRequest, op: Operation, requestId: string): SimResponse {
    const body = this.runIdempotent(req, op, requestId);
    const drop = this.gate.drop(req.action);
    return { status: 200, body, requestId: String(body.RequestId), drop };
  }

  /**
   * `ClientToken` idempotency: the same token with the same action and parameters returns the
   * original (successful) result without a second effect; different parameters are refused. Failed
   * calls do not consume the token, so a retry after an error runs again.
   */
  private runIdempotent(req: SimRequest, op: Operation, requestId: string): Record<string, unknown> {
    const run = () => ({ RequestId: requestId, ...op.run(req.params, this.ctx.world) });
    const token = optional(req.params, 'ClientToken');
    if (token === undefined) return run();
    if (token.length > 64 || !/^[\x20-\x7e]+$/.test(token)) {
      throw E.invalid('ClientToken', 'it must be at most 64 printable ASCII characters');
    }
    const key = `${req.accessKeyId ?? 'default'}\u0000${req.action}\u0000${token}`;
    return this.tokens.run(key, fingerprintOf(req.params, 'ClientToken'), run, () =>
      E.idempotentMismatch(token),
    );
  }
}

function errorResponse(e: SimApiError, requestId: string, hostId: string): SimResponse {
  const product = hostId.startsWith('ecs') ? 'Ecs' : 'Vpc';
  return {
    status: e.status,
    requestId,
    body: {
      RequestId: requestId,
      HostId: hostId,
      Code: e.alibabaCode,
      Message: e.wireMessage,
      Recommend:
        e.recommend ??
        `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(e.alibabaCode)}&product=${product}`,
    },
  };
}
