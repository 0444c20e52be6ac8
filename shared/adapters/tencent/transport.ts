/**
 * How one wire request becomes one answer: signed HTTPS (`http.ts`), or an in-process exchange with a
 * simulator in the same process (fast deterministic campaigns). Either way the caller gets the HTTP
 * status and the parsed envelope, and {@link unwrapAnswer} turns it into the `Response` object or a
 * {@link TencentAnswerError}, so both paths are read and classified alike.
 */
import type { TencentService } from './endpoints.js';
import { TencentAnswerError } from './errors.js';

/** One call as the adapter puts it on the wire. */
export interface TencentTransportRequest {
  readonly service: TencentService;
  readonly version: string;
  readonly action: string;
  readonly regionId: string;
  /** The JSON body (the action's request model). */
  readonly body: Readonly<Record<string, unknown>>;
  /** The caller's SecretId (the cloud scopes rate limits by it). */
  readonly secretId: string;
}

/** The HTTP status and the parsed JSON body (undefined when the body was not JSON). */
export interface TencentTransportResponse {
  readonly status: number;
  readonly body: unknown;
}

/**
 * Exchanges one request for one answer. A lost answer is thrown the way a socket failure is (an error
 * with `code: 'ECONNRESET'`), so the adapter reports it exactly as it reports one over HTTP.
 */
export type TencentTransport = (req: TencentTransportRequest) => Promise<TencentTransportResponse>;

const record = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/**
 * The `Response` object of a successful answer. An `Error` inside it (Tencent answers API errors with
 * HTTP 200) or a non-200 status is thrown as {@link TencentAnswerError}; a 200 without a `Response`
 * object is an unreadable answer (`SyntaxError`, like a body that is not JSON).
 */
export function unwrapAnswer(res: TencentTransportResponse): Record<string, unknown> {
  const response = record(record(res.body)?.Response);
  const error = record(response?.Error);
  const requestId =
    typeof response?.RequestId === 'string' && response.RequestId !== '' ? response.RequestId : undefined;
  if (error !== undefined) {
    const code = typeof error.Code === 'string' && error.Code !== '' ? error.Code : `HTTP${res.status}`;
    const message = typeof error.Message === 'string' ? error.Message : '';
    throw new TencentAnswerError(code, message, requestId, res.status);
  }
  if (res.status !== 200) {
    throw new TencentAnswerError(
      `HTTP${res.status}`,
      `HTTP ${res.status} without an API answer`,
      requestId,
      res.status,
    );
  }
  if (response === undefined) throw new SyntaxError('the answer has no Response object');
  return response;
}
