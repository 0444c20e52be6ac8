/**
 * The production {@link CloudApi}: Alibaba's OpenAPI wire protocol through the generic client of
 * `@alicloud/openapi-core`, which signs requests (ACS3-HMAC-SHA256 by default, or the older HMAC-SHA1
 * "v2" query signature) and sends them. The product SDK packages are not loaded at run time: they
 * cost most of a second and over 100 MB per cold start. Instead, `wire.ts` builds the same parameters
 * their `<op>WithOptions` methods build, and `schemas.ts` reads the answers; a contract test pins both
 * to the SDK models.
 *
 * No retries here: the client is configured without `retryOptions`, so the OpenAPI client makes
 * exactly one attempt (its retry loop only repeats when those options say so), and the engine's
 * retry policy decides with full knowledge of deadlines and leases.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { CloudError, CloudResponseLostError, type InputIssue, InvalidInputError } from '../../core/errors.js';
import type {
  CloudApi,
  EipState,
  HaVipInstanceType,
  HaVipState,
  InstanceState,
  InvocationResult,
  Logger,
  MutationResult,
  NetworkInterfaceState,
} from '../../core/ports.js';
import { OpenApiUtil as $OpenApiUtil, OpenApiClient } from './cjs.js';
import {
  type AlibabaCredentials,
  type CredentialsSource,
  credentialProblems,
  credentialsResolver,
} from './credentials.js';
import { defaultEndpoint, type Service } from './endpoints.js';
import { toCloudError } from './errors.js';
import {
  DescribeEipAddressesBody,
  DescribeHaVipsBody,
  DescribeInstancesBody,
  DescribeInvocationResultsBody,
  DescribeNetworkInterfacesBody,
  describeIssue,
  MutationBody,
  RunCommandBody,
} from './schemas.js';
import * as wire from './wire.js';

type OpenApiClientT = InstanceType<typeof OpenApiClient>;
type Runtime = Parameters<OpenApiClientT['callApi']>[2];

export type EndpointsOption =
  | { readonly vpc?: (regionId: string) => string; readonly ecs?: (regionId: string) => string }
  | { readonly override: string };

export interface AlibabaCloudApiOptions {
  readonly credentials: CredentialsSource;
  /** Per-service endpoint functions, or one `host:port` for every call (the simulator). */
  readonly endpoints?: EndpointsOption;
  /** Default `https`. Use `http` only for a local simulator. */
  readonly protocol?: 'https' | 'http';
  /** `v3` (default) = ACS3-HMAC-SHA256 headers; `v2` = the older signed query (`Signature=`). */
  readonly signatureAlgorithm?: 'v3' | 'v2';
  /** Default 3000 ms. */
  readonly connectTimeoutMs?: number;
  /** Default 10000 ms. */
  readonly readTimeoutMs?: number;
  /** Receives one debug line per call and one warn line per failure; never credentials. */
  readonly logger?: Logger;
  /**
   * Replaces the signed HTTP call with an in-process exchange (a simulator in the same process, for fast
   * deterministic test campaigns). Request building, answer parsing and error mapping stay the same.
   * Default: the OpenAPI client over HTTP(S). Never set it in production.
   */
  readonly transport?: Transport;
}

/** One call as the adapter would put it on the wire: RPC style, every parameter in the query. */
export interface TransportRequest {
  readonly service: Service;
  readonly version: string;
  readonly action: string;
  readonly regionId: string;
  readonly query: Readonly<Record<string, string>>;
  /** The caller's AccessKey id (the cloud scopes throttling and ClientTokens by it). */
  readonly accessKeyId: string;
}

/** The HTTP status and parsed JSON body of an answer. */
export interface TransportResponse {
  readonly status: number;
  readonly body: unknown;
}

/**
 * Exchanges one request for one answer. A lost answer is thrown the way a socket failure is (an error
 * with `code: 'ECONNRESET'`), so the adapter reports it exactly as it reports one over HTTP.
 */
export type Transport = (req: TransportRequest) => Promise<TransportResponse>;

/** Cached clients per adapter; credentials rotate (STS), so old entries fall out. */
const MAX_CLIENTS = 8;

const DEFAULT_CONNECT_TIMEOUT_MS = 3000;
const DEFAULT_READ_TIMEOUT_MS = 10_000;
/** Guards against a service that keeps answering "more" forever. */
const MAX_PAGES = 1000;
/** Command output kept per result: enough to diagnose, small enough for a journal entry. */
export const MAX_OUTPUT_CHARS = 4096;

