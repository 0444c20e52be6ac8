/**
 * What each node-postgres failure means for a retry (pure: failures shaped as node-postgres reports them),
 * and the message a StoreError carries.
 */
import { describe, expect, it } from 'vitest';
import { classify, toStoreError } from '../../../../shared/adapters/postgres/errors.js';

/** A server error as node-postgres' DatabaseError carries it. */
const server = (code: string, message = 'server said no') =>
  Object.assign(new Error(message), { code, severity: 'ERROR' });
const network = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code });

describe('classify', () => {
  it.each([
    { label: 'refused', e: network('ECONNREFUSED'), retryable: true },
    { label: 'no route', e: network('EHOSTUNREACH'), retryable: true },
    { label: 'DNS try again', e: network('EAI_AGAIN'), retryable: true },
    { label: 'pool wait timeout', e: new Error('timeout exceeded when trying to connect'), retryable: true },
    { label: 'server starting up', e: server('57P03'), retryable: true },
    { label: 'too many connections', e: server('53300'), retryable: true },
    { label: 'connection exception class', e: server('08006'), retryable: true },
    { label: 'server shutting down (admin shutdown)', e: server('57P01'), retryable: true },
    { label: 'bad password', e: server('28P01'), retryable: false },
    { label: 'no such database', e: server('3D000'), retryable: false },
    { label: 'unknown host', e: network('ENOTFOUND'), retryable: false },
    {
      label: 'TLS refused by the server',
      e: new Error('The server does not support SSL connections'),
      retryable: false,
    },
  ])('while connecting, $label → not applied, retryable=$retryable', ({ e, retryable }) => {
    expect(classify(e, 'connect')).toEqual({ kind: 'not-applied', retryable });
  });

  it.each([
    { label: 'serialization failure', e: server('40001'), failure: { kind: 'not-applied', retryable: true } },
    { label: 'deadlock', e: server('40P01'), failure: { kind: 'not-applied', retryable: true } },
    { label: 'statement timeout', e: server('57014'), failure: { kind: 'not-applied', retryable: true } },
    { label: 'unique violation', e: server('23505'), failure: { kind: 'not-applied', retryable: false } },
    { label: 'missing table', e: server('42P01'), failure: { kind: 'not-applied', retryable: false } },
    {
      label: 'connection lost mid-statement',
      e: new Error('Connection terminated unexpectedly'),
      failure: { kind: 'outcome-unknown' },
    },
    { label: 'reset mid-statement', e: network('ECONNRESET'), failure: { kind: 'outcome-unknown' } },
    { label: 'server shutting down', e: server('57P01'), failure: { kind: 'outcome-unknown' } },
  ] as const)('during a statement, $label → $failure.kind', ({ e, failure }) => {
    expect(classify(e, 'statement')).toEqual(failure);
  });
});

describe('toStoreError', () => {
  const ctx = { operation: 'acquireLease', target: 'db.internal:5432/havip', schema: 'havip', attempts: 1 };

  it.each([
    {
      e: server('42P01', 'relation "havip.groups" does not exist'),
      hint: 'run `havip store init --postgres`',
    },
    {
      e: server('28P01', 'password authentication failed for user "havip"'),
      hint: 'check the user and password',
    },
    {
      e: server('42501', 'permission denied for table groups'),
      hint: 'grant the user USAGE on schema "havip"',
    },
    { e: new Error('self-signed certificate in certificate chain'), hint: 'TLS verification failed' },
    { e: network('ECONNREFUSED'), hint: 'check the host and port' },
  ])('a setting problem says the fix: $hint', ({ e, hint }) => {
    const err = toStoreError(e, { ...ctx, failure: classify(e, 'connect') });
    expect(err.code).toBe('store.error');
    expect(err.message).toContain('PostgreSQL acquireLease at db.internal:5432/havip failed');
    expect(err.message).toContain(hint);
  });

  it('a lost answer is retryable and flagged outcomeUnknown; the attempts are counted in the message', () => {
    const err = toStoreError(new Error('Connection terminated unexpectedly'), {
      ...ctx,
      failure: { kind: 'outcome-unknown' },
      attempts: 3,
    });
    expect(err.retryable).toBe(true);
    expect(err.details).toMatchObject({ outcomeUnknown: true, operation: 'acquireLease' });
    expect(err.message).toContain('(after 3 attempts)');
    expect(err.message).toContain('may or may not have been applied');
  });
});
