/** The HTTP API: the Hono app, its authentication and authorization, error mapping and the FC HTTP trigger glue. */
export { ROUTE_ACCESS, type RouteAccess } from './access.js';
export { createHttpApp, DEFAULT_MAX_BODY_BYTES, type HttpAppDeps, type HttpEnv } from './app.js';
export {
  canonicalTarget,
  newNonce,
  type SignedHeaders,
  sha256Hex,
  signRequest,
  stringToSign,
} from './auth.js';
export { Authenticator, type AuthRequest, type Principal } from './authenticator.js';
export {
  type AuthConfig,
  authConfigFromEnv,
  DEFAULT_HMAC_WINDOW_SECONDS,
  type ParsedAuthConfig,
  parseAuthConfig,
  ROLES,
  type Role,
} from './credentials.js';
export {
  type ApiStatus,
  AuthError,
  type ErrorBody,
  errorResponse,
  ForbiddenError,
  MethodNotAllowedError,
  RouteNotFoundError,
  statusForResult,
  statusForResults,
  ThrottledError,
  UnsupportedMediaTypeError,
} from './errors.js';
export { type FetchApp, type HttpTriggerOptions, handleFcHttpEvent, handleScfHttpEvent } from './fc.js';
export {
  memoryReplayGuard,
  type ReplayEntry,
  type ReplayGuard,
  type ReplayVerdict,
  storeReplayGuard,
} from './replay.js';
export {
  createRuntimeHttpApp,
  type HttpSecretsEnv,
  RUNTIME_MAX_BODY_BYTES,
  runtimeHttpApp,
} from './runtime-app.js';
