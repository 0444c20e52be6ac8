/**
 * Heartbeats to the orchestrator's HTTP API (`POST /v1/heartbeats`), signed like every API request (a
 * bearer token or the HMAC scheme of shared/app/http/auth.ts), every `normalMs`, and every `fastMs` for a
 * while after a change the agent saw, so a new holder learns of its promotion within a second. The reply
 * says which addresses this member holds; only a usable reply ever changes the data plane.
 */
import { z } from 'zod';
import { signRequest } from '../app/http/auth.js';
import type { Logger } from '../core/ports.js';
import { IPV4_RE } from './config.js';
import { describeFetchError } from './sinks.js';
import type { Takeover } from './takeover.js';
import type { Timers } from './timers.js';

export type ApiCredentials =
  | { readonly kind: 'bearer'; readonly token: string }
  | { readonly kind: 'hmac'; readonly keyId: string; readonly secret: string };

export interface ApiClientOptions {
  readonly endpoint: string;
  readonly credentials: ApiCredentials;
  readonly timeoutMs: number;
  readonly now: () => number;
  readonly fetch?: typeof fetch;
}

/** Posts one heartbeat; resolves with the HTTP status and the parsed body (undefined if not JSON). */
export async function postHeartbeat(
  opts: ApiClientOptions,
  body: { instanceId: string; sequence?: number | undefined },
): Promise<{ status: number; body: unknown }> {
  const url = `${opts.endpoint.replace(/\/+$/, '')}/v1/heartbeats`;
  const text = JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  const c = opts.credentials;
  if (c.kind === 'bearer') headers.authorization = `Bearer ${c.token}`;
  else {
    // The server signs over the path it sees, which includes any base path of the endpoint.
    const path = new URL(url).pathname;
    Object.assign(
      headers,
      signRequest({ keyId: c.keyId, secret: c.secret, method: 'POST', path, body: text, now: opts.now() }),
    );
  }
  const res = await (opts.fetch ?? fetch)(url, {
    method: 'POST',
    headers,
    body: text,
    signal: AbortSignal.timeout(opts.timeoutMs),
  });
  const raw = await res.text();
  let parsed: unknown;
  try {
    parsed = raw === '' ? undefined : JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed };
}

const ErrorReplySchema = z.looseObject({
  error: z.looseObject({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.looseObject({ path: z.string() })).optional(),
  }),
});

/** The API's error code and message of a non-200 reply, for the log (empty when it has none). */
function errorOf(body: unknown): { code?: string; message?: string } {
  const r = ErrorReplySchema.safeParse(body);
  return r.success ? { code: r.data.error.code, message: r.data.error.message } : {};
}

/** The API refused the heartbeat's sequence: it is further ahead of the server clock than allowed. */
export function refusesSequence(reply: { status: number; body: unknown }): boolean {
  const r = ErrorReplySchema.safeParse(reply.body);
  return (
    reply.status === 400 &&
    r.success &&
    r.data.error.code === 'request.invalid' &&
    (r.data.error.issues ?? []).some((i) => i.path === 'sequence')
  );
}

const ReplySchema = z.looseObject({
  accepted: z.boolean(),
  holds: z.array(z.looseObject({ group: z.string(), address: z.string().regex(IPV4_RE).optional() })),
});

/** The held addresses of a 200 reply, or why the reply cannot be acted on. */
export function heldAddresses(body: unknown): { ok: true; addresses: string[] } | { ok: false; why: string } {
  const r = ReplySchema.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0];
    return { ok: false, why: `${issue?.path.join('.') || 'reply'}: ${issue?.message ?? 'unexpected shape'}` };
  }
  const addresses = [...new Set(r.data.holds.flatMap((h) => (h.address === undefined ? [] : [h.address])))];
  return { ok: true, addresses };
}

export interface HeartbeatLoopDeps {
  readonly instanceId: string;
  readonly api: ApiClientOptions;
  readonly normalMs: number;
  readonly fastMs: number;
  readonly fastForMs: number;
  readonly nextSequence: () => number;
  readonly timers: Timers;
  readonly logger: Logger;
  /** Undefined with `takeover.mode: off`: heartbeats only. */
  readonly takeover: Takeover | undefined;
}

export interface HeartbeatView {
  readonly lastStatus: number | string | undefined;
  readonly lastBeatAt: string | undefined;
  readonly holds: readonly string[];
  readonly fast: boolean;
}

export class HeartbeatLoop {
  private cancel: (() => void) | undefined;
  private nextAt = 0;
  private fastUntil = 0;
  private beating = false;
  private stopped = false;
  private view: HeartbeatView = { lastStatus: undefined, lastBeatAt: undefined, holds: [], fast: false };
  /** Conditions logged when they start and when they end, not on every beat. */
  private sequenceRefused = false;
  private notAccepted = false;

