/**
 * SCF HTTP events ⇄ Fetch API. Two triggers invoke an event function with a request, in one shape:
 *
 * - API gateway (integration response on): `{httpMethod, path, headers, queryString,
 *   queryStringParameters, body, isBase64Encoded, requestContext: {requestId, sourceIp, httpMethod: the
 *   API's configured method (may be "ANY"), path: the API's path template, …}, …}`;
 * - function URL: the same without `requestContext`, the client address in `x-scf-remote-addr`.
 *
 * Both expect `{statusCode, headers, isBase64Encoded, body}` back: FC's HTTP result, so
 * `responseToFcHttpResult` (`../http.js`) maps the answer. The request id and client address go into the
 * same trusted headers as on FC.
 */
import { z } from 'zod';
import { checkJsonTree, invalidEvent, isPlainObject, limitOption, zodIssues } from '../decode.js';
import {
  buildUrl,
  DEFAULT_MAX_HTTP_BODY_BYTES,
  decodeBody,
  decodeEvent,
  type FcHttpOptions,
  toRequest,
  triggerHeaders,
} from '../http.js';

/** Where a function URL puts the client address. */
const REMOTE_ADDR_HEADER = 'x-scf-remote-addr';

const MultiValue = z.union([z.string(), z.array(z.string())]);
const ScfHttpEventSchema = z.looseObject({
  httpMethod: z.string().regex(/^[A-Za-z]{1,16}$/),
  path: z.string(),
  headers: z.record(z.string(), MultiValue).nullable().optional(),
  queryString: z.record(z.string(), MultiValue).nullable().optional(),
  queryStringParameters: z.record(z.string(), MultiValue).nullable().optional(),
  body: z.string().nullable().optional(),
  isBase64Encoded: z.boolean().optional(),
  requestContext: z
    .looseObject({
      requestId: z.string().optional(),
      sourceIp: z.string().optional(),
    })
    .optional(),
});

const HINTS: Record<string, string> = {
  httpMethod: 'SCF HTTP events carry the request method in "httpMethod", e.g. "GET"',
  path: 'SCF HTTP events carry the request path in "path", e.g. "/v1/groups"',
  headers: 'headers map names to a string (or an array of strings)',
  queryString: 'queryString maps names to a string (or an array of strings)',
  queryStringParameters: 'queryStringParameters maps names to a string (or an array of strings)',
  body: 'body is a string (Base64 when isBase64Encoded is true)',
  isBase64Encoded: 'isBase64Encoded is a boolean',
  requestContext: 'requestContext is the API gateway context object',
  'requestContext.requestId': 'requestId is a string',
  'requestContext.sourceIp': 'sourceIp is an IP address string',
};

/**
 * Build a standard `Request` from an API gateway or function URL event (Buffer, string or parsed
 * object). Throws `PayloadTooLargeError` (`http.payload-too-large`) for oversized bodies and
 * `InvalidInputError` (`event.invalid`) for malformed events.
 */
export function scfHttpEventToRequest(event: unknown, opts: FcHttpOptions = {}): Request {
  const maxBody = limitOption(opts.maxBodyBytes, DEFAULT_MAX_HTTP_BODY_BYTES, 'maxBodyBytes');
  const doc = decodeEvent(event, maxBody);
  checkJsonTree(doc, 'HTTP trigger event');
  if (!isPlainObject(doc)) {
    throw invalidEvent('invalid HTTP trigger event', [{ path: '', message: 'expected a JSON object' }]);
  }
  const parsed = ScfHttpEventSchema.safeParse(doc);
  if (!parsed.success) throw invalidEvent('invalid HTTP trigger event', zodIssues(parsed.error, '', HINTS));
  const ev = parsed.data;
  const raw = ev.headers ?? {};
  const remoteAddr = Object.entries(raw).find(([k]) => k.toLowerCase() === REMOTE_ADDR_HEADER)?.[1];
  const sourceIp = ev.requestContext?.sourceIp ?? (typeof remoteAddr === 'string' ? remoteAddr : undefined);
  const headers = triggerHeaders(raw, sourceIp, ev.requestContext?.requestId);
  const url = buildUrl(
    ev.path,
    headers.get('host') ?? 'localhost',
    ev.queryString ?? ev.queryStringParameters ?? {},
    { path: 'path', host: 'headers.host' },
  );
  const method = ev.httpMethod.toUpperCase();
  return toRequest(url, method, headers, decodeBody(ev.body ?? '', ev.isBase64Encoded ?? false, maxBody));
}
