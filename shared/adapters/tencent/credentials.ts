/**
 * Where the adapter gets Tencent Cloud credentials, resolved again for every call.
 *
 * - explicit keys: a CAM sub-user's SecretId/SecretKey, or temporary credentials with their token;
 * - `'environment'`: `TENCENTCLOUD_SECRET_ID` / `TENCENTCLOUD_SECRET_KEY` / `TENCENTCLOUD_SESSION_TOKEN`
 *   (what the official SDK's environment provider reads), else the names Serverless Cloud Function
 *   injects for the function's role, `TENCENTCLOUD_SECRETID` / `TENCENTCLOUD_SECRETKEY` /
 *   `TENCENTCLOUD_SESSIONTOKEN` (no underscores). A pair is taken whole from one family, never mixed;
 * - a function, called before every call (rotating temporary credentials).
 */
import {
  type CredentialShape,
  credentialProblemsOf,
  credentialsError,
  credentialsResolverOf,
} from '../cloud-call/credentials.js';

export interface TencentCredentials {
  readonly secretId: string;
  readonly secretKey: string;
  /** The session token of temporary credentials (`X-TC-Token`). */
  readonly token?: string | undefined;
}

export type TencentCredentialsSource =
  | TencentCredentials
  | 'environment'
  | (() => TencentCredentials | Promise<TencentCredentials>);

/** The environment variable families, in the order they are tried. */
export const CREDENTIAL_ENV_NAMES = [
  { id: 'TENCENTCLOUD_SECRET_ID', key: 'TENCENTCLOUD_SECRET_KEY', token: 'TENCENTCLOUD_SESSION_TOKEN' },
  { id: 'TENCENTCLOUD_SECRETID', key: 'TENCENTCLOUD_SECRETKEY', token: 'TENCENTCLOUD_SESSIONTOKEN' },
] as const;

/** The first complete pair in `env`, with its family's token; undefined when there is none. */
export function credentialsFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): TencentCredentials | undefined {
  for (const names of CREDENTIAL_ENV_NAMES) {
    const secretId = env[names.id]?.trim();
    const secretKey = env[names.key]?.trim();
    if (secretId && secretKey) {
      const token = env[names.token]?.trim();
      return { secretId, secretKey, ...(token ? { token } : {}) };
    }
  }
  return undefined;
}

function normalise(c: TencentCredentials): TencentCredentials {
  return { secretId: c.secretId, secretKey: c.secretKey, ...(c.token ? { token: c.token } : {}) };
}

const SHAPE: CredentialShape<TencentCredentials> = {
  provider: 'tencent',
  id: 'secretId',
  secret: 'secretKey',
  token: 'token',
  normalise,
};

/** Problems with a credentials object, without ever echoing a value. */
export function credentialProblems(c: unknown): string[] {
  return credentialProblemsOf(c, SHAPE);
}

/** Returns a resolver producing validated credentials for each call. */
export function credentialsResolver(
  source: TencentCredentialsSource,
  env: () => Readonly<Record<string, string | undefined>>,
): (action: string) => Promise<TencentCredentials> {
  return credentialsResolverOf(SHAPE, source, async (action) => {
    const found = credentialsFromEnvironment(env());
    if (found === undefined)
      throw credentialsError(
        'tencent',
        action,
        'no credentials in the environment; set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (plus TENCENTCLOUD_SESSION_TOKEN for temporary keys), or run in SCF with a role (TENCENTCLOUD_SECRETID, …)',
      );
    return found;
  });
}
