/**
 * A metadata service simulator on 127.0.0.1 serving many instances side by side: instance `i-x` lives
 * under `http://127.0.0.1:PORT/i-x`, so each local agent is given its own metadata base URL and reads
 * the same paths as on the cloud (./layout.ts), in Alibaba's or Tencent's layout.
 *
 * Role credentials expire and rotate like Alibaba's: each set lives `credentialTtlMs` (6 h by default,
 * the span of the documented sample) and the next set is issued `rotateBeforeMs` (30 min by default,
 * "a new STS credential is available 30 minutes prior to the expiration of the old one") ahead of
 * expiry. Every issued set is passed to `onIssue`, which local mode points at the MNS simulator's
 * `addAccessKey` so the agents' signatures verify.
 *
 * Alibaba's hardened mode: `PUT /latest/api/token` with `X-aliyun-ecs-metadata-token-ttl-seconds`
 * (1–21600) issues a token; with `requireToken`, reads without a valid token are refused with 401 (the
 * status Alibaba answers is not documented; AWS's IMDSv2 uses 401).
 *
 * Admin: `PUT /__admin/instances/<id>/spot-termination` with `{"terminationTime": "<ISO>" | null}`,
 * `PUT /__admin/instances/<id>/available` with `{"available": false}` (answers 503 to everything).
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { InvalidInputError } from '../../core/errors.js';
import type { Clock } from '../../core/ports.js';
import {
  formatSpotTermination,
  MAX_TOKEN_TTL_SECONDS,
  METADATA_LAYOUTS,
  type MetadataCloud,
  type RoleCredentialFields,
  TOKEN_HEADER,
  TOKEN_TTL_HEADER,
  writeRoleCredentials,
} from './layout.js';

export interface IssuedCredentials extends RoleCredentialFields {
  readonly instanceId: string;
  readonly issuedAt: number;
}

export interface MetadataSimulatorOptions {
  readonly clock?: Pick<Clock, 'now'>;
  readonly credentialTtlMs?: number;
  readonly rotateBeforeMs?: number;
  readonly onIssue?: (c: IssuedCredentials) => void;
  /** Alibaba instances refuse reads without a session token. */
  readonly requireToken?: boolean;
  /** Makes the generated keys differ between simulators (default 0). */
  readonly seed?: number;
  readonly port?: number;
}

export interface SimulatedInstance {
  readonly instanceId: string;
  readonly cloud: MetadataCloud;
  /** No role: the role list answers 404, as for an instance without a RAM/CAM role. */
  readonly roleName?: string;
}

export interface MetadataSimulator {
  readonly url: string;
  /** Registers an instance; returns its metadata base URL. */
  addInstance(instance: SimulatedInstance): string;
  baseUrl(instanceId: string): string;
  /** Posts (epoch ms) or withdraws (undefined) the spot termination notice. */
  setSpotTermination(instanceId: string, at: number | undefined): void;
  /** An unavailable instance's metadata answers 503 to everything. */
  setAvailable(instanceId: string, available: boolean): void;
  issued(instanceId?: string): readonly IssuedCredentials[];
  /** Requests served, per instance (for asserting that a client backs off). */
  requestCount(instanceId: string): number;
  close(): Promise<void>;
}

interface InstanceState extends SimulatedInstance {
  spotAt: number | undefined;
  available: boolean;
  requests: number;
  issued: IssuedCredentials[];
}

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/;

