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
  body: { instanceId: string; sequence: number },
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
      reply = await postHeartbeat(this.deps.api, { instanceId, sequence: this.deps.nextSequence() });
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
        { status: reply.status },
        `no usable heartbeat reply (http=${reply.status}): left the addresses as they are`,
      );
      return;
    }
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

  private record(status: number | string): void {
    this.view = {
      ...this.view,
      lastStatus: status,
      lastBeatAt: new Date(this.deps.timers.now()).toISOString(),
    };
  }
}
