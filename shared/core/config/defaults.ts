/** The built-in defaults of the topology, applied after the document's own `defaults` block. */
import { DEFAULT_QUOTA_PROFILE } from '../quotas.js';

export const CONFIG_DEFAULTS = Object.freeze({
  quotaProfile: DEFAULT_QUOTA_PROFILE,
  priority: 100,
  eipMode: 'havip',
  nopreempt: true,
  preemptDelaySeconds: 0,
  flapGuard: Object.freeze({ maxMoves: 3, windowSeconds: 600 }),
  health: Object.freeze({ fall: 3, rise: 2 }),
  probe: Object.freeze({
    timeoutMs: 1000,
    intervalSeconds: 10,
    path: '/',
    expectStatus: Object.freeze([200]),
  }),
  announce: 'agent',
  announceDeadlineSeconds: 30,
  fencing: 'none',
  keepalivedForceMove: false,
} as const);