function optionIssues(o: AlibabaCloudApiOptions): InputIssue[] {
  const issues: InputIssue[] = [];
  const c = o.credentials;
  if (c !== 'default' && typeof c !== 'function') {
    for (const m of credentialProblems(c))
      issues.push({
        path: 'credentials',
        message: m,
        hint: "pass {accessKeyId, accessKeySecret, securityToken?}, 'default' or a function",
      });
  }
  if (o.protocol !== undefined && o.protocol !== 'https' && o.protocol !== 'http')
    issues.push({ path: 'protocol', message: "must be 'https' or 'http'" });
  if (o.signatureAlgorithm !== undefined && o.signatureAlgorithm !== 'v3' && o.signatureAlgorithm !== 'v2')
    issues.push({ path: 'signatureAlgorithm', message: "must be 'v3' or 'v2'" });
  for (const key of ['connectTimeoutMs', 'readTimeoutMs'] as const) {
    const v = o[key];
    if (v !== undefined && !(Number.isInteger(v) && v > 0 && v <= 600_000))
      issues.push({ path: key, message: 'must be an integer number of milliseconds between 1 and 600000' });
  }
  if (o.transport !== undefined && typeof o.transport !== 'function')
    issues.push({
      path: 'transport',
      message: 'must be a function',
      hint: 'omit it to call the cloud over HTTPS',
    });
  const e = o.endpoints;
  if (e && 'override' in e && !/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(e.override))
    issues.push({
      path: 'endpoints.override',
      message: 'must be host or host:port without a scheme or path',
      hint: "e.g. '127.0.0.1:8080'; set protocol: 'http' for a local simulator",
    });
  return issues;
}

/**
 * Create the Alibaba Cloud adapter. Nothing is contacted until the first call.
 *
 * @throws InvalidInputError (`cloud.options-invalid`) when an option is malformed.
 */
export function createAlibabaCloudApi(opts: AlibabaCloudApiOptions): CloudApi {
  const issues = optionIssues(opts);
  if (issues.length > 0)
    throw new InvalidInputError('cloud.options-invalid', 'invalid Alibaba Cloud adapter options', issues);
  return new AlibabaCloudApi(opts);
}

class AlibabaCloudApi implements CloudApi {
  private readonly resolveCredentials: (action: string) => Promise<AlibabaCredentials>;
  private readonly clients = new Map<string, OpenApiClientT>();

  constructor(private readonly opts: AlibabaCloudApiOptions) {
    this.resolveCredentials = credentialsResolver(opts.credentials);
  }

  private endpointFor(service: Service, regionId: string): string {
    const e = this.opts.endpoints;
    if (e && 'override' in e) return e.override;
    const fn = e?.[service];
    return fn ? fn(regionId) : defaultEndpoint(service, regionId);
  }

  private clientFor(service: Service, regionId: string, creds: AlibabaCredentials): OpenApiClientT {
    const endpoint = this.endpointFor(service, regionId);
    // The secret never becomes part of a readable key: only a digest of it.
    const digest = createHash('sha256')
      .update(`${creds.accessKeySecret}\u0000${creds.securityToken ?? ''}`)
      .digest('hex')
      .slice(0, 24);
    const key = `${service}|${endpoint}|${regionId}|${creds.accessKeyId}|${digest}`;
    const hit = this.clients.get(key);
    if (hit) {
      this.clients.delete(key);
      this.clients.set(key, hit);
      return hit;
    }
    const client = new OpenApiClient(
      new $OpenApiUtil.Config({
        accessKeyId: creds.accessKeyId,
        accessKeySecret: creds.accessKeySecret,
        ...(creds.securityToken ? { securityToken: creds.securityToken } : {}),
        endpoint,
        regionId,
        protocol: this.opts.protocol ?? 'https',
        connectTimeout: this.opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        readTimeout: this.opts.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS,
        // Unset = ACS3-HMAC-SHA256; 'v2' selects the RPC query signature.
        ...(this.opts.signatureAlgorithm === 'v2' ? { signatureAlgorithm: 'v2' } : {}),
      }),
    );
    this.clients.set(key, client);
    while (this.clients.size > MAX_CLIENTS) {
      const oldest = this.clients.keys().next().value;
      if (oldest === undefined) break;
      this.clients.delete(oldest);
    }
    return client;
  }

