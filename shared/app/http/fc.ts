/**
 * Serves the HTTP API from an FC 3.0 HTTP trigger (or SCF's API gateway / function URL): trigger event →
 * Fetch `Request` → the Hono app → the trigger's result.
 * An event the adapter cannot turn into a request (oversized, malformed) gets the same JSON error body the
 * app itself would answer with.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../core/ports.js';
import {
  type FcHttpOptions,
  type FcHttpResult,
  fcHttpEventToRequest,
  REQUEST_ID_HEADER,
  responseToFcHttpResult,
} from '../../events/http.js';
import { scfHttpEventToRequest } from '../../events/tencent/http.js';
import { DEFAULT_MAX_BODY_BYTES } from './app.js';
import { errorResponse } from './errors.js';

/** Anything with Hono's `fetch` signature; `env.requestId` is the id the app uses for the request. */
export interface FetchApp {
  fetch(request: Request, env: { readonly requestId?: string | undefined }): Response | Promise<Response>;
}

export interface HttpTriggerOptions {
  readonly logger: Logger;
  readonly maxBodyBytes?: number | undefined;
  readonly requestId?: string | undefined;
}

/**
 * Handles one FC HTTP trigger invocation. `maxBodyBytes` defaults to the app's own default (64 KiB) and
 * must equal the app's limit when that is changed, so both layers refuse the same bodies. `requestId`
 * is FC's `context.requestId` (else the event's `requestContext.requestId`, which the adapter forwards
 * after dropping any client-sent value): it becomes the app's request id, in the logs and the answer.
 */
export function handleFcHttpEvent(
  app: FetchApp,
  event: unknown,
  opts: HttpTriggerOptions,
): Promise<FcHttpResult> {
  return handleHttpTriggerEvent(app, event, fcHttpEventToRequest, opts);
}

/**
 * Handles one SCF API gateway (integration response) or function URL invocation: the same answer shape and
 * body limit as FC's; `requestId` is SCF's `context.request_id` (else the event's request id).
 */
export function handleScfHttpEvent(
  app: FetchApp,
  event: unknown,
  opts: HttpTriggerOptions,
): Promise<FcHttpResult> {
  return handleHttpTriggerEvent(app, event, scfHttpEventToRequest, opts);
}

async function handleHttpTriggerEvent(
  app: FetchApp,
  event: unknown,
  toRequest: (event: unknown, opts: FcHttpOptions) => Request,
  opts: HttpTriggerOptions,
): Promise<FcHttpResult> {
  let request: Request;
  try {
    request = toRequest(event, { maxBodyBytes: opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES });
  } catch (e) {
    const requestId = opts.requestId ?? randomUUID();
    const { status, body } = errorResponse(e, requestId);
    // A bad event is the caller's mistake: its code and message say enough; only a bug needs the stack.
    const what = status >= 500 ? { error: e } : { code: body.error.code, message: body.error.message };
    opts.logger.warn({ component: 'http', requestId, status, ...what }, 'unusable HTTP trigger event');
    return {
      statusCode: status,
      headers: { 'content-type': 'application/json; charset=UTF-8', 'x-request-id': requestId },
      isBase64Encoded: false,
      body: JSON.stringify(body),
    };
  }
  const requestId = opts.requestId ?? request.headers.get(REQUEST_ID_HEADER) ?? undefined;
  return responseToFcHttpResult(await app.fetch(request, { requestId }));
}
