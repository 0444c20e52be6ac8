import { afterEach, describe, expect, it } from 'vitest';
import type { Runtime } from '../../../shared/app/runtime.js';
import {
  scfCredentials,
  scfRuntimeFor,
  scfRuntimeFromEnv,
  scfSettingsFromEnv,
  useScfRuntimeFactory,
} from '../../../shared/app/scf-runtime.js';
import { ConfigError } from '../../../shared/core/errors.js';
import { TENCENT_PAIR_YAML } from '../../support/tencent-topology.js';

const GOOD = {
  HAVIP_STORE: 'postgres',
  HAVIP_POSTGRES_URL: 'postgres://havip@10.0.0.5:5432/havip',
  HAVIP_TOPOLOGY: 'groups: []',
};
const CREDS = { TENCENTCLOUD_SECRETID: 'AKIDexample', TENCENTCLOUD_SECRETKEY: 'secret-key' };

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('scfSettingsFromEnv', () => {
  it('takes the PostgreSQL settings, with a 5 s deadline margin by default', () => {
    expect(scfSettingsFromEnv(GOOD)).toEqual({
      postgresUrl: GOOD.HAVIP_POSTGRES_URL,
      deadlineMarginMs: 5_000,
    });
    expect(scfSettingsFromEnv({ ...GOOD, HAVIP_DEADLINE_MARGIN_MS: '2000' }).deadlineMarginMs).toBe(2_000);
  });

  it.each([
    ['no store', { HAVIP_STORE: undefined }, 'HAVIP_STORE'],
    ['a store that cannot fence SCF instances', { HAVIP_STORE: 'sqlite' }, 'HAVIP_STORE'],
    ['no database', { HAVIP_POSTGRES_URL: undefined }, 'HAVIP_POSTGRES_URL'],
    ['no topology', { HAVIP_TOPOLOGY: undefined }, 'HAVIP_TOPOLOGY'],
    ['a margin over a minute', { HAVIP_DEADLINE_MARGIN_MS: '90000' }, 'HAVIP_DEADLINE_MARGIN_MS'],
  ])('%s → names %s', (_title, over, path) => {
    const e = configError(() => scfSettingsFromEnv({ ...GOOD, ...over }));
    expect(e.code).toBe('env.invalid');
    expect(e.issues.map((i) => i.path)).toContain(path);
    expect(e.issues.every((i) => i.hint !== undefined)).toBe(true);
  });
});

describe('scfCredentials', () => {
  it('maps the variables SCF injects (no underscore inside the names)', () => {
    expect(scfCredentials({ ...CREDS, TENCENTCLOUD_SESSIONTOKEN: 'tok' })).toEqual({
      secretId: 'AKIDexample',
      secretKey: 'secret-key',
      sessionToken: 'tok',
    });
    expect(scfCredentials(CREDS).sessionToken).toBeUndefined();
  });

  it('the SDK spelling alone is not what SCF sets: missing credentials name the variable', () => {
    const e = configError(() =>
      scfCredentials({ TENCENTCLOUD_SECRET_ID: 'x', TENCENTCLOUD_SECRET_KEY: 'y' }),
    );
    expect(e.code).toBe('credentials.missing');
    expect(e.issues[0]?.path).toBe('TENCENTCLOUD_SECRETID');
    expect(e.message).not.toContain('secret-key');
  });
});

/** What building (not connecting: the pool connects on first use) needs beyond {@link GOOD}. */
const BUILDABLE = { HAVIP_POSTGRES_SSL: 'disable', HAVIP_LOG_LEVEL: 'silent' };

describe('scfRuntimeFromEnv', () => {
  it('reports a deployment mistake before anything else', async () => {
    await expect(scfRuntimeFromEnv({ ...CREDS, HAVIP_STORE: 'tablestore' })).rejects.toMatchObject({
      code: 'env.invalid',
      issues: expect.arrayContaining([expect.objectContaining({ path: 'HAVIP_STORE' })]),
    });
    await expect(scfRuntimeFromEnv(GOOD)).rejects.toMatchObject({ code: 'credentials.missing' });
  });

  it('with good settings builds a runtime on the Tencent port; the Alibaba port refuses every call', async () => {
    const rt = await scfRuntimeFromEnv({
      ...GOOD,
      ...CREDS,
      ...BUILDABLE,
      HAVIP_TOPOLOGY: TENCENT_PAIR_YAML,
    });
    try {
      expect(rt.tencent).toBeDefined();
      await expect(
        rt.cloud.describeHaVips({ regionId: 'cn-hangzhou', haVipIds: ['havip-x'] }),
      ).rejects.toThrow(/no Alibaba Cloud adapter/);
    } finally {
      await rt.close();
    }
  });

  it('an Alibaba group cannot run on SCF: the engine names the missing port', async () => {
    const alibaba = `region: cn-hangzhou
groups:
  - name: web
    vSwitchId: vsw-bp1demo0000000000001
    haVipId: havip-bp1demo0000000000001
    members:
      - { id: i-bp1demo0000000000001, priority: 100, ip: 192.168.0.11 }
      - { id: i-bp1demo0000000000002, priority: 10, ip: 192.168.0.12 }
`;
    await expect(
      scfRuntimeFromEnv({ ...GOOD, ...CREDS, ...BUILDABLE, HAVIP_TOPOLOGY: alibaba }),
    ).rejects.toThrow(/Alibaba Cloud/);
  });
});

describe('scfRuntimeFor', () => {
  const deadlines: (number | undefined)[] = [];
  const fake = { setDeadline: (d: number | undefined) => deadlines.push(d) } as unknown as Runtime;
  afterEach(() => {
    deadlines.length = 0;
    useScfRuntimeFactory(scfRuntimeFromEnv);
  });

  it('builds once per warm instance and sets each invocation deadline from SCF context, minus the margin', async () => {
    let built = 0;
    useScfRuntimeFactory(async () => {
      built += 1;
      return fake;
    });
    const t0 = 1_000_000;
    expect(await scfRuntimeFor({ time_limit_in_ms: 30_000 }, t0)).toBe(fake);
    expect(deadlines[0]).toBe(t0 + 30_000 - 5_000);
    const before = Date.now();
    await scfRuntimeFor({ getRemainingTimeInMillis: () => 20_000 }, t0);
    expect(deadlines[1]).toBeGreaterThanOrEqual(before + 15_000);
    expect(built).toBe(1);
  });

  it('a failed build is retried on the next invocation (a fixed configuration needs no redeploy)', async () => {
    let attempts = 0;
    useScfRuntimeFactory(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('database not reachable yet');
      return fake;
    });
    await expect(scfRuntimeFor({})).rejects.toThrow('database not reachable yet');
    expect(await scfRuntimeFor({})).toBe(fake);
  });
});
