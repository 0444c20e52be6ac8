/** `/v1/validate`: the topology checked against the live cloud. */
import type { Hono } from 'hono';
import type { Service } from '../../service.js';
import { bodyOf, type HttpEnv } from '../context.js';
import type { ValidateResponse } from '../responses.js';
import { EmptyBody, NoQuery, parseQuery } from '../schemas.js';

export function registerValidateRoutes(app: Hono<HttpEnv>, service: Service): void {
  app.post('/v1/validate', async (c) => {
    parseQuery(c.req.queries(), NoQuery);
    bodyOf(c, EmptyBody, true);
    const findings = await service.validateLive();
    const errors = findings.filter((f) => f.severity === 'error').length;
    return c.json({ findings, errors, warnings: findings.length - errors } satisfies ValidateResponse);
  });
}
