/**
 * Request dispatch of the Tencent simulator: one API call in, one answer out, as Tencent gives it. The
 * fault gate comes first (latency, then throttling or an injected failure: a refused call has no
 * effect), then the action of the call's version and region: a read answers from the live world or,
 * with staleness injected, from the world as it was; a mutation's answer may be dropped after it is
 * applied. Every API error is HTTP 200 with `{"Response": {"Error": {...}, "RequestId"}}`; only the
 * injected `ServiceUnavailable` is an HTTP 503 from the "gateway", without Tencent's envelope.
 */
import type { FaultGate } from '../simulator/common/fault-gate.js';
import { counterId } from '../simulator/common/random.js';
import { API_VERSIONS } from '../tencent/endpoints.js';
import type { Operation, Operations, TencentSimContext } from './context.js';
import { E, TencentSimApiError } from './errors.js';
import type { TencentFaultCode } from './faults.js';
import { allowOnly, type Params } from './params.js';

/** One API call, decoded from the wire (headers and the JSON body). */
export interface TencentSimRequest {
  readonly action: string;
  /** `X-TC-Version`: `2017-03-12` (VPC, CVM) or `2020-10-28` (TAT). */
  readonly version: string;
  /** `X-TC-Region`. */
  readonly region: string;
  /** The JSON body. */
  readonly params: Params;
  /** The caller's SecretId: the throttle bucket. Default `default`. */
  readonly secretId?: string;
}

export interface TencentSimResponse {
  /** HTTP status: 200, or 503 for the injected gateway failure. */
  readonly status: number;
  /** `{ Response: {...} }`, or a text body for the 503. */
  readonly body: unknown;
  readonly requestId: string;
  /** The call took effect but its answer must never reach the caller (the server destroys the socket). */
  readonly drop?: boolean;
}

const INJECTED: Readonly<Record<TencentFaultCode, string>> = {
  InternalError: 'An internal error has occurred. Retry your request.',
  ServiceUnavailable: '',
  'UnsupportedOperation.MutexOperationTaskRunning': 'A mutually exclusive task is running; retry later.',
};

export class TencentDispatcher {
  private readonly ops: ReadonlyMap<string, Operation>;
  private requestSeq = 0;

  constructor(
    private readonly ctx: TencentSimContext,
    private readonly gate: FaultGate<TencentFaultCode>,
    operations: Operations,
    private readonly historyMs: number,
  ) {
    this.ops = new Map(Object.entries(operations));
  }

  /** The service an action belongs to (`vpc`, `cvm`, `tat`), if the simulator knows the action. */
  serviceOf(action: string): string | undefined {
    return this.ops.get(action)?.service;
  }

  /** Answers one call like Tencent would. Never rejects: errors are answers. */
  async handle(req: TencentSimRequest): Promise<TencentSimResponse> {
    const requestId = counterId(1, ++this.requestSeq).toLowerCase();
    await this.gate.arrive(req.action);
    const pre = this.gate.admit(req.action, req.secretId ?? 'default');
    if (pre.kind === 'throttle')
      return errorAnswer(
        new TencentSimApiError(
          'RequestLimitExceeded',
          'Your current request times equals to `20` in a second, which exceeds the frequency limit.',
        ),
        requestId,
      );
    if (pre.kind === 'error') {
      if (pre.code === 'ServiceUnavailable')
        return { status: 503, body: '503 Service Temporarily Unavailable', requestId };
      return errorAnswer(new TencentSimApiError(pre.code, INJECTED[pre.code]), requestId);
    }
    try {
      const op = this.operation(req);
      allowOnly(req.params, op.params);
      const call = { region: req.region, requestId };
      if (!op.mutates) {
        const staleMs = this.gate.staleness(req.action);
        const now = this.ctx.clock.now();
        const view =
          staleMs > 0 ? this.ctx.world.viewAt(Math.max(now - staleMs, now - this.historyMs)) : this.ctx.world;
        return ok(op.run(req.params, { ...call, view }), requestId);
      }
      const answer = ok(op.run(req.params, { ...call, view: this.ctx.world }), requestId);
      return { ...answer, drop: this.gate.drop(req.action) };
    } catch (e) {
      if (e instanceof TencentSimApiError) return errorAnswer(e, requestId);
      const message = e instanceof Error ? e.message : String(e);
      return errorAnswer(new TencentSimApiError('InternalError', `simulator bug: ${message}`), requestId);
    }
  }

  /** The action's operation, after the checks Tencent's gateway makes: the action, the version, the region. */
  private operation(req: TencentSimRequest): Operation {
    const op = this.ops.get(req.action);
    if (op === undefined) throw E.invalidAction(req.action);
    if (API_VERSIONS[op.service] !== req.version) throw E.noSuchVersion(req.action, req.version);
    if (req.region === '' || !this.ctx.world.regions.has(req.region)) throw E.unsupportedRegion(req.region);
    return op;
  }
}

function ok(result: Record<string, unknown>, requestId: string): TencentSimResponse {
  return { status: 200, body: { Response: { ...result, RequestId: requestId } }, requestId };
}

function errorAnswer(e: TencentSimApiError, requestId: string): TencentSimResponse {
  return {
    status: 200,
    body: { Response: { Error: { Code: e.tencentCode, Message: e.wireMessage }, RequestId: requestId } },
    requestId,
  };
}
