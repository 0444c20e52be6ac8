/** Shared pieces of the HTTP API tests: credentials, a manual clock, request builders and service fakes. */

import { signRequest } from '../../shared/app/http/auth.js';
import type { AuthConfig } from '../../shared/app/http/credentials.js';
import type { HeartbeatReply } from '../../shared/app/service.js';
import { Service } from '../../shared/app/service.js';
import type { ReconcileResult } from '../../shared/core/engine.js';
import { groupName } from '../../shared/core/model.js';
import type { Clock } from '../../shared/core/ports.js';

export const TOKEN = 'test-token-0123456789abcdef';
export const HMAC_ID = 'agent-key';
export const HMAC_SECRET = 'hmac-secret-0123456789abcdef';

export const AUTH: AuthConfig = {
  tokens: [{ name: 'ops', token: TOKEN }],
  hmacKeys: [{ id: HMAC_ID, secret: HMAC_SECRET }],
  hmacWindowSeconds: 300,
};

/** A clock that moves only when the test says so. */
export class TestClock implements Clock {
  constructor(public time = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.time;
  }
  async sleep(ms: number): Promise<void> {
    this.time += ms;
  }
}

export function bearer(token = TOKEN): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

/** A JSON POST with a bearer token. */
export function post(body: unknown, headers: Record<string, string> = bearer()): RequestInit {
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

/** A request signed with the test HMAC key at `now` (epoch ms), with a fresh nonce unless one is given. */
export function signed(
  method: string,
  path: string,
  now: number,
  body?: string,
  key: { id: string; secret: string } = { id: HMAC_ID, secret: HMAC_SECRET },
  nonce?: string,
): RequestInit {
  const headers: Record<string, string> = {
    ...signRequest({ keyId: key.id, secret: key.secret, method, path, body, now, nonce }),
  };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return { method, headers, ...(body !== undefined ? { body } : {}) };
}

export function resultOf(
  status: ReconcileResult['status'],
  extra: Partial<ReconcileResult> = {},
): ReconcileResult {
  return {
    group: groupName('web'),
    trigger: 'manual',
    status,
    decision: undefined,
    steps: [],
    epoch: undefined,
    holderBefore: undefined,
    health: [],
    durationMs: 0,
    ...extra,
  };
}

/**
 * A Service whose every operation throws: requests that must be refused before reaching the service
 * (auth, validation, limits) prove it by getting their 4xx rather than a 500, and `calls` stays 0.
 */
export class TripwireService extends Service {
  calls = 0;
  constructor() {
    super(undefined as never);
  }
  protected trip(): never {
    this.calls++;
    throw new Error('the service must not be reached');
  }
  override listGroups(): ReturnType<Service['listGroups']> {
    return this.trip();
  }
  override getGroup(): ReturnType<Service['getGroup']> {
    return this.trip();
  }
  override plan(): ReturnType<Service['plan']> {
    return this.trip();
  }
  override failover(
    _name: string,
    _req: Parameters<Service['failover']>[1],
  ): ReturnType<Service['failover']> {
    return this.trip();
  }
  override setDrain(): ReturnType<Service['setDrain']> {
    return this.trip();
  }
  override heartbeat(_req: Parameters<Service['heartbeat']>[0]): ReturnType<Service['heartbeat']> {
    return this.trip();
  }
  override report(): ReturnType<Service['report']> {
    return this.trip();
  }
  override history(): ReturnType<Service['history']> {
    return this.trip();
  }
  override validateLive(): ReturnType<Service['validateLive']> {
    return this.trip();
  }
}

/** A Service that records manual requests and answers with a fixed result (for auth and mapping tests). */
export class RecordingService extends TripwireService {
  readonly failovers: Parameters<Service['failover']>[1][] = [];
  readonly heartbeats: Parameters<Service['heartbeat']>[0][] = [];
  next: ReconcileResult = resultOf('done');
  override listGroups(): ReturnType<Service['listGroups']> {
    return [{ name: groupName('web'), region: 'cn-hangzhou', haVipId: 'havip-x', members: 2 }];
  }
  override async failover(_name: string, req: Parameters<Service['failover']>[1]): Promise<ReconcileResult> {
    this.failovers.push(req);
    return this.next;
  }
  override async heartbeat(req: Parameters<Service['heartbeat']>[0]): Promise<HeartbeatReply> {
    this.heartbeats.push(req);
    return { accepted: true, holds: [], groups: [groupName('web')] };
  }
}
