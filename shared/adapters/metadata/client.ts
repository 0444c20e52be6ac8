/**
 * Instance metadata client for Alibaba ECS and Tencent CVM (paths and answers in ./layout.ts): the
 * instance id, the attached role's STS credentials and the spot termination notice.
 *
 * Every read is one HTTP GET with a short timeout (1 s by default, as `@alicloud/credentials` uses).
 * A 404 means "absent" where the services use it that way (no role attached, no termination notice);
 * other failures become a retryable {@link CloudError} (`cloud.unavailable`), never a hang.
 *
 * Alibaba's hardened mode: `imds: 'token-or-plain'` (default) fetches a session token first and falls
 * back to plain reads when the token request fails, like the official SDK; `'token'` insists on the
 * token (for instances created with hardened mode required); `'plain'` never asks for one. A token is
 * cached for its lifetime (minus a minute) and fetched again once if a read is refused with it.
 */
import { CloudError, InvalidInputError } from '../../core/errors.js';
import type { Clock } from '../../core/ports.js';
import type { RoleCredentialsReader } from './credentials.js';
import {
  MAX_TOKEN_TTL_SECONDS,
  METADATA_LAYOUTS,
  type MetadataCloud,
  parseSpotTermination,
  readRoleCredentials,
  TOKEN_HEADER,
  TOKEN_TTL_HEADER,
} from './layout.js';

export type HardenedMode = 'token-or-plain' | 'token' | 'plain';

export interface MetadataClientOptions {
  readonly cloud: MetadataCloud;
  /** Default: the cloud's own address. The simulator gives each instance `http://127.0.0.1:PORT/<id>`. */
  readonly baseUrl?: string;
  /** Alibaba only; default `token-or-plain`. */
  readonly imds?: HardenedMode;
  readonly timeoutMs?: number;
  readonly fetch?: typeof globalThis.fetch;
  readonly clock?: Pick<Clock, 'now'>;
}

export interface MetadataClient extends RoleCredentialsReader {
  readonly cloud: MetadataCloud;
  instanceId(): Promise<string>;
  /** Epoch ms at which the spot instance will be reclaimed; undefined when no notice is posted. */
  spotTerminationTime(): Promise<number | undefined>;
}

const ACTION = 'InstanceMetadata';

export function createMetadataClient(opts: MetadataClientOptions): MetadataClient {
  const layout = METADATA_LAYOUTS[opts.cloud];
  if (layout === undefined) {
    throw new InvalidInputError('config.invalid', 'invalid metadata client option', [
      {
        path: 'cloud',
        message: `unknown cloud ${JSON.stringify(opts.cloud)}`,
        hint: 'use alibaba or tencent',
      },
    ]);
  }
  const base = checkedBaseUrl(opts.baseUrl ?? layout.defaultBaseUrl);
  const timeoutMs = opts.timeoutMs ?? 1_000;
  const doFetch = opts.fetch ?? globalThis.fetch;
  const clock = opts.clock ?? { now: () => Date.now() };
  const mode: HardenedMode = opts.cloud === 'alibaba' ? (opts.imds ?? 'token-or-plain') : 'plain';
  let token: { value: string; until: number } | undefined;

  async function request(method: 'GET' | 'PUT', path: string, headers: Record<string, string> = {}) {
    try {
      const res = await doFetch(`${base}${path}`, {
        method,
        headers,
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
      return { status: res.status, text: await res.text() };
    } catch (e) {
      throw unavailable(
        path,
        `no answer from the metadata service at ${base} (${describeTransportError(e)})`,
        e,
      );
    }
  }

  async function sessionToken(): Promise<string | undefined> {
    if (mode === 'plain' || layout.tokenPath === undefined) return undefined;
    if (token && clock.now() < token.until) return token.value;
    let res: { status: number; text: string } | undefined;
    try {
      res = await request('PUT', layout.tokenPath, { [TOKEN_TTL_HEADER]: String(MAX_TOKEN_TTL_SECONDS) });
    } catch (e) {
      if (mode === 'token') throw e;
    }
    if (res?.status === 200 && res.text.trim() !== '') {
      token = { value: res.text.trim(), until: clock.now() + (MAX_TOKEN_TTL_SECONDS - 60) * 1000 };
      return token.value;
    }
    if (mode === 'token') {
      throw unavailable(layout.tokenPath, `the metadata token request answered HTTP ${res?.status}`);
    }
    return undefined;
  }

  /** GET with the session token when there is one; `undefined` for 404. */
  async function read(path: string): Promise<string | undefined> {
    let res: { status: number; text: string } | undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      const t = await sessionToken();
      res = await request('GET', path, t === undefined ? {} : { [TOKEN_HEADER]: t });
      // A refused token (expired, or the service restarted): fetch a new one, once.
      if ((res.status === 401 || res.status === 403) && t !== undefined) token = undefined;
      else break;
    }
    if (res!.status === 404) return undefined;
    if (res!.status !== 200) throw unavailable(path, `the metadata service answered HTTP ${res!.status}`);
    return res!.text;
  }

  return {
    cloud: opts.cloud,
    async instanceId() {
      const id = (await read(layout.instanceIdPath))?.trim();
      if (!id) throw unavailable(layout.instanceIdPath, 'the metadata service has no instance id');
      return id;
    },
    async roleName() {
      const listed = (await read(layout.rolesPath))?.trim();
      // One role per instance; the first line names it.
      const first = listed?.split('\n')[0]?.trim();
      return first ? first : undefined;
    },
    async roleCredentials(roleName) {
      const path = `${layout.rolesPath}${encodeURIComponent(roleName)}`;
      const text = await read(path);
      if (text === undefined) {
        throw new CloudError({
          code: 'cloud.forbidden',
          action: ACTION,
          alibabaCode: 'NoInstanceRole',
          message: `the metadata service has no credentials for role ${JSON.stringify(roleName)} (detached?)`,
          retryable: false,
        });
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      const creds = readRoleCredentials(opts.cloud, json);
      if (!creds || !Number.isFinite(creds.expiresAt)) {
        // Never echo the answer: it holds secrets.
        throw unavailable(
          path,
          'the role credentials answer is not the expected JSON (or Code is not Success)',
        );
      }
      return creds;
    },
    async spotTerminationTime() {
      const text = await read(layout.spotTerminationPath);
      if (text === undefined || text.trim() === '') return undefined;
      const at = parseSpotTermination(opts.cloud, text);
      if (at === undefined) {
        throw unavailable(
          layout.spotTerminationPath,
          `unreadable termination time ${JSON.stringify(text.slice(0, 40))}`,
        );
      }
      return at;
    },
  };
}

function checkedBaseUrl(raw: string): string {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    throw new InvalidInputError('config.invalid', 'invalid metadata client option', [
      {
        path: 'baseUrl',
        message: `${JSON.stringify(raw)} is not an http(s) URL without query`,
        hint: 'e.g. http://100.100.100.200, or the per-instance URL the metadata simulator gives',
      },
    ]);
  }
  return url.href.replace(/\/+$/, '');
}

function unavailable(path: string, message: string, cause?: unknown): CloudError {
  return new CloudError({
    code: 'cloud.unavailable',
    action: ACTION,
    alibabaCode: 'MetadataUnavailable',
    message: `${path}: ${message}`,
    retryable: true,
    cause,
  });
}

/** A short reason for a failed fetch: `timed out`, the socket error code, or the message. */
export function describeTransportError(e: unknown): string {
  if (e instanceof Error) {
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'timed out';
    const code = (e.cause as { code?: unknown } | undefined)?.code;
    return typeof code === 'string' ? code : e.message;
  }
  return String(e);
}