  /** One signed call; returns the JSON body or throws a HavipError. */
  private async call(regionId: string, req: wire.WireRequest): Promise<unknown> {
    const ctx = {
      action: req.action,
      mutation: req.mutation,
      subject: wire.subjectOf(regionId, req),
      service: req.service,
    };
    const creds = await this.resolveCredentials(req.action);
    try {
      const transport = this.opts.transport;
      const body =
        transport === undefined
          ? await this.callHttp(regionId, req, creds)
          : await this.callVia(transport, regionId, req, creds);
      this.opts.logger?.debug(
        { action: req.action, regionId, requestId: requestIdOf(body) },
        'alibaba call ok',
      );
      return body;
    } catch (e) {
      const err = toCloudError(e, ctx);
      this.opts.logger?.warn(
        {
          action: req.action,
          regionId,
          code: err.code,
          retryable: err.retryable,
          alibabaCode: err instanceof CloudError ? err.alibabaCode : undefined,
          requestId: err instanceof CloudError ? err.requestId : undefined,
        },
        'alibaba call failed',
      );
      throw err;
    }
  }

  /** The production path: the OpenAPI client signs the request and sends it over HTTP(S). */
  private async callHttp(
    regionId: string,
    req: wire.WireRequest,
    creds: AlibabaCredentials,
  ): Promise<unknown> {
    const client = this.clientFor(req.service, regionId, creds);
    const params = new $OpenApiUtil.Params({
      action: req.action,
      version: req.version,
      protocol: this.opts.protocol ?? 'https',
      pathname: '/',
      method: 'POST',
      authType: 'AK',
      style: 'RPC',
      reqBodyType: 'formData',
      bodyType: 'json',
    });
    const request = new $OpenApiUtil.OpenApiRequest({ query: { ...req.query } });
    const res = await client.callApi(params, request, {} as Runtime);
    return (res as { body?: unknown }).body;
  }

  /**
   * The in-process path. An error status becomes the same error the OpenAPI client throws for it
   * (`code`, `statusCode`, `requestId`, the body as `data`), so {@link toCloudError} classifies both
   * paths alike.
   */
  private async callVia(
    transport: Transport,
    regionId: string,
    req: wire.WireRequest,
    creds: AlibabaCredentials,
  ): Promise<unknown> {
    const res = await transport({
      service: req.service,
      version: req.version,
      action: req.action,
      regionId,
      query: req.query,
      accessKeyId: creds.accessKeyId,
    });
    if (res.status < 400) return res.body;
    const data = (typeof res.body === 'object' && res.body !== null ? res.body : {}) as Record<
      string,
      unknown
    >;
    const code = data.Code ?? data.code;
    const requestId = data.RequestId ?? data.requestId;
    throw Object.assign(
      new Error(
        `code: ${res.status}, ${String(data.Message ?? data.message)} request id: ${String(requestId)}`,
      ),
      { code: `${String(code)}`, statusCode: res.status, requestId: `${String(requestId)}`, data },
    );
  }

