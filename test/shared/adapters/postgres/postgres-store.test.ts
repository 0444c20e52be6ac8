/**
 * The PostgreSQL adapter against a real server: the StateStore contract (a fresh schema per test, with a
 * peer store on the same schema), then what is specific to it.
 */
import { afterAll } from 'vitest';
import { PostgresSchemas, postgresSubjects } from '../../../support/postgres.js';
import { runStateStoreContract } from '../../../support/state-store-contract.js';

const schemas = new PostgresSchemas();
afterAll(() => schemas.dropAll());

runStateStoreContract('postgres', postgresSubjects(schemas), { sharedStorage: true });
