/** The credential configuration: roles and bindings, in code and in the FC function's environment. */
import { describe, expect, it } from 'vitest';
import { authConfigFromEnv, parseAuthConfig } from '../../../../shared/app/http/credentials.js';
import { ConfigError, InvalidInputError } from '../../../../shared/core/errors.js';
import { HMAC_SECRET, TOKEN } from '../../../support/http.js';

const WEB1 = 'i-bp1web00000000000001';
const WEB2 = 'i-bp1web00000000000002';

function issuesOf(run: () => unknown): { path: string; message: string }[] {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputError);
    return [...(e as InvalidInputError).issues];
  }
  throw new Error('expected an error');
}

describe('parseAuthConfig', () => {
  it.each([
    {
      name: 'a short token',
      config: { tokens: [{ name: 'ops', token: 'short' }], hmacKeys: [] },
      path: 'auth.tokens[0].token',
      message: /at least 16 characters/,
    },
    {
      name: 'a token with a space',
      config: { tokens: [{ name: 'ops', token: 'has a space in it 0123' }] },
      path: 'auth.tokens[0].token',
      message: /may contain only/,
    },
    {
      name: 'a bad name',
      config: { tokens: [{ name: 'ops team', token: TOKEN }] },
      path: 'auth.tokens[0].name',
      message: /letters, digits/,
    },
    {
      name: 'a short secret',
      config: { hmacKeys: [{ id: 'k', secret: 'x' }] },
      path: 'auth.hmacKeys[0].secret',
      message: /at least 16/,
    },
    {
      name: 'a duplicate name across tokens and keys',
      config: { tokens: [{ name: 'ops', token: TOKEN }], hmacKeys: [{ id: 'ops', secret: HMAC_SECRET }] },
      path: 'auth.hmacKeys[0].id',
      message: /already used by auth\.tokens\[0\]\.name/,
    },
    {
      name: 'an unknown field',
      config: { tokens: [], hmacKey: [] },
      path: 'auth.hmacKey',
      message: /unknown field/,
    },
    {
      name: 'a window over an hour',
      config: { hmacWindowSeconds: 7200 },
      path: 'auth.hmacWindowSeconds',
      message: /at most 3600/,
    },
    {
      name: 'an unknown role',
      config: { tokens: [{ name: 'ops', token: TOKEN, role: 'admin' }] },
      path: 'auth.tokens[0].role',
      message: /operator, viewer, agent/,
    },
    {
      name: 'an agent bound to nothing',
      config: { tokens: [{ name: 'web1', token: TOKEN, role: 'agent' }] },
      path: 'auth.tokens[0].members',
      message: /must be bound to the member/,
    },
    {
      name: 'an agent bound to an empty list',
      config: { hmacKeys: [{ id: 'web1', secret: HMAC_SECRET, role: 'agent', members: [] }] },
      path: 'auth.hmacKeys[0].members',
      message: /at least one member/,
    },
    {
      name: 'a binding that is not a member id',
      config: { tokens: [{ name: 'web1', token: TOKEN, role: 'agent', members: ['web-1'] }] },
      path: 'auth.tokens[0].members[0]',
      message: /i-|eni-/,
    },
    {
      name: 'members on a viewer (only agents are bound)',
      config: { tokens: [{ name: 'v', token: TOKEN, role: 'viewer', members: [WEB1] }] },
      path: 'auth.tokens[0].members',
      message: /only an agent credential is bound/,
    },
    {
      name: 'members without a role (an operator)',
      config: { tokens: [{ name: 'v', token: TOKEN, members: [WEB1] }] },
      path: 'auth.tokens[0].members',
      message: /only an agent credential is bound/,
    },
  ])('rejects $name at $path', ({ config, path, message }) => {
    const issue = issuesOf(() => parseAuthConfig(config)).find((i) => i.path === path);
    expect(issue?.message).toMatch(message);
  });

  it('defaults the lists and the window', () => {
    expect(parseAuthConfig({})).toEqual({ tokens: [], hmacKeys: [], hmacWindowSeconds: 300 });
  });

  it('gives a credential without a role the operator role, and says it was defaulted', () => {
    const parsed = parseAuthConfig({
      tokens: [
        { name: 'legacy', token: TOKEN },
        { name: 'web1', token: `${TOKEN}1`, role: 'agent', members: [WEB1] },
      ],
    });
    expect(parsed.tokens.map((t) => [t.name, t.role, t.members, t.roleDefaulted])).toEqual([
      ['legacy', 'operator', [], true],
      ['web1', 'agent', [WEB1], false],
    ]);
  });
});

