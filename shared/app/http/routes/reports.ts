/**
 * `/v1/reports`: a host agent's signed report (`havip-report/1`, docs/agent.md), for the agent's `http`
 * sink pointed at the API and for places without MNS. The same verification and the same path as a
 * report from the MNS topic: refused when its MAC, group or members do not check out (400
 * `report.refused`, which the agent drops); recorded and its groups reconciled in this call otherwise.
 * A replay or an older sequence is answered `accepted: false` with the reason (200: the agent must not
 * send it again).
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { InvalidInputError } from '../../../core/errors.js';
import type { Service } from '../../service.js';
import { bodyOf, type HttpEnv, invocationIdOf } from '../context.js';
import { publicResult, statusForResults } from '../errors.js';
import { NoQuery, parseQuery } from '../schemas.js';

/** Any JSON object: the report's own schema (shared/events/agent-report.ts) checks the fields. */
const ReportBody = z.looseObject({});

export function registerReportRoutes(app: Hono<HttpEnv>, service: Service): void {
  app.post('/v1/reports', async (c) => {
    parseQuery(c.req.queries(), NoQuery);
    const body = bodyOf(c, ReportBody)!;
    const out = await service.report(body, invocationIdOf(c)).catch((e: unknown) => {
      // A malformed report is a bad request body here, as anywhere in the API.
      if (e instanceof InvalidInputError && e.code === 'event.invalid')
        throw new InvalidInputError('request.invalid', 'invalid agent report', e.issues);
      throw e;
    });
    const results = out.results.map((r) => publicResult(r, c.get('requestId')));
    return c.json(
      { accepted: out.accepted, ...(out.reason ? { reason: out.reason } : {}), groups: out.groups, results },
      statusForResults(results),
    );
  });
}