export async function startMetadataSimulator(
  opts: MetadataSimulatorOptions = {},
): Promise<MetadataSimulator> {
  const svc = new MetadataService(opts);
  const server = createServer((req, res) => {
    svc.handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(e));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    addInstance: (i) => {
      svc.add(i);
      return `${url}/${i.instanceId}`;
    },
    baseUrl: (id) => `${url}/${svc.instance(id).instanceId}`,
    setSpotTermination: (id, at) => {
      svc.instance(id).spotAt = at;
    },
    setAvailable: (id, available) => {
      svc.instance(id).available = available;
    },
    issued: (id) => svc.issuedCredentials(id),
    requestCount: (id) => svc.instance(id).requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

class MetadataService {
  private readonly instances = new Map<string, InstanceState>();
  private readonly tokens = new Map<string, { instanceId: string; until: number }>();
  private readonly clock: Pick<Clock, 'now'>;
  private readonly ttl: number;
  private readonly rotateBefore: number;
  private serial = 0;

  constructor(private readonly opts: MetadataSimulatorOptions) {
    this.clock = opts.clock ?? { now: () => Date.now() };
    this.ttl = opts.credentialTtlMs ?? 6 * 60 * 60_000;
    this.rotateBefore = Math.min(opts.rotateBeforeMs ?? 30 * 60_000, this.ttl / 2);
  }

  add(i: SimulatedInstance): void {
    const issues = [];
    if (!ID_RE.test(i.instanceId)) issues.push({ path: 'instanceId', message: JSON.stringify(i.instanceId) });
    if (METADATA_LAYOUTS[i.cloud] === undefined)
      issues.push({ path: 'cloud', message: 'use alibaba or tencent' });
    if (i.roleName !== undefined && !ID_RE.test(i.roleName))
      issues.push({ path: 'roleName', message: 'letters, digits, hyphens' });
    if (this.instances.has(i.instanceId)) issues.push({ path: 'instanceId', message: 'already added' });
    if (issues.length > 0)
      throw new InvalidInputError('simulator.options-invalid', 'invalid simulated instance', issues);
    this.instances.set(i.instanceId, { ...i, spotAt: undefined, available: true, requests: 0, issued: [] });
  }

  instance(id: string): InstanceState {
    const i = this.instances.get(id);
    if (!i) {
      throw new InvalidInputError('simulator.options-invalid', 'unknown instance', [
        {
          path: 'instanceId',
          message: `${JSON.stringify(id)} was never added`,
          hint: 'call addInstance first',
        },
      ]);
    }
    return i;
  }

  issuedCredentials(id?: string): IssuedCredentials[] {
    if (id !== undefined) return [...this.instance(id).issued];
    return [...this.instances.values()].flatMap((i) => i.issued).sort((a, b) => a.issuedAt - b.issuedAt);
  }

  /** The credentials to hand out now, issuing the next set when the current one is due to rotate. */
  private current(i: InstanceState): IssuedCredentials {
    const now = this.clock.now();
    const last = i.issued.at(-1);
    if (last && now < last.expiresAt - this.rotateBefore) return last;
    const n = ++this.serial;
    const h = (what: string) =>
      createHash('sha256')
        .update(`${this.opts.seed ?? 0}:${i.instanceId}:${n}:${what}`)
        .digest('hex');
    const c: IssuedCredentials = {
      instanceId: i.instanceId,
      accessKeyId: `STS.sim${h('id').slice(0, 20)}`,
      accessKeySecret: h('secret').slice(0, 30),
      securityToken: `CAIS${h('token')}`,
      expiresAt: Math.floor((now + this.ttl) / 1000) * 1000,
      issuedAt: now,
    };
    i.issued.push(c);
    this.opts.onIssue?.(c);
    return c;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const text = (status: number, body = '') => {
      res.writeHead(status, { 'Content-Type': 'text/plain' }).end(body);
    };
    if (url.pathname.startsWith('/__admin/')) return this.admin(req, res, url.pathname);
    const slash = url.pathname.indexOf('/', 1);
    const i = this.instances.get(url.pathname.slice(1, slash < 0 ? undefined : slash));
    if (!i || slash < 0) return text(404);
    i.requests++;
    if (!i.available) return text(503, 'metadata service unavailable');
    const path = url.pathname.slice(slash);
    const layout = METADATA_LAYOUTS[i.cloud];
    if (layout.tokenPath !== undefined && path === layout.tokenPath) return this.issueToken(req, i, text);
    if (req.method !== 'GET') return text(405);
    if (i.cloud === 'alibaba' && !this.tokenAccepted(req, i))
      return text(401, 'invalid or missing metadata token');
    if (path === layout.instanceIdPath) return text(200, i.instanceId);
    if (path === layout.spotTerminationPath)
      return i.spotAt === undefined ? text(404) : text(200, formatSpotTermination(i.cloud, i.spotAt));
    if (path === layout.rolesPath) return i.roleName ? text(200, i.roleName) : text(404);
    if (i.roleName && path === `${layout.rolesPath}${i.roleName}`) {
      const c = this.current(i);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return void res.end(JSON.stringify(writeRoleCredentials(i.cloud, c, c.issuedAt)));
    }
    return text(404);
  }

  private issueToken(req: IncomingMessage, i: InstanceState, text: (s: number, b?: string) => void): void {
    if (req.method !== 'PUT') {
      text(405);
      return;
    }
    const ttl = Number(req.headers[TOKEN_TTL_HEADER]);
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TOKEN_TTL_SECONDS) {
      text(400, `${TOKEN_TTL_HEADER} must be 1-${MAX_TOKEN_TTL_SECONDS}`);
      return;
    }
    const token = createHash('sha256')
      .update(`${this.opts.seed ?? 0}:token:${++this.serial}`)
      .digest('base64url');
    this.tokens.set(token, { instanceId: i.instanceId, until: this.clock.now() + ttl * 1000 });
    text(200, token);
  }

  private tokenAccepted(req: IncomingMessage, i: InstanceState): boolean {
    const sent = req.headers[TOKEN_HEADER];
    if (sent === undefined) return !this.opts.requireToken;
    const t = typeof sent === 'string' ? this.tokens.get(sent) : undefined;
    return t !== undefined && t.instanceId === i.instanceId && this.clock.now() < t.until;
  }

  private async admin(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const json = (status: number, value: unknown) =>
      void res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(value));
    const m = /^\/__admin\/instances\/([^/]+)\/(spot-termination|available)$/.exec(path);
    const i = m ? this.instances.get(m[1]!) : undefined;
    if (req.method !== 'PUT' || !m || !i) return json(404, { error: { code: 'simulator.admin-invalid' } });
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      body = undefined;
    }
    const schema =
      m[2] === 'available'
        ? z.strictObject({ available: z.boolean() })
        : z.strictObject({ terminationTime: z.iso.datetime({ offset: true }).nullable() });
    const r = schema.safeParse(body);
    if (!r.success) {
      const issues = r.error.issues.map((x) => ({ path: x.path.join('.'), message: x.message }));
      return json(400, { error: { code: 'simulator.admin-invalid', issues } });
    }
    if ('available' in r.data) i.available = r.data.available;
    else i.spotAt = r.data.terminationTime === null ? undefined : Date.parse(r.data.terminationTime);
    return json(200, {
      instanceId: i.instanceId,
      available: i.available,
      spotTerminationTime: i.spotAt ?? null,
    });
  }
}
