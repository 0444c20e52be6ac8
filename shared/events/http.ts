/**
 * FC 3.0 HTTP trigger ⇄ Fetch API. FC invokes the function with a JSON event describing the request and
 * expects `{statusCode, headers, isBase64Encoded, body}` back; Hono (and anything else speaking
 * `fetch(Request): Response`) runs unchanged in between.
 */
import { z } from 'zod';
import { InvalidInputError } from '../core/errors.js';
import {
  checkJsonTree,
  invalidEvent,
  isPlainObject,
  joinPath,
  limitOption,
  parseJsonText,
  zodIssues,
} from './decode.js';

/** Default cap on a request body (decoded bytes). The API takes small JSON documents. */
export const DEFAULT_MAX_HTTP_BODY_BYTES = 1024 * 1024;
/** Room for headers, query and envelope on top of the (Base64-inflated) body. */
const EVENT_OVERHEAD_BYTES = 256 * 1024;

/**
 * The request id FC assigned and the client address FC saw are forwarded in these headers. Any value a
 * client sent under the same names is replaced, so handlers can trust them.
 */
export const SOURCE_IP_HEADER = 'x-havip-source-ip';
export const REQUEST_ID_HEADER = 'x-havip-request-id';

/** The request body exceeds the configured maximum. HTTP layers answer 413. */
export class PayloadTooLargeError extends InvalidInputError {
  /** The HTTP status this error maps to. */
  readonly status = 413;
  constructor(size: number, limit: number) {
    super('http.payload-too-large', 'request body is too large', [
      {
        path: 'body',
        message: `the body is ${size} bytes; the limit is ${limit} bytes`,
        hint: 'send a smaller body or raise maxBodyBytes',
      },
    ]);
  }
}

export interface FcHttpOptions {
  /** Maximum decoded request body in bytes (default 1 MiB). */
  readonly maxBodyBytes?: number;
}

export interface FcHttpResult {
  statusCode: number;
  headers: Record<string, string>;
  isBase64Encoded: boolean;
  body: string;
}

const MultiValue = z.union([z.string(), z.array(z.string())]);
const FcHttpEventSchema = z.looseObject({
  version: z.string().optional(),
  rawPath: z.string().optional(),
  body: z.string().nullable().optional(),
  isBase64Encoded: z.boolean().optional(),
  headers: z.record(z.string(), MultiValue).nullable().optional(),
  queryParameters: z.record(z.string(), MultiValue).nullable().optional(),
  requestContext: z.looseObject({
    domainName: z.string().optional(),
    requestId: z.string().optional(),
    http: z.looseObject({
      method: z.string().regex(/^[A-Za-z]{1,16}$/),
      path: z.string().optional(),
      sourceIp: z.string().optional(),
    }),
  }),
});

const HINTS: Record<string, string> = {
  rawPath: 'rawPath is the request path string, e.g. "/v1/groups"',
  body: 'body is a string (Base64 when isBase64Encoded is true)',
  isBase64Encoded: 'isBase64Encoded is a boolean',
  headers: 'headers map names to a string (or an array of strings)',
  queryParameters: 'queryParameters map names to a string (or an array of strings)',
  requestContext: 'FC HTTP events carry requestContext.http.method',
  'requestContext.http': 'FC HTTP events carry requestContext.http.method',
  'requestContext.http.method': 'method is an HTTP method name such as "GET"',
  'requestContext.domainName': 'domainName is a host name string',
};

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Build a standard `Request` from an FC 3.0 HTTP trigger event (Buffer, string or parsed object).
 * Throws `PayloadTooLargeError` (`http.payload-too-large`) for oversized bodies and `InvalidInputError`
 * (`event.invalid`) for malformed events.
 */
