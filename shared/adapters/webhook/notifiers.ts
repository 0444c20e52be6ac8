/**
 * Notifier adapters: a generic JSON webhook, the DingTalk custom robot, a fan-out composite and a
 * log-only notifier for local mode. Every failure is a `HavipError` with code `notify.failed`; the
 * engine catches it, so a failed notification never blocks a failover.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { ConfigError, type ErrorCode, HavipError, type InputIssue } from '../../core/errors.js';
import type { Logger, Notification, Notifier } from '../../core/ports.js';
import { redact } from '../logger/redact.js';
import { formatNotificationMarkdown, formatNotificationText, plainStrings, summaryLine } from './format.js';
import { clip, type FetchFn, notifyFailed, postJson, redactUrl } from './post.js';

/** A notifier that says what it is, so composite failures name the culprit. */
export interface NamedNotifier extends Notifier {
  readonly name: string;
}

const HttpUrl = z.url({ protocol: /^https?$/ });
const TimeoutMs = z.number().int().min(1).max(120_000);

function parseOptions<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues: InputIssue[] = parsed.error.issues.map((i) => ({
    path: i.path.map(String).join('.'),
    message: i.message,
    hint:
      i.path[0] === 'timeoutMs'
        ? 'timeoutMs is an integer number of milliseconds, 1 to 120000'
        : i.path[0] === 'headers'
          ? 'headers map names to string values'
          : 'use an http(s) URL',
  }));
  throw new ConfigError(`invalid ${what} notifier options`, issues);
}

// ---------------------------------------------------------------------------------------------------
// Generic webhook

