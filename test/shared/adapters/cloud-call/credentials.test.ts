/**
 * Credentials from a source the adapter does not control, for any cloud's key names: checked without
 * echoing a value, and every failure a non-retryable `cloud.forbidden` naming the cloud's fields.
 */
import { describe, expect, it } from 'vitest';
import {
  type CredentialShape,
  credentialProblemsOf,
  credentialsResolverOf,
} from '../../../../shared/adapters/cloud-call/credentials.js';
import { CloudError } from '../../../../shared/core/errors.js';
import { errorOf } from '../../../support/rejection.js';

interface Keys {
  readonly keyId: string;
  readonly keySecret: string;
  readonly session?: string | undefined;
}
const SHAPE: CredentialShape<Keys> = {
  provider: 'tencent',
  id: 'keyId',
  secret: 'keySecret',
  token: 'session',
  normalise: (c) => ({
    keyId: c.keyId,
    keySecret: c.keySecret,
    ...(c.session ? { session: c.session } : {}),
  }),
};

describe('credentialProblemsOf', () => {
  it.each([
    [null, ['credentials must be an object {keyId, keySecret}']],
    [{ keyId: 'a', keySecret: 'b' }, []],
    [
      { keyId: ' ', session: 7 },
      [
        'credentials.keyId must be a non-empty string',
        'credentials.keySecret must be a non-empty string',
        'credentials.session must be a string when set',
      ],
    ],
  ])('%j → %j', (c, problems) => {
    expect(credentialProblemsOf(c, SHAPE)).toEqual(problems);
  });
});

describe('credentialsResolverOf', () => {
  const named = async (): Promise<Keys> => ({ keyId: 'from-name', keySecret: 's' });

  it('fixed keys are normalised once; a name is resolved by the cloud', async () => {
    expect(
      await credentialsResolverOf(SHAPE, { keyId: 'a', keySecret: 'b', session: '' }, named)('X'),
    ).toEqual({
      keyId: 'a',
      keySecret: 'b',
    });
    expect(await credentialsResolverOf(SHAPE, 'environment', named)('X')).toEqual({
      keyId: 'from-name',
      keySecret: 's',
    });
  });

  it('a function is called per call and what it returns is checked, never echoed', async () => {
    const bad = credentialsResolverOf(SHAPE, () => ({ keyId: 'SECRET-ID', keySecret: '' }), named);
    const e = await errorOf(bad('DescribeHaVips'));
    expect(e).toBeInstanceOf(CloudError);
    expect([(e as CloudError).code, (e as CloudError).providerCode, (e as CloudError).retryable]).toEqual([
      'cloud.forbidden',
      'InvalidCredentials',
      false,
    ]);
    expect(e.message).toContain(
      'the credentials function returned unusable credentials: credentials.keySecret must be a non-empty string',
    );
    expect(e.message).not.toContain('SECRET-ID');
    const throwing = credentialsResolverOf(
      SHAPE,
      () => {
        throw new Error('SECRET-ID');
      },
      named,
    );
    const thrown = await errorOf(throwing('DescribeHaVips'));
    expect(thrown.message).toContain(
      'the credentials function threw; it must return {keyId, keySecret, session?}',
    );
    expect(thrown.message).not.toContain('SECRET-ID');
  });
});
