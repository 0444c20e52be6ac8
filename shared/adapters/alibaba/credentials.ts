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
import {
  type CredentialShape,
  checkedCredentials,
  credentialProblemsOf,
  credentialsError,
  credentialsResolverOf,
} from '../cloud-call/credentials.js';
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

function normalise(c: AlibabaCredentials): AlibabaCredentials {
  const token = c.securityToken ? c.securityToken : undefined;
  return { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, securityToken: token };
}

const SHAPE: CredentialShape<AlibabaCredentials> = {
  provider: 'alibaba',
  id: 'accessKeyId',
  secret: 'accessKeySecret',
  token: 'securityToken',
  normalise,
};

/** Problems with a credentials object, without ever echoing a value. */
export function credentialProblems(c: unknown): string[] {
  return credentialProblemsOf(c, SHAPE);
}

/** Returns a resolver producing validated credentials for each call. */
export function credentialsResolver(
  source: CredentialsSource,
): (action: string) => Promise<AlibabaCredentials> {
  let chain: InstanceType<typeof CredentialsClient> | undefined;
  return credentialsResolverOf(SHAPE, source, async (action) => {
    // The credentials package comes with the OpenAPI client, loaded on first use (see cjs.ts).
    chain ??= new (await import('./cjs.js')).CredentialsClient();
    let got: { accessKeyId?: string; accessKeySecret?: string; securityToken?: string };
    try {
      got = await chain.getCredential();
    } catch {
      // The chain's own message lists every provider it tried; keep ours short and actionable.
      throw credentialsError(
        'alibaba',
        action,
        'the default credentials chain found no credentials; set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (plus ALIBABA_CLOUD_SECURITY_TOKEN for STS) or configure a RAM role',
      );
    }
    return checkedCredentials(SHAPE, action, got, 'the default credentials chain');
  });
}
