/**
 * The role credential source on a clock the test moves, against a fake metadata reader that counts its
 * calls and can be taken down: refresh timing, one refresh for concurrent callers, outage handling.
 */
import { describe, expect, it } from 'vitest';
import {
  type Credentials,
  envCredentials,
  type RoleCredentialsReader,
  roleCredentials,
  staticCredentials,
} from '../../../../shared/adapters/metadata/credentials.js';
import { CloudError, InvalidInputError } from '../../../../shared/core/errors.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2026, 0, 1);

/** A metadata service whose credentials live `lifetimeMs`, issued fresh on every read. */
function fakeMetadata(clock: { t: number }, lifetimeMs = 6 * HOUR) {
  const state = {
    calls: 0,
    roleCalls: 0,
    down: false,
    role: 'havip-agent' as string | undefined,
    gate: undefined as Promise<void> | undefined,
  };
  const reader: RoleCredentialsReader = {
    async roleName() {
      state.roleCalls++;
      if (state.down) throw new Error('connect ECONNREFUSED 100.100.100.200:80');
      return state.role;
    },
    async roleCredentials(role) {
      state.calls++;
      if (state.gate) await state.gate;
      if (state.down) throw new Error('connect ECONNREFUSED 100.100.100.200:80');
      return {
        accessKeyId: `STS.${role}.${state.calls}`,
        accessKeySecret: `secret-${state.calls}`,
        securityToken: `token-${state.calls}`,
        expiresAt: clock.t + lifetimeMs,
      };
    },
  };
  return { state, reader };
}

function setup(lifetimeMs?: number) {
  const clock = { t: T0, now: () => clock.t };
  const { state, reader } = fakeMetadata(clock, lifetimeMs);
  const source = roleCredentials({ metadata: reader, clock, random: () => 0 });
  return { clock, state, source };
}

const failureOf = async (p: Promise<Credentials>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as CloudError,
  );

describe('role credentials', () => {
  it('are fetched once, then served from cache until 15 minutes before expiry', async () => {
    const { clock, state, source } = setup();
    const first = await source.get();
    expect(first).toMatchObject({ accessKeyId: 'STS.havip-agent.1', expiresAt: T0 + 6 * HOUR });
    clock.t = T0 + 6 * HOUR - 15 * MIN - 1;
    expect(await source.get()).toBe(first);
    expect(state.calls).toBe(1);
    clock.t += 1;
    const second = await source.get();
    expect(second.accessKeyId).toBe('STS.havip-agent.2');
    expect(state.calls).toBe(2);
    expect(state.roleCalls).toBe(1); // the role name is discovered once
  });

  it('refresh halfway through credentials that live less than twice the lead', async () => {
    const { clock, state, source } = setup(10 * MIN);
    await source.get();
    clock.t = T0 + 5 * MIN - 1;
    await source.get();
    expect(state.calls).toBe(1);
    clock.t = T0 + 5 * MIN;
    await source.get();
    expect(state.calls).toBe(2);
  });

  it('concurrent callers share one refresh', async () => {
    const { state, source } = setup();
    let open = () => {};
    state.gate = new Promise<void>((r) => {
      open = r;
    });
    const all = Promise.all(Array.from({ length: 20 }, () => source.get()));
    await new Promise((r) => setImmediate(r));
    open();
    const got = await all;
    expect(state.calls).toBe(1);
    expect(new Set(got.map((c) => c.accessKeyId))).toEqual(new Set(['STS.havip-agent.1']));
  });

  it('keep serving unexpired credentials through an outage, retrying with backoff, then fail clearly', async () => {
    const { clock, state, source } = setup();
    const cached = await source.get();
    state.down = true;
    clock.t = T0 + 6 * HOUR - 15 * MIN; // refresh due
    expect(await source.get()).toBe(cached); // the refresh failed: the cached set is still good
    expect(state.calls).toBe(2);

    // Backoff (random 0 → half of 1 s, 2 s, 4 s …): no request before it ends.
    for (const wait of [500, 1_000, 2_000, 4_000]) {
      clock.t += wait - 1;
      expect(await source.get()).toBe(cached);
      const before = state.calls;
      clock.t += 1;
      await source.get();
      expect(state.calls).toBe(before + 1);
    }
    // Capped at 60 s (→ 30 s with this jitter).
    for (let i = 0; i < 10; i++) {
      clock.t += 60_000;
      await source.get();
    }
    const calls = state.calls;
    clock.t += 29_999;
    await source.get();
    expect(state.calls).toBe(calls);

    // Past expiry (minus the 30 s skew margin) there is nothing to serve: the last error, retryable.
    clock.t = T0 + 6 * HOUR - 30_000;
    const e = await failureOf(source.get());
    expect(e).toBeInstanceOf(CloudError);
    expect([e?.code, e?.retryable]).toEqual(['cloud.unavailable', true]);
    expect(e?.message).toMatch(/ECONNREFUSED/);
    // … and asking again during the backoff costs no request.
    const after = state.calls;
    await failureOf(source.get());
    await failureOf(source.get());
    expect(state.calls).toBe(after);

    // The service comes back: the next attempt after the backoff succeeds and resets it.
    state.down = false;
    clock.t += 60_000;
    expect((await source.get()).accessKeyId).toMatch(/^STS\.havip-agent\.\d+$/);
    expect((await source.get()).expiresAt).toBe(clock.t + 6 * HOUR);
  });

  it('say clearly when no role is attached, without asking again during the backoff', async () => {
    const { clock, state, source } = setup();
    state.role = undefined;
    const e = await failureOf(source.get());
    expect(e).toBeInstanceOf(CloudError);
    expect([e?.alibabaCode, e?.code, e?.retryable]).toEqual(['NoInstanceRole', 'cloud.forbidden', false]);
    expect(e?.message).toMatch(/attach/);
    await failureOf(source.get());
    expect(state.roleCalls).toBe(1);
    state.role = 'late-role';
    clock.t += 1_000;
    expect((await source.get()).accessKeyId).toBe('STS.late-role.1');
  });

  it('do not spin on credentials that are not rotated yet', async () => {
    const clock = { t: T0, now: () => clock.t };
    let calls = 0;
    const stuck: RoleCredentialsReader = {
      roleName: async () => 'r',
      roleCredentials: async () => {
        calls++;
        return { accessKeyId: 'A', accessKeySecret: 'S', securityToken: 'T', expiresAt: T0 + 2 * MIN };
      },
    };
    const source = roleCredentials({ metadata: stuck, clock, roleName: 'r' });
    await source.get();
    for (let i = 0; i < 50; i++) await source.get();
    expect(calls).toBe(1);
    clock.t = T0 + MIN; // past the refresh point (half of 2 min)
    for (let i = 0; i < 50; i++) await source.get();
    expect(calls).toBe(2);
    clock.t += 999;
    await source.get();
    expect(calls).toBe(2); // at most one refresh a second
  });
});

