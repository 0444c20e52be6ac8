/**
 * The simulator's admin API under `/__admin/`: ground truth, stats and events, operator actions on
 * instances (stop, start, release, the host agent's ARP announcement) and the fault switches. The
 * SDKs always call the path `/`, so a signed SDK request can never reach it by accident.
 */
import { z } from 'zod';
import { HavipError } from '../../core/errors.js';
import type { SimulatedCloud } from './cloud.js';
import {
  type AdminCall,
  type AdminReply,
  type AdminRoute,
  notAnAdminRoute,
  faultRoute as sharedFaultRoute,
  viewRoutes,
} from './common/admin-routes.js';
import { parseAdminBody as parseBody } from './common/json-input.js';
import { SimApiError } from './errors.js';

const serverFaultCode = z.enum(['ServiceUnavailable', 'InternalError']);
const nonNeg = z.number().finite().min(0);
const adminSchemas = {
  latency: z.object({ ms: nonNeg, action: z.string().min(1).optional() }),
  throttle: z.object({
    ratePerSecond: nonNeg,
    burst: z.number().int().min(1),
    status: z.union([z.literal(400), z.literal(429)]).optional(),
  }),
  failNext: z.object({
    action: z.string().min(1).optional(),
    count: z.number().int().min(1).optional(),
    code: serverFaultCode.optional(),
  }),
  failureRate: z.object({
    probability: z.number().min(0).max(1),
    action: z.string().min(1).optional(),
    code: serverFaultCode.optional(),
  }),
  dropNext: z.object({ action: z.string().min(1).optional(), count: z.number().int().min(1).optional() }),
  staleness: z.object({ ms: nonNeg, actions: z.array(z.string().min(1)).optional() }),
  transitionDelay: z.object({ kind: z.enum(['haVip', 'eip', 'instance']), ms: nonNeg }),
  stop: z.object({ force: z.boolean().optional() }),
  announce: z.object({ address: z.string().min(1) }),
  keepalivedStuck: z.object({ instanceId: z.string().min(1), stuck: z.boolean() }),
  cloudAssistant: z.object({ instanceId: z.string().min(1), mode: z.enum(['ok', 'offline', 'fail']) }),
};

type Call = AdminCall<SimulatedCloud>;
type Route = AdminRoute<SimulatedCloud>;
const faultRoute = sharedFaultRoute<SimulatedCloud>;

const ROUTES: ReadonlyMap<string, Route> = new Map<string, Route>([
  ...viewRoutes<SimulatedCloud>(),
  [
    'POST /faults/latency',
    faultRoute(({ cloud, body, route }) => {
      const b = parseBody(adminSchemas.latency, body, route);
      cloud.faults.setLatency(b.ms, b.action === undefined ? {} : { action: b.action });
    }),
  ],
  [
    'POST /faults/throttle',
    faultRoute(({ cloud, body, route }) =>
      cloud.faults.setThrottle(parseBody(adminSchemas.throttle, body, route)),
    ),
  ],
  ['DELETE /faults/throttle', faultRoute(({ cloud }) => cloud.faults.setThrottle(null))],
  [
    'POST /faults/fail-next',
    faultRoute(({ cloud, body, route }) =>
      cloud.faults.failNext(parseBody(adminSchemas.failNext, body, route)),
    ),
  ],
  [
    'POST /faults/failure-rate',
    faultRoute(({ cloud, body, route }) =>
      cloud.faults.setFailureRate(parseBody(adminSchemas.failureRate, body, route)),
    ),
  ],
  [
    'POST /faults/drop-next',
    faultRoute(({ cloud, body, route }) =>
      cloud.faults.dropNextResponse(parseBody(adminSchemas.dropNext, body, route)),
    ),
  ],
  [
    'POST /faults/staleness',
    faultRoute(({ cloud, body, route }) => {
      const b = parseBody(adminSchemas.staleness, body, route);
      cloud.faults.setStaleness(b.ms, b.actions === undefined ? {} : { actions: b.actions });
    }),
  ],
  [
    'POST /faults/transition-delay',
    faultRoute(({ cloud, body, route }) => {
      const b = parseBody(adminSchemas.transitionDelay, body, route);
      cloud.faults.setTransitionDelay(b.kind, b.ms);
    }),
  ],
  [
    'POST /faults/keepalived-stuck',
    faultRoute(({ cloud, body, route }) => {
      const b = parseBody(adminSchemas.keepalivedStuck, body, route);
      cloud.faults.setKeepalivedStuck(b.instanceId, b.stuck);
    }),
  ],
  [
    'POST /faults/cloud-assistant',
    faultRoute(({ cloud, body, route }) => {
      const b = parseBody(adminSchemas.cloudAssistant, body, route);
      cloud.faults.setCloudAssistant(b.instanceId, b.mode);
    }),
  ],
]);

const INSTANCE_ROUTE = /^\/instances\/([^/]+)\/(stop|start|delete|announce)$/;

/** `POST /instances/{id}/{stop|start|delete|announce}`: what an operator or a host agent does. */
function instanceAction(c: Call, id: string, action: string): unknown {
  const { cloud } = c;
  if (action === 'announce') {
    // What a host agent does after configuring the address: gratuitous ARP. An ignored
    // announcement is still a 200: the host sent it; the VPC chose not to act on it.
    const { address } = parseBody(adminSchemas.announce, c.body, c.route);
    return { ok: true, ...cloud.announce(id, address) };
  }
  if (action === 'stop') cloud.stopInstance(id, parseBody(adminSchemas.stop, c.body, c.route));
  else if (action === 'start') cloud.startInstance(id);
  else cloud.deleteInstance(id);
  return { ok: true, instance: cloud.instance(id) ?? null };
}

/**
 * Answers one admin request (`path` below `/__admin`). Bad input is a 400 naming the field, an API
 * rule an operator action breaks is the API's error; anything else is thrown (the server answers 500).
 */
export async function handleAdmin(
  cloud: SimulatedCloud,
  method: string,
  path: string,
  body: Buffer,
): Promise<AdminReply> {
  const route = `${method} /__admin${path}`;
  const call: Call = { cloud, body, route };
  try {
    const inst = INSTANCE_ROUTE.exec(path);
    if (method === 'POST' && inst !== null) {
      return { status: 200, body: instanceAction(call, decodeURIComponent(inst[1]!), inst[2]!) };
    }
    const handler = ROUTES.get(`${method} ${path}`);
    if (handler === undefined) return notAnAdminRoute(route, 'docs/simulator.md');
    return { status: 200, body: await handler(call) };
  } catch (e) {
    if (e instanceof SimApiError) {
      return { status: e.status, body: { error: { code: e.alibabaCode, message: e.wireMessage } } };
    }
    if (e instanceof HavipError) {
      return { status: 400, body: { error: { code: e.code, message: e.message, ...e.details } } };
    }
    throw e;
  }
}
