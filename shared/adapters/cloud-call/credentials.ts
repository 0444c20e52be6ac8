/**
 * What both cloud adapters do with credentials from a source they do not control (a function, a
 * provider chain): check the shape without ever echoing a value, and turn every failure into a
 * `cloud.forbidden` CloudError with code `InvalidCredentials`. Each cloud names its key fields.
 */
import type { CloudError, CloudProvider } from '../../core/errors.js';
import { cloudError } from './errors.js';

/** One cloud's credentials: the names of its key fields, and how a checked object is copied. */
export interface CredentialShape<T> {
  readonly provider: CloudProvider;
  readonly id: string & keyof T;
  readonly secret: string & keyof T;
  readonly token: string & keyof T;
  /** A copy of checked credentials with only the known fields, the token dropped when empty. */
  readonly normalise: (c: T) => T;
}

/** Problems with a credentials object, without ever echoing a value. */
export function credentialProblemsOf<T>(c: unknown, shape: CredentialShape<T>): string[] {
  if (typeof c !== 'object' || c === null)
    return [`credentials must be an object {${shape.id}, ${shape.secret}}`];
  const r = c as Record<string, unknown>;
  const out: string[] = [];
  for (const key of [shape.id, shape.secret]) {
    const v = r[key];
    if (typeof v !== 'string' || v.trim() === '') out.push(`credentials.${key} must be a non-empty string`);
  }
  const token = r[shape.token];
  if (token !== undefined && token !== null && typeof token !== 'string')
    out.push(`credentials.${shape.token} must be a string when set`);
  return out;
}

export function credentialsError(provider: CloudProvider, action: string, message: string): CloudError {
  return cloudError(provider, {
    code: 'cloud.forbidden',
    action,
    providerCode: 'InvalidCredentials',
    message,
    retryable: false,
  });
}

/** `got` as credentials, or a credentials error naming `from` and every problem. */
export function checkedCredentials<T>(
  shape: CredentialShape<T>,
  action: string,
  got: unknown,
  from: string,
): T {
  const problems = credentialProblemsOf(got, shape);
  if (problems.length > 0)
    throw credentialsError(
      shape.provider,
      action,
      `${from} returned unusable credentials: ${problems.join('; ')}`,
    );
  return shape.normalise(got as T);
}

/** A resolver that calls `source` before every call and checks what it returns. */
export function credentialsFromFunction<T>(
  shape: CredentialShape<T>,
  source: () => T | Promise<T>,
): (action: string) => Promise<T> {
  return async (action) => {
    let got: unknown;
    try {
      got = await source();
    } catch {
      throw credentialsError(
        shape.provider,
        action,
        `the credentials function threw; it must return {${shape.id}, ${shape.secret}, ${shape.token}?}`,
      );
    }
    return checkedCredentials(shape, action, got, 'the credentials function');
  };
}

/**
 * The resolver for `source`: the cloud's named source (`named`, e.g. a provider chain), a function
 * called before every call, or fixed keys.
 */
export function credentialsResolverOf<T extends object>(
  shape: CredentialShape<T>,
  source: string | T | (() => T | Promise<T>),
  named: (action: string) => Promise<T>,
): (action: string) => Promise<T> {
  if (typeof source === 'string') return named;
  if (typeof source === 'function') return credentialsFromFunction(shape, source as () => T | Promise<T>);
  const fixed = shape.normalise(source);
  return async () => fixed;
}
