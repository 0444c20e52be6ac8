/**
 * The simulator on the wire: an HTTP server on 127.0.0.1 that accepts what the official v7 SDKs send
 * (`POST /?<params>` with `x-acs-action`/`x-acs-version` headers and an ACS3 signature, or the v2 style
 * with `Action`/`Version`/`Signature` in the query or a form body) and answers JSON the SDKs parse.
 *
 * An admin API under `/__admin/` drives faults and operator actions. The SDKs always call the path
 * `/`, so a signed SDK request can never reach it by accident.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { HavipError, InvalidInputError } from '../../core/errors.js';
import type { SimulatedCloud } from './cloud.js';
import { counterId } from './common/random.js';
import { E, SimApiError } from './errors.js';
import { authenticate } from './signature.js';
import { formatPath } from './types.js';

export interface SimulatorServer {
  /** `127.0.0.1:PORT`: what the SDK `Config.endpoint` takes (with `protocol: 'http'`). */
  readonly endpoint: string;
  readonly port: number;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  close(): Promise<void>;
}

export interface SimulatorServerOptions {
  readonly cloud: SimulatedCloud;
  /** Default 0: an ephemeral port. */
  readonly port?: number;
  /** Only loopback is supported: the simulator must never be reachable from the network. */
  readonly host?: '127.0.0.1';
}

/** Parameters the gateway consumes itself; operations never see them. */
const COMMON_PARAMS = new Set([
  'Action',
  'Version',
  'Format',
  'Timestamp',
  'SignatureNonce',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureType',
  'Signature',
  'AccessKeyId',
  'SecurityToken',
  'BearerToken',
]);

const MAX_BODY = 1 << 20;
const MAX_HEADER_BYTES = 128 * 1024;

