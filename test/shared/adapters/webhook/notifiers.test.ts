import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../../../shared/adapters/logger/index.js';
import {
  createCompositeNotifier,
  createDingTalkNotifier,
  createLogNotifier,
  createWebhookNotifier,
  dingTalkSign,
  formatNotificationMarkdown,
  formatNotificationText,
  redactUrl,
} from '../../../../shared/adapters/webhook/index.js';
import { ConfigError, HavipError } from '../../../../shared/core/errors.js';
import { type GroupName, groupName } from '../../../../shared/core/model.js';
import type { Notification, Notifier } from '../../../../shared/core/ports.js';

interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** A real HTTP server on 127.0.0.1 with an ephemeral port that records every request. */
async function startServer(
  handler: (req: Recorded, res: ServerResponse) => void,
): Promise<{ base: string; requests: Recorded[]; server: Server }> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(rec);
      handler(rec, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  servers.push(server);
  return { base: `http://127.0.0.1:${port}`, requests, server };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

const reply =
  (status: number, body: string, type = 'application/json') =>
  (_req: Recorded, res: ServerResponse) => {
    res.writeHead(status, { 'content-type': type });
    res.end(body);
  };

const web: GroupName = groupName('web');
const notification: Notification = {
  kind: 'failover',
  severity: 'critical',
  group: web,
  summary: 'HaVip moved from i-a to i-b: holder stopped',
  at: Date.UTC(2026, 10, 20, 8, 16, 5),
  details: { from: 'i-a', to: 'i-b', epoch: 7, token: 'should-not-leak' },
};

async function failure(p: Promise<unknown>): Promise<HavipError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(HavipError);
    return e as HavipError;
  }
  throw new Error('expected a failure');
}

describe('createWebhookNotifier', () => {
  it('POSTs the notification as JSON with a human text and custom headers', async () => {
    const srv = await startServer(reply(204, ''));
    const n = createWebhookNotifier({
      url: `${srv.base}/hook`,
      headers: { Authorization: 'Bearer abc' },
      timeoutMs: 2000,
    });
    await n.notify(notification);
    expect(srv.requests).toHaveLength(1);
    const req = srv.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/hook');
    expect(req.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(req.headers.authorization).toBe('Bearer abc');
    const body = JSON.parse(req.body) as Record<string, unknown>;
    expect(body).toEqual({
      kind: 'failover',
      severity: 'critical',
      group: 'web',
      summary: notification.summary,
      at: notification.at,
      atIso: '2026-11-20T08:16:05.000Z',
      details: { from: 'i-a', to: 'i-b', epoch: 7, token: '[REDACTED]' },
      text: formatNotificationText(notification),
    });
    expect(body.text).toContain('[CRITICAL] failover, group web: HaVip moved');
  });

  it('regression (issue 13.5): sends user text as single capped lines (summary, text, every detail string)', async () => {
    const srv = await startServer(reply(204, ''));
    const reason = `kernel\n\n[INFO] recovered, group web: all clear\u2028${'z'.repeat(2000)}`;
    await createWebhookNotifier({ url: `${srv.base}/hook`, timeoutMs: 2000 }).notify({
      ...notification,
      summary: `web: manual failover, requested by ops: ${reason}`,
      details: { decision: { kind: 'move', reason } },
    });
    const body = JSON.parse(srv.requests[0]!.body) as {
      summary: string;
      text: string;
      details: { decision: { reason: string } };
    };
    expect(body.summary).not.toMatch(/[\n\u2028]/);
    expect(body.summary.length).toBeLessThanOrEqual(400);
    expect(body.text.split('\n')).toHaveLength(3);
    expect(body.details.decision.reason).toMatch(/^kernel \[INFO\] recovered, group web: all clear z+…$/);
    expect(body.details.decision.reason.length).toBe(1000);
  });

  it.each([
    [500, true],
    [429, true],
    [404, false],
  ])('HTTP %i → notify.failed (retryable=%s)', async (status, retryable) => {
    const srv = await startServer(reply(status, 'nope'));
    const err = await failure(
      createWebhookNotifier({ url: `${srv.base}/x`, timeoutMs: 2000 }).notify(notification),
    );
    expect(err.code).toBe('notify.failed');
    expect(err.retryable).toBe(retryable);
    expect(err.details).toMatchObject({ notifier: 'webhook', status, reason: 'http-status' });
  });

  it('does not follow redirects to another host', async () => {
    const target = await startServer(reply(200, '{}'));
    const srv = await startServer((_r, res) => {
      res.writeHead(307, { location: `${target.base}/elsewhere` });
      res.end();
    });
    const err = await failure(
      createWebhookNotifier({ url: `${srv.base}/x`, timeoutMs: 2000 }).notify(notification),
    );
    expect(err.code).toBe('notify.failed');
    expect(target.requests).toHaveLength(0);
  });

  it('times out a server that never answers', async () => {
    const srv = await startServer(() => {
      // never respond
    });
    const err = await failure(
      createWebhookNotifier({ url: `${srv.base}/slow`, timeoutMs: 50 }).notify(notification),
    );
    expect(err.code).toBe('notify.failed');
    expect(err.retryable).toBe(true);
    expect(err.details).toMatchObject({ reason: 'timeout', timeoutMs: 50 });
    expect(srv.requests).toHaveLength(1);
  });

  it('reports a refused connection as a network failure', async () => {
    const srv = await startServer(reply(200, ''));
    const url = `${srv.base}/gone`;
    srv.server.closeAllConnections();
    await new Promise<void>((resolve) => srv.server.close(() => resolve()));
    servers.splice(servers.indexOf(srv.server), 1);
    const err = await failure(createWebhookNotifier({ url, timeoutMs: 2000 }).notify(notification));
    expect(err.details).toMatchObject({ reason: 'network' });
    expect(err.message).toMatch(/ECONNREFUSED/);
  });

  it.each([
    [{ url: 'ftp://example.com/x', timeoutMs: 1000 }, 'url'],
    [{ url: 'not a url', timeoutMs: 1000 }, 'url'],
    [{ url: 'https://example.com/x', timeoutMs: 0 }, 'timeoutMs'],
    [{ url: 'https://example.com/x', timeoutMs: 1.5 }, 'timeoutMs'],
  ])('rejects options %j at %s', (opts, path) => {
    try {
      createWebhookNotifier(opts);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).issues.map((i) => i.path)).toContain(path);
    }
  });
});

