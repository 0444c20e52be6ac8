/**
 * The Tencent adapter's in-process transport over a simulator in the same process: the adapter builds
 * and reads every request exactly as over HTTP, minus the socket and the signature (fast, deterministic
 * campaigns). An answer the fault plan drops is thrown as a connection reset, as over HTTP.
 */
import type { TencentTransport } from '../tencent/transport.js';
import type { TencentSimulatedCloud } from './cloud.js';

export function inProcessTransport(cloud: TencentSimulatedCloud): TencentTransport {
  return async (req) => {
    const out = await cloud.handle({
      action: req.action,
      version: req.version,
      region: req.regionId,
      params: { ...req.body },
      secretId: req.secretId,
    });
    if (out.drop === true)
      throw Object.assign(new Error(`${req.action}: the simulator dropped the answer`), {
        code: 'ECONNRESET',
      });
    return { status: out.status, body: typeof out.body === 'string' ? undefined : out.body };
  };
}
