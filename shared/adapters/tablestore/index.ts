export {
  createTablestoreClient,
  type TablestoreClientOptions,
  type TablestoreCredentials,
} from './client.js';
export { isConditionCheckFailure, otsErrorCode, toStoreError } from './errors.js';
export {
  DEFAULT_DEDUPE_TTL_SECONDS,
  DEFAULT_HISTORY_TTL_SECONDS,
  DEFAULT_TABLE_PREFIX,
  type EnsureTablesOptions,
  ensureTablestoreTables,
  type TableInitResult,
  type TablestoreAdminClientLike,
  type TablestoreTableNames,
  tablestoreTableNames,
} from './tables.js';
export {
  createTablestoreStore,
  type TablestoreClientLike,
  type TablestoreStoreOptions,
} from './tablestore-store.js';
