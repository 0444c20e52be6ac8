/** `/v1/heartbeats`: a host agent's heartbeat; the answer says what the instance should serve. */
import type { Hono } from 'hono';
import type { Service } from '../../service.js';
import { bodyOf, checkedSequence, type HttpEnv } from '../context.js';
import type { HeartbeatResponse } from '../responses.js';
import { HeartbeatBody, NoQuery, parseQuery } from '../schemas.js';

export function registerHeartbeatRoutes(app: Hono<HttpEnv>, service: Service): void {
  app.post('/v1/heartbeats', async (c) => {
    parseQuery(c.req.queries(), NoQuery);
    const req = bodyOf(c, HeartbeatBody)!;
    const sequence = checkedSequence(c, req.sequence);
    const reply = await service.heartbeat({ instanceId: req.instanceId, sequence });
    return c.json(reply satisfies HeartbeatResponse);
  });
}
