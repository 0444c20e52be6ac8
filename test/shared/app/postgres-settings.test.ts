/** The PostgreSQL store's environment variables: their shapes, the options they make, and error names. */
import { describe, expect, it } from 'vitest';
import { createPostgresStore } from '../../../shared/adapters/postgres/index.js';
import {
  asEnvError,
  postgresEnvSchema,
  postgresOptionsFromEnv,
} from '../../../shared/app/postgres-settings.js';
import { ConfigError, InvalidInputError } from '../../../shared/core/errors.js';

const URL_ = 'postgres://havip@127.0.0.1:5432/havip';

describe('postgresOptionsFromEnv', () => {
  it.each([
    { label: 'a function instance default', env: {}, fallback: 2, poolMax: 2 },
    { label: 'a long-running process default', env: {}, fallback: 10, poolMax: 10 },
    {
      label: 'HAVIP_POSTGRES_POOL_MAX over the default',
      env: { HAVIP_POSTGRES_POOL_MAX: '1' },
      fallback: 10,
      poolMax: 1,
    },
  ])('sizes the pool: $label', ({ env, fallback, poolMax }) => {
    const parsed = postgresEnvSchema.parse({ HAVIP_POSTGRES_URL: URL_, ...env });
    expect(postgresOptionsFromEnv(parsed, fallback)).toMatchObject({ url: URL_, poolMax });
  });

  it('requires HAVIP_POSTGRES_URL, with an example', () => {
    const e = (() => {
      try {
        postgresOptionsFromEnv({}, 2);
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).issues[0]).toMatchObject({ path: 'HAVIP_POSTGRES_URL' });
  });

  it.each([
    { variable: 'HAVIP_POSTGRES_POOL_MAX', value: '0' },
    { variable: 'HAVIP_POSTGRES_SSL', value: 'prefer' },
    { variable: 'HAVIP_POSTGRES_SCHEMA', value: 'Has-Dashes' },
  ])('refuses $variable=$value', ({ variable, value }) => {
    const r = postgresEnvSchema.safeParse({ HAVIP_POSTGRES_URL: URL_, [variable]: value });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual([variable]);
  });
});

describe('asEnvError', () => {
  it('renames a store option to the variable that sets it', () => {
    const e = (() => {
      try {
        createPostgresStore({ url: 'postgres://u@db.example.com/havip' });
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(InvalidInputError);
    const renamed = asEnvError(e);
    expect(renamed).toBeInstanceOf(ConfigError);
    expect((renamed as ConfigError).code).toBe('env.invalid');
    expect((renamed as ConfigError).issues.map((i) => i.path)).toEqual(['HAVIP_POSTGRES_SSL']);
  });

  it('leaves other errors as they are', () => {
    const other = new Error('x');
    expect(asEnvError(other)).toBe(other);
  });
});
