/**
 * Where reports go: a {@link ReportSink}. Three kinds: `http` (POST the body to a URL, for a collector
 * of your own, the API's `POST /v1/reports`, and the tests); `mns` (Alibaba: the topic the on-heartbeat
 * function consumes, through the MNS publisher of shared/adapters/mns); `cmq` (Tencent: the TDMQ for
 * CMQ topic the havip-heartbeat SCF function consumes, through shared/adapters/tencent/cmq.ts). setup.ts
 * builds the topic sinks with their credentials.
 */
import { HavipError } from '../core/errors.js';
import type { SecretSource } from './secrets.js';

/** Publishes one report body. Throws {@link SinkError} (or any error carrying `retryable`) on failure. */
export interface ReportSink {
  publish(body: string): Promise<void>;
}

export class SinkError extends HavipError {
  constructor(message: string, retryable: boolean, cause?: unknown) {
    super('agent.sink', message, { retryable, cause });
  }
}

/** Whether another attempt can help: what the error says, and yes for errors that say nothing (network). */
export function retryableFailure(e: unknown): boolean {
  if (e instanceof HavipError) return e.retryable;
  const flag = (e as { retryable?: unknown } | null)?.retryable;
  return typeof flag === 'boolean' ? flag : true;
}

export interface HttpSinkOptions {
  readonly url: string;
  /** A bearer token for the collector, if it wants one. */
  readonly token?: SecretSource | undefined;
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
}

/** 2xx is delivered; 408, 429 and 5xx are worth retrying; any other answer is final. */
export function createHttpSink(opts: HttpSinkOptions): ReportSink {
  const doFetch = opts.fetch ?? fetch;
  return {
    async publish(body) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (opts.token !== undefined) headers.authorization = `Bearer ${await opts.token.text()}`;
      let res: Response;
      try {
        res = await doFetch(opts.url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(opts.timeoutMs),
        });
      } catch (e) {
        throw new SinkError(`cannot reach the report sink ${opts.url}: ${describeFetchError(e)}`, true, e);
      }
      await res.body?.cancel();
      if (res.ok) return;
      const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
      throw new SinkError(`the report sink ${opts.url} answered HTTP ${res.status}`, retryable);
    },
  };
}

/**
 * A topic publisher (MNS's or CMQ's): one attempt, an error that says whether a retry can help.
 */
export interface TopicPublisher {
  publish(messageBody: string): Promise<{ messageId: string }>;
}

/** A sink over a topic publisher; its errors keep their retryability. */
export function createTopicSink(publisher: TopicPublisher): ReportSink {
  return {
    async publish(body) {
      await publisher.publish(body);
    },
  };
}

/** Why a fetch failed, in a few words (a timeout, or the system error code). */
export function describeFetchError(e: unknown): string {
  const err = e as { name?: string; cause?: { code?: string }; message?: string };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return 'no answer in time';
  return err?.cause?.code ?? err?.message ?? String(e);
}
