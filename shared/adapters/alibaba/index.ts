/**
 * Alibaba Cloud adapter: the production {@link CloudApi} over Alibaba's OpenAPI wire protocol.
 */

export type { Classification, CloudErrorCode } from '../cloud-call/errors.js';
export { createAlibabaCloudApi } from './client.js';
export type { AlibabaCredentials, CredentialsSource } from './credentials.js';
export { defaultEndpoint, type Service } from './endpoints.js';
export { classifyAlibabaError } from './errors.js';
export type { AlibabaCloudApiOptions, EndpointsOption } from './options.js';
export type { Transport, TransportRequest, TransportResponse } from './transport.js';
