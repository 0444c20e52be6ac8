import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createTcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetworkProber, httpProbe, tcpProbe } from '../../../../shared/adapters/probe/index.js';
import { memberId } from '../../../../shared/core/model.js';

let http: Server;
let httpPort: number;
let closedPort: number;

beforeAll(async () => {
  http = createServer((req, res) => {
    res.statusCode = req.url === '/healthz' ? 200 : req.url === '/slow' ? 200 : 503;
    if (req.url === '/slow') setTimeout(() => res.end('late'), 2_000).unref();
    else res.end('x');
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  httpPort = (http.address() as AddressInfo).port;
  // A port that was open a moment ago and is now closed: connection refused.
  const tmp = createTcpServer();
  await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', r));
  closedPort = (tmp.address() as AddressInfo).port;
  await new Promise<void>((r) => tmp.close(() => r()));
});
afterAll(
  () =>
    new Promise<void>((r) => {
      http.closeAllConnections();
      http.close(() => r());
    }),
);

describe('probes', () => {
  it('TCP: open port passes, closed port fails', async () => {
    expect(await tcpProbe('127.0.0.1', httpPort, 500)).toBe(true);
    expect(await tcpProbe('127.0.0.1', closedPort, 500)).toBe(false);
  });

  it('HTTP: expected status passes, other status fails, timeout fails, refused fails', async () => {
    expect(await httpProbe(`http://127.0.0.1:${httpPort}/healthz`, [200], 5_000)).toBe(true);
    expect(await httpProbe(`http://127.0.0.1:${httpPort}/other`, [200], 5_000)).toBe(false);
    expect(await httpProbe(`http://127.0.0.1:${httpPort}/other`, [503], 5_000)).toBe(true);
    expect(await httpProbe(`http://127.0.0.1:${httpPort}/slow`, [200], 100)).toBe(false);
    expect(await httpProbe(`http://127.0.0.1:${closedPort}/`, [200], 5_000)).toBe(false);
  });

  it('the prober maps the member to a host and uses the configured probe', async () => {
    const prober = createNetworkProber({ hostFor: () => '127.0.0.1' });
    const target = { memberId: memberId('i-a'), ip: '192.168.0.11' };
    expect(
      await prober.probe(target, { kind: 'tcp', port: httpPort, timeoutMs: 5_000, intervalSeconds: 10 }),
    ).toBe(true);
    expect(
      await prober.probe(target, {
        kind: 'http',
        port: httpPort,
        path: 'healthz',
        expectStatus: [200],
        timeoutMs: 5_000,
        intervalSeconds: 10,
      }),
    ).toBe(true);
    expect(
      await prober.probe(target, { kind: 'tcp', port: closedPort, timeoutMs: 5_000, intervalSeconds: 10 }),
    ).toBe(false);
  });
});
