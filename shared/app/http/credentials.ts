/**
 * Who may call the HTTP API and what each caller may do: bearer tokens and HMAC keys, each with a role
 * and, for an agent, the members it speaks for. The configuration is validated here, whether it comes
 * from code (`createHttpApp({ auth })`) or from the FC function's environment variables
 * (`HAVIP_API_TOKENS`, `HAVIP_HMAC_KEYS`, parsed by {@link authConfigFromEnv}).
 */
import { z } from 'zod';
import { ConfigError, type InputIssue, InvalidInputError } from '../../core/errors.js';
import { memberIdSchema } from './schemas.js';

/**
 * `operator`: every route. `viewer`: the read-only routes (status, plan, history, validate). `agent`:
 * heartbeats (and reports) for the members it is bound to, nothing else. docs/http-api.md, "Roles".
 */
export const ROLES = ['operator', 'viewer', 'agent'] as const;
export type Role = (typeof ROLES)[number];

/** What a credential may do. Without a role a credential is an operator (the behaviour before roles). */
interface Grant {
  readonly role?: Role | undefined;
  /** The members (instance or ENI ids) an agent credential speaks for; only with `role: agent`. */
  readonly members?: readonly string[] | undefined;
}

/** Who may call the API. Token names and key ids become the `actor` journaled with manual actions. */
export interface AuthConfig {
  readonly tokens: readonly ({ readonly name: string; readonly token: string } & Grant)[];
  readonly hmacKeys: readonly ({ readonly id: string; readonly secret: string } & Grant)[];
  /** Accepted clock difference for HMAC timestamps, in seconds (default 300). */
  readonly hmacWindowSeconds?: number | undefined;
}

/** A credential's grant after validation: always a role; `roleDefaulted` when none was configured. */
export interface ResolvedGrant {
  readonly role: Role;
  readonly members: readonly string[];
  readonly roleDefaulted: boolean;
}

export interface ParsedAuthConfig {
  readonly tokens: readonly ({ readonly name: string; readonly token: string } & ResolvedGrant)[];
  readonly hmacKeys: readonly ({ readonly id: string; readonly secret: string } & ResolvedGrant)[];
  readonly hmacWindowSeconds: number;
}

/** Default tolerance between the client's timestamp and the server clock. */
export const DEFAULT_HMAC_WINDOW_SECONDS = 300;

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
/** RFC 6750 `b64token`, so any configured token can travel in an Authorization header. */
const TOKEN_RE = /^[A-Za-z0-9\-._~+/]+=*$/;
const MIN_SECRET_CHARS = 16;
/** An agent runs on one member; a few ids cover an agent that also speaks for the member's ENIs. */
const MAX_BOUND_MEMBERS = 16;
const GENERATE_HINT = 'generate one with `openssl rand -hex 32`';

const nameSchema = (what: string) =>
  z
    .string({ error: `must be a string: the ${what}` })
    .regex(NAME_RE, `must be 1–64 letters, digits, '.', '_', '@' or '-': it is journaled as the actor`);