  private async read<S extends z.ZodType>(
    regionId: string,
    req: wire.WireRequest,
    schema: S,
  ): Promise<z.output<S>> {
    const body = await this.call(regionId, req);
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new CloudError({
        code: 'cloud.error',
        action: req.action,
        alibabaCode: 'InvalidResponse',
        message: `unexpected response body at ${describeIssue(parsed.error)} (${wire.subjectOf(regionId, req)})`,
        requestId: requestIdOf(body),
        retryable: false,
      });
    }
    return parsed.data;
  }

  private async mutate(regionId: string, req: wire.WireRequest): Promise<MutationResult> {
    const body = await this.call(regionId, req);
    // The call succeeded; a body we cannot read must not turn a committed change into a failure.
    const parsed = MutationBody.safeParse(body);
    return { requestId: parsed.success ? parsed.data.RequestId : undefined };
  }

  /** Pages a PageNumber/PageSize listing until TotalCount is reached or a short page arrives. */
  private async paged<T>(
    fetchPage: (page: number) => Promise<{ items: T[]; total: number | undefined }>,
    pageSize: number,
  ): Promise<T[]> {
    const out: T[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const { items, total } = await fetchPage(page);
      out.push(...items);
      if (items.length === 0 || items.length < pageSize) break;
      if (total !== undefined && page * pageSize >= total) break;
    }
    return out;
  }

  private async haVipPage(
    regionId: string,
    filter: { haVipIds?: readonly string[]; vpcId?: string },
    pageNumber: number,
  ): Promise<{ items: HaVipState[]; total: number | undefined; last: boolean }> {
    const size = wire.LIMITS.haVipPageSize;
    const body = await this.read(
      regionId,
      wire.describeHaVips({ regionId, pageNumber, ...filter }),
      DescribeHaVipsBody,
    );
    const raw = body.HaVips?.HaVip ?? [];
    const total = body.TotalCount;
    const last = raw.length < size || (total !== undefined && pageNumber * size >= total);
    return { items: raw.map((h) => toHaVipState(regionId, h)), total, last };
  }

  private async haVipPages(
    regionId: string,
    filter: { haVipIds?: readonly string[]; vpcId?: string },
    fromPage = 1,
  ): Promise<HaVipState[]> {
    const out: HaVipState[] = [];
    for (let page = fromPage; page < fromPage + MAX_PAGES; page++) {
      const { items, last } = await this.haVipPage(regionId, filter, page);
      out.push(...items);
      if (last) break;
    }
    return out;
  }

  /**
   * DescribeHaVips accepts at most 5 values per filter key, so n ids cost ceil(n/5) filtered calls.
   * Listing the whole region costs ceil(total/50) calls. For more than 5 ids we read the first region
   * page (which also tells the total) and continue with whichever way needs fewer calls.
   */
  async describeHaVips(req: { regionId: string; haVipIds: readonly string[] }): Promise<HaVipState[]> {
    const ids = unique(req.haVipIds);
    const wanted = new Set(ids);
    const found = new Map<string, HaVipState>();
    // The filter is the service's job; we double-check so a sloppy answer cannot inject other HaVips.
    const keep = (hs: readonly HaVipState[]): void => {
      for (const h of hs) if (wanted.has(h.haVipId)) found.set(h.haVipId, h);
    };
    let todo = ids;
    if (ids.length > wire.LIMITS.haVipFilterValues) {
      const first = await this.haVipPage(req.regionId, {}, 1);
      keep(first.items);
      if (first.last) return [...found.values()];
      todo = ids.filter((id) => !found.has(id));
      const pagesLeft =
        first.total === undefined
          ? Number.POSITIVE_INFINITY
          : Math.ceil(first.total / wire.LIMITS.haVipPageSize) - 1;
      if (todo.length > 0 && pagesLeft <= Math.ceil(todo.length / wire.LIMITS.haVipFilterValues)) {
        keep(await this.haVipPages(req.regionId, {}, 2));
        return [...found.values()];
      }
    }
    for (const part of wire.chunk(todo, wire.LIMITS.haVipFilterValues)) {
      keep(await this.haVipPages(req.regionId, { haVipIds: part }));
    }
    return [...found.values()];
  }

  async listHaVips(req: { regionId: string; vpcId?: string }): Promise<HaVipState[]> {
    const found = new Map<string, HaVipState>();
    for (const h of await this.haVipPages(req.regionId, req.vpcId ? { vpcId: req.vpcId } : {}))
      found.set(h.haVipId, h);
    return [...found.values()];
  }

  async describeInstances(req: {
    regionId: string;
    instanceIds: readonly string[];
  }): Promise<InstanceState[]> {
    const found = new Map<string, InstanceState>();
    for (const part of wire.chunk(unique(req.instanceIds), wire.LIMITS.instanceIdsPerCall)) {
      const items = await this.paged(async (pageNumber) => {
        const body = await this.read(
          req.regionId,
          wire.describeInstances({ regionId: req.regionId, instanceIds: part, pageNumber }),
          DescribeInstancesBody,
        );
        return { items: body.Instances?.Instance ?? [], total: body.TotalCount };
      }, wire.LIMITS.instancePageSize);
      for (const i of items)
        if (part.includes(i.InstanceId)) found.set(i.InstanceId, toInstanceState(req.regionId, i));
    }
    return [...found.values()];
  }

  async describeNetworkInterfaces(req: {
    regionId: string;
    networkInterfaceIds: readonly string[];
  }): Promise<NetworkInterfaceState[]> {
    const found = new Map<string, NetworkInterfaceState>();
    for (const part of wire.chunk(unique(req.networkInterfaceIds), wire.LIMITS.eniIdsPerCall)) {
      // ECS pages this call with MaxResults/NextToken (PageNumber/PageSize are deprecated). A server
      // that still pages by number answers without a NextToken but with a TotalCount larger than what
      // it sent; then we ask for the next page number instead of silently losing interfaces.
      let nextToken: string | undefined;
      let pageNumber = 1;
      let received = 0;
      const seenTokens = new Set<string>();
      for (let calls = 0; calls < MAX_PAGES; calls++) {
        const body = await this.read(
          req.regionId,
          wire.describeNetworkInterfaces({
            regionId: req.regionId,
            networkInterfaceIds: part,
            ...(nextToken ? { nextToken } : { pageNumber }),
          }),
          DescribeNetworkInterfacesBody,
        );
        const items = body.NetworkInterfaceSets?.NetworkInterfaceSet ?? [];
        received += items.length;
        for (const n of items) {
          if (!part.includes(n.NetworkInterfaceId)) continue;
          found.set(n.NetworkInterfaceId, {
            networkInterfaceId: n.NetworkInterfaceId,
            regionId: req.regionId,
            status: n.Status,
            instanceId: n.InstanceId,
            vpcId: n.VpcId,
            vSwitchId: n.VSwitchId,
            privateIpAddress: n.PrivateIpAddress,
          });
        }
        if (body.NextToken) {
          if (seenTokens.has(body.NextToken)) break;
          seenTokens.add(body.NextToken);
          nextToken = body.NextToken;
          continue;
        }
        const total = body.TotalCount;
        if (nextToken === undefined && items.length > 0 && total !== undefined && received < total) {
          pageNumber++;
          continue;
        }
        break;
      }
    }
    return [...found.values()];
  }

  associateHaVip(req: {
    regionId: string;
    haVipId: string;
    instanceId: string;
    instanceType: HaVipInstanceType;
    clientToken: string;
  }): Promise<MutationResult> {
    return this.mutate(req.regionId, wire.associateHaVip(req));
  }

  unassociateHaVip(req: {
    regionId: string;
    haVipId: string;
    instanceId: string;
    instanceType: HaVipInstanceType;
    force: boolean;
    clientToken: string;
  }): Promise<MutationResult> {
    return this.mutate(req.regionId, wire.unassociateHaVip(req));
  }

  async describeEipAddresses(req: {
    regionId: string;
    allocationIds: readonly string[];
  }): Promise<EipState[]> {
    const found = new Map<string, EipState>();
    for (const part of wire.chunk(unique(req.allocationIds), wire.LIMITS.eipIdsPerCall)) {
      const items = await this.paged(async (pageNumber) => {
        const body = await this.read(
          req.regionId,
          wire.describeEipAddresses({ regionId: req.regionId, allocationIds: part, pageNumber }),
          DescribeEipAddressesBody,
        );
        return { items: body.EipAddresses?.EipAddress ?? [], total: body.TotalCount };
      }, wire.LIMITS.eipPageSize);
      for (const e of items) {
        if (!part.includes(e.AllocationId)) continue;
        found.set(e.AllocationId, {
          allocationId: e.AllocationId,
          regionId: req.regionId,
          ipAddress: e.IpAddress,
          status: e.Status,
          instanceId: e.InstanceId,
          instanceType: e.InstanceType,
        });
      }
    }
    return [...found.values()];
  }

  associateEipAddress(req: Parameters<CloudApi['associateEipAddress']>[0]): Promise<MutationResult> {
    return this.mutate(req.regionId, wire.associateEipAddress(req));
  }

  unassociateEipAddress(req: Parameters<CloudApi['unassociateEipAddress']>[0]): Promise<MutationResult> {
    return this.mutate(req.regionId, wire.unassociateEipAddress(req));
  }

  stopInstance(req: { regionId: string; instanceId: string; forceStop: boolean }): Promise<MutationResult> {
    return this.mutate(req.regionId, wire.stopInstance(req));
  }

  /**
   * Cloud Assistant RunCommand. A body without `InvokeId` after a successful call is treated like a lost
   * answer: the command may have been accepted, and repeating the call with the same ClientToken returns
   * the original invocation instead of running the script twice.
   */
  async runCommand(
    req: Parameters<CloudApi['runCommand']>[0],
  ): Promise<{ readonly invokeId: string; readonly requestId: string | undefined }> {
    const issues = runCommandIssues(req);
    if (issues.length > 0)
      throw new InvalidInputError('cloud.invalid-request', 'invalid RunCommand request', issues);
    const body = await this.call(req.regionId, wire.runCommand(req));
    const parsed = RunCommandBody.safeParse(body);
    const invokeId = parsed.success ? parsed.data.InvokeId : undefined;
    if (invokeId === undefined) {
      throw new CloudResponseLostError(
        'RunCommand',
        new Error(
          `the answer carried no InvokeId (request id ${requestIdOf(body) ?? 'none'}); repeat the call with the same ClientToken to learn it`,
        ),
      );
    }
    return { invokeId, requestId: parsed.success ? parsed.data.RequestId : undefined };
  }

  async describeInvocationResult(req: {
    regionId: string;
    invokeId: string;
    instanceId: string;
  }): Promise<InvocationResult | undefined> {
    const body = await this.read(
      req.regionId,
      wire.describeInvocationResults(req),
      DescribeInvocationResultsBody,
    );
    const items = body.Invocation?.InvocationResults?.InvocationResult ?? [];
    // The service filters by both ids; we double-check so a sloppy answer cannot report another run.
    const r = items.find((i) => i.InvokeId === req.invokeId && i.InstanceId === req.instanceId);
    if (r === undefined) return undefined;
    return {
      invokeId: r.InvokeId,
      instanceId: r.InstanceId,
      status: r.InvocationStatus,
      exitCode: r.ExitCode,
      output: decodeOutput(r.Output),
      errorCode: r.ErrorCode,
    };
  }
}

