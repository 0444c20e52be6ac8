/**
 * The options of the Tencent Cloud adapter, checked before anything is contacted: every malformed
 * option is reported at once, naming the field, without echoing secrets.
 */
import type { InputIssue } from '../../core/errors.js';
import type { Logger } from '../../core/ports.js';
import { credentialProblems, type TencentCredentialsSource } from './credentials.js';
import type { TencentService } from './endpoints.js';
import type { TencentTransport } from './transport.js';

export type TencentEndpointsOption =
  | { readonly [S in TencentService]?: (regionId: string) => string }
  | { readonly override: string };

export interface TencentCloudApiOptions {
  /** Explicit keys, `'environment'` (SDK and SCF variable names) or a function called before every call. */
  readonly credentials: TencentCredentialsSource;
  /**
   * Per-service endpoint functions (default: the nearest-access `<service>.tencentcloudapi.com`), or
   * one `host:port` for every call (the simulator; combine with `protocol: 'http'`).
   */
  readonly endpoints?: TencentEndpointsOption;
  /** Default `https`. Use `http` only for a local simulator. */
  readonly protocol?: 'https' | 'http';
  /** Whole-call timeout (connect, send, answer). Default 10000 ms. */
  readonly timeoutMs?: number;
  /** Receives one debug line per call and one warn line per failure; never credentials. */
  readonly logger?: Logger;
  /**
   * Replaces the signed HTTP call with an in-process exchange (a simulator in the same process, for fast
   * deterministic campaigns). Request building, answer parsing and error mapping stay the same.
   * Never set it in production.
   */
  readonly transport?: TencentTransport;
  /** The environment `'environment'` credentials are read from. Default `process.env`, read per call. */
  readonly env?: () => Readonly<Record<string, string | undefined>>;
  /** Wall-clock milliseconds for `X-TC-Timestamp`. Default `Date.now`. */
  readonly now?: () => number;
}

const HOST_PORT = /^[A-Za-z0-9.-]+(:\d{1,5})?$/;

export function optionIssues(o: TencentCloudApiOptions): InputIssue[] {
  const issues: InputIssue[] = [];
  const c = o.credentials;
  if (c !== 'environment' && typeof c !== 'function') {
    for (const m of credentialProblems(c))
      issues.push({
        path: 'credentials',
        message: m,
        hint: "pass {secretId, secretKey, token?}, 'environment' or a function",
      });
  }
  if (o.protocol !== undefined && o.protocol !== 'https' && o.protocol !== 'http')
    issues.push({ path: 'protocol', message: "must be 'https' or 'http'" });
  if (
    o.timeoutMs !== undefined &&
    !(Number.isInteger(o.timeoutMs) && o.timeoutMs > 0 && o.timeoutMs <= 600_000)
  )
    issues.push({
      path: 'timeoutMs',
      message: 'must be an integer number of milliseconds between 1 and 600000',
    });
  for (const key of ['transport', 'env', 'now'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'function')
      issues.push({ path: key, message: 'must be a function' });
  }
  const e = o.endpoints;
  if (e !== undefined && 'override' in e && !HOST_PORT.test(e.override))
    issues.push({
      path: 'endpoints.override',
      message: 'must be host or host:port without a scheme or path',
      hint: "e.g. '127.0.0.1:8080'; set protocol: 'http' for a local simulator",
    });
  return issues;
}
