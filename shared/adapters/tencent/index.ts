/**
 * Tencent Cloud adapter: the production {@link TencentCloudApi} over Tencent Cloud API 3.0 (TC3-signed
 * JSON POSTs to vpc/cvm/tat.tencentcloudapi.com). See docs/tencent.md.
 */

export type { Classification } from '../cloud-call/errors.js';
export { createTencentCloudApi } from './client.js';
export {
  CREDENTIAL_ENV_NAMES,
  credentialsFromEnvironment,
  type TencentCredentials,
  type TencentCredentialsSource,
} from './credentials.js';
export { API_VERSIONS, defaultEndpoint, regionalEndpoint, type TencentService } from './endpoints.js';
export { classifyTencentError } from './errors.js';
export type { TencentCloudApiOptions, TencentEndpointsOption } from './options.js';
export { tc3Authorization } from './signer.js';
export type { TencentTransport, TencentTransportRequest, TencentTransportResponse } from './transport.js';
