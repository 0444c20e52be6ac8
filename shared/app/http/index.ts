/** The HTTP API: the Hono app, its authentication, error mapping and the FC HTTP trigger glue. */
export { createHttpApp, DEFAULT_MAX_BODY_BYTES, type HttpAppDeps, type HttpEnv } from './app.js';
export {
  type AuthConfig,
  Authenticator,
  type AuthRequest,
  canonicalTarget,
  DEFAULT_HMAC_WINDOW_SECONDS,
  memoryReplayGuard,
  type Principal,
  parseAuthConfig,
  type ReplayGuard,
  sha256Hex,
  signRequest,
  stringToSign,
} from './auth.js';
export {
  type ApiStatus,
  AuthError,
  type ErrorBody,
  errorResponse,
  MethodNotAllowedError,
  RouteNotFoundError,
  statusForResult,
  statusForResults,
  UnsupportedMediaTypeError,
} from './errors.js';
export { type FetchApp, type HttpTriggerOptions, handleFcHttpEvent, handleScfHttpEvent } from './fc.js';
export { createRuntimeHttpApp, type HttpSecretsEnv } from './runtime-app.js';
