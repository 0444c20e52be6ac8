/**
 * One call of the adapter, whatever the API: resolve credentials, send the wire request (signed HTTP,
 * or the in-process transport), log one line, and turn every failure into a HavipError. No retries
 * here: the client is configured without `retryOptions`, so the OpenAPI client makes exactly one
 * attempt, and the engine's retry policy decides with full knowledge of deadlines and leases.
 */
import type { z } from 'zod';
import type { MutationResult } from '../../core/ports.js';
import { type CallFrame, callContext, framedCall, parsedBody } from '../cloud-call/caller.js';
import type { CallContext } from '../cloud-call/errors.js';
import { type AlibabaCredentials, credentialsResolver } from './credentials.js';
import { toCloudError } from './errors.js';
import { OpenApiHttp } from './openapi-http.js';
import type { AlibabaCloudApiOptions } from './options.js';
import { MutationBody } from './schemas.js';
import { callViaTransport } from './transport.js';
import * as wire from './wire.js';

export class Caller {
  private readonly resolveCredentials: (action: string) => Promise<AlibabaCredentials>;
  private readonly http: OpenApiHttp;
  private readonly frame: CallFrame;

  constructor(private readonly opts: AlibabaCloudApiOptions) {
    this.resolveCredentials = credentialsResolver(opts.credentials);
    this.http = new OpenApiHttp(opts);
    this.frame = { provider: 'alibaba', logger: opts.logger, toCloudError, requestIdOf };
  }

  /** One call; returns the JSON body or throws a HavipError. */
  async call(regionId: string, req: wire.WireRequest): Promise<unknown> {
    // A credentials failure is already a CloudError; it is thrown before the call is framed and logged.
    const creds = await this.resolveCredentials(req.action);
    return framedCall(this.frame, regionId, contextOf(regionId, req), () => {
      const transport = this.opts.transport;
      return transport === undefined
        ? this.http.send(regionId, req, creds)
        : callViaTransport(transport, regionId, req, creds.accessKeyId);
    });
  }

  /** A read: the body must match `schema`, else the call fails naming the first field that does not. */
  async read<S extends z.ZodType>(regionId: string, req: wire.WireRequest, schema: S): Promise<z.output<S>> {
    const body = await this.call(regionId, req);
    return parsedBody(this.frame, contextOf(regionId, req), body, schema);
  }

  async mutate(regionId: string, req: wire.WireRequest): Promise<MutationResult> {
    const body = await this.call(regionId, req);
    // The call succeeded; a body we cannot read must not turn a committed change into a failure.
    const parsed = MutationBody.safeParse(body);
    return { requestId: parsed.success ? parsed.data.RequestId : undefined };
  }
}

const contextOf = (regionId: string, req: wire.WireRequest): CallContext =>
  callContext(req, wire.subjectOf(regionId, req));

export function requestIdOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const v = (body as Record<string, unknown>).RequestId;
  return typeof v === 'string' && v !== '' ? v : undefined;
}
