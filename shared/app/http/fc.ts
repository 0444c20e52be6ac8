/**
 * Serves the HTTP API from an FC 3.0 HTTP trigger: FC event → Fetch `Request` → the Hono app → FC result.
 * An event the adapter cannot turn into a request (oversized, malformed) gets the same JSON error body the
 * app itself would answer with.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../core/ports.js';
import { type FcHttpResult, fcHttpEventToRequest, responseToFcHttpResult } from '../../events/http.js';
import { errorResponse } from './errors.js';

/** Anything with Hono's `fetch` signature. */
export interface FetchApp {
  fetch(request: Request): Response | Promise<Response>;
}

/**
 * Handles one FC HTTP trigger invocation. `maxBodyBytes` should equal the app's own limit so both layers
 * refuse the same bodies; `requestId` is FC's `context.requestId`, used when the event cannot be parsed.
 */
export async function handleFcHttpEvent(
  app: FetchApp,
  event: unknown,
  opts: {
    readonly logger: Logger;
    readonly maxBodyBytes?: number | undefined;
    readonly requestId?: string | undefined;
  },
): Promise<FcHttpResult> {
  let request: Request;
  try {
    request = fcHttpEventToRequest(
      event,
      opts.maxBodyBytes === undefined ? {} : { maxBodyBytes: opts.maxBodyBytes },
    );
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
