/** `/v1/history`: recent moves, alerts and failures, newest first. */
import type { Hono } from 'hono';
import type { Service } from '../../service.js';
import type { HttpEnv } from '../context.js';
import type { HistoryResponse } from '../responses.js';
import { HistoryQuery, parseQuery } from '../schemas.js';

export function registerHistoryRoutes(app: Hono<HttpEnv>, service: Service): void {
  app.get('/v1/history', async (c) => {
    const q = parseQuery(c.req.queries(), HistoryQuery);
    const history = await service.history({ group: q.group, limit: q.limit });
    return c.json({ history } satisfies HistoryResponse);
  });
}
