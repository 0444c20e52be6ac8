/**
 * A simulated cloud on the wire: an HTTP server on 127.0.0.1 only (a simulator must never be reachable
 * from the network), with the body reading and JSON answers every simulated API and its admin routes
 * share. What a request means is the cloud's own handler.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SimulatorServer {
  /** `127.0.0.1:PORT`: what an SDK's endpoint option takes (with the http protocol). */
  readonly endpoint: string;
  readonly port: number;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  close(): Promise<void>;
}

/** Handles one request; a rejection is answered 500 (or the socket is destroyed if headers went out). */
export type SimulatorHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * Listens on 127.0.0.1:`port` (0 = an ephemeral port). `maxHeaderSize` raises Node's 16 KiB default
 * where a cloud puts large parameters in the query string.
 */
export async function listenOnLoopback(
  handler: SimulatorHandler,
  opts: {
    readonly port?: number;
    readonly maxHeaderSize?: number;
    readonly onError: (e: unknown) => unknown;
  },
): Promise<SimulatorServer> {
  const host = '127.0.0.1';
  const server: Server = createServer(
    opts.maxHeaderSize === undefined ? {} : { maxHeaderSize: opts.maxHeaderSize },
    (req, res) => {
      handler(req, res).catch((e: unknown) => {
        if (!res.headersSent) sendJson(res, 500, opts.onError(e));
        else res.destroy();
      });
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `${host}:${port}`,
    port,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The whole body, or undefined when it exceeds `max` bytes. */
export async function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > max) return undefined;
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json;charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** A header's value (the first, when repeated). */
export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
