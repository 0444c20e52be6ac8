/**
 * The in-process transport: the adapter's requests exchanged with a simulator in the same process
 * instead of over signed HTTP, for fast deterministic test campaigns. Only the socket is skipped;
 * answers are turned into what the OpenAPI client would have produced, so error mapping is the same.
 */
import type { Service } from './endpoints.js';
import type { WireRequest } from './wire.js';

/** One call as the adapter would put it on the wire: RPC style, every parameter in the query. */
export interface TransportRequest {
  readonly service: Service;
  readonly version: string;
  readonly action: string;
  readonly regionId: string;
  readonly query: Readonly<Record<string, string>>;
  /** The caller's AccessKey id (the cloud scopes throttling and ClientTokens by it). */
  readonly accessKeyId: string;
}

/** The HTTP status and parsed JSON body of an answer. */
export interface TransportResponse {
  readonly status: number;
  readonly body: unknown;
}

/**
 * Exchanges one request for one answer. A lost answer is thrown the way a socket failure is (an error
 * with `code: 'ECONNRESET'`), so the adapter reports it exactly as it reports one over HTTP.
 */
export type Transport = (req: TransportRequest) => Promise<TransportResponse>;

/**
 * One call through `transport`. An error status becomes the same error the OpenAPI client throws for
 * it (`code`, `statusCode`, `requestId`, the body as `data`), so `toCloudError` classifies both paths
 * alike.
 */
export async function callViaTransport(
  transport: Transport,
  regionId: string,
  req: WireRequest,
  accessKeyId: string,
): Promise<unknown> {
  const res = await transport({
    service: req.service,
    version: req.version,
    action: req.action,
    regionId,
    query: req.query,
    accessKeyId,
  });
  if (res.status < 400) return res.body;
  const data = (typeof res.body === 'object' && res.body !== null ? res.body : {}) as Record<string, unknown>;
  const code = data.Code ?? data.code;
  const requestId = data.RequestId ?? data.requestId;
  throw Object.assign(
    new Error(
      `code: ${res.status}, ${String(data.Message ?? data.message)} request id: ${String(requestId)}`,
    ),
    { code: `${String(code)}`, statusCode: res.status, requestId: `${String(requestId)}`, data },
  );
}