describe('authConfigFromEnv', () => {
  const env = (tokens?: string, keys?: string) => ({ HAVIP_API_TOKENS: tokens, HAVIP_HMAC_KEYS: keys });

  it('reads name:role:secret, name:agent:<members>:secret and the legacy name:secret', () => {
    const config = authConfigFromEnv(
      env(
        `ops:operator:${TOKEN}, dash:viewer:${TOKEN}v ,web1:agent:${WEB1}:${TOKEN}a,old:${TOKEN}o`,
        `web2:agent:${WEB2}+eni-bp1web0000000000002:${HMAC_SECRET}:with:colons,signer:${HMAC_SECRET}`,
      ),
    );
    expect(config.tokens).toEqual([
      { name: 'ops', token: TOKEN, role: 'operator' },
      { name: 'dash', token: `${TOKEN}v`, role: 'viewer' },
      { name: 'web1', token: `${TOKEN}a`, role: 'agent', members: [WEB1] },
      { name: 'old', token: `${TOKEN}o` },
    ]);
    expect(config.hmacKeys).toEqual([
      {
        id: 'web2',
        secret: `${HMAC_SECRET}:with:colons`,
        role: 'agent',
        members: [WEB2, 'eni-bp1web0000000000002'],
      },
      { id: 'signer', secret: HMAC_SECRET },
    ]);
  });

  it('binds an agent credential to a Tencent CVM (its agent posts reports to the API)', () => {
    const config = authConfigFromEnv(env(`web1:agent:ins-0demo001:${TOKEN}`));
    expect(config.tokens).toEqual([{ name: 'web1', token: TOKEN, role: 'agent', members: ['ins-0demo001'] }]);
  });

  it('reads unset and empty variables as no credentials', () => {
    expect(authConfigFromEnv(env(undefined, ' '))).toEqual({ tokens: [], hmacKeys: [] });
  });

  it.each([
    { name: 'no secret', tokens: 'ops', path: 'HAVIP_API_TOKENS[0]', message: /must be name:role:token/ },
    { name: 'an empty entry', tokens: `a:${TOKEN},,`, path: 'HAVIP_API_TOKENS[1]', message: /is empty/ },
    {
      name: 'a misspelt role (never read as a legacy secret)',
      tokens: `web1:agnet:${WEB1}:${TOKEN}`,
      path: 'HAVIP_API_TOKENS[0]',
      message: /unknown role "agnet": the role is one of operator, viewer, agent/,
    },
    {
      name: 'an agent without members',
      tokens: `web1:agent:${TOKEN}`,
      path: 'HAVIP_API_TOKENS[0]',
      message: /names the member\(s\) it speaks for/,
    },
    {
      name: 'an agent bound to a non-member',
      tokens: `web1:agent:web-1:${TOKEN}`,
      path: 'HAVIP_API_TOKENS[0].members[0]',
      message: /i-/,
    },
    {
      name: 'a short secret after the role',
      keys: 'k:viewer:short',
      path: 'HAVIP_HMAC_KEYS[0].secret',
      message: /at least 16/,
    },
    {
      name: 'the same name in both variables',
      tokens: `ops:${TOKEN}`,
      keys: `ops:${HMAC_SECRET}`,
      path: 'HAVIP_HMAC_KEYS[0].id',
      message: /already used by HAVIP_API_TOKENS\[0\]\.name|already used/,
    },
  ])('refuses $name, naming $path', ({ tokens, keys, path, message }) => {
    let error: unknown;
    try {
      authConfigFromEnv(env(tokens, keys));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('env.invalid');
    const issue = (error as ConfigError).issues.find((i) => i.path === path);
    expect(issue?.message, JSON.stringify((error as ConfigError).issues)).toMatch(message);
    for (const secret of [TOKEN, HMAC_SECRET]) expect((error as Error).message).not.toContain(secret);
  });
});
