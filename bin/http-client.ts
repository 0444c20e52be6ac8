/**
 * A small client for the havip HTTP API, used by the CLI verbs. Credentials come from the environment
 * (never from flags, which end up in shell history and `ps`).
 */
import { signRequest } from '../shared/app/http/auth.js';

/** Where the API is when neither `--endpoint` nor `HAVIP_ENDPOINT` says otherwise (the local server). */
export const DEFAULT_ENDPOINT = 'http://127.0.0.1:8080';

export type Credentials =
  | { readonly kind: 'bearer'; readonly token: string }
  | { readonly kind: 'hmac'; readonly keyId: string; readonly secret: string }
  | { readonly kind: 'none' };

/** A problem the user must fix before any request can be made (exit code 2). */
export class ClientUsageError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ClientUsageError';
  }
}

/** The server could not be reached or did not answer (exit code 2). */
export class ConnectionError extends Error {
  constructor(
    readonly endpoint: string,
    readonly reason: string,
    readonly hint: string,
  ) {
    super(`cannot reach ${endpoint}: ${reason} — ${hint}`);
    this.name = 'ConnectionError';
  }
}

/** An answer whose body is not JSON (a proxy's error page, a wrong endpoint). */
export class ProtocolError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
}

/**
 * Reads credentials from `HAVIP_API_TOKEN`, or `HAVIP_HMAC_KEY_ID` + `HAVIP_HMAC_SECRET`. Setting both
 * schemes, or only half of the HMAC pair, is refused rather than guessed at.
 */
export function credentialsFromEnv(env: NodeJS.ProcessEnv): Credentials {
  const token = env.HAVIP_API_TOKEN?.trim() || undefined;
  const keyId = env.HAVIP_HMAC_KEY_ID?.trim() || undefined;
  const secret = env.HAVIP_HMAC_SECRET || undefined;
  if (token !== undefined && (keyId !== undefined || secret !== undefined)) {
    throw new ClientUsageError(
      'both HAVIP_API_TOKEN and HAVIP_HMAC_KEY_ID/HAVIP_HMAC_SECRET are set',
      'unset one of them: the API takes one scheme per request',
    );
  }
  if (token !== undefined) return { kind: 'bearer', token };
  if (keyId !== undefined && secret !== undefined) return { kind: 'hmac', keyId, secret };
  if (keyId !== undefined || secret !== undefined) {
    throw new ClientUsageError(
      `${keyId === undefined ? 'HAVIP_HMAC_KEY_ID' : 'HAVIP_HMAC_SECRET'} is not set`,
      'HMAC signing needs both HAVIP_HMAC_KEY_ID and HAVIP_HMAC_SECRET',
    );
  }
  return { kind: 'none' };
}

/** Validates `--endpoint`: an http(s) URL without a query; a trailing slash is dropped. */
export function parseEndpoint(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ClientUsageError(
      `invalid endpoint ${JSON.stringify(value)}`,
      'pass a URL like http://127.0.0.1:8080',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ClientUsageError(
      `invalid endpoint ${JSON.stringify(value)}: must start with http:// or https://`,
    );
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new ClientUsageError(
      `invalid endpoint ${JSON.stringify(value)}: give only scheme, host, port and an optional base path`,
      'credentials go in HAVIP_API_TOKEN, not in the URL',
    );
  }
  return url.toString().replace(/\/+$/, '');
}

export interface HttpClientOptions {
  readonly endpoint: string;
  readonly credentials: Credentials;
  /** Abort a request after this long (a failover waits for the cloud; the default is generous). */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  /** Epoch milliseconds, for HMAC timestamps. */
  readonly now?: () => number;
}

export class HttpClient {
  private readonly endpoint: string;
  private readonly doFetch: typeof fetch;
  private readonly now: () => number;

  constructor(private readonly opts: HttpClientOptions) {
    this.endpoint = parseEndpoint(opts.endpoint);
    this.doFetch = opts.fetch ?? fetch;
    this.now = opts.now ?? Date.now;
  }

  get credentials(): Credentials {
    return this.opts.credentials;
  }

  /**
   * Sends one request. Resolves with the status and JSON body for every HTTP answer (errors included);
   * throws {@link ConnectionError} when there is no answer and {@link ProtocolError} when it is not JSON.
   */
  async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiResponse> {
    const url = `${this.endpoint}${path}`;
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (text !== undefined) headers['Content-Type'] = 'application/json';
    const creds = this.opts.credentials;
    if (creds.kind === 'bearer') headers.Authorization = `Bearer ${creds.token}`;
    if (creds.kind === 'hmac') {
      // The server signs over the path it sees, which includes any base path of the endpoint.
      const signedPath = new URL(url).pathname + new URL(url).search;
      Object.assign(
        headers,
        signRequest({
          keyId: creds.keyId,
          secret: creds.secret,
          method,
          path: signedPath,
          body: text,
          now: this.now(),
        }),
      );
    }
    let res: Response;
    try {
      res = await this.doFetch(url, {
        method,
        headers,
        ...(text !== undefined ? { body: text } : {}),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 120_000),
      });
    } catch (e) {
      throw connectionError(this.endpoint, e, this.opts.timeoutMs ?? 120_000);
    }
    const raw = await res.text().catch((e: unknown) => {
      throw connectionError(this.endpoint, e, this.opts.timeoutMs ?? 120_000);
    });
    try {
      return { status: res.status, body: raw === '' ? undefined : JSON.parse(raw) };
    } catch {
      throw new ProtocolError(
        res.status,
        `${method} ${url} answered HTTP ${res.status} with a body that is not JSON — is --endpoint pointing at the havip API?`,
      );
    }
  }
}

function connectionError(endpoint: string, e: unknown, timeoutMs: number): ConnectionError {
  const err = e as { name?: string; cause?: { code?: string; message?: string }; message?: string };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') {
    return new ConnectionError(
      endpoint,
      `no answer within ${Math.round(timeoutMs / 1000)} s`,
      'the server may still be working; check `havip status` and `havip history` before retrying',
    );
  }
  const code = err?.cause?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return new ConnectionError(endpoint, 'connection refused', 'is `npm start` running?');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConnectionError(endpoint, 'host not found', 'check --endpoint or HAVIP_ENDPOINT');
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return new ConnectionError(
        endpoint,
        'connection reset',
        'the server closed the connection; check its logs',
      );
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new ConnectionError(endpoint, 'connection timed out', 'check the network path and --endpoint');
    default:
      return new ConnectionError(
        endpoint,
        err?.cause?.message ?? err?.message ?? String(e),
        'check --endpoint or HAVIP_ENDPOINT',
      );
  }
}
