/**
 * The PostgreSQL store's settings as environment variables, for the runtime and `havip store init`:
 * their shapes, the store options they make, and store-option errors renamed after the variable to set.
 * Only the option rules are imported here; the adapter (and node-postgres) loads when the store is built.
 */
import { z } from 'zod';
import { SCHEMA_NAME, SSL_MODES } from '../adapters/postgres/connection.js';
import type { PostgresStoreOptions } from '../adapters/postgres/index.js';
import { ConfigError, InvalidInputError } from '../core/errors.js';

export const postgresEnvSchema = z.object({
  HAVIP_POSTGRES_URL: z.string().min(1).optional(),
  HAVIP_POSTGRES_SSL: z.enum(SSL_MODES).optional(),
  HAVIP_POSTGRES_CA_FILE: z.string().min(1).optional(),
  HAVIP_POSTGRES_SCHEMA: z.string().regex(SCHEMA_NAME, 'lower-case letters, digits and _').optional(),
  HAVIP_POSTGRES_POOL_MAX: z.coerce.number().int().min(1).max(100).optional(),
});
export type PostgresEnv = z.infer<typeof postgresEnvSchema>;

/** The variable behind each store option. */
const VARIABLES: Readonly<Record<string, string>> = {
  url: 'HAVIP_POSTGRES_URL',
  ssl: 'HAVIP_POSTGRES_SSL',
  caFile: 'HAVIP_POSTGRES_CA_FILE',
  schema: 'HAVIP_POSTGRES_SCHEMA',
  poolMax: 'HAVIP_POSTGRES_POOL_MAX',
};

/** The store options the variables describe; `poolMax` is the default pool size where the variable is unset. */
export function postgresOptionsFromEnv(env: PostgresEnv, poolMax: number): PostgresStoreOptions {
  if (!env.HAVIP_POSTGRES_URL)
    throw new ConfigError(
      'incomplete PostgreSQL settings',
      [
        {
          path: 'HAVIP_POSTGRES_URL',
          message: 'is required with the PostgreSQL store',
          hint: 'e.g. postgres://havip@db.internal:5432/havip, the password in the URL or in PGPASSWORD',
        },
      ],
      'env.invalid',
    );
  return {
    url: env.HAVIP_POSTGRES_URL,
    ssl: env.HAVIP_POSTGRES_SSL,
    caFile: env.HAVIP_POSTGRES_CA_FILE,
    schema: env.HAVIP_POSTGRES_SCHEMA,
    poolMax: env.HAVIP_POSTGRES_POOL_MAX ?? poolMax,
  };
}

/** A store-option error as a ConfigError naming the variables; anything else unchanged. */
export function asEnvError(e: unknown): unknown {
  if (!(e instanceof InvalidInputError) || e instanceof ConfigError) return e;
  const issues = e.issues.map((i) => ({ ...i, path: VARIABLES[i.path] ?? i.path }));
  return new ConfigError('invalid PostgreSQL settings', issues, 'env.invalid');
}