function runCommandIssues(req: Parameters<CloudApi['runCommand']>[0]): InputIssue[] {
  const issues: InputIssue[] = [];
  if (req.commandContent.trim() === '')
    issues.push({
      path: 'commandContent',
      message: 'must not be empty',
      hint: 'pass the shell script to run',
    });
  const encoded = Buffer.byteLength(Buffer.from(req.commandContent, 'utf8').toString('base64'));
  if (encoded > wire.LIMITS.commandContentBytes)
    issues.push({
      path: 'commandContent',
      message: `is ${encoded} bytes after Base64 encoding; RunCommand accepts at most ${wire.LIMITS.commandContentBytes}`,
      hint: 'shorten the script or install it on the instance and run it by path',
    });
  if (!Number.isInteger(req.timeoutSeconds) || req.timeoutSeconds < 1 || req.timeoutSeconds > 86_400)
    issues.push({
      path: 'timeoutSeconds',
      message: 'must be an integer number of seconds between 1 and 86400',
    });
  if (req.name === '' || req.name.length > wire.LIMITS.commandNameChars)
    issues.push({ path: 'name', message: `must be 1 to ${wire.LIMITS.commandNameChars} characters` });
  if (req.instanceId === '') issues.push({ path: 'instanceId', message: 'must not be empty' });
  return issues;
}

