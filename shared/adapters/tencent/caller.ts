/**
 * One call of the adapter, whatever the service: resolve credentials, send the signed request (or hand
 * it to the in-process transport), unwrap Tencent's envelope, log one line, and turn every failure
 * into a HavipError. No retries here: the engine's retry policy decides, with full knowledge of
 * deadlines and leases, and re-reads state after a lost answer.
 */
import type { z } from 'zod';
import type { TencentMutationResult } from '../../core/tencent-ports.js';
import { type CallFrame, callContext, framedCall, parsedBody } from '../cloud-call/caller.js';
import type { CallContext } from '../cloud-call/errors.js';
import { credentialsResolver, type TencentCredentials } from './credentials.js';
import { toCloudError } from './errors.js';
import { TencentHttp } from './http.js';
import type { TencentCloudApiOptions } from './options.js';
import { RequestIdOnly } from './schemas.js';
import { type TencentTransportResponse, unwrapAnswer } from './transport.js';
import * as wire from './wire.js';

export class Caller {
  private readonly resolveCredentials: (action: string) => Promise<TencentCredentials>;
  private readonly http: TencentHttp;
  private readonly frame: CallFrame;

  constructor(private readonly opts: TencentCloudApiOptions) {
    this.resolveCredentials = credentialsResolver(opts.credentials, opts.env ?? (() => process.env));
    this.http = new TencentHttp(opts);
    this.frame = { provider: 'tencent', logger: opts.logger, toCloudError, requestIdOf };
  }

  /** One call; returns the `Response` object or throws a HavipError. */
  async call(regionId: string, req: wire.WireRequest): Promise<Record<string, unknown>> {
    return framedCall(this.frame, regionId, contextOf(regionId, req), async () => {
      const creds = await this.resolveCredentials(req.action);
      return unwrapAnswer(await this.exchange(regionId, req, creds));
    });
  }

  private exchange(
    regionId: string,
    req: wire.WireRequest,
    creds: TencentCredentials,
  ): Promise<TencentTransportResponse> {
    const transport = this.opts.transport;
    if (transport === undefined) return this.http.send(regionId, req, creds);
    return transport({
      service: req.service,
      version: req.version,
      action: req.action,
      regionId,
      body: req.body,
      secretId: creds.secretId,
    });
  }

  /** A read: the `Response` must match `schema`, else the call fails naming the first field that does not. */
  async read<S extends z.ZodType>(regionId: string, req: wire.WireRequest, schema: S): Promise<z.output<S>> {
    const response = await this.call(regionId, req);
    return parsedBody(this.frame, contextOf(regionId, req), response, schema);
  }

  /** A mutation that succeeded never fails because of its body; its RequestId is returned when present. */
  async mutate(regionId: string, req: wire.WireRequest): Promise<TencentMutationResult> {
    const response = await this.call(regionId, req);
    return { requestId: requestIdOf(response) };
  }
}

const contextOf = (regionId: string, req: wire.WireRequest): CallContext =>
  callContext(req, wire.subjectOf(regionId, req));

export function requestIdOf(response: unknown): string | undefined {
  const parsed = RequestIdOnly.safeParse(response);
  return parsed.success ? parsed.data.RequestId : undefined;
}
