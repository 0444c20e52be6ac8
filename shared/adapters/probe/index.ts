/**
 * Health probes from the function (which runs inside the VPC) to a member's private IP: a TCP connect or
 * an HTTP GET, each with a short timeout. A probe never throws: failing to probe is a failed probe.
 */
import { connect } from 'node:net';
import type { ProbeConfig } from '../../core/model.js';
import type { Prober, ProbeTarget } from '../../core/ports.js';

export function tcpProbe(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function httpProbe(
  url: string,
  expectStatus: readonly number[],
  timeoutMs: number,
): Promise<boolean> {
  try {
    const res = await fetch(url, {
      method: 'GET',
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
    return expectStatus.includes(res.status);
  } catch {
    return false;
  }
}

/**
 * The network prober. `hostFor` lets the local mode point probes at 127.0.0.1 stand-ins for the members'
 * private IPs (which do not exist on a laptop).
 */
export function createNetworkProber(opts: { hostFor?: (target: ProbeTarget) => string } = {}): Prober {
  const hostFor = opts.hostFor ?? ((t: ProbeTarget) => t.ip);
  return {
    probe(target: ProbeTarget, config: ProbeConfig): Promise<boolean> {
      const host = hostFor(target);
      if (config.kind === 'tcp') return tcpProbe(host, config.port, config.timeoutMs);
      const path = config.path.startsWith('/') ? config.path : `/${config.path}`;
      return httpProbe(`http://${host}:${config.port}${path}`, config.expectStatus, config.timeoutMs);
    },
  };
}
