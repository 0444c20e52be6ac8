/** `/v1/groups`: the groups, one group's status, and the manual plan and failover of a group. */
import type { Hono } from 'hono';
import type { Service } from '../../service.js';
import { actorOf, bodyOf, type HttpEnv, invocationIdOf, resultResponse } from '../context.js';
import { publicResult } from '../errors.js';
import type { GroupListResponse, GroupStatusResponse } from '../responses.js';
import { FailoverBody, groupParam, NoQuery, PlanBody, parseQuery } from '../schemas.js';

export function registerGroupRoutes(app: Hono<HttpEnv>, service: Service): void {
  app.get('/v1/groups', (c) => {
    parseQuery(c.req.queries(), NoQuery);
    return c.json({ groups: service.listGroups() } satisfies GroupListResponse);
  });

  app.get('/v1/groups/:name', async (c) => {
    parseQuery(c.req.queries(), NoQuery);
    const name = groupParam(c.req.param('name'));
    const status = await service.getGroup(name);
    return c.json({
      ...status,
      plan: publicResult(status.plan, c.get('requestId')),
    } satisfies GroupStatusResponse);
  });

  app.post('/v1/groups/:name/plan', async (c) => {
    parseQuery(c.req.queries(), NoQuery);
    const name = groupParam(c.req.param('name'));
    const req = bodyOf(c, PlanBody, true);
    const manual =
      req === undefined || (req.to === undefined && req.force === undefined && req.reason === undefined)
        ? undefined
        : { to: req.to, force: req.force ?? false, reason: req.reason ?? 'dry run', actor: actorOf(c) };
    return resultResponse(c, await service.plan(name, manual));
  });

  app.post('/v1/groups/:name/failover', async (c) => {
    parseQuery(c.req.queries(), NoQuery);
    const name = groupParam(c.req.param('name'));
    const req = bodyOf(c, FailoverBody)!;
    const r = await service.failover(name, {
      to: req.to,
      force: req.force ?? false,
      reason: req.reason,
      actor: actorOf(c),
      invocationId: invocationIdOf(c),
    });
    return resultResponse(c, r);
  });
}
