/** `/v1/members/:id/drain` and `/undrain`: take a member out of service, or return it. */
import type { Hono } from 'hono';
import type { Service } from '../../service.js';
import { actorOf, bodyOf, type HttpEnv, invocationIdOf } from '../context.js';
import { publicResult, statusForResults } from '../errors.js';
import type { DrainResponse } from '../responses.js';
import { DrainBody, memberParam, NoQuery, parseQuery, UndrainBody } from '../schemas.js';

export function registerMemberRoutes(app: Hono<HttpEnv>, service: Service): void {
  for (const drain of [true, false]) {
    app.post(`/v1/members/:id/${drain ? 'drain' : 'undrain'}`, async (c) => {
      parseQuery(c.req.queries(), NoQuery);
      const id = memberParam(c.req.param('id'));
      const req = drain ? bodyOf(c, DrainBody)! : (bodyOf(c, UndrainBody, true) ?? {});
      const out = await service.setDrain(id, drain, {
        reason: req.reason ?? 'undrain',
        actor: actorOf(c),
        invocationId: invocationIdOf(c),
      });
      const results = out.results.map((r) => publicResult(r, c.get('requestId')));
      const body: DrainResponse = { member: id, draining: drain, groups: out.groups, results };
      return c.json(body, statusForResults(results));
    });
  }
}
