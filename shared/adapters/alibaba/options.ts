/**
 * The options of the Alibaba Cloud adapter, checked before anything is contacted: every malformed
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
import { type CredentialsSource, credentialProblems } from './credentials.js';
import type { Transport } from './transport.js';

export type EndpointsOption =
  | { readonly vpc?: (regionId: string) => string; readonly ecs?: (regionId: string) => string }
  | { readonly override: string };

export interface AlibabaCloudApiOptions {
  readonly credentials: CredentialsSource;
  /** Per-service endpoint functions, or one `host:port` for every call (the simulator). */
  readonly endpoints?: EndpointsOption;
  /** Default `https`. Use `http` only for a local simulator. */
  readonly protocol?: 'https' | 'http';
  /** `v3` (default) = ACS3-HMAC-SHA256 headers; `v2` = the older signed query (`Signature=`). */
  readonly signatureAlgorithm?: 'v3' | 'v2';
  /** Default 3000 ms. */
  readonly connectTimeoutMs?: number;
  /** Default 10000 ms. */
  readonly readTimeoutMs?: number;
  /** Receives one debug line per call and one warn line per failure; never credentials. */
  readonly logger?: Logger;
  /**
   * Replaces the signed HTTP call with an in-process exchange (a simulator in the same process, for fast
   * deterministic test campaigns). Request building, answer parsing and error mapping stay the same.
   * Default: the OpenAPI client over HTTP(S). Never set it in production.
   */
  readonly transport?: Transport;
}

export function optionIssues(o: AlibabaCloudApiOptions): InputIssue[] {
  const issues: InputIssue[] = [
    ...credentialIssues(
      o.credentials,
      'default',
      credentialProblems,
      "pass {accessKeyId, accessKeySecret, securityToken?}, 'default' or a function",
    ),
    ...protocolIssues(o.protocol),
  ];
  if (o.signatureAlgorithm !== undefined && o.signatureAlgorithm !== 'v3' && o.signatureAlgorithm !== 'v2')
    issues.push({ path: 'signatureAlgorithm', message: "must be 'v3' or 'v2'" });
  issues.push(...millisecondIssues(o, ['connectTimeoutMs', 'readTimeoutMs']));
  if (o.transport !== undefined && typeof o.transport !== 'function')
    issues.push({
      path: 'transport',
      message: 'must be a function',
      hint: 'omit it to call the cloud over HTTPS',
    });
  issues.push(...endpointOverrideIssues(o.endpoints));
  return issues;
}
