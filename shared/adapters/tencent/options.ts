/**
 * The options of the Tencent Cloud adapter, checked before anything is contacted: every malformed
 * option is reported at once, naming the field, without echoing secrets.
 */
import type { InputIssue } from '../../core/errors.js';
import type { Logger } from '../../core/ports.js';
import {
  credentialIssues,
  endpointOverrideIssues,
  millisecondIssues,
  protocolIssues,
} from '../cloud-call/options.js';
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

export function optionIssues(o: TencentCloudApiOptions): InputIssue[] {
  const issues: InputIssue[] = [
    ...credentialIssues(
      o.credentials,
      'environment',
      credentialProblems,
      "pass {secretId, secretKey, token?}, 'environment' or a function",
    ),
    ...protocolIssues(o.protocol),
    ...millisecondIssues(o, ['timeoutMs']),
  ];
  for (const key of ['transport', 'env', 'now'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'function')
      issues.push({ path: key, message: 'must be a function' });
  }
  issues.push(...endpointOverrideIssues(o.endpoints));
  return issues;
}