/** Base64 `Output` → text, keeping the end (where a failing script's error is) when it is long. */
function decodeOutput(output: string | null | undefined): string | undefined {
  if (output === null || output === undefined || output === '') return undefined;
  const text = Buffer.from(output, 'base64').toString('utf8');
  if (text.length <= MAX_OUTPUT_CHARS) return text;
  const marker = `[${text.length - MAX_OUTPUT_CHARS + 64} characters truncated]\n`;
  return marker + text.slice(text.length - (MAX_OUTPUT_CHARS - 64));
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids.filter((id) => id !== ''))];
}

function requestIdOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const v = (body as Record<string, unknown>).RequestId;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

type HaVipItem = NonNullable<z.output<typeof DescribeHaVipsBody>['HaVips']>['HaVip'][number];
type InstanceItem = NonNullable<z.output<typeof DescribeInstancesBody>['Instances']>['Instance'][number];

function toHaVipState(regionId: string, h: HaVipItem): HaVipState {
  const type = h.AssociatedInstanceType;
  return {
    haVipId: h.HaVipId,
    regionId: h.RegionId ?? regionId,
    ipAddress: h.IpAddress,
    status: h.Status,
    vpcId: h.VpcId,
    vSwitchId: h.VSwitchId,
    masterInstanceId: h.MasterInstanceId,
    associatedInstanceType: type === 'EcsInstance' || type === 'NetworkInterface' ? type : undefined,
    associatedInstances: (h.AssociatedInstances?.associatedInstance ?? []).filter((s) => s !== ''),
    associatedEipAddresses: (h.AssociatedEipAddresses?.associatedEipAddresse ?? []).filter((s) => s !== ''),
  };
}

function toInstanceState(regionId: string, i: InstanceItem): InstanceState {
  return {
    instanceId: i.InstanceId,
    regionId: i.RegionId ?? regionId,
    status: i.Status,
    vpcId: i.VpcAttributes?.VpcId,
    vSwitchId: i.VpcAttributes?.VSwitchId,
    privateIpAddresses: (i.VpcAttributes?.PrivateIpAddress?.IpAddress ?? []).filter((s) => s !== ''),
    operationLocks: (i.OperationLocks?.LockReason ?? [])
      .map((l) => l.LockReason)
      .filter((r): r is string => r !== undefined),
  };
}