const grantFields = {
  role: z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` }).optional(),
  members: z
    .array(memberIdSchema, { error: 'must be a list of member ids' })
    .min(1, 'must name at least one member')
    .max(MAX_BOUND_MEMBERS, `must name at most ${MAX_BOUND_MEMBERS} members`)
    .optional(),
};

/** An agent speaks for the members it is bound to, and only an agent is bound. */
function checkGrant(g: Grant, ctx: z.RefinementCtx): void {
  if (g.role === 'agent' && g.members === undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['members'],
      message:
        'an agent credential must be bound to the member(s) it runs on, e.g. members: [i-bp1…]; it may post heartbeats and reports for those only',
    });
  if (g.role !== 'agent' && g.members !== undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['members'],
      message: `only an agent credential is bound to members; ${g.role ?? 'a credential without a role (operator)'} speaks for every member`,
    });
}

const AuthConfigSchema = z.strictObject({
  tokens: z
    .array(
      z
        .strictObject({
          name: nameSchema('token name'),
          token: z
            .string({ error: `must be a string; ${GENERATE_HINT}` })
            .min(MIN_SECRET_CHARS, `must be at least ${MIN_SECRET_CHARS} characters; ${GENERATE_HINT}`)
            .regex(TOKEN_RE, `may contain only A–Z a–z 0–9 - . _ ~ + / (and trailing =); ${GENERATE_HINT}`),
          ...grantFields,
        })
        .superRefine(checkGrant),
      { error: 'must be a list of {name, token, role?, members?}' },
    )
    .default([]),
  hmacKeys: z
    .array(
      z
        .strictObject({
          id: nameSchema('key id'),
          secret: z
            .string({ error: `must be a string; ${GENERATE_HINT}` })
            .min(MIN_SECRET_CHARS, `must be at least ${MIN_SECRET_CHARS} characters; ${GENERATE_HINT}`),
          ...grantFields,
        })
        .superRefine(checkGrant),
      { error: 'must be a list of {id, secret, role?, members?}' },
    )
    .default([]),
  hmacWindowSeconds: z
    .number({ error: 'must be a number of seconds' })
    .int('must be a whole number of seconds')
    .min(1, 'must be at least 1')
    .max(3600, 'must be at most 3600: a wider window lets a captured request be replayed for longer')
    .default(DEFAULT_HMAC_WINDOW_SECONDS),
});

const invalidAuth = (issues: readonly InputIssue[]) =>
  new InvalidInputError('config.invalid', 'invalid HTTP API auth configuration', issues);

const resolve = <T extends Grant>(c: T): Omit<T, keyof Grant> & ResolvedGrant => ({
  ...c,
  role: c.role ?? 'operator',
  members: c.members ?? [],
  roleDefaulted: c.role === undefined,
});

/**
 * Validates an auth configuration. Throws `InvalidInputError` (`config.invalid`) naming the field, e.g.
 * `auth.tokens[0].token: must be at least 16 characters`. Names must be unique across tokens and keys,
 * since either one becomes the journaled actor.
 */
export function parseAuthConfig(input: unknown): ParsedAuthConfig {
  const parsed = AuthConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw invalidAuth(
      parsed.error.issues.flatMap((i) => {
        const base = `auth${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}`;
        if (i.code === 'unrecognized_keys')
          return i.keys.map((k) => ({ path: `${base}.${k}`, message: 'unknown field' }));
        return [{ path: base, message: i.message }];
      }),
    );
  }
  const seen = new Map<string, string>();
  const issues: InputIssue[] = [];
  const claim = (name: string, path: string) => {
    const first = seen.get(name);
    if (first === undefined) seen.set(name, path);
    else
      issues.push({
        path,
        message: `${JSON.stringify(name)} is already used by ${first}`,
        hint: 'names must be unique',
      });
  };
  for (const [i, t] of parsed.data.tokens.entries()) claim(t.name, `auth.tokens[${i}].name`);
  for (const [i, k] of parsed.data.hmacKeys.entries()) claim(k.id, `auth.hmacKeys[${i}].id`);
  if (issues.length > 0) throw invalidAuth(issues);
  return {
    tokens: parsed.data.tokens.map(resolve),
    hmacKeys: parsed.data.hmacKeys.map(resolve),
    hmacWindowSeconds: parsed.data.hmacWindowSeconds,
  };
}

// ---------------------------------------------------------------------------------------------------
// The environment variables of the FC function

const VARIABLES = { tokens: 'HAVIP_API_TOKENS', hmacKeys: 'HAVIP_HMAC_KEYS' } as const;

/** One `name:…` entry of a credential variable, split into its fields. */
interface Entry {
  readonly name: string;
  readonly secret: string;
  readonly role?: Role | undefined;
  readonly members?: string[] | undefined;
}

/**
 * Splits one entry: `name:role:secret`, `name:agent:<member>[+<member>…]:secret`, or the legacy
 * `name:secret` (an operator). A secret may contain `:` (an HMAC secret is any text), so only a known
 * role in the second field starts the new form; a lowercase word that is not a role is refused rather
 * than read as the start of a secret, so a typo such as `agnet` never turns into a silent operator.
 */
function splitEntry(raw: string, secretWord: string): Entry | InputIssue['message'] {
  const syntax = `name:role:${secretWord} or name:agent:<member>[+<member>…]:${secretWord}`;
  const fields = raw.split(':');
  const field = (i: number) => fields[i]?.trim() ?? '';
  const rest = (from: number) => fields.slice(from).join(':').trim();
  const [name, second] = [field(0), field(1)];
  if (fields.length < 2 || name === '') return `must be ${syntax}`;
  if (!(ROLES as readonly string[]).includes(second)) {
    if (fields.length > 2 && /^[a-z]{1,16}$/.test(second))
      return `unknown role ${JSON.stringify(second)}: the role is one of ${ROLES.join(', ')} (${syntax})`;
    return { name, secret: rest(1) };
  }
  const role = second as Role;
  if (role !== 'agent') return { name, role, secret: rest(2) };
  if (fields.length < 4 || field(2) === '')
    return `an agent entry names the member(s) it speaks for: name:agent:<member>[+<member>…]:${secretWord}`;
  return { name, role, members: field(2).split('+'), secret: rest(3) };
}

/**
 * Reads `HAVIP_API_TOKENS` and `HAVIP_HMAC_KEYS` (comma-separated entries, see {@link splitEntry}) into a
 * validated auth configuration. Throws `ConfigError` (`env.invalid`) naming the variable and the entry,
 * e.g. `HAVIP_API_TOKENS[1].members[0]: must be a member id …`. Secrets never appear in the message.
 */
export function authConfigFromEnv(env: Readonly<Record<string, string | undefined>>): AuthConfig {
  const issues: InputIssue[] = [];
  const entries = (key: keyof typeof VARIABLES, secretWord: string): Entry[] => {
    const raw = env[VARIABLES[key]];
    if (raw === undefined || raw.trim() === '') return [];
    return raw.split(',').flatMap((text, i) => {
      const entry = text.trim() === '' ? 'is empty: remove the extra comma' : splitEntry(text, secretWord);
      if (typeof entry !== 'string') return [entry];
      issues.push({ path: `${VARIABLES[key]}[${i}]`, message: entry });
      return [];
    });
  };
  const config: AuthConfig = {
    tokens: entries('tokens', 'token').map(({ name, secret, role, members }) => ({
      name,
      token: secret,
      ...(role ? { role } : {}),
      ...(members ? { members } : {}),
    })),
    hmacKeys: entries('hmacKeys', 'secret').map(({ name, secret, role, members }) => ({
      id: name,
      secret,
      ...(role ? { role } : {}),
      ...(members ? { members } : {}),
    })),
  };
  if (issues.length === 0) {
    try {
      parseAuthConfig(config);
    } catch (e) {
      if (!(e instanceof InvalidInputError)) throw e;
      // The entries keep their positions only when every entry split: relabel `auth.tokens[i]`.
      for (const i of e.issues)
        issues.push({
          ...i,
          path: i.path.replace(/^auth\.(tokens|hmacKeys)/, (_, k: keyof typeof VARIABLES) => VARIABLES[k]),
        });
    }
  }
  if (issues.length > 0)
    throw new ConfigError('invalid HTTP API credentials in the environment', issues, 'env.invalid');
  return config;
}
