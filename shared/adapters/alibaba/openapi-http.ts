/**
 * The production path of a call: the generic client of `@alicloud/openapi-core` signs the request
 * (ACS3-HMAC-SHA256 by default, or the older HMAC-SHA1 "v2" query signature) and sends it over
 * HTTP(S). Clients are cached per service, endpoint, region and credentials; credentials rotate (STS),
 * so old entries fall out.
 */
import { createHash } from 'node:crypto';
import type { AlibabaCredentials } from './credentials.js';
import { defaultEndpoint, type Service } from './endpoints.js';
import type { AlibabaCloudApiOptions } from './options.js';
import type { WireRequest } from './wire.js';

type OpenApiModule = typeof import('./cjs.js');
type OpenApiClientT = InstanceType<OpenApiModule['OpenApiClient']>;
type Runtime = Parameters<OpenApiClientT['callApi']>[2];

/** Cached clients per adapter. */
const MAX_CLIENTS = 8;
const DEFAULT_CONNECT_TIMEOUT_MS = 3000;
const DEFAULT_READ_TIMEOUT_MS = 10_000;

export class OpenApiHttp {
  private readonly clients = new Map<string, OpenApiClientT>();

  constructor(private readonly opts: AlibabaCloudApiOptions) {}

  /** One signed call; returns the JSON body (the OpenAPI client throws for an error answer). */
  async send(regionId: string, req: WireRequest, creds: AlibabaCredentials): Promise<unknown> {
    // Loaded by the first call, not with the adapter (see cjs.ts).
    const api = await import('./cjs.js');
    const client = this.clientFor(api, req.service, regionId, creds);
    const params = new api.OpenApiUtil.Params({
      action: req.action,
      version: req.version,
      protocol: this.opts.protocol ?? 'https',
      pathname: '/',
      method: 'POST',
      authType: 'AK',
      style: 'RPC',
      reqBodyType: 'formData',
      bodyType: 'json',
    });
    const request = new api.OpenApiUtil.OpenApiRequest({ query: { ...req.query } });
    const res = await client.callApi(params, request, {} as Runtime);
    return (res as { body?: unknown }).body;
  }

  private endpointFor(service: Service, regionId: string): string {
    const e = this.opts.endpoints;
    if (e && 'override' in e) return e.override;
    const fn = e?.[service];
    return fn ? fn(regionId) : defaultEndpoint(service, regionId);
  }

  private clientFor(
    api: OpenApiModule,
    service: Service,
    regionId: string,
    creds: AlibabaCredentials,
  ): OpenApiClientT {
    const endpoint = this.endpointFor(service, regionId);
    // The secret never becomes part of a readable key: only a digest of it.
    const digest = createHash('sha256')
      .update(`${creds.accessKeySecret}\u0000${creds.securityToken ?? ''}`)
      .digest('hex')
      .slice(0, 24);
    const key = `${service}|${endpoint}|${regionId}|${creds.accessKeyId}|${digest}`;
    const hit = this.clients.get(key);
    if (hit) {
      this.clients.delete(key);
      this.clients.set(key, hit);
      return hit;
    }
    const client = new api.OpenApiClient(
      new api.OpenApiUtil.Config({
        accessKeyId: creds.accessKeyId,
        accessKeySecret: creds.accessKeySecret,
        ...(creds.securityToken ? { securityToken: creds.securityToken } : {}),
        endpoint,
        regionId,
        protocol: this.opts.protocol ?? 'https',
        connectTimeout: this.opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        readTimeout: this.opts.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS,
        // Unset = ACS3-HMAC-SHA256; 'v2' selects the RPC query signature.
        ...(this.opts.signatureAlgorithm === 'v2' ? { signatureAlgorithm: 'v2' } : {}),
      }),
    );
    this.clients.set(key, client);
    while (this.clients.size > MAX_CLIENTS) {
      const oldest = this.clients.keys().next().value;
      if (oldest === undefined) break;
      this.clients.delete(oldest);
    }
    return client;
  }
}
