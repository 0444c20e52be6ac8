/**
 * The production path of a call: one TC3-signed JSON POST over `fetch`, as the official SDK sends it
 * (`X-TC-Action`, `X-TC-Version`, `X-TC-Region`, `X-TC-Timestamp`, `X-TC-Token` for temporary
 * credentials, `Authorization`). The host name is signed without the port, as the SDK signs it.
 */
import type { TencentCredentials } from './credentials.js';
import { defaultEndpoint, type TencentService } from './endpoints.js';
import type { TencentCloudApiOptions } from './options.js';
import { JSON_CONTENT_TYPE, tc3Authorization } from './signer.js';
import type { TencentTransportResponse } from './transport.js';
import type { WireRequest } from './wire.js';

const DEFAULT_TIMEOUT_MS = 10_000;
const REQUEST_CLIENT = 'havip-failover';

export class TencentHttp {
  constructor(private readonly opts: TencentCloudApiOptions) {}

  endpointFor(service: TencentService, regionId: string): string {
    const e = this.opts.endpoints;
    if (e !== undefined && 'override' in e) return e.override;
    const fn = e?.[service];
    return fn ? fn(regionId) : defaultEndpoint(service);
  }

  /** One signed call; the status and the parsed body (a body that is not JSON throws `SyntaxError`). */
  async send(
    regionId: string,
    req: WireRequest,
    creds: TencentCredentials,
  ): Promise<TencentTransportResponse> {
    const endpoint = this.endpointFor(req.service, regionId);
    const payload = JSON.stringify(req.body);
    const timestamp = Math.floor((this.opts.now ?? Date.now)() / 1000);
    const headers: Record<string, string> = {
      'Content-Type': JSON_CONTENT_TYPE,
      'X-TC-Action': req.action,
      'X-TC-Version': req.version,
      'X-TC-Region': regionId,
      'X-TC-Timestamp': String(timestamp),
      'X-TC-RequestClient': REQUEST_CLIENT,
      Authorization: tc3Authorization({
        secretId: creds.secretId,
        secretKey: creds.secretKey,
        service: req.service,
        host: endpoint.replace(/:\d+$/, ''),
        timestamp,
        payload,
      }),
    };
    if (creds.token) headers['X-TC-Token'] = creds.token;
    const res = await fetch(`${this.opts.protocol ?? 'https'}://${endpoint}/`, {
      method: 'POST',
      headers,
      body: payload,
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
    const text = await res.text();
    if (res.status !== 200) {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      return { status: res.status, body };
    }
    return { status: res.status, body: JSON.parse(text) };
  }
}
