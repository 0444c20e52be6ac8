/**
 * `havip invoke <function> [--payload <file|->] [--async]`: calls a deployed havip function through the
 * Function Compute 3.0 API (`InvokeFunction`, version 2023-03-30), e.g. to run a sweep now or to replay a
 * saved ECS event.
 *
 * Why not `@alicloud/fc2`: that client speaks the FC 2.0 API (2016-08-15), where every function lives in
 * a service and is invoked at `/services/<service>/functions/<name>/invocations`. FC 3.0 functions (what
 * `s.yaml` deploys) have no service, and Alibaba documents no 2016-08-15 path that reaches them. The
 * 2023-03-30 operation is a signed `POST /2023-03-30/functions/<name>/invocations` with the event as the
 * raw body and `x-fc-invocation-type: Sync|Async`, the same request the official `@alicloud/fc20230330`
 * client builds; we send it with the generic OpenAPI client the project already uses for VPC and ECS,
 * so no extra package is needed.
 *
 * Exit 0 on success, 1 when Function Compute or the function reports an error, 2 for bad arguments or
 * missing settings (nothing is sent then).
 */
import { Readable } from 'node:stream';
import type { Command } from 'commander';
import { OpenApiUtil as $OpenApiUtil, OpenApiClient } from '../../shared/adapters/alibaba/cjs.js';
import { ExitCode, type ExitCodeSink, printJson, type Sink } from '../output.js';

/** FC 3.0 API version and the handlers `s.yaml` deploys as `havip-<name>`. */
export const FC3_API_VERSION = '2023-03-30';
export const HAVIP_FUNCTIONS = ['on-ecs-event', 'on-heartbeat', 'on-timer', 'http-api'] as const;

/** Options of `havip invoke`. */
export interface InvokeOptions {
  readonly payload?: string;
  readonly async?: boolean;
  readonly region?: string;
  readonly accountId?: string;
  readonly qualifier?: string;
  readonly endpoint?: string;
  readonly protocol?: string;
  readonly log?: boolean;
  readonly json?: boolean;
  readonly timeout?: string;
}

/** One InvokeFunction request, already validated. */
export interface InvokeRequest {
  readonly functionName: string;
  readonly payload: Buffer;
  readonly async: boolean;
  readonly tailLog: boolean;
  readonly qualifier: string | undefined;
}

/** What came back: status, headers (lower-case names) and the raw body. */
export interface InvokeResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** Where the request goes and as whom; built only once every setting has been checked. */
export interface TransportConfig {
  readonly endpoint: string;
  readonly protocol: 'https' | 'http';
  readonly regionId: string;
  readonly credentials: { accessKeyId: string; accessKeySecret: string; securityToken?: string };
  readonly readTimeoutMs: number;
}

export type InvokeTransport = (req: InvokeRequest) => Promise<InvokeResponse>;

/** Where the command reads settings and writes output; tests substitute these. */
export interface InvokeIo {
  readonly out: Sink;
  readonly err: Sink;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads a file, or standard input for `-`. */
  readonly readPayload: (source: string) => Promise<Buffer>;
  /** {@link openApiTransport} in the CLI. */
  readonly createTransport: (cfg: TransportConfig) => InvokeTransport;
}

const FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;
const REGION = /^[a-z]{2,}-[a-z0-9-]+$/;
const ACCOUNT_ID = /^\d{5,32}$/;
const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$/;
const LOOPBACK = /^(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?$/;
/** Synchronous calls wait for the function: leave room for the longest timeout s.yaml sets (60 s). */
const DEFAULT_TIMEOUT_S = 90;

function usage(io: InvokeIo, message: string, hint?: string): ExitCode {
  io.err.write(`havip invoke: ${message}\n${hint ? `hint: ${hint}\n` : ''}`);
  return ExitCode.USAGE;
}

/** `on-timer` → `havip-on-timer`; any other valid name is taken as the full function name. */
export function resolveFunctionName(name: string): string | undefined {
  if ((HAVIP_FUNCTIONS as readonly string[]).includes(name)) return `havip-${name}`;
  return FUNCTION_NAME.test(name) ? name : undefined;
}

/** The FC 3.0 endpoint of an account in a region (public network). */
export function fcEndpoint(accountId: string, regionId: string): string {
  return `${accountId}.${regionId}.fc.aliyuncs.com`;
}

/** Runs `havip invoke` and returns the exit code. Never throws. */
export async function runInvoke(fn: string, opts: InvokeOptions, io: InvokeIo): Promise<ExitCode> {
  const target = targetOf(fn, opts, io);
  if (typeof target === 'number') return target;
  const account = accountOf(opts, io);
  if (typeof account === 'number') return account;

  let payload: Buffer;
  try {
    payload = opts.payload === undefined ? Buffer.alloc(0) : await io.readPayload(opts.payload);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return usage(
      io,
      `cannot read the payload ${opts.payload}: ${code ?? String(e)}`,
      'pass a file, or - for standard input',
    );
  }

  const { regionId } = account;
  const transport = io.createTransport({
    endpoint: opts.endpoint ?? fcEndpoint(account.accountId as string, regionId),
    protocol: target.protocol,
    regionId,
    credentials: account.credentials,
    readTimeoutMs: target.timeoutS * 1000,
  });
  const request: InvokeRequest = {
    functionName: target.functionName,
    payload,
    async: opts.async === true,
    tailLog: opts.log === true && opts.async !== true,
    qualifier: target.qualifier,
  };
  let res: InvokeResponse;
  try {
    res = await transport(request);
  } catch (e) {
    return reportApiError(e, target.functionName, regionId, io);
  }
  return report(res, request, opts, io);
}

/** What to call and how (function, protocol, qualifier, timeout), or the exit code of a usage error. */
function targetOf(
  fn: string,
  opts: InvokeOptions,
  io: InvokeIo,
):
  | { functionName: string; protocol: 'https' | 'http'; qualifier: string | undefined; timeoutS: number }
  | ExitCode {
  const functionName = resolveFunctionName(fn);
  if (functionName === undefined)
    return usage(
      io,
      `${JSON.stringify(fn)} is not a function name`,
      `use one of ${HAVIP_FUNCTIONS.join(', ')} (deployed as havip-<name>) or a full name: letters, digits, _ and -, at most 64`,
    );

  const protocol = opts.protocol ?? 'https';
  if (protocol !== 'https' && protocol !== 'http')
    return usage(io, `--protocol must be https or http (got ${JSON.stringify(protocol)})`);
  if (opts.endpoint !== undefined && !HOST.test(opts.endpoint))
    return usage(
      io,
      `--endpoint must be host or host:port without a scheme (got ${JSON.stringify(opts.endpoint)})`,
    );
  if (protocol === 'http' && !(opts.endpoint !== undefined && LOOPBACK.test(opts.endpoint)))
    return usage(
      io,
      '--protocol http is only for a local test server',
      'credentials would travel unencrypted; use https (the default) for Function Compute',
    );

  const qualifier = opts.qualifier;
  if (qualifier !== undefined && !/^[A-Za-z0-9_.-]{1,128}$/.test(qualifier))
    return usage(
      io,
      `--qualifier must be a version number or an alias name (got ${JSON.stringify(qualifier)})`,
    );

  const timeoutS = opts.timeout === undefined ? DEFAULT_TIMEOUT_S : Number(opts.timeout);
  if (!Number.isInteger(timeoutS) || timeoutS < 1 || timeoutS > 900)
    return usage(
      io,
      `--timeout must be a whole number of seconds from 1 to 900 (got ${JSON.stringify(opts.timeout)})`,
    );
  return { functionName, protocol, qualifier, timeoutS };
}

/** Where and as whom (region, account, AccessKey), every missing setting named at once; or a usage error. */
function accountOf(
  opts: InvokeOptions,
  io: InvokeIo,
):
  | { regionId: string; accountId: string | undefined; credentials: TransportConfig['credentials'] }
  | ExitCode {
  const regionId = opts.region ?? io.env.ALIBABA_CLOUD_REGION_ID;
  const accountId = opts.accountId ?? io.env.ALIBABA_CLOUD_ACCOUNT_ID;
  const accessKeyId = io.env.ALIBABA_CLOUD_ACCESS_KEY_ID;
  const accessKeySecret = io.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
  const securityToken = io.env.ALIBABA_CLOUD_SECURITY_TOKEN;
  const missing = [
    regionId ? undefined : '--region (or ALIBABA_CLOUD_REGION_ID)',
    accountId || opts.endpoint ? undefined : '--account-id (or ALIBABA_CLOUD_ACCOUNT_ID)',
    accessKeyId ? undefined : 'ALIBABA_CLOUD_ACCESS_KEY_ID',
    accessKeySecret ? undefined : 'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  ].filter((m): m is string => m !== undefined);
  if (missing.length > 0)
    return usage(
      io,
      `missing ${missing.join(', ')}`,
      'set the AccessKey of a RAM identity allowed fc:InvokeFunction (deploy/ram-policy-operator.json), plus ALIBABA_CLOUD_SECURITY_TOKEN for STS; the account id is the one in the function ARN',
    );
  if (!REGION.test(regionId as string))
    return usage(io, `--region must be a region id such as cn-hangzhou (got ${JSON.stringify(regionId)})`);
  if (accountId !== undefined && !ACCOUNT_ID.test(accountId))
    return usage(
      io,
      `--account-id must be the numeric Alibaba Cloud account id (got ${JSON.stringify(accountId)})`,
    );
  return {
    regionId: regionId as string,
    accountId,
    credentials: {
      accessKeyId: accessKeyId as string,
      accessKeySecret: accessKeySecret as string,
      ...(securityToken ? { securityToken } : {}),
    },
  };
}

function report(res: InvokeResponse, req: InvokeRequest, opts: InvokeOptions, io: InvokeIo): ExitCode {
  const requestId = res.headers['x-fc-request-id'];
  // A function that threw still comes back 200; Function Compute flags it in this header.
  const functionError = res.headers['x-fc-error-type'];
  const log = res.headers['x-fc-log-result'];
  const bodyText = res.body.toString('utf8');
  if (opts.json) {
    printJson(
      {
        function: req.functionName,
        invocation: req.async ? 'async' : 'sync',
        statusCode: res.statusCode,
        requestId,
        functionError,
        body: parseJsonOr(bodyText),
        ...(log ? { log: Buffer.from(log, 'base64').toString('utf8') } : {}),
      },
      io.out,
    );
  } else {
    if (log) io.err.write(Buffer.from(log, 'base64').toString('utf8').replace(/\n?$/, '\n'));
    if (req.async) {
      io.err.write(
        `havip invoke: ${req.functionName} accepted the event (request id ${requestId ?? 'unknown'})\n`,
      );
    } else if (bodyText !== '') {
      const parsed = parseJsonOr(bodyText);
      io.out.write(
        typeof parsed === 'string'
          ? `${parsed.replace(/\n?$/, '\n')}`
          : `${JSON.stringify(parsed, null, 2)}\n`,
      );
    }
  }
  if (functionError) {
    io.err.write(
      `havip invoke: ${req.functionName} failed: ${functionError} (request id ${requestId ?? 'unknown'}); see the function's logs${opts.log ? '' : ' or rerun with --log'}\n`,
    );
    return ExitCode.FINDINGS;
  }
  return ExitCode.OK;
}

function reportApiError(e: unknown, functionName: string, regionId: string, io: InvokeIo): ExitCode {
  const err = e as {
    code?: unknown;
    statusCode?: unknown;
    requestId?: unknown;
    data?: unknown;
    message?: unknown;
  };
  const code = typeof err.code === 'string' && err.code !== 'undefined' ? err.code : undefined;
  const message =
    (err.data as { Message?: unknown } | undefined)?.Message ??
    (typeof err.message === 'string' ? err.message : String(e));
  const requestId =
    typeof err.requestId === 'string' && err.requestId !== 'undefined'
      ? ` (request id ${err.requestId})`
      : '';
  io.err.write(`havip invoke: ${functionName}: ${code ? `${code}: ` : ''}${String(message)}${requestId}\n`);
  const hint =
    code === 'FunctionNotFound'
      ? `is it deployed in ${regionId}? s.yaml deploys ${HAVIP_FUNCTIONS.map((f) => `havip-${f}`).join(', ')}`
      : code !== undefined && /AccessDenied|Forbidden|NoPermission/i.test(code)
        ? 'the RAM identity needs fc:InvokeFunction on this function (deploy/ram-policy-operator.json)'
        : code !== undefined && /Signature|AccessKey|SecurityToken/i.test(code)
          ? 'check ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET (and _SECURITY_TOKEN for STS)'
          : undefined;
  if (hint) io.err.write(`hint: ${hint}\n`);
  return ExitCode.FINDINGS;
}

function parseJsonOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

type OpenApiClientT = InstanceType<typeof OpenApiClient>;
type Runtime = Parameters<OpenApiClientT['callApi']>[2];

/**
 * InvokeFunction (2023-03-30) through the generic OpenAPI client: an ROA-style call whose body is the raw
 * event (sent as a stream, so it is hashed into the ACS3 signature as bytes) and whose answer is kept as
 * bytes. One attempt only: an invocation is not idempotent, so nothing here retries it.
 */
export function openApiTransport(cfg: TransportConfig): InvokeTransport {
  const client = new OpenApiClient(
    new $OpenApiUtil.Config({
      accessKeyId: cfg.credentials.accessKeyId,
      accessKeySecret: cfg.credentials.accessKeySecret,
      ...(cfg.credentials.securityToken ? { securityToken: cfg.credentials.securityToken } : {}),
      endpoint: cfg.endpoint,
      regionId: cfg.regionId,
      protocol: cfg.protocol,
      connectTimeout: 5_000,
      readTimeout: cfg.readTimeoutMs,
    }),
  );
  return async (req) => {
    const headers: Record<string, string> = {
      'x-fc-invocation-type': req.async ? 'Async' : 'Sync',
      'x-fc-log-type': req.tailLog ? 'Tail' : 'None',
    };
    const params = new $OpenApiUtil.Params({
      action: 'InvokeFunction',
      version: FC3_API_VERSION,
      protocol: cfg.protocol,
      pathname: `/${FC3_API_VERSION}/functions/${encodeURIComponent(req.functionName)}/invocations`,
      method: 'POST',
      authType: 'AK',
      style: 'ROA',
      reqBodyType: 'json',
      bodyType: 'byte',
    });
    const request = new $OpenApiUtil.OpenApiRequest({
      headers,
      query: req.qualifier ? { qualifier: req.qualifier } : {},
      ...(req.payload.length > 0 ? { stream: Readable.from([req.payload]) } : {}),
    });
    const res = (await client.callApi(params, request, {} as Runtime)) as {
      statusCode?: number;
      headers?: Record<string, unknown>;
      body?: unknown;
    };
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers ?? {})) out[k.toLowerCase()] = String(v);
    const body = Buffer.isBuffer(res.body)
      ? res.body
      : res.body === undefined || res.body === null
        ? Buffer.alloc(0)
        : Buffer.from(String(res.body));
    return { statusCode: Number(res.statusCode ?? 0), headers: out, body };
  };
}

