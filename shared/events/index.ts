/** Trigger payload parsers: every FC trigger's payload in, the core's signals (`shared/core/signals.ts`) out. */

export { DEFAULT_MAX_EVENT_BYTES } from './decode.js';
export type { EcsParseOptions } from './ecs.js';
export { DEFAULT_MAX_BATCH, parseEcsEvent } from './ecs.js';
export type { FcHttpOptions, FcHttpResult } from './http.js';
export {
  DEFAULT_MAX_HTTP_BODY_BYTES,
  fcHttpEventToRequest,
  isTextContentType,
  PayloadTooLargeError,
  REQUEST_ID_HEADER,
  responseToFcHttpResult,
  SOURCE_IP_HEADER,
} from './http.js';
export type { MnsNotifyFormat, MnsParseOptions } from './mns.js';
export { parseHeartbeatMessage } from './mns.js';
export type { IgnoredEvent, ParseResult } from './parse-result.js';
export type { SweepScope, TimerEvent, TimerParseOptions } from './timer.js';
export { parseTimerEvent } from './timer.js';
