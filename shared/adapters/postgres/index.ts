export {
  DEFAULT_SCHEMA,
  type PostgresConnectionOptions,
  SCHEMA_NAME,
  SSL_MODES,
  type SslMode,
} from './connection.js';
export type { RetryPolicy } from './database.js';
export { classify, sqlState } from './errors.js';
export {
  createPostgresStore,
  initPostgresStore,
  openPostgresDatabase,
  type PostgresStoreOptions,
} from './postgres-store.js';
export {
  checkSchemaVersion,
  MIGRATIONS,
  type MigrationResult,
  migrateSchema,
  POSTGRES_SCHEMA_VERSION,
} from './schema.js';