export interface WebhookNotifierOptions {
  readonly url: string;
  /** Extra request headers, e.g. an `Authorization` the receiver checks. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly fetch?: FetchFn;
}

const WebhookOptionsSchema = z.object({
  url: HttpUrl,
  headers: z.record(z.string(), z.string()).optional(),
  timeoutMs: TimeoutMs,
});

/** The JSON document the generic webhook POSTs. */
export interface WebhookPayload {
  readonly kind: Notification['kind'];
  readonly severity: Notification['severity'];
  readonly group: string;
  readonly summary: string;
  /** Epoch milliseconds (the orchestrator's clock). */
  readonly at: number;
  readonly atIso: string;
  readonly details: Record<string, unknown>;
  /** Human-readable rendering of the above. */
  readonly text: string;
}

/** POST the notification as JSON plus a human `text`; any 2xx is success. */
export function createWebhookNotifier(opts: WebhookNotifierOptions): NamedNotifier {
  const o = parseOptions(WebhookOptionsSchema, opts, 'webhook');
  const fetchFn = opts.fetch ?? globalThis.fetch;
  return {
    name: 'webhook',
    async notify(n) {
      const at = new Date(n.at);
      const payload: WebhookPayload = {
        kind: n.kind,
        severity: n.severity,
        group: n.group,
        // One capped line each: a receiver that pastes them into a chat cannot be made to show more.
        summary: summaryLine(n),
        at: n.at,
        atIso: Number.isNaN(at.getTime()) ? String(n.at) : at.toISOString(),
        details: plainStrings(redact(n.details)) as Record<string, unknown>,
        text: formatNotificationText(n),
      };
      await postJson({
        notifier: 'webhook',
        url: o.url,
        body: JSON.stringify(payload),
        headers: o.headers ?? {},
        timeoutMs: o.timeoutMs,
        fetch: fetchFn,
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// DingTalk custom robot

export interface DingTalkNotifierOptions {
  /** The robot's webhook, `https://oapi.dingtalk.com/robot/send?access_token=…`. */
  readonly webhookUrl: string;
  /** The robot's "additional signature" secret (starts with `SEC`); omit when the robot uses keywords or IPs. */
  readonly secret?: string;
  readonly timeoutMs: number;
  readonly fetch?: FetchFn;
  /** Epoch milliseconds for the signature timestamp; DingTalk rejects timestamps more than an hour off. */
  readonly now?: () => number;
}

const DingTalkOptionsSchema = z.object({
  webhookUrl: HttpUrl,
  secret: z.string().min(1).optional(),
  timeoutMs: TimeoutMs,
});

/**
 * DingTalk's signature for a signed robot: HMAC-SHA256 keyed with the secret over
 * `<timestamp>\n<secret>`, Base64, then URL-encoded.
 */
export function dingTalkSign(secret: string, timestampMs: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
  return encodeURIComponent(mac);
}

/** The webhook URL with `timestamp` and `sign` appended, as DingTalk expects for signed robots. */
export function dingTalkSignedUrl(webhookUrl: string, secret: string, timestampMs: number): string {
  const sep = webhookUrl.includes('?') ? '&' : '?';
  return `${webhookUrl}${sep}timestamp=${timestampMs}&sign=${dingTalkSign(secret, timestampMs)}`;
}

const DingTalkAnswer = z.looseObject({ errcode: z.number(), errmsg: z.string().optional() });
/** DingTalk's "sending too fast" code (the robot allows 20 messages a minute): worth retrying later. */
const DINGTALK_RATE_LIMITED = 130101;

/** Send a markdown message to a DingTalk custom robot. HTTP 200 with `errcode != 0` is a failure. */
export function createDingTalkNotifier(opts: DingTalkNotifierOptions): NamedNotifier {
  const o = parseOptions(DingTalkOptionsSchema, opts, 'DingTalk');
  const fetchFn = opts.fetch ?? globalThis.fetch;
  const now = opts.now ?? Date.now;
  return {
    name: 'dingtalk',
    async notify(n) {
      const url = o.secret === undefined ? o.webhookUrl : dingTalkSignedUrl(o.webhookUrl, o.secret, now());
      const body = JSON.stringify({ msgtype: 'markdown', markdown: formatNotificationMarkdown(n) });
      const res = await postJson({
        notifier: 'dingtalk',
        url,
        body,
        headers: {},
        timeoutMs: o.timeoutMs,
        fetch: fetchFn,
      });
      const shownUrl = redactUrl(url);
      let answer: unknown;
      try {
        answer = JSON.parse(res.text);
      } catch {
        throw notifyFailed(
          'dingtalk',
          `${shownUrl} answered with non-JSON`,
          { url: shownUrl, answer: clip(res.text) },
          false,
        );
      }
      const parsed = DingTalkAnswer.safeParse(answer);
      if (!parsed.success) {
        throw notifyFailed(
          'dingtalk',
          `${shownUrl} answered without errcode`,
          { url: shownUrl, answer: clip(res.text) },
          false,
        );
      }
      if (parsed.data.errcode !== 0) {
        const errmsg = clip(parsed.data.errmsg ?? '');
        throw notifyFailed(
          'dingtalk',
          `robot refused the message: errcode ${parsed.data.errcode}: ${errmsg}`,
          { url: shownUrl, errcode: parsed.data.errcode, errmsg },
          parsed.data.errcode === DINGTALK_RATE_LIMITED,
        );
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Composite and log

function nameOf(n: Notifier, index: number): string {
  const name = (n as Partial<NamedNotifier>).name;
  return typeof name === 'string' && name !== '' ? `${name}[${index}]` : `notifier[${index}]`;
}

/**
 * Send to every notifier concurrently. One failure does not stop the others; when any fail, one
 * `notify.failed` error lists each failure (`details.failures`).
 */
export function createCompositeNotifier(list: readonly Notifier[]): NamedNotifier {
  const notifiers = [...list];
  return {
    name: 'composite',
    async notify(n) {
      const results = await Promise.allSettled(notifiers.map((x) => x.notify(n)));
      const failures = results.flatMap((r, i) => {
        if (r.status === 'fulfilled') return [];
        const e = r.reason;
        const notifier = nameOf(notifiers[i]!, i);
        return [
          e instanceof HavipError
            ? { notifier, code: e.code, message: e.message, retryable: e.retryable }
            : {
                notifier,
                code: 'notify.failed' satisfies ErrorCode,
                message: e instanceof Error ? e.message : String(e),
                retryable: false,
              },
        ];
      });
      if (failures.length === 0) return;
      throw new HavipError(
        'notify.failed',
        `${failures.length} of ${notifiers.length} notifiers failed: ${failures.map((f) => `${f.notifier}: ${f.message}`).join('; ')}`,
        { retryable: failures.every((f) => f.retryable), details: { failures, attempted: notifiers.length } },
      );
    },
  };
}

/** Log the notification (local mode, or as an audit trail next to real notifiers). Never throws. */
export function createLogNotifier(logger: Logger): NamedNotifier {
  return {
    name: 'log',
    async notify(n) {
      const fields = {
        notification: { kind: n.kind, severity: n.severity, group: n.group, at: n.at, details: n.details },
      };
      const msg = `notification: ${formatNotificationText(n).split('\n')[0]}`;
      if (n.severity === 'critical') logger.error(fields, msg);
      else if (n.severity === 'warning') logger.warn(fields, msg);
      else logger.info(fields, msg);
    },
  };
}
