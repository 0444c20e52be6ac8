/**
 * The two Alibaba packages we load at run time are CommonJS modules compiled with an `exports.default`.
 * Node's ESM loader exposes `module.exports` as the default import, while bundlers and test runners
 * that honour `__esModule` expose `exports.default` itself; this picks the class either way.
 */
import * as credentialsNs from '@alicloud/credentials';
import * as openapiNs from '@alicloud/openapi-core';

function defaultClass<T>(ns: unknown): T {
  const d = (ns as { default?: unknown }).default;
  if (typeof d === 'function') return d as T;
  return (d as { default: T }).default;
}

export const OpenApiClient = defaultClass<typeof openapiNs.default.default>(openapiNs);
export const OpenApiUtil: typeof openapiNs.$OpenApiUtil =
  openapiNs.$OpenApiUtil ??
  (openapiNs.default as unknown as { $OpenApiUtil: typeof openapiNs.$OpenApiUtil }).$OpenApiUtil;
export const CredentialsClient = defaultClass<typeof credentialsNs.default.default>(credentialsNs);