export async function startSimulatorServer(opts: SimulatorServerOptions): Promise<SimulatorServer> {
  const host = opts.host ?? '127.0.0.1';
  let seq = 0;
  // RPC calls carry every parameter in the query string: a RunCommand script of the API's maximum
  // (24 KB after Base64) does not fit Node's default 16 KiB header limit.
  const server: Server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
    handleHttp(opts.cloud, req, res, () => counterId(3, ++seq)).catch((e: unknown) => {
      if (!res.headersSent)
        sendJson(res, 500, { Code: 'InternalError', Message: e instanceof Error ? e.message : String(e) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `${host}:${port}`,
    port,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function handleHttp(
  cloud: SimulatedCloud,
  req: IncomingMessage,
  res: ServerResponse,
  nextId: () => string,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const body = await readBody(req);
  if (body === undefined) {
    sendJson(res, 413, {
      Code: 'RequestEntityTooLarge',
      Message: `request body exceeds ${MAX_BODY} bytes`,
      RequestId: nextId(),
    });
    return;
  }
  if (url.pathname === '/__admin' || url.pathname.startsWith('/__admin/')) {
    await handleAdmin(cloud, req.method ?? 'GET', url.pathname.slice('/__admin'.length), body, res);
    return;
  }
  const apiError = (e: SimApiError) => {
    const requestId = nextId();
    sendJson(res, e.status, { RequestId: requestId, Code: e.alibabaCode, Message: e.wireMessage });
  };
  if (url.pathname !== '/') {
    apiError(
      new SimApiError(404, 'InvalidApi.NotFound', `No API at path ${url.pathname}; RPC calls go to /.`),
    );
    return;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const params: Record<string, string> = { ...query };
  const contentType = String(req.headers['content-type'] ?? '');
  if (contentType.includes('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params[k] = v;
  }
  const action = headerValue(req, 'x-acs-action') ?? params.Action;
  const version = headerValue(req, 'x-acs-version') ?? params.Version;
  if (action === undefined || action === '') return apiError(E.missing('Action'));
  if (version === undefined || version === '') return apiError(E.missing('Version'));
  const auth = authenticate(
    { method: req.method ?? 'GET', pathname: url.pathname, query, params, headers: req.headers, body },
    cloud.accessKey,
  );
  if (!auth.ok) return apiError(auth.error);
  const opParams: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (!COMMON_PARAMS.has(k)) opParams[k] = v;
  const out = await cloud.handle({ version, action, params: opParams, accessKeyId: auth.accessKeyId });
  if (out.drop === true) {
    // The change is committed; the caller only sees a connection reset, as after a lost response.
    req.socket.destroy();
    return;
  }
  sendJson(res, out.status, out.body, { 'x-acs-request-id': out.requestId });
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_BODY) return undefined;
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json;charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

// ---------------------------------------------------------------------------------------------
// Admin API

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

function parseBody<T extends z.ZodType>(schema: T, body: Buffer, route: string): z.output<T> {
  let json: unknown = {};
  const text = body.toString('utf8').trim();
  if (text !== '') {
    try {
      json = JSON.parse(text);
    } catch {
      throw new InvalidInputError('simulator.admin-invalid', `${route}: the body is not JSON`, [
        {
          path: '',
          message: 'expected a JSON object',
          hint: 'send Content-Type: application/json with a JSON body',
        },
      ]);
    }
  }
  const r = schema.safeParse(json);
  if (!r.success) {
    throw new InvalidInputError(
      'simulator.admin-invalid',
      `${route}: invalid body`,
      r.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
    );
  }
  return r.data;
}

async function handleAdmin(
  cloud: SimulatedCloud,
  method: string,
  path: string,
  body: Buffer,
  res: ServerResponse,
): Promise<void> {
  const route = `${method} /__admin${path}`;
  const f = cloud.faults;
  const faults = () => ({ ok: true, faults: f.config() });
  try {
    const inst = /^\/instances\/([^/]+)\/(stop|start|delete|announce)$/.exec(path);
    if (method === 'POST' && inst !== null) {
      const id = decodeURIComponent(inst[1]!);
      if (inst[2] === 'announce') {
        // What a host agent does after configuring the address: gratuitous ARP. An ignored
        // announcement is still a 200: the host sent it; the VPC chose not to act on it.
        const { address } = parseBody(adminSchemas.announce, body, route);
        return sendJson(res, 200, { ok: true, ...cloud.announce(id, address) });
      }
      if (inst[2] === 'stop') cloud.stopInstance(id, parseBody(adminSchemas.stop, body, route));
      else if (inst[2] === 'start') cloud.startInstance(id);
      else cloud.deleteInstance(id);
      return sendJson(res, 200, { ok: true, instance: cloud.instance(id) ?? null });
    }
    switch (`${method} ${path}`) {
      case 'GET /state':
        return sendJson(res, 200, cloud.snapshot());
      case 'GET /stats':
        return sendJson(res, 200, cloud.stats());
      case 'POST /stats/reset':
        cloud.resetStats();
        return sendJson(res, 200, { ok: true });
      case 'GET /events':
        return sendJson(res, 200, { events: cloud.recentEvents() });
      case 'POST /settle':
        await cloud.settle();
        return sendJson(res, 200, { ok: true });
      case 'GET /faults':
        return sendJson(res, 200, f.config());
      case 'POST /faults/reset':
        f.reset();
        return sendJson(res, 200, faults());
      case 'POST /faults/latency': {
        const b = parseBody(adminSchemas.latency, body, route);
        f.setLatency(b.ms, b.action === undefined ? {} : { action: b.action });
        return sendJson(res, 200, faults());
      }
      case 'POST /faults/throttle':
        f.setThrottle(parseBody(adminSchemas.throttle, body, route));
        return sendJson(res, 200, faults());
      case 'DELETE /faults/throttle':
        f.setThrottle(null);
        return sendJson(res, 200, faults());
      case 'POST /faults/fail-next':
        f.failNext(parseBody(adminSchemas.failNext, body, route));
        return sendJson(res, 200, faults());
      case 'POST /faults/failure-rate':
        f.setFailureRate(parseBody(adminSchemas.failureRate, body, route));
        return sendJson(res, 200, faults());
      case 'POST /faults/drop-next':
        f.dropNextResponse(parseBody(adminSchemas.dropNext, body, route));
        return sendJson(res, 200, faults());
      case 'POST /faults/staleness': {
        const b = parseBody(adminSchemas.staleness, body, route);
        f.setStaleness(b.ms, b.actions === undefined ? {} : { actions: b.actions });
        return sendJson(res, 200, faults());
      }
      case 'POST /faults/transition-delay': {
        const b = parseBody(adminSchemas.transitionDelay, body, route);
        f.setTransitionDelay(b.kind, b.ms);
        return sendJson(res, 200, faults());
      }
      case 'POST /faults/keepalived-stuck': {
        const b = parseBody(adminSchemas.keepalivedStuck, body, route);
        f.setKeepalivedStuck(b.instanceId, b.stuck);
        return sendJson(res, 200, faults());
      }
      case 'POST /faults/cloud-assistant': {
        const b = parseBody(adminSchemas.cloudAssistant, body, route);
        f.setCloudAssistant(b.instanceId, b.mode);
        return sendJson(res, 200, faults());
      }
      default:
        return sendJson(res, 404, {
          error: {
            code: 'simulator.admin-not-found',
            message: `${route} is not an admin route; see docs/simulator.md`,
          },
        });
    }
  } catch (e) {
    if (e instanceof SimApiError) {
      return sendJson(res, e.status, { error: { code: e.alibabaCode, message: e.wireMessage } });
    }
    if (e instanceof HavipError) {
      return sendJson(res, 400, { error: { code: e.code, message: e.message, ...e.details } });
    }
    throw e;
  }
}