  constructor(private readonly deps: HeartbeatLoopDeps) {}

  start(): void {
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    this.cancel?.();
  }

  /** Something changed: beat fast for a while, starting within one fast period. */
  hurry(): void {
    const now = this.deps.timers.now();
    this.fastUntil = now + this.deps.fastForMs;
    if (!this.beating && this.nextAt > now + this.deps.fastMs) this.schedule(this.deps.fastMs);
  }

  snapshot(): HeartbeatView {
    return { ...this.view, fast: this.deps.timers.now() < this.fastUntil };
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.cancel?.();
    this.nextAt = this.deps.timers.now() + delayMs;
    this.cancel = this.deps.timers.after(delayMs, () => void this.beat());
  }

  private async beat(): Promise<void> {
    this.beating = true;
    const started = this.deps.timers.now();
    try {
      await this.beatOnce();
    } catch (e) {
      // A bug must cost one beat, not the loop (an unhandled rejection would end the process).
      this.deps.logger.error({ error: String(e) }, 'heartbeat failed unexpectedly');
    } finally {
      this.beating = false;
    }
    const period = this.deps.timers.now() < this.fastUntil ? this.deps.fastMs : this.deps.normalMs;
    this.schedule(Math.max(0, started + period - this.deps.timers.now()));
  }

  /** One heartbeat and the takeover it calls for. */
  async beatOnce(): Promise<void> {
    const { instanceId, logger } = this.deps;
    let reply: { status: number; body: unknown };
    try {
      reply = await this.post();
    } catch (e) {
      this.record('unreachable');
      logger.warn(
        { error: describeFetchError(e) },
        'heartbeat not delivered: left the addresses as they are',
      );
      return;
    }
    this.record(reply.status);
    if (reply.status === 404) {
      logger.warn(
        { status: 404 },
        `${instanceId} is not in the topology: holds nothing; left the addresses as they are`,
      );
      return;
    }
    if (reply.status !== 200) {
      // A control-plane outage must not flap the data plane: the last holder keeps serving.
      logger.warn(
        { status: reply.status, ...errorOf(reply.body) },
        `no usable heartbeat reply (http=${reply.status}): left the addresses as they are`,
      );
      return;
    }
    this.noteAccepted(reply.body);
    const held = heldAddresses(reply.body);
    if (!held.ok) {
      logger.warn(
        { why: held.why },
        `unusable heartbeat reply (${held.why}); left the addresses as they are`,
      );
      return;
    }
    this.view = { ...this.view, holds: held.addresses };
    await this.deps.takeover?.apply(held.addresses);
  }

  /**
   * Posts the beat with the next sequence. When the API refuses the sequence (it is more than the allowed
   * skew ahead of the server clock: this host's clock, or the counter kept in the state directory, is
   * ahead), the error is logged once and the beat is sent again without a sequence, which the server
   * orders by its own clock: a wrong clock is reported, never turned into a silent member.
   */
  private async post(): Promise<{ status: number; body: unknown }> {
    const { instanceId, api, logger } = this.deps;
    const reply = await postHeartbeat(api, { instanceId, sequence: this.deps.nextSequence() });
    const refused = refusesSequence(reply);
    if (refused !== this.sequenceRefused) {
      this.sequenceRefused = refused;
      if (refused)
        logger.error(
          errorOf(reply.body),
          'the API refused the heartbeat sequence (ahead of the server clock): sending heartbeats without a sequence until it accepts one again; check this host clock (NTP)',
        );
      else logger.info({}, 'the API accepts the heartbeat sequence again');
    }
    return refused ? postHeartbeat(api, { instanceId }) : reply;
  }

  /** A 200 with `accepted: false`: the orchestrator holds a newer heartbeat for this instance. */
  private noteAccepted(body: unknown): void {
    const accepted = (body as { accepted?: unknown } | undefined)?.accepted;
    const notAccepted = accepted === false;
    if (notAccepted === this.notAccepted) return;
    this.notAccepted = notAccepted;
    if (notAccepted)
      this.deps.logger.warn(
        {},
        `the API answers accepted: false: it holds a newer heartbeat sequence for ${this.deps.instanceId} than this agent sends (another sender posts for it, or this agent's state directory was lost)`,
      );
    else this.deps.logger.info({}, 'the API accepts this agent heartbeats again');
  }

  private record(status: number | string): void {
    this.view = {
      ...this.view,
      lastStatus: status,
      lastBeatAt: new Date(this.deps.timers.now()).toISOString(),
    };
  }
}
