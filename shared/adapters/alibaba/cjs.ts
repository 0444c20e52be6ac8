/**
 * The two Alibaba packages we load at run time are CommonJS modules compiled with an `exports.default`.
 * Node's ESM loader exposes `module.exports` as the default import, while bundlers and test runners
 * that honour `__esModule` expose `exports.default` itself; this picks the class either way.
 *
 * Import this module with `import()` where it is used, never statically: the OpenAPI client is the
 * largest part of a cold start, and an invocation that makes no cloud call (a status list, a heartbeat
 * that changes nothing) should not load it.
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
