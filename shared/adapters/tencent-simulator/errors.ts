import { HavipError } from '../../core/errors.js';

/**
 * A Tencent API error the simulator answers with: `{"Response": {"Error": {"Code", "Message"},
 * "RequestId"}}` with HTTP 200, as Tencent answers every API error. Operator actions (`stopInstance`,
 * …) throw it too, with the code the API would have used.
 */
export class TencentSimApiError extends HavipError {
  readonly tencentCode: string;
  readonly wireMessage: string;
  constructor(tencentCode: string, message: string) {
    super('simulator.api-error', `${tencentCode}: ${message}`, {
      retryable:
        /^(?:RequestLimitExceeded|InternalError|UnsupportedOperation\.MutexOperationTaskRunning)/.test(
          tencentCode,
        ),
      details: { tencentCode },
    });
    this.tencentCode = tencentCode;
    this.wireMessage = message;
  }
}

const err = (code: string, message: string) => new TencentSimApiError(code, message);

/** Error constructors with the codes Tencent documents for them. */
export const E = {
  missing: (name: string) =>
    err('MissingParameter', `The request is missing a required parameter \`${name}\`.`),
  invalid: (name: string, why: string) =>
    err('InvalidParameter', `The parameter \`${name}\` is not valid: ${why}.`),
  invalidValue: (name: string, why: string, code = 'InvalidParameterValue') =>
    err(code, `The value of \`${name}\` is not valid: ${why}.`),
  tooMany: (name: string, max: number, got: number) =>
    err(
      'InvalidParameterValue.LimitExceeded',
      `\`${name}\` holds ${got} values; at most ${max} are allowed.`,
    ),
  unknownParameter: (name: string) => err('UnknownParameter', `The parameter \`${name}\` is not recognized.`),
  coexist: (a: string, b: string) =>
    err('InvalidParameter.Coexist', `\`${a}\` and \`${b}\` cannot be specified at the same time.`),
  filterKey: (key: string, allowed: readonly string[]) =>
    err(
      'InvalidParameter.FilterInvalidKey',
      `Filter name \`${key}\` is not supported; use one of ${allowed.join(', ')}.`,
    ),
  invalidAction: (action: string) => err('InvalidAction', `The action \`${action}\` does not exist.`),
  noSuchVersion: (action: string, version: string) =>
    err('NoSuchVersion', `The action \`${action}\` does not exist in version \`${version}\`.`),
  unsupportedRegion: (region: string) =>
    err('UnsupportedRegion', `The action does not support the region \`${region}\`.`),
  notFound: (what: string, id: string) => err('ResourceNotFound', `The ${what} \`${id}\` does not exist.`),
  mutex: (id: string) =>
    err(
      'UnsupportedOperation.MutexOperationTaskRunning',
      `A mutually exclusive task is still running on \`${id}\`; retry when it has finished.`,
    ),
} as const;
