/**
 * The Alibaba adapter talking to a simulator in the same process (the fault campaign on virtual time):
 * the adapter builds its wire requests and parses the answers exactly as over HTTP; only the socket is
 * skipped. A dropped answer (the simulator's "lost response after a committed mutation") surfaces as a
 * connection reset, which is what the HTTP server produces by destroying the socket.
 */
import type { Transport } from '../adapters/alibaba/index.js';
import type { SimulatedCloud } from '../adapters/simulator/index.js';

export function simulatorTransport(sim: SimulatedCloud): Transport {
  return async (req) => {
    const out = await sim.handle({
      version: req.version,
      action: req.action,
      params: req.query,
      accessKeyId: req.accessKeyId,
    });
    if (out.drop === true) {
      throw Object.assign(new Error('socket hang up (the simulator dropped the answer)'), {
        code: 'ECONNRESET',
      });
    }
    return { status: out.status, body: out.body };
  };
}
