/**
 * The production {@link TencentCloudApi}: Tencent Cloud API 3.0 spoken directly — JSON POSTs signed
 * with TC3-HMAC-SHA256 by our own signer (`signer.ts`) over `fetch`. The official SDK is not loaded at
 * run time: `wire.ts` builds the bodies its clients send (checked against its request models at compile
 * time) and `schemas.ts` reads the answers; a contract test pins both to the SDK models.
 *
 * This module is the façade: each call goes to its service (`vpc.ts`, `cvm.ts`, `tat.ts`), which
 * chunks and pages and sends through one {@link Caller} (credentials, signed HTTP in `http.ts` or the
 * in-process transport, the envelope, logging, error mapping; no retries).
 */
import { InvalidInputError } from '../../core/errors.js';
import type {
  TencentCloudApi,
  TencentHaVip,
  TencentInstance,
  TencentInstanceStatus,
  TencentInvocationTask,
  TencentMutationResult,
  TencentNetworkInterface,
  TencentTaskStarted,
  TencentVpcTask,
} from '../../core/tencent-ports.js';
import { Caller } from './caller.js';
import * as cvm from './cvm.js';
import { optionIssues, type TencentCloudApiOptions } from './options.js';
import * as tat from './tat.js';
import * as vpc from './vpc.js';

/**
 * Create the Tencent Cloud adapter. Nothing is contacted until the first call.
 *
 * @throws InvalidInputError (`cloud.options-invalid`) when an option is malformed.
 */
export function createTencentCloudApi(opts: TencentCloudApiOptions): TencentCloudApi {
  const issues = optionIssues(opts);
  if (issues.length > 0)
    throw new InvalidInputError('cloud.options-invalid', 'invalid Tencent Cloud adapter options', issues);
  return new TencentCloudAdapter(new Caller(opts));
}

type Req<K extends keyof TencentCloudApi> = Parameters<TencentCloudApi[K]>[0];

class TencentCloudAdapter implements TencentCloudApi {
  constructor(private readonly caller: Caller) {}

  describeHaVips(req: Req<'describeHaVips'>): Promise<TencentHaVip[]> {
    return vpc.describeHaVips(this.caller, req);
  }

  listHaVips(req: Req<'listHaVips'>): Promise<TencentHaVip[]> {
    return vpc.listHaVips(this.caller, req);
  }

  associateHaVipInstances(req: Req<'associateHaVipInstances'>): Promise<TencentMutationResult> {
    return vpc.associateHaVipInstances(this.caller, req);
  }

  disassociateHaVipInstances(req: Req<'disassociateHaVipInstances'>): Promise<TencentMutationResult> {
    return vpc.disassociateHaVipInstances(this.caller, req);
  }

  associateHaVipEip(req: Req<'associateHaVipEip'>): Promise<TencentTaskStarted> {
    return vpc.associateHaVipEip(this.caller, req);
  }

  disassociateHaVipEip(req: Req<'disassociateHaVipEip'>): Promise<TencentTaskStarted> {
    return vpc.disassociateHaVipEip(this.caller, req);
  }

  describeVpcTask(req: Req<'describeVpcTask'>): Promise<TencentVpcTask> {
    return vpc.describeVpcTask(this.caller, req);
  }

  describeInstancesStatus(req: Req<'describeInstancesStatus'>): Promise<TencentInstanceStatus[]> {
    return cvm.describeInstancesStatus(this.caller, req);
  }

  describeInstances(req: Req<'describeInstances'>): Promise<TencentInstance[]> {
    return cvm.describeInstances(this.caller, req);
  }

  describeNetworkInterfaces(req: Req<'describeNetworkInterfaces'>): Promise<TencentNetworkInterface[]> {
    return vpc.describeNetworkInterfaces(this.caller, req);
  }

  describeVpcLimits(req: Req<'describeVpcLimits'>): Promise<ReadonlyMap<string, number>> {
    return vpc.describeVpcLimits(this.caller, req);
  }

  runCommand(
    req: Req<'runCommand'>,
  ): Promise<{ readonly invocationId: string; readonly requestId: string | undefined }> {
    return tat.runCommand(this.caller, req);
  }

  describeInvocationTask(req: Req<'describeInvocationTask'>): Promise<TencentInvocationTask | undefined> {
    return tat.describeInvocationTask(this.caller, req);
  }
}
