/**
 * The production {@link CloudApi}: Alibaba's OpenAPI wire protocol through the generic client of
 * `@alicloud/openapi-core`, which signs requests (ACS3-HMAC-SHA256 by default, or the older HMAC-SHA1
 * "v2" query signature) and sends them. The product SDK packages are not loaded at run time: they
 * cost most of a second and over 100 MB per cold start. Instead, `wire.ts` builds the same parameters
 * their `<op>WithOptions` methods build, and `schemas.ts` reads the answers; a contract test pins both
 * to the SDK models.
 *
 * This module is the façade: each call goes to its API family (`vpc.ts`, `ecs.ts`, `assistant.ts`),
 * which pages and chunks (`paging.ts`) and sends through one {@link Caller} (`caller.ts`: credentials,
 * signed HTTP in `openapi-http.ts` or the in-process `transport.ts`, logging, error mapping; no retries).
 */
import { InvalidInputError } from '../../core/errors.js';
import type {
  CloudApi,
  EipState,
  HaVipState,
  InstanceState,
  InvocationResult,
  MutationResult,
  NetworkInterfaceState,
} from '../../core/ports.js';
import * as assistant from './assistant.js';
import { Caller } from './caller.js';
import * as ecs from './ecs.js';
import { type AlibabaCloudApiOptions, optionIssues } from './options.js';
import * as vpc from './vpc.js';

/**
 * Create the Alibaba Cloud adapter. Nothing is contacted until the first call.
 *
 * @throws InvalidInputError (`cloud.options-invalid`) when an option is malformed.
 */
export function createAlibabaCloudApi(opts: AlibabaCloudApiOptions): CloudApi {
  const issues = optionIssues(opts);
  if (issues.length > 0)
    throw new InvalidInputError('cloud.options-invalid', 'invalid Alibaba Cloud adapter options', issues);
  return new AlibabaCloudApi(new Caller(opts));
}

type Req<K extends keyof CloudApi> = Parameters<CloudApi[K]>[0];

class AlibabaCloudApi implements CloudApi {
  constructor(private readonly caller: Caller) {}

  describeHaVips(req: Req<'describeHaVips'>): Promise<HaVipState[]> {
    return vpc.describeHaVips(this.caller, req);
  }

  listHaVips(req: Req<'listHaVips'>): Promise<HaVipState[]> {
    return vpc.listHaVips(this.caller, req);
  }

  describeInstances(req: Req<'describeInstances'>): Promise<InstanceState[]> {
    return ecs.describeInstances(this.caller, req);
  }

  describeNetworkInterfaces(req: Req<'describeNetworkInterfaces'>): Promise<NetworkInterfaceState[]> {
    return ecs.describeNetworkInterfaces(this.caller, req);
  }

  associateHaVip(req: Req<'associateHaVip'>): Promise<MutationResult> {
    return vpc.associateHaVip(this.caller, req);
  }

  unassociateHaVip(req: Req<'unassociateHaVip'>): Promise<MutationResult> {
    return vpc.unassociateHaVip(this.caller, req);
  }

  describeEipAddresses(req: Req<'describeEipAddresses'>): Promise<EipState[]> {
    return vpc.describeEipAddresses(this.caller, req);
  }

  associateEipAddress(req: Req<'associateEipAddress'>): Promise<MutationResult> {
    return vpc.associateEipAddress(this.caller, req);
  }

  unassociateEipAddress(req: Req<'unassociateEipAddress'>): Promise<MutationResult> {
    return vpc.unassociateEipAddress(this.caller, req);
  }

  stopInstance(req: Req<'stopInstance'>): Promise<MutationResult> {
    return ecs.stopInstance(this.caller, req);
  }

  runCommand(
    req: Req<'runCommand'>,
  ): Promise<{ readonly invokeId: string; readonly requestId: string | undefined }> {
    return assistant.runCommand(this.caller, req);
  }

  describeInvocationResult(req: Req<'describeInvocationResult'>): Promise<InvocationResult | undefined> {
    return assistant.describeInvocationResult(this.caller, req);
  }
}
