/**
 * Alibaba Cloud adapter: the production {@link CloudApi} over Alibaba's OpenAPI wire protocol.
 */
export {
  type AlibabaCloudApiOptions,
  createAlibabaCloudApi,
  type EndpointsOption,
  type Transport,
  type TransportRequest,
  type TransportResponse,
} from './client.js';
export type { AlibabaCredentials, CredentialsSource } from './credentials.js';
export { defaultEndpoint, type Service } from './endpoints.js';
export { type Classification, type CloudErrorCode, classifyAlibabaError } from './errors.js';