describe('createDingTalkNotifier', () => {
  const SECRET = 'SEC0123456789abcdef-test-secret';
  const NOW = 1_763_626_565_123;

  it('signs the URL with HMAC-SHA256 of "timestamp\\nsecret" and sends markdown', async () => {
    const srv = await startServer(reply(200, '{"errcode":0,"errmsg":"ok"}'));
    const n = createDingTalkNotifier({
      webhookUrl: `${srv.base}/robot/send?access_token=tok123`,
      secret: SECRET,
      timeoutMs: 2000,
      now: () => NOW,
    });
    await n.notify(notification);
    const req = srv.requests[0]!;
    const url = new URL(req.url, srv.base);
    expect(url.pathname).toBe('/robot/send');
    expect(url.searchParams.get('access_token')).toBe('tok123');
    expect(url.searchParams.get('timestamp')).toBe(String(NOW));
    // Recompute independently: the decoded `sign` must be base64(HMAC-SHA256(secret, ts + "\n" + secret)).
    const expected = createHmac('sha256', SECRET).update(`${NOW}\n${SECRET}`).digest('base64');
    expect(url.searchParams.get('sign')).toBe(expected);
    // And it travels URL-encoded (Base64's + / = would otherwise be mangled).
    expect(req.url).toContain(`sign=${encodeURIComponent(expected)}`);
    expect(JSON.parse(req.body)).toEqual({
      msgtype: 'markdown',
      markdown: formatNotificationMarkdown(notification),
    });
    expect(JSON.parse(req.body).markdown.title).toBe('[CRITICAL] failover: web');
  });

  it('sends the URL unchanged without a secret', async () => {
    const srv = await startServer(reply(200, '{"errcode":0}'));
    await createDingTalkNotifier({
      webhookUrl: `${srv.base}/robot/send?access_token=t`,
      timeoutMs: 2000,
    }).notify(notification);
    expect(srv.requests[0]?.url).toBe('/robot/send?access_token=t');
  });

  it('treats a non-zero errcode in an HTTP 200 answer as a failure, without leaking the signed URL', async () => {
    const srv = await startServer(reply(200, '{"errcode":310000,"errmsg":"sign not match"}'));
    const err = await failure(
      createDingTalkNotifier({
        webhookUrl: `${srv.base}/robot/send?access_token=tok123`,
        secret: SECRET,
        timeoutMs: 2000,
        now: () => NOW,
      }).notify(notification),
    );
    expect(err.code).toBe('notify.failed');
    expect(err.retryable).toBe(false);
    expect(err.details).toMatchObject({ notifier: 'dingtalk', errcode: 310000, errmsg: 'sign not match' });
    const everything = `${err.message} ${JSON.stringify(err.toJSON())}`;
    expect(everything).not.toContain('tok123');
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain(encodeURIComponent(dingTalkSign(SECRET, NOW)));
    expect(everything).toContain('access_token=REDACTED');
  });

  it('marks the rate-limit errcode retryable', async () => {
    const srv = await startServer(reply(200, '{"errcode":130101,"errmsg":"send too fast"}'));
    const err = await failure(
      createDingTalkNotifier({ webhookUrl: `${srv.base}/r`, timeoutMs: 2000 }).notify(notification),
    );
    expect(err.retryable).toBe(true);
  });

  it.each([
    ['non-JSON', 'hello'],
    ['JSON without errcode', '{"ok":true}'],
  ])('fails on a %s answer', async (_name, body) => {
    const srv = await startServer(reply(200, body, 'text/plain'));
    const err = await failure(
      createDingTalkNotifier({ webhookUrl: `${srv.base}/r`, timeoutMs: 2000 }).notify(notification),
    );
    expect(err.code).toBe('notify.failed');
  });

  it('times out', async () => {
    const srv = await startServer(() => {});
    const err = await failure(
      createDingTalkNotifier({
        webhookUrl: `${srv.base}/r?access_token=tok-9f3e`,
        secret: SECRET,
        timeoutMs: 50,
      }).notify(notification),
    );
    expect(err.details).toMatchObject({ reason: 'timeout' });
    expect(err.message).not.toContain('tok-9f3e');
  });
});

