/**
 * The Tencent simulator's admin API under `/__admin/`: ground truth, stats and state changes, operator
 * actions (stop and start an instance, an ARP announcement, a HAVIP's scope check) and the fault
 * switches. The SDK always calls the path `/`, so a signed request can never reach it by accident.
 */
import { z } from 'zod';
import { HavipError } from '../../core/errors.js';
import {
  type AdminCall,
  type AdminReply,
  type AdminRoute,
  notAnAdminRoute,
  faultRoute as sharedFaultRoute,
  viewRoutes,
} from '../simulator/common/admin-routes.js';
import { parseAdminBody as parseBody } from '../simulator/common/json-input.js';
import type { TencentSimulatedCloud } from './cloud.js';
import { TencentSimApiError } from './errors.js';
import { TENCENT_FAULT_CODES, TENCENT_TRANSITION_KINDS, type TencentFaultCode } from './faults.js';

const faultCode = z.enum(TENCENT_FAULT_CODES as [TencentFaultCode, ...TencentFaultCode[]]);
const nonNeg = z.number().finite().min(0);
const action = z.string().min(1).optional();
const schemas = {
  latency: z.object({ ms: nonNeg, action }),
  throttle: z.object({ ratePerSecond: nonNeg, burst: z.number().int().min(1) }),
  failNext: z.object({ action, count: z.number().int().min(1).optional(), code: faultCode.optional() }),
  failureRate: z.object({ probability: z.number().min(0).max(1), action, code: faultCode.optional() }),
  dropNext: z.object({ action, count: z.number().int().min(1).optional() }),
  staleness: z.object({ ms: nonNeg, actions: z.array(z.string().min(1)).optional() }),
  transitionDelay: z.object({
    kind: z.enum(TENCENT_TRANSITION_KINDS as ['instance', 'task', 'arp']),
    ms: nonNeg,
  }),
  tatAgent: z.object({ instanceId: z.string().min(1), mode: z.enum(['ok', 'offline', 'fail']) }),
  failNextTasks: z.object({ count: z.number().int().min(0) }),
  announce: z.object({ address: z.string().min(1) }),
  checkAssociate: z.object({ enabled: z.boolean() }),
};

type Call = AdminCall<TencentSimulatedCloud>;
type Route = AdminRoute<TencentSimulatedCloud>;
const faultRoute = sharedFaultRoute<TencentSimulatedCloud>;

const ROUTES: ReadonlyMap<string, Route> = new Map<string, Route>([
  ...viewRoutes<TencentSimulatedCloud>(),
  [
    'POST /faults/latency',
    faultRoute(({ cloud, body, route }) => {
      const b = parseBody(schemas.latency, body, route);
      cloud.faults.setLatency(b.ms, b.action === undefined ? {} : { action: b.action });
    }),
  ],
  [
    'POST /faults/throttle',
    faultRoute((c) => c.cloud.faults.setThrottle(parseBody(schemas.throttle, c.body, c.route))),
  ],
  ['DELETE /faults/throttle', faultRoute(({ cloud }) => cloud.faults.setThrottle(null))],
  [
    'POST /faults/fail-next',
    faultRoute((c) => c.cloud.faults.failNext(parseBody(schemas.failNext, c.body, c.route))),
  ],
  [
    'POST /faults/failure-rate',
    faultRoute((c) => c.cloud.faults.setFailureRate(parseBody(schemas.failureRate, c.body, c.route))),
  ],
  [
    'POST /faults/drop-next',
    faultRoute((c) => c.cloud.faults.dropNextResponse(parseBody(schemas.dropNext, c.body, c.route))),
  ],
  [
    'POST /faults/staleness',
    faultRoute(({ cloud, body, route }) => {
      const b = parseBody(schemas.staleness, body, route);
      cloud.faults.setStaleness(b.ms, b.actions === undefined ? {} : { actions: b.actions });
    }),
  ],
  [
    'POST /faults/transition-delay',
    faultRoute(({ cloud, body, route }) => {
      const b = parseBody(schemas.transitionDelay, body, route);
      cloud.faults.setTransitionDelay(b.kind, b.ms);
    }),
  ],
  [
    'POST /faults/tat-agent',
    faultRoute(({ cloud, body, route }) => {
      const b = parseBody(schemas.tatAgent, body, route);
      cloud.faults.setCloudAssistant(b.instanceId, b.mode);
    }),
  ],
  [
    'POST /faults/fail-next-tasks',
    faultRoute((c) => c.cloud.faults.failNextTasks(parseBody(schemas.failNextTasks, c.body, c.route).count)),
  ],
]);

const ID_ROUTE = /^\/(instances|havips)\/([^/]+)\/(stop|start|announce|check-associate)$/;

/** `POST /instances/{id}/{stop|start|announce}`, `POST /havips/{id}/check-associate`. */
function resourceAction(c: Call, kind: string, id: string, verb: string): unknown | undefined {
  const { cloud } = c;
  if (kind === 'havips' && verb === 'check-associate') {
    cloud.setCheckAssociate(id, parseBody(schemas.checkAssociate, c.body, c.route).enabled);
    return { ok: true, haVip: cloud.haVip(id) ?? null };
  }
  if (kind !== 'instances') return undefined;
  // An ignored announcement is still a 200: the host sent it; the VPC chose not to act on it.
  if (verb === 'announce')
    return { ok: true, ...cloud.announce(id, parseBody(schemas.announce, c.body, c.route).address) };
  if (verb === 'stop') cloud.stopInstance(id);
  else if (verb === 'start') cloud.startInstance(id);
  else return undefined;
  return { ok: true, instance: cloud.instance(id) ?? null };
}

/** Answers one admin request (`path` below `/__admin`). Bad input is a 400 naming the field. */
export async function handleTencentAdmin(
  cloud: TencentSimulatedCloud,
  method: string,
  path: string,
  body: Buffer,
): Promise<AdminReply> {
  const route = `${method} /__admin${path}`;
  const call: Call = { cloud, body, route };
  try {
    const m = ID_ROUTE.exec(path);
    const answer =
      method === 'POST' && m !== null
        ? resourceAction(call, m[1] as string, decodeURIComponent(m[2] as string), m[3] as string)
        : await ROUTES.get(`${method} ${path}`)?.(call);
    if (answer !== undefined) return { status: 200, body: answer };
    return notAnAdminRoute(route, 'docs/tencent.md');
  } catch (e) {
    if (e instanceof TencentSimApiError)
      return { status: 409, body: { error: { code: e.tencentCode, message: e.wireMessage } } };
    if (e instanceof HavipError)
      return { status: 400, body: { error: { code: e.code, message: e.message, ...e.details } } };
    throw e;
  }
}
