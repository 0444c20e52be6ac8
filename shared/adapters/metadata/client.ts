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
  const http = new MetadataHttp(
    checkedBaseUrl(opts.baseUrl ?? layout.defaultBaseUrl),
    opts.cloud === 'alibaba' ? (opts.imds ?? 'token-or-plain') : 'plain',
    layout.tokenPath,
    opts.timeoutMs ?? 1_000,
    opts.fetch ?? globalThis.fetch,
    opts.clock ?? { now: () => Date.now() },
  );
  return {
    cloud: opts.cloud,
    async instanceId() {
      const id = (await http.read(layout.instanceIdPath))?.trim();
      if (!id) throw unavailable(layout.instanceIdPath, 'the metadata service has no instance id');
      return id;
    },
    async roleName() {
      const listed = (await http.read(layout.rolesPath))?.trim();
      // One role per instance; the first line names it.
      const first = listed?.split('\n')[0]?.trim();
      return first ? first : undefined;
    },
    roleCredentials: (roleName) => readCredentials(http, opts.cloud, roleName),
    async spotTerminationTime() {
      const text = await http.read(layout.spotTerminationPath);
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

async function readCredentials(http: MetadataHttp, cloud: MetadataCloud, roleName: string) {
  const path = `${METADATA_LAYOUTS[cloud].rolesPath}${encodeURIComponent(roleName)}`;
  const text = await http.read(path);
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
  const creds = readRoleCredentials(cloud, json);
  if (!creds || !Number.isFinite(creds.expiresAt)) {
    // Never echo the answer: it holds secrets.
    throw unavailable(path, 'the role credentials answer is not the expected JSON (or Code is not Success)');
  }
  return creds;
}

/** GETs (and Alibaba's token PUT) against one metadata base URL, with the hardened-mode token. */
class MetadataHttp {
  private token: { value: string; until: number } | undefined;

  constructor(
    private readonly base: string,
    private readonly mode: HardenedMode,
    private readonly tokenPath: string | undefined,
    private readonly timeoutMs: number,
    private readonly doFetch: typeof globalThis.fetch,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  /** GET with the session token when there is one; `undefined` for 404. */
  async read(path: string): Promise<string | undefined> {
    let res = await this.get(path);
    // A refused token (expired, or the service restarted): fetch a new one, once.
    if ((res.status === 401 || res.status === 403) && res.withToken) {
      this.token = undefined;
      res = await this.get(path);
    }
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw unavailable(path, `the metadata service answered HTTP ${res.status}`);
    return res.text;
  }

  private async get(path: string) {
    const t = await this.sessionToken();
    const res = await this.request('GET', path, t === undefined ? {} : { [TOKEN_HEADER]: t });
    return { ...res, withToken: t !== undefined };
  }

  private async sessionToken(): Promise<string | undefined> {
    if (this.mode === 'plain' || this.tokenPath === undefined) return undefined;
    if (this.token && this.clock.now() < this.token.until) return this.token.value;
    let res: { status: number; text: string } | undefined;
    try {
      res = await this.request('PUT', this.tokenPath, { [TOKEN_TTL_HEADER]: String(MAX_TOKEN_TTL_SECONDS) });
    } catch (e) {
      if (this.mode === 'token') throw e;
    }
    if (res?.status === 200 && res.text.trim() !== '') {
      this.token = { value: res.text.trim(), until: this.clock.now() + (MAX_TOKEN_TTL_SECONDS - 60) * 1000 };
      return this.token.value;
    }
    if (this.mode === 'token') {
      throw unavailable(this.tokenPath, `the metadata token request answered HTTP ${res?.status}`);
    }
    return undefined;
  }

  private async request(method: 'GET' | 'PUT', path: string, headers: Record<string, string>) {
    try {
      const res = await this.doFetch(`${this.base}${path}`, {
        method,
        headers,
        redirect: 'error',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      return { status: res.status, text: await res.text() };
    } catch (e) {
      const why = describeTransportError(e);
      throw unavailable(path, `no answer from the metadata service at ${this.base} (${why})`, e);
    }
  }
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