describe('createCompositeNotifier', () => {
  const ok = (): Notifier & { calls: number } => {
    const n = {
      calls: 0,
      async notify() {
        n.calls++;
      },
    };
    return n;
  };

  it('sends to every notifier even when one fails, then reports the failures', async () => {
    const a = ok();
    const c = ok();
    const srv = await startServer(reply(500, 'boom'));
    const failing = createWebhookNotifier({ url: `${srv.base}/x`, timeoutMs: 2000 });
    const err = await failure(createCompositeNotifier([a, failing, c]).notify(notification));
    expect(a.calls).toBe(1);
    expect(c.calls).toBe(1);
    expect(err.code).toBe('notify.failed');
    expect(err.message).toMatch(/^1 of 3 notifiers failed: webhook\[1\]: /);
    expect(err.details.failures).toEqual([
      expect.objectContaining({ notifier: 'webhook[1]', code: 'notify.failed' }),
    ]);
  });

  it('wraps plain errors from custom notifiers', async () => {
    const bad: Notifier = {
      notify: async () => {
        throw new Error('custom broke');
      },
    };
    const err = await failure(createCompositeNotifier([bad]).notify(notification));
    expect(err.details.failures).toEqual([
      { notifier: 'notifier[0]', code: 'notify.failed', message: 'custom broke', retryable: false },
    ]);
  });

  it('succeeds when all succeed, and with an empty list', async () => {
    const a = ok();
    await createCompositeNotifier([a]).notify(notification);
    await createCompositeNotifier([]).notify(notification);
    expect(a.calls).toBe(1);
  });
});

describe('createLogNotifier', () => {
  it.each([
    ['critical', 'error'],
    ['warning', 'warn'],
    ['info', 'info'],
  ] as const)('logs a %s notification at %s, with secrets redacted', async (severity, level) => {
    const logger = createMemoryLogger();
    await createLogNotifier(logger).notify({ ...notification, severity });
    expect(logger.entries).toHaveLength(1);
    const entry = logger.entries[0]!;
    expect(entry.level).toBe(level);
    expect(entry.msg).toContain('failover, group web');
    expect(JSON.stringify(entry.fields)).not.toContain('should-not-leak');
  });
});

describe('redactUrl', () => {
  it.each([
    [
      'https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1&sign=xyz',
      'https://oapi.dingtalk.com/robot/send?access_token=REDACTED&timestamp=1&sign=REDACTED',
    ],
    ['https://user:pw@example.com/hook?key=k', 'https://example.com/hook?key=REDACTED'],
    [
      'https://open.feishu.cn/open-apis/bot/v2/hook/0123456789abcdef0123456789',
      'https://open.feishu.cn/open-apis/bot/v2/hook/REDACTED',
    ],
    ['not a url', '[unparseable URL]'],
  ])('%s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });
});
