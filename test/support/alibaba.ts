/**
 * The Alibaba adapter's test fixture: a tiny canned-JSON HTTP server on 127.0.0.1 that records what
 * the adapter sends and answers what each test says, the adapter pointed at it, and test credentials.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AlibabaCloudApiOptions, createAlibabaCloudApi } from '../../shared/adapters/alibaba/index.js';
import type { CloudApi } from '../../shared/core/ports.js';

export const AK = 'AKIDexample0001';
export const SECRET = 'SECRETexample-do-not-leak';
export const TOKEN = 'STSTOKENexample-do-not-leak';

export interface Seen {
  readonly action: string;
  readonly url: URL;
  readonly headers: http.IncomingHttpHeaders;
}
export type Reply = { status?: number; body: unknown; raw?: boolean } | 'drop' | 'hang';

export interface Canned {
  endpoint: string;
  requests: Seen[];
  close(): Promise<void>;
}

const servers: Canned[] = [];

/** Closes every canned server; call it after each test (`afterEach(closeCannedServers)`). */
export async function closeCannedServers(): Promise<void> {
  await Promise.all(servers.splice(0).map((s) => s.close()));
}

/**
 * A server that answers each request with what `handler` returns for it (`drop`: reset the
 * connection; `hang`: never answer).
 */
export async function canned(handler: (req: Seen, n: number) => Reply): Promise<Canned> {
  const requests: Seen[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const action = String(req.headers['x-acs-action'] ?? url.searchParams.get('Action') ?? '');
      const seen = { action, url, headers: req.headers };
      requests.push(seen);
      const reply = handler(seen, requests.length);
      if (reply === 'drop') {
        req.socket.destroy();
        return;
      }
      if (reply === 'hang') return;
      res.statusCode = reply.status ?? 200;
      res.setHeader('content-type', reply.raw ? 'text/html' : 'application/json;charset=utf-8');
      res.end(reply.raw ? String(reply.body) : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const c: Canned = {
    endpoint: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(c);
  return c;
}

/** The adapter pointed at `srv` over plain HTTP, with test credentials. */
export function api(srv: Canned, extra: Partial<AlibabaCloudApiOptions> = {}): CloudApi {
  return createAlibabaCloudApi({
    credentials: { accessKeyId: AK, accessKeySecret: SECRET },
    endpoints: { override: srv.endpoint },
    protocol: 'http',
    ...extra,
  });
}

/** The query parameters an operation sent, minus the signing machinery. */
export function params(s: Seen): Record<string, string> {
  const skip = new Set([
    'Action',
    'Version',
    'Format',
    'Timestamp',
    'SignatureNonce',
    'SignatureMethod',
    'SignatureVersion',
    'Signature',
    'AccessKeyId',
    'SecurityToken',
  ]);
  return Object.fromEntries([...s.url.searchParams.entries()].filter(([k]) => !skip.has(k)));
}

// `InvokeId` is read by RunCommand only; every other operation ignores it.
export const ok = { body: { RequestId: 'req-ok', InvokeId: 't-ok' } };
/** Quotes, a newline, `$` and non-ASCII: what Base64 transport must carry unharmed. */
export const SCRIPT = `ip addr add 10.0.1.100/32 dev eth0 || true\narping -U -c 3 -I eth0 "10.0.1.100" # vip ü $HOME`;
export const region = 'cn-hangzhou';
