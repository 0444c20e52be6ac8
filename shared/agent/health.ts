/**
 * `GET /health` on the member's own address: 200 while the agent runs and its checks pass, 503 while
 * they fail, with the agent's view as JSON. The orchestrator probes it as the second witness for a
 * two-member group: a frozen host does not answer at all.
 */
import { createServer, type Server } from 'node:http';

export interface HealthServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startHealthServer(
  address: string,
  port: number,
  status: () => { readonly ok: boolean; readonly body: unknown },
): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    req.resume();
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/health') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found: GET /health"}\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res
        .writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' })
        .end('{"error":"use GET"}\n');
      return;
    }
    const s = status();
    res
      .writeHead(s.ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      .end(req.method === 'HEAD' ? undefined : `${JSON.stringify(s.body)}\n`);
  });
  // A prober that never finishes its request must not hold a socket for long.
  server.requestTimeout = 5_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address();
  const actualPort = typeof bound === 'object' && bound !== null ? bound.port : port;
  return {
    url: `http://${address}:${actualPort}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
