/** The one HTTP POST every webhook notifier makes: JSON body, hard timeout, errors without secrets. */
import { HavipError } from '../../core/errors.js';
import { isSecretKey, scrubString } from '../logger/redact.js';

export type FetchFn = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Bodies of webhook answers are read only to report errors; cap what is kept. */
const MAX_ANSWER_CHARS = 300;

/**
 * A URL safe to print: credential query values (`access_token`, `sign`, …) and user info replaced, and
 * long opaque path segments (the token in `/hook/<token>`-style URLs) masked.
 */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '[unparseable URL]';
  }
  url.username = '';
  url.password = '';
  for (const key of [...new Set(url.searchParams.keys())]) {
    if (isSecretKey(key) || key.toLowerCase() === 'key') url.searchParams.set(key, 'REDACTED');
  }
  url.pathname = url.pathname
    .split('/')
    .map((seg) => (/^[A-Za-z0-9_-]{20,}$/.test(seg) ? 'REDACTED' : seg))
    .join('/');
  return url.toString();
}

export interface PostResult {
  readonly status: number;
  readonly text: string;
}

export interface PostOptions {
  readonly notifier: string;
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly fetch: FetchFn;
}

/** Build a `notify.failed` error; `url` must already be redacted. */
export function notifyFailed(
  notifier: string,
  message: string,
  details: Record<string, unknown>,
  retryable: boolean,
): HavipError {
  return new HavipError('notify.failed', `${notifier}: ${message}`, {
    retryable,
    details: { notifier, ...details },
  });
}

/**
 * POST and return status and body text. Throws `notify.failed` on timeout, network error or a non-2xx
 * answer. Redirects are not followed: a webhook that redirects would resend the message to a host the
 * operator did not configure.
 */
export async function postJson(opts: PostOptions): Promise<PostResult> {
  const shownUrl = redactUrl(opts.url);
  const signal = AbortSignal.timeout(opts.timeoutMs);
  let res: Response;
  let text: string;
  try {
    res = await opts.fetch(opts.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...opts.headers },
      body: opts.body,
      signal,
      redirect: 'manual',
    });
    // The same signal bounds reading the answer, so a server that stalls mid-body still times out.
    text = await res.text();
  } catch (e) {
    if (signal.aborted) {
      throw notifyFailed(
        opts.notifier,
        `no answer from ${shownUrl} within ${opts.timeoutMs} ms`,
        { url: shownUrl, reason: 'timeout', timeoutMs: opts.timeoutMs },
        true,
      );
    }
    throw notifyFailed(
      opts.notifier,
      `request to ${shownUrl} failed: ${describeNetworkError(e)}`,
      { url: shownUrl, reason: 'network' },
      true,
    );
  }
  if (res.status < 200 || res.status > 299) {
    throw notifyFailed(
      opts.notifier,
      `${shownUrl} answered HTTP ${res.status}`,
      { url: shownUrl, reason: 'http-status', status: res.status, answer: clip(text) },
      res.status >= 500 || res.status === 429,
    );
  }
  return { status: res.status, text };
}

/** Node's fetch reports "fetch failed" with the socket error as `cause`; surface its code, scrubbed. */
function describeNetworkError(e: unknown): string {
  const cause = e instanceof Error && e.cause instanceof Error ? e.cause : e;
  const code = (cause as { code?: unknown } | null)?.code;
  const message = cause instanceof Error ? cause.message : String(cause);
  return scrubString(typeof code === 'string' ? `${code}: ${message}` : message);
}

export function clip(text: string): string {
  const s = scrubString(text);
  return s.length > MAX_ANSWER_CHARS ? `${s.slice(0, MAX_ANSWER_CHARS)}…` : s;
}
