/**
 * The UDP side: one socket on the member's own address; every interval one advert per group, unicast to
 * each peer (a VPC carries no multicast: keepalived's `unicast_peer`); every datagram received goes
 * through the admission checks, and what fails is counted and logged at a bounded rate.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { Logger } from '../core/ports.js';
import type { AdvertAdmission } from './admission.js';
import { type Advert, encodeAdvert } from './advert.js';
import type { DropCounters } from './drops.js';
import type { Timers } from './timers.js';

export interface TransportGroup {
  readonly name: string;
  readonly key: Uint8Array;
  readonly peers: readonly { readonly id: string; readonly host: string; readonly port: number }[];
}

export interface TransportDeps {
  readonly self: string;
  readonly bind: { readonly address: string; readonly port: number };
  readonly groups: readonly TransportGroup[];
  readonly admission: AdvertAdmission;
  readonly drops: DropCounters;
  readonly timers: Timers;
  readonly logger: Logger;
  readonly nextSequence: () => number;
  readonly ownState: () => { checks: Advert['checks']; draining: boolean };
  readonly onAdvert: (a: Advert) => void;
}

const SEND_ERROR_LOG_MS = 30_000;

export class AdvertTransport {
  private socket: Socket | undefined;
  private sendErrors = 0;
  private lastSendErrorLog = -Infinity;
  private received = 0;

  constructor(private readonly deps: TransportDeps) {}

  async start(): Promise<void> {
    const socket = createSocket({ type: 'udp4' });
    socket.on('message', (msg, rinfo) => this.receive(msg, rinfo.address));
    socket.on('error', (e) => this.deps.logger.error({ error: e.message }, 'advert socket error'));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.deps.bind.port, this.deps.bind.address, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    this.socket = socket;
  }

  /** Sends this interval's adverts (one sequence per group, to every peer of it). */
  advertise(): void {
    const socket = this.socket;
    if (socket === undefined) return;
    const state = this.deps.ownState();
    const sentAt = this.deps.timers.now();
    for (const g of this.deps.groups) {
      const advert: Advert = {
        group: g.name,
        sender: this.deps.self,
        sequence: this.deps.nextSequence(),
        sentAt,
        ...state,
      };
      const datagram = encodeAdvert(advert, g.key);
      for (const p of g.peers) socket.send(datagram, p.port, p.host, (e) => e && this.sendFailed(p.id, e));
    }
  }

  counters(): { received: number; sendErrors: number } {
    return { received: this.received, sendErrors: this.sendErrors };
  }

  async stop(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket !== undefined) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  private receive(datagram: Buffer, source: string): void {
    this.received++;
    const now = this.deps.timers.now();
    const verdict = this.deps.admission.admit(datagram, source, now);
    if (verdict.ok) {
      this.deps.onAdvert(verdict.advert);
      return;
    }
    const line = this.deps.drops.count(verdict.reason, source, verdict.detail, now);
    if (line !== undefined)
      this.deps.logger.warn(
        {
          reason: line.reason,
          source: line.source,
          detail: line.detail,
          since: line.count,
          total: line.total,
        },
        `dropped a datagram: ${line.reason}`,
      );
  }

  private sendFailed(peer: string, e: Error): void {
    this.sendErrors++;
    const now = this.deps.timers.now();
    if (now - this.lastSendErrorLog < SEND_ERROR_LOG_MS) return;
    this.lastSendErrorLog = now;
    this.deps.logger.warn({ peer, error: e.message, total: this.sendErrors }, 'cannot send an advert');
  }
}