describe('role credentials refused by a service (invalidate)', () => {
  it('are dropped and fetched again at once when the last fetch is older than a second', async () => {
    const { clock, state, source } = setup();
    const first = await source.get();
    clock.t += 5_000;
    source.invalidate?.(first);
    const second = await source.get();
    expect(state.calls).toBe(2);
    expect(second.securityToken).not.toBe(first.securityToken);
  });

  it('are not fetched again within a second of the last fetch: the caller gets a retryable error', async () => {
    const { clock, state, source } = setup();
    const first = await source.get();
    source.invalidate?.(first);
    const e = await failureOf(source.get());
    expect(e).toBeInstanceOf(CloudError);
    expect(e?.retryable).toBe(true);
    expect(state.calls).toBe(1);
    clock.t += 1_000;
    expect((await source.get()).securityToken).toBe('token-2');
  });

  it('ignore a refusal of credentials already replaced', async () => {
    const { clock, state, source } = setup();
    const first = await source.get();
    clock.t += 5_000;
    source.invalidate?.(first);
    const second = await source.get();
    source.invalidate?.(first);
    expect(await source.get()).toBe(second);
    expect(state.calls).toBe(2);
  });
});

describe('static and environment credentials', () => {
  it('read the variables of Alibaba’s credentials chain', async () => {
    const c = await envCredentials({
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIenv',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: ' env-secret ',
      ALIBABA_CLOUD_SECURITY_TOKEN: '',
    }).get();
    expect(c).toEqual({
      accessKeyId: 'LTAIenv',
      accessKeySecret: 'env-secret',
      securityToken: undefined,
      expiresAt: undefined,
    });
    const sts = await envCredentials({
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'STS.x',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 's',
      ALIBABA_CLOUD_SECURITY_TOKEN: 'tok',
    }).get();
    expect(sts.securityToken).toBe('tok');
  });

  it('name the missing variable and the alternatives', () => {
    const e = (() => {
      try {
        envCredentials({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIenv' });
      } catch (x) {
        return x as InvalidInputError;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(InvalidInputError);
    expect(e?.issues.map((i) => i.path)).toEqual(['ALIBABA_CLOUD_ACCESS_KEY_SECRET']);
    expect(e?.message).toMatch(/RAM role/);
  });

  it('refuse empty keys', () => {
    expect(() => staticCredentials({ accessKeyId: '', accessKeySecret: 'x' })).toThrow(/accessKeyId/);
    expect(() => staticCredentials({ accessKeyId: 'x', accessKeySecret: ' ' })).toThrow(/accessKeySecret/);
  });
});
