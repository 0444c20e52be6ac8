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
  responseToFcHttpResult,
} from '../../events/http.js';
import { scfHttpEventToRequest } from '../../events/tencent/http.js';
import { errorResponse } from './errors.js';

/** Anything with Hono's `fetch` signature. */
export interface FetchApp {
  fetch(request: Request): Response | Promise<Response>;
}

export interface HttpTriggerOptions {
  readonly logger: Logger;
  readonly maxBodyBytes?: number | undefined;
  readonly requestId?: string | undefined;
}

/**
 * Handles one FC HTTP trigger invocation. `maxBodyBytes` should equal the app's own limit so both layers
 * refuse the same bodies; `requestId` is FC's `context.requestId`, used when the event cannot be parsed.
 */
export function handleFcHttpEvent(
  app: FetchApp,
  event: unknown,
  opts: HttpTriggerOptions,
): Promise<FcHttpResult> {
  return handleHttpTriggerEvent(app, event, fcHttpEventToRequest, opts);
}

/**
 * Handles one SCF API gateway (integration response) or function URL invocation: the same answer shape as
 * FC's; `requestId` is SCF's `context.request_id`.
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
    request = toRequest(event, opts.maxBodyBytes === undefined ? {} : { maxBodyBytes: opts.maxBodyBytes });
  } catch (e) {
    const requestId = opts.requestId ?? randomUUID();
    const { status, body } = errorResponse(e, requestId);
    opts.logger.warn({ component: 'http', requestId, status, error: e }, 'unusable HTTP trigger event');
    return {
      statusCode: status,
      headers: { 'content-type': 'application/json; charset=UTF-8', 'x-request-id': requestId },
      isBase64Encoded: false,
      body: JSON.stringify(body),
    };
  }
  return responseToFcHttpResult(await app.fetch(request));
}
