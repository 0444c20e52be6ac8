/**
 * Where the adapter gets credentials, resolved again for every call.
 *
 * - explicit keys (a RAM user's AccessKey, or an STS triple);
 * - `'default'`: the official default chain of `@alicloud/credentials` (environment variables
 *   `ALIBABA_CLOUD_ACCESS_KEY_ID` / `_SECRET` / `_SECURITY_TOKEN`, then OIDC, the CLI and credentials
 *   profiles, the ECS instance RAM role, a credentials URI). The chain object caches and refreshes
 *   temporary credentials itself;
 * - a function, called before every API call. On Function Compute 3.0 the handler context carries the
 *   function role's STS credentials (`context.credentials`) for that invocation only: pass them
 *   explicitly per invocation or through a function, never keep them in a module-level variable.
 */
import { CloudError } from '../../core/errors.js';
import type { CredentialsClient } from './cjs.js';

/** An AccessKey pair, plus the token when it is an STS credential. */
export interface AlibabaCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string | undefined;
}

export type CredentialsSource =
  | AlibabaCredentials
  | 'default'
  | (() => AlibabaCredentials | Promise<AlibabaCredentials>);

/** Problems with a credentials object, without ever echoing a value. */
export function credentialProblems(c: unknown): string[] {
  if (typeof c !== 'object' || c === null)
    return ['credentials must be an object {accessKeyId, accessKeySecret}'];
  const r = c as Record<string, unknown>;
  const out: string[] = [];
  if (typeof r.accessKeyId !== 'string' || r.accessKeyId.trim() === '')
    out.push('credentials.accessKeyId must be a non-empty string');
  if (typeof r.accessKeySecret !== 'string' || r.accessKeySecret.trim() === '')
    out.push('credentials.accessKeySecret must be a non-empty string');
  if (r.securityToken !== undefined && r.securityToken !== null && typeof r.securityToken !== 'string')
    out.push('credentials.securityToken must be a string when set');
  return out;
}

function normalise(c: AlibabaCredentials): AlibabaCredentials {
  const token = c.securityToken ? c.securityToken : undefined;
  return { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, securityToken: token };
}

/** Returns a resolver producing validated credentials for each call. */
export function credentialsResolver(
  source: CredentialsSource,
): (action: string) => Promise<AlibabaCredentials> {
  if (source === 'default') {
    let chain: InstanceType<typeof CredentialsClient> | undefined;
    return async (action) => {
      // The credentials package comes with the OpenAPI client, loaded on first use (see cjs.ts).
      chain ??= new (await import('./cjs.js')).CredentialsClient();
      let got: { accessKeyId?: string; accessKeySecret?: string; securityToken?: string };
      try {
        got = await chain.getCredential();
      } catch {
        // The chain's own message lists every provider it tried; keep ours short and actionable.
        throw credentialsError(
          action,
          'the default credentials chain found no credentials; set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (plus ALIBABA_CLOUD_SECURITY_TOKEN for STS) or configure a RAM role',
        );
      }
      return checked(action, got, 'the default credentials chain');
    };
  }
  if (typeof source === 'function') {
    return async (action) => {
      let got: unknown;
      try {
        got = await source();
      } catch {
        throw credentialsError(
          action,
          'the credentials function threw; it must return {accessKeyId, accessKeySecret, securityToken?}',
        );
      }
      return checked(action, got, 'the credentials function');
    };
  }
  const fixed = normalise(source);
  return async () => fixed;
}

function checked(action: string, got: unknown, from: string): AlibabaCredentials {
  const problems = credentialProblems(got);
  if (problems.length > 0)
    throw credentialsError(action, `${from} returned unusable credentials: ${problems.join('; ')}`);
  return normalise(got as AlibabaCredentials);
}

function credentialsError(action: string, message: string): CloudError {
  return new CloudError({
    code: 'cloud.forbidden',
    action,
    alibabaCode: 'InvalidCredentials',
    message,
    retryable: false,
  });
}
