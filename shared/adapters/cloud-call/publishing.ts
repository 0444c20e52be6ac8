/**
 * What the topic publishers (MNS's, ./mns/publisher.ts, and CMQ's, ./tencent/cmq.ts) share: the endpoint
 * check, the credential source and the call that reads it, and the redaction of secrets from answers.
 */
import { z } from 'zod';
import { type CloudProvider, HavipError } from '../../core/errors.js';
import type { CredentialSource, Credentials } from '../metadata/credentials.js';
import { cloudError } from './errors.js';

/** An http(s) URL with no path and no query: where a publisher POSTs. */
export function isBaseEndpoint(raw: string): boolean {
  try {
    const u = new URL(raw);
    return (
      (u.protocol === 'http:' || u.protocol === 'https:') &&
      (u.pathname === '/' || u.pathname === '') &&
      !u.search
    );
  } catch {
    return false;
  }
}

/** A publisher option: anything with `get(): Promise<Credentials>`. */
export const CredentialSourceOption = z.custom<CredentialSource>(
  (v) => typeof (v as { get?: unknown } | null)?.get === 'function',
  { message: 'must be a credential source ({ get(): Promise<Credentials> })' },
);

/** The source's credentials; a failure that is not already ours is a retryable `cloud.unavailable`. */
export async function credentialsOf(
  source: CredentialSource,
  provider: CloudProvider,
  action: string,
): Promise<Credentials> {
  try {
    return await source.get();
  } catch (e) {
    if (e instanceof HavipError) throw e;
    throw cloudError(provider, {
      code: 'cloud.unavailable',
      action,
      providerCode: 'CredentialsUnavailable',
      message: `the credential source failed: ${e instanceof Error ? e.message : String(e)}`,
      retryable: true,
      cause: e,
    });
  }
}

/** A secret must never reach a log, even if a server were to echo it back. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 8) out = out.split(s).join('[redacted]');
  return out;
}
