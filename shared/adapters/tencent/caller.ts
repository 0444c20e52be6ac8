/**
 * One call of the adapter, whatever the service: resolve credentials, send the signed request (or hand
 * it to the in-process transport), unwrap Tencent's envelope, log one line, and turn every failure
 * into a HavipError. No retries here: the engine's retry policy decides, with full knowledge of
 * deadlines and leases, and re-reads state after a lost answer.
 */
import type { z } from 'zod';
import { CloudError } from '../../core/errors.js';
import type { TencentMutationResult } from '../../core/tencent-ports.js';
import { credentialsResolver, type TencentCredentials } from './credentials.js';
import { toCloudError } from './errors.js';
import { TencentHttp } from './http.js';
import type { TencentCloudApiOptions } from './options.js';
import { describeIssue, RequestIdOnly } from './schemas.js';
import { type TencentTransportResponse, unwrapAnswer } from './transport.js';
import * as wire from './wire.js';

export class Caller {
  private readonly resolveCredentials: (action: string) => Promise<TencentCredentials>;
  private readonly http: TencentHttp;

  constructor(private readonly opts: TencentCloudApiOptions) {
    this.resolveCredentials = credentialsResolver(opts.credentials, opts.env ?? (() => process.env));
    this.http = new TencentHttp(opts);
  }

  /** One call; returns the `Response` object or throws a HavipError. */
  async call(regionId: string, req: wire.WireRequest): Promise<Record<string, unknown>> {
    const ctx = {
      action: req.action,
      mutation: req.mutation,
      subject: wire.subjectOf(regionId, req),
      service: req.service,
    };
    try {
      const creds = await this.resolveCredentials(req.action);
      const response = unwrapAnswer(await this.exchange(regionId, req, creds));
      this.opts.logger?.debug(
        { action: req.action, regionId, requestId: requestIdOf(response) },
        'tencent call ok',
      );
      return response;
    } catch (e) {
      const err = toCloudError(e, ctx);
      this.opts.logger?.warn(
        {
          action: req.action,
          regionId,
          code: err.code,
          retryable: err.retryable,
          tencentCode: err instanceof CloudError ? err.providerCode : undefined,
          requestId: err instanceof CloudError ? err.requestId : undefined,
        },
        'tencent call failed',
      );
      throw err;
    }
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
    const parsed = schema.safeParse(response);
    if (!parsed.success) {
      throw new CloudError({
        provider: 'tencent',
        code: 'cloud.error',
        action: req.action,
        tencentCode: 'InvalidResponse',
        message: `unexpected response body at ${describeIssue(parsed.error)} (${wire.subjectOf(regionId, req)})`,
        requestId: requestIdOf(response),
        retryable: false,
      });
    }
    return parsed.data;
  }

  /** A mutation that succeeded never fails because of its body; its RequestId is returned when present. */
  async mutate(regionId: string, req: wire.WireRequest): Promise<TencentMutationResult> {
    const response = await this.call(regionId, req);
    return { requestId: requestIdOf(response) };
  }
}

export function requestIdOf(response: unknown): string | undefined {
  const parsed = RequestIdOnly.safeParse(response);
  return parsed.success ? parsed.data.RequestId : undefined;
}