export function fcHttpEventToRequest(event: unknown, opts: FcHttpOptions = {}): Request {
  const maxBody = limitOption(opts.maxBodyBytes, DEFAULT_MAX_HTTP_BODY_BYTES, 'maxBodyBytes');
  const doc = decodeEvent(event, maxBody);
  checkJsonTree(doc, 'HTTP trigger event');
  if (!isPlainObject(doc)) {
    throw invalidEvent('invalid HTTP trigger event', [{ path: '', message: 'expected a JSON object' }]);
  }
  const parsed = FcHttpEventSchema.safeParse(doc);
  if (!parsed.success) throw invalidEvent('invalid HTTP trigger event', zodIssues(parsed.error, '', HINTS));
  const ev = parsed.data;
  const ctx = ev.requestContext;
  const method = ctx.http.method.toUpperCase();

  const headers = triggerHeaders(ev.headers ?? {}, ctx.http.sourceIp, ctx.requestId);
  const url = buildUrl(
    ev.rawPath ?? ctx.http.path ?? '/',
    ctx.domainName ?? headers.get('host') ?? 'localhost',
    ev.queryParameters ?? {},
  );
  return toRequest(url, method, headers, decodeBody(ev.body ?? '', ev.isBase64Encoded ?? false, maxBody));
}

/** Fetch forbids a body on GET/HEAD; such a body carries no meaning for our API, so it is dropped. */
export function toRequest(url: string, method: string, headers: Headers, body: Uint8Array): Request {
  const withBody = body.byteLength > 0 && method !== 'GET' && method !== 'HEAD';
  return new Request(url, { method, headers, ...(withBody ? { body } : {}) });
}

/**
 * The request headers of a trigger event, with the client address and request id the platform saw in
 * {@link SOURCE_IP_HEADER} and {@link REQUEST_ID_HEADER} (whatever a client sent under those names is
 * dropped). A name or value Fetch refuses is `event.invalid` at `headers.<name>`.
 */
export function triggerHeaders(
  raw: Readonly<Record<string, string | readonly string[]>>,
  sourceIp: string | undefined,
  requestId: string | undefined,
): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    try {
      for (const v of typeof value === 'string' ? [value] : value) headers.append(name, v);
    } catch {
      throw invalidEvent('invalid HTTP trigger event', [
        {
          path: joinPath('headers', name),
          message: 'not a valid HTTP header name or value',
          hint: HINTS.headers ?? '',
        },
      ]);
    }
  }
  headers.delete(SOURCE_IP_HEADER);
  headers.delete(REQUEST_ID_HEADER);
  if (sourceIp !== undefined) headers.set(SOURCE_IP_HEADER, sourceIp);
  if (requestId !== undefined) headers.set(REQUEST_ID_HEADER, requestId);
  return headers;
}

/** A trigger event as FC or SCF hands it over (Buffer, string or parsed), bounded by the body limit. */
export function decodeEvent(event: unknown, maxBody: number): unknown {
  const limit = Math.ceil((maxBody * 4) / 3) + EVENT_OVERHEAD_BYTES;
  let text: string;
  if (typeof event === 'string') text = event;
  else if (event instanceof Uint8Array) {
    if (event.byteLength > limit) throw new PayloadTooLargeError(event.byteLength, maxBody);
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(event);
    } catch {
      throw invalidEvent('HTTP trigger event is not valid UTF-8', [{ path: '', message: 'not valid UTF-8' }]);
    }
  } else return event;
  const size = Buffer.byteLength(text, 'utf8');
  if (size > limit) throw new PayloadTooLargeError(size, maxBody);
  return parseJsonText(text, 'HTTP trigger event');
}

/** Where the path and the host sat in the event, for error messages (FC's names by default). */
export interface UrlFields {
  readonly path: string;
  readonly host: string;
}
const FC_URL_FIELDS: UrlFields = { path: 'rawPath', host: 'requestContext.domainName' };

