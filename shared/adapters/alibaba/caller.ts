/**
 * One call of the adapter, whatever the API: resolve credentials, send the wire request (signed HTTP,
 * or the in-process transport), log one line, and turn every failure into a HavipError. No retries
 * here: the client is configured without `retryOptions`, so the OpenAPI client makes exactly one
 * attempt, and the engine's retry policy decides with full knowledge of deadlines and leases.
 */
import type { z } from 'zod';
import { CloudError } from '../../core/errors.js';
import type { MutationResult } from '../../core/ports.js';
import { type AlibabaCredentials, credentialsResolver } from './credentials.js';
import { toCloudError } from './errors.js';
import { OpenApiHttp } from './openapi-http.js';
import type { AlibabaCloudApiOptions } from './options.js';
import { describeIssue, MutationBody } from './schemas.js';
import { callViaTransport } from './transport.js';
import * as wire from './wire.js';

export class Caller {
  private readonly resolveCredentials: (action: string) => Promise<AlibabaCredentials>;
  private readonly http: OpenApiHttp;

  constructor(private readonly opts: AlibabaCloudApiOptions) {
    this.resolveCredentials = credentialsResolver(opts.credentials);
    this.http = new OpenApiHttp(opts);
  }

  /** One call; returns the JSON body or throws a HavipError. */
  async call(regionId: string, req: wire.WireRequest): Promise<unknown> {
    const ctx = {
      action: req.action,
      mutation: req.mutation,
      subject: wire.subjectOf(regionId, req),
      service: req.service,
    };
    const creds = await this.resolveCredentials(req.action);
    try {
      const transport = this.opts.transport;
      const body =
        transport === undefined
          ? await this.http.send(regionId, req, creds)
          : await callViaTransport(transport, regionId, req, creds.accessKeyId);
      this.opts.logger?.debug(
        { action: req.action, regionId, requestId: requestIdOf(body) },
        'alibaba call ok',
      );
      return body;
    } catch (e) {
      const err = toCloudError(e, ctx);
      this.opts.logger?.warn(
        {
          action: req.action,
          regionId,
          code: err.code,
          retryable: err.retryable,
          alibabaCode: err instanceof CloudError ? err.alibabaCode : undefined,
          requestId: err instanceof CloudError ? err.requestId : undefined,
        },
        'alibaba call failed',
      );
      throw err;
    }
  }

  /** A read: the body must match `schema`, else the call fails naming the first field that does not. */
  async read<S extends z.ZodType>(regionId: string, req: wire.WireRequest, schema: S): Promise<z.output<S>> {
    const body = await this.call(regionId, req);
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new CloudError({
        code: 'cloud.error',
        action: req.action,
        alibabaCode: 'InvalidResponse',
        message: `unexpected response body at ${describeIssue(parsed.error)} (${wire.subjectOf(regionId, req)})`,
        requestId: requestIdOf(body),
        retryable: false,
      });
    }
    return parsed.data;
  }

  async mutate(regionId: string, req: wire.WireRequest): Promise<MutationResult> {
    const body = await this.call(regionId, req);
    // The call succeeded; a body we cannot read must not turn a committed change into a failure.
    const parsed = MutationBody.safeParse(body);
    return { requestId: parsed.success ? parsed.data.RequestId : undefined };
  }
}

export function requestIdOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const v = (body as Record<string, unknown>).RequestId;
  return typeof v === 'string' && v !== '' ? v : undefined;
}
