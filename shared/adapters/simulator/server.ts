/**
 * The simulator on the wire: an HTTP server on 127.0.0.1 that accepts what the official v7 SDKs send
 * (`POST /?<params>` with `x-acs-action`/`x-acs-version` headers and an ACS3 signature, or the v2 style
 * with `Action`/`Version`/`Signature` in the query or a form body) and answers JSON the SDKs parse.
 *
 * An admin API under `/__admin/` drives faults and operator actions. The SDKs always call the path
 * `/`, so a signed SDK request can never reach it by accident.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleAdmin } from './admin.js';
import type { SimulatedCloud } from './cloud.js';
import {
  headerValue,
  listenOnLoopback,
  readBody,
  type SimulatorServer,
  sendJson,
} from './common/http-server.js';
import { counterId } from './common/random.js';
import { E, SimApiError } from './errors.js';
import { authenticate } from './signature.js';

export type { SimulatorServer };

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
  let seq = 0;
  // RPC calls carry every parameter in the query string: a RunCommand script of the API's maximum
  // (24 KB after Base64) does not fit Node's default 16 KiB header limit.
  return listenOnLoopback((req, res) => handleHttp(opts.cloud, req, res, () => counterId(3, ++seq)), {
    ...(opts.port === undefined ? {} : { port: opts.port }),
    maxHeaderSize: MAX_HEADER_BYTES,
    onError: (e) => ({ Code: 'InternalError', Message: e instanceof Error ? e.message : String(e) }),
  });
}

async function handleHttp(
  cloud: SimulatedCloud,
  req: IncomingMessage,
  res: ServerResponse,
  nextId: () => string,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const body = await readBody(req, MAX_BODY);
  if (body === undefined) {
    sendJson(res, 413, {
      Code: 'RequestEntityTooLarge',
      Message: `request body exceeds ${MAX_BODY} bytes`,
      RequestId: nextId(),
    });
    return;
  }
  if (url.pathname === '/__admin' || url.pathname.startsWith('/__admin/')) {
    const reply = await handleAdmin(cloud, req.method ?? 'GET', url.pathname.slice('/__admin'.length), body);
    sendJson(res, reply.status, reply.body);
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