export function buildUrl(
  path: string,
  host: string,
  query: Readonly<Record<string, string | readonly string[]>>,
  fields: UrlFields = FC_URL_FIELDS,
): string {
  if (!path.startsWith('/')) {
    throw invalidEvent('invalid HTTP trigger event', [
      {
        path: fields.path,
        message: `${JSON.stringify(path)} does not start with "/"`,
        hint: HINTS.rawPath ?? '',
      },
    ]);
  }
  let url: URL;
  try {
    url = new URL(`https://${host}`);
    if (url.pathname !== '/' || url.search !== '' || url.username !== '') throw new Error('not a bare host');
  } catch {
    throw invalidEvent('invalid HTTP trigger event', [
      {
        path: fields.host,
        message: `${JSON.stringify(host)} is not a host name`,
        hint: HINTS['requestContext.domainName'] ?? '',
      },
    ]);
  }
  // Concatenating after the origin keeps a path like "//x" a path instead of an authority.
  const full = new URL(`${url.origin}${path}`);
  // A repeated parameter may arrive as an array; a comma-joined value is passed through untouched, since
  // splitting it could corrupt values that legitimately contain commas.
  for (const [k, v] of Object.entries(query)) {
    for (const item of typeof v === 'string' ? [v] : v) full.searchParams.append(k, item);
  }
  return full.toString();
}

/** The request body (Base64 when the event says so), refused above `maxBody` decoded bytes. */
export function decodeBody(body: string, isBase64: boolean, maxBody: number): Uint8Array {
  let bytes: Buffer;
  if (isBase64) {
    const compact = body.replace(/\s+/g, '');
    if (!BASE64_RE.test(compact)) {
      throw invalidEvent('invalid HTTP trigger event', [
        { path: 'body', message: 'isBase64Encoded is true but body is not Base64', hint: HINTS.body ?? '' },
      ]);
    }
    bytes = Buffer.from(compact, 'base64');
  } else bytes = Buffer.from(body, 'utf8');
  if (bytes.byteLength > maxBody) throw new PayloadTooLargeError(bytes.byteLength, maxBody);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Whether a content type is text that FC can carry verbatim (UTF-8) rather than Base64. */
export function isTextContentType(contentType: string | null): boolean {
  if (contentType === null) return false;
  const [mimePart = '', ...params] = contentType.split(';');
  const mime = mimePart.trim().toLowerCase();
  const charset = params
    .map((p) => p.trim().toLowerCase())
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8' && charset !== 'us-ascii')
    return false;
  return (
    mime.startsWith('text/') ||
    mime === 'application/json' ||
    mime.endsWith('+json') ||
    mime === 'application/xml' ||
    mime.endsWith('+xml') ||
    mime === 'application/javascript' ||
    mime === 'application/x-www-form-urlencoded' ||
    mime === 'application/x-ndjson'
  );
}

/**
 * Convert a Fetch `Response` into FC's HTTP trigger result. Text types travel as UTF-8; everything else
 * (and text that is not valid UTF-8) as Base64. Multiple `Set-Cookie` values are joined with ", "
 * because FC's result takes one string per header.
 */
export async function responseToFcHttpResult(res: Response): Promise<FcHttpResult> {
  const bytes = Buffer.from(await res.arrayBuffer());
  const entries: [string, string][] = [];
  res.headers.forEach((value, name) => {
    if (name !== 'set-cookie') entries.push([name, value]);
  });
  const cookies = res.headers.getSetCookie();
  if (cookies.length > 0) entries.push(['set-cookie', cookies.join(', ')]);
  // fromEntries defines own data properties, so no header name can touch the prototype.
  const headers = Object.fromEntries(entries);

  if (bytes.byteLength === 0) return { statusCode: res.status, headers, isBase64Encoded: false, body: '' };
  if (isTextContentType(res.headers.get('content-type'))) {
    try {
      const body = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
      return { statusCode: res.status, headers, isBase64Encoded: false, body };
    } catch {
      // declared text but not UTF-8: Base64 keeps it byte-exact
    }
  }
  return { statusCode: res.status, headers, isBase64Encoded: true, body: bytes.toString('base64') };
}
