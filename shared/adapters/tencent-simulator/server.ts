/**
 * The Tencent simulator on the wire: an HTTP server on 127.0.0.1 that accepts what the official
 * `tencentcloud-sdk-nodejs` clients (and our adapter) send — `POST /` with a JSON body, `X-TC-Action`,
 * `X-TC-Version`, `X-TC-Region`, `X-TC-Timestamp`, optional `X-TC-Token`, and a TC3-HMAC-SHA256
 * `Authorization` (`signature.ts`) — and answers Tencent's envelope with HTTP 200. One port serves the
 * VPC, CVM, TAT and TDMQ (CMQ) actions: point every client's endpoint at it with the `http://` protocol.
 *
 * An admin API under `/__admin/` drives faults and operator actions; the SDK always calls `/`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  headerValue,
  listenOnLoopback,
  readBody,
  type SimulatorServer,
  sendJson,
} from '../simulator/common/http-server.js';
import { counterId } from '../simulator/common/random.js';
import { handleTencentAdmin } from './admin.js';
import type { TencentSimulatedCloud } from './cloud.js';
import { TencentSimApiError } from './errors.js';
import { verifyTc3 } from './signature.js';

export interface TencentSimulatorServerOptions {
  readonly cloud: TencentSimulatedCloud;
  /** Default 0: an ephemeral port. */
  readonly port?: number;
  /**
   * The gateway's wall clock for the 5-minute signature window, in ms. Default `Date.now`: SDKs sign
   * with real time even when the simulated world runs on a manual clock.
   */
  readonly now?: () => number;
}

/** API 3.0 POST bodies may be up to 10 MB; the simulated actions need far less. */
const MAX_BODY = 1 << 20;

export async function startTencentSimulatorServer(
  opts: TencentSimulatorServerOptions,
): Promise<SimulatorServer> {
  let seq = 0;
  const nextId = () => counterId(3, ++seq).toLowerCase();
  return listenOnLoopback((req, res) => handleHttp(opts, req, res, nextId), {
    ...(opts.port === undefined ? {} : { port: opts.port }),
    onError: (e) => envelopeError('InternalError', e instanceof Error ? e.message : String(e), nextId()),
  });
}

function envelopeError(code: string, message: string, requestId: string): unknown {
  return { Response: { Error: { Code: code, Message: message }, RequestId: requestId } };
}

async function handleHttp(
  opts: TencentSimulatorServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
  nextId: () => string,
): Promise<void> {
  const { cloud } = opts;
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const body = await readBody(req, MAX_BODY);
  if (url.pathname === '/__admin' || url.pathname.startsWith('/__admin/')) {
    const reply = await handleTencentAdmin(
      cloud,
      req.method ?? 'GET',
      url.pathname.slice('/__admin'.length),
      body ?? Buffer.alloc(0),
    );
    sendJson(res, reply.status, reply.body);
    return;
  }
  const refuse = (e: TencentSimApiError) =>
    sendJson(res, 200, envelopeError(e.tencentCode, e.wireMessage, nextId()));
  if (body === undefined)
    return refuse(
      new TencentSimApiError('RequestSizeLimitExceeded', `The request body exceeds ${MAX_BODY} bytes.`),
    );
  if (url.pathname !== '/' || req.method !== 'POST')
    return refuse(
      new TencentSimApiError(
        'InvalidRequest',
        'API 3.0 calls are POST / with a JSON body (the simulator takes no GET style).',
      ),
    );
  const action = headerValue(req, 'x-tc-action') ?? '';
  const version = headerValue(req, 'x-tc-version') ?? '';
  if (action === '')
    return refuse(new TencentSimApiError('MissingParameter', 'The request is missing X-TC-Action.'));
  if (version === '')
    return refuse(new TencentSimApiError('MissingParameter', 'The request is missing X-TC-Version.'));
  const auth = verifyTc3(
    { headers: req.headers, body, service: cloud.serviceOf(action), now: (opts.now ?? Date.now)() },
    cloud.credentials,
    (id) => cloud.temporaryCredentials(id),
  );
  if (!auth.ok) return refuse(auth.error);
  let params: unknown;
  try {
    params = JSON.parse(body.toString('utf8') || '{}');
  } catch {
    params = undefined;
  }
  if (typeof params !== 'object' || params === null || Array.isArray(params))
    return refuse(new TencentSimApiError('InvalidParameter', 'The request body is not a JSON object.'));
  const out = await cloud.handle({
    action,
    version,
    region: headerValue(req, 'x-tc-region') ?? '',
    params: params as Record<string, unknown>,
    secretId: auth.secretId,
  });
  if (out.drop === true) {
    // The change is committed; the caller only sees a connection reset, as after a lost answer.
    req.socket.destroy();
    return;
  }
  if (typeof out.body === 'string') {
    res.writeHead(out.status, {
      'content-type': 'text/plain',
      'content-length': Buffer.byteLength(out.body),
    });
    res.end(out.body);
    return;
  }
  sendJson(res, out.status, out.body, { 'x-tc-requestid': out.requestId });
}