/** Registers `havip invoke` on the program. */
export function registerInvoke(program: Command, io: InvokeIo & ExitCodeSink): void {
  program
    .command('invoke')
    .description('invoke a deployed havip function through the Function Compute 3.0 API')
    .argument(
      '<function>',
      `${HAVIP_FUNCTIONS.join(', ')} (deployed as havip-<name>), or a full function name`,
    )
    .option('--payload <file>', 'event to send: a file, or - for standard input (default: empty)')
    .option('--async', 'queue the event and return at once (Function Compute retries failures)')
    .option('--region <id>', 'region of the function (default: $ALIBABA_CLOUD_REGION_ID)')
    .option('--account-id <id>', 'account id in the function ARN (default: $ALIBABA_CLOUD_ACCOUNT_ID)')
    .option('--qualifier <name>', 'version or alias to invoke (default: LATEST)')
    .option('--log', "print the last 4 KB of the function's log to stderr (synchronous calls)")
    .option('--timeout <seconds>', `how long to wait for a synchronous answer (default ${DEFAULT_TIMEOUT_S})`)
    .option('--endpoint <host>', 'API endpoint (default: <account-id>.<region>.fc.aliyuncs.com)')
    .option('--protocol <https|http>', 'http is accepted only for a local test endpoint (default: https)')
    .option('--json', 'print status, request id and body as JSON')
    .addHelpText(
      'after',
      '\nCredentials come from ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET and, for STS,\n' +
        'ALIBABA_CLOUD_SECURITY_TOKEN; the identity needs fc:InvokeFunction. This command uses the FC 3.0\n' +
        'API (2023-03-30): the FC 2.0 client @alicloud/fc2 addresses functions inside services and cannot\n' +
        'reach FC 3.0 functions.\n\n' +
        'Examples:\n' +
        '  havip invoke on-timer --payload test/fixtures/events/timer.json     # a sweep of every group, now\n' +
        '  havip invoke on-ecs-event --payload saved-event.json --async\n',
    )
    .action(async (fn: string, opts: InvokeOptions) => {
      const code = await runInvoke(fn, opts, io);
      io.setExitCode(code);
    });
}
