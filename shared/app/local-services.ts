/**
 * The local mode's member services: one small HTTP server per member on its loopback address, standing in
 * for what the pair serves (its agent checks it with an HTTP GET). `GET /` answers 200 naming the member
 * while the service runs, 503 once it is stopped. Operators stop and start it with
 * `POST /__admin/stop` and `POST /__admin/start` on the same address and port.
 */
import { createServer, type Server } from 'node:http';

export interface MemberService {
  readonly memberId: string;
  readonly url: string;
  readonly running: boolean;
  stop(): void;
  start(): void;
  close(): Promise<void>;
}

export async function startMemberService(
  memberId: string,
  address: string,
  port: number,
): Promise<MemberService> {
  let running = true;
  const server: Server = createServer((req, res) => {
    req.resume();
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'POST' && (path === '/__admin/stop' || path === '/__admin/start')) {
      running = path === '/__admin/start';
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ memberId, running }));
      return;
    }
    if (!running) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end(`service on ${memberId} stopped\n`);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`served by ${memberId}\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    memberId,
    url: `http://${address}:${port}`,
    get running() {
      return running;
    },
    stop: () => {
      running = false;
    },
    start: () => {
      running = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
