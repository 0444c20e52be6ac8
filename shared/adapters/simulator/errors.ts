import { HavipError } from '../../core/errors.js';

/**
 * An Alibaba API error the simulator answers with: `alibabaCode` and `status` are what goes on the
 * wire (`{ Code, Message }` with that HTTP status). Operator actions (`stopInstance`, …) throw it too,
 * with the code the API would have used.
 */
export class SimApiError extends HavipError {
  readonly alibabaCode: string;
  readonly status: number;
  readonly recommend: string | undefined;
  /** The wire `Message`, without the code (the SDK prefixes the code itself). */
  readonly wireMessage: string;
  constructor(status: number, alibabaCode: string, message: string, recommend?: string) {
    super('simulator.api-error', `${alibabaCode}: ${message}`, {
      retryable: status >= 500 || alibabaCode.includes('Throttling'),
      details: { alibabaCode, status },
    });
    this.alibabaCode = alibabaCode;
    this.status = status;
    this.recommend = recommend;
    this.wireMessage = message;
  }
}

/** Error constructors with the HTTP statuses Alibaba documents for each code. */
export const E = {
  missing: (name: string) => new SimApiError(400, `Missing${name}`, `${name} is mandatory for this action.`),
  invalid: (name: string, why: string) =>
    new SimApiError(400, 'InvalidParameter', `The specified parameter ${name} is not valid: ${why}.`),
  invalidInstanceType: (value: string, allowed: readonly string[]) =>
    new SimApiError(
      400,
      'InvalidInstanceType.ValueNotSupported',
      `The specified value of InstanceType (${value}) is not supported; use one of ${allowed.join(', ')}.`,
    ),
  actionNotFound: (version: string, action: string) =>
    new SimApiError(
      404,
      'InvalidAction.NotFound',
      `Specified api is not found, please check your url and method: ${action} (version ${version}).`,
    ),
  regionNotFound: (regionId: string) =>
    new SimApiError(404, 'InvalidRegionId.NotFound', `The specified RegionId ${regionId} does not exist.`),
  haVipNotFound: (id: string) =>
    new SimApiError(404, 'InvalidHaVipId.NotFound', `The specified HaVip ${id} does not exist.`),
  instanceNotFound: (id: string) =>
    new SimApiError(404, 'InvalidInstanceId.NotFound', `The specified instance ${id} does not exist.`),
  allocationNotFound: (id: string) =>
    new SimApiError(404, 'InvalidAllocationId.NotFound', `Specified allocation ID ${id} is not found.`),
  haVipStatus: (id: string, status: string) =>
    new SimApiError(
      400,
      'IncorrectHaVipStatus',
      `HaVip ${id} is ${status}; this operation needs it Available or InUse (wait for the running change to finish).`,
    ),
  instanceStatus: (status: number, id: string, actual: string, needed: string) =>
    new SimApiError(
      status,
      'IncorrectInstanceStatus',
      `The current status of instance ${id} (${actual}) does not support this operation; it must be ${needed}.`,
    ),
  eipStatus: (id: string, actual: string, needed: string) =>
    new SimApiError(
      400,
      'IncorrectEipStatus',
      `Current elastic IP status does not support this operation: ${id} is ${actual}, it must be ${needed}.`,
    ),
  idempotentMismatch: (token: string) =>
    new SimApiError(
      400,
      'IdempotentParameterMismatch',
      `Arguments on this idempotent request (ClientToken ${token}) are inconsistent with arguments used in previous request(s).`,
    ),
} as const;
