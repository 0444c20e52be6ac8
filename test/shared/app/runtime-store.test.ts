/**
 * Store selection in the production runtime (`runtimeFromEnv`): HAVIP_STORE=postgres builds the
 * PostgreSQL store from its variables, and every bad setting is a ConfigError naming the variable.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { InvocationCredentials, parseEnv, runtimeFromEnv } from '../../../shared/app/runtime.js';
import { ConfigError } from '../../../shared/core/errors.js';
import { groupName } from '../../../shared/core/model.js';
import { PostgresSchemas, postgresTestUrl, sql } from '../../support/postgres.js';
import { errorOf } from '../../support/rejection.js';

const TOPOLOGY = `
region: cn-hangzhou
groups:
  - name: web
    vSwitchId: vsw-bp1demo0000000000001
    haVipId: havip-bp1demo0000000000001
    members:
      - { id: i-bp1demo0000000000001, priority: 100, ip: 192.168.0.11 }
      - { id: i-bp1demo0000000000002, priority: 10, ip: 192.168.0.12 }
`;
const schemas = new PostgresSchemas();
afterAll(() => schemas.dropAll());

const runtimeOf = (env: Record<string, string | undefined>) =>
  runtimeFromEnv(
    parseEnv({ HAVIP_TOPOLOGY: TOPOLOGY, HAVIP_LOG_LEVEL: 'silent', ...env }),
    new InvocationCredentials(),
  );

async function configIssues(p: Promise<unknown>): Promise<string[]> {
  const e = await errorOf(p);
  expect(e).toBeInstanceOf(ConfigError);
  expect(e.code).toBe('env.invalid');
  return (e as ConfigError).issues.map((i) => i.path);
}

describe('HAVIP_STORE=postgres', () => {
  it('builds the PostgreSQL store from HAVIP_POSTGRES_* (schema, pool) and uses it', async () => {
    const opts = await schemas.fresh();
    const runtime = await runtimeOf({
      HAVIP_STORE: 'postgres',
      HAVIP_POSTGRES_URL: postgresTestUrl(),
      HAVIP_POSTGRES_SCHEMA: opts.schema,
      HAVIP_POSTGRES_POOL_MAX: '2',
    });
    try {
      expect(await runtime.store.acquireLease(groupName('web'), 'inv-1', 30_000, 1_000)).toMatchObject({
        acquired: true,
        lease: { epoch: 1 },
      });
      expect(await sql(`SELECT group_name, holder FROM "${opts.schema}".groups`)).toEqual([
        { group_name: 'web', holder: 'inv-1' },
      ]);
    } finally {
      await runtime.close();
    }
  });

  it.each([
    { label: 'without a URL', env: {}, paths: ['HAVIP_POSTGRES_URL'] },
    {
      label: 'to a remote host without a TLS choice',
      env: { HAVIP_POSTGRES_URL: 'postgres://havip:pw@db.internal/havip' },
      paths: ['HAVIP_POSTGRES_SSL'],
    },
    {
      label: 'with an unreadable CA file',
      env: {
        HAVIP_POSTGRES_URL: 'postgres://havip:pw@db.internal/havip',
        HAVIP_POSTGRES_SSL: 'verify-full',
        HAVIP_POSTGRES_CA_FILE: '/nonexistent/ca.pem',
      },
      paths: ['HAVIP_POSTGRES_CA_FILE'],
    },
  ])('is refused $label, naming the variable', async ({ env, paths }) => {
    expect(await configIssues(runtimeOf({ HAVIP_STORE: 'postgres', ...env }))).toEqual(paths);
  });

  it.each([
    { variable: 'HAVIP_POSTGRES_SSL', value: 'prefer' },
    { variable: 'HAVIP_POSTGRES_POOL_MAX', value: '0' },
    { variable: 'HAVIP_POSTGRES_SCHEMA', value: 'Havip-Prod' },
  ])('parseEnv refuses $variable=$value', async ({ variable, value }) => {
    expect(await configIssues(Promise.resolve().then(() => parseEnv({ [variable]: value })))).toEqual([
      variable,
    ]);
  });
});
