/**
 * Watches every peer of every group: applies valid adverts to the liveness table (liveness.ts) and keeps
 * one timer armed for the earliest deadline, so a peer is declared silent within milliseconds of its
 * interval × dead factor passing.
 */
import type { Advert } from './advert.js';
import {
  type Advertised,
  deadline,
  expire,
  heard,
  type PeerRecord,
  type PeerState,
  resumed,
  watchPeer,
} from './liveness.js';
import type { Timers } from './timers.js';

export interface PeerEvents {
  silent(group: string, peer: string, lastSeenAt: number | undefined): void;
  recovered(group: string, peer: string): void;
  /** A peer's advertised state changed, or it was heard for the first time. */
  changed(group: string, peer: string): void;
  /** The agent's own timers ran this late: it was frozen or starved, so silence is not judged yet. */
  stalled?(lateMs: number): void;
}

export interface PeerView {
  readonly group: string;
  readonly id: string;
  readonly state: PeerState;
  readonly lastSeenAt: string | undefined;
  readonly advertised: Advertised | undefined;
}

const keyOf = (group: string, peer: string) => `${group}\n${peer}`;

export class PeerMonitor {
  private readonly records = new Map<string, { group: string; peer: string; rec: PeerRecord }>();
  private cancelTimer: (() => void) | undefined;
  private armedFor: number | undefined;

  constructor(
    private readonly groups: readonly {
      readonly name: string;
      readonly peers: readonly { readonly id: string }[];
    }[],
    private readonly deadMs: number,
    private readonly timers: Timers,
    private readonly events: PeerEvents,
    /** A timer this late means the agent itself was stalled (default: one dead interval). */
    private readonly stallMs = deadMs,
  ) {}

  start(): void {
    const now = this.timers.now();
    for (const g of this.groups)
      for (const p of g.peers)
        this.records.set(keyOf(g.name, p.id), { group: g.name, peer: p.id, rec: watchPeer(now) });
    this.arm();
  }

  stop(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  heard(advert: Advert): void {
    const entry = this.records.get(keyOf(advert.group, advert.sender));
    if (entry === undefined) return;
    const next = heard(entry.rec, this.timers.now(), { checks: advert.checks, draining: advert.draining });
    entry.rec = next.rec;
    for (const e of next.events) {
      if (e.kind === 'recovered') this.events.recovered(entry.group, entry.peer);
      else this.events.changed(entry.group, entry.peer);
    }
    if (this.armedFor === undefined) this.arm();
  }

  snapshot(): PeerView[] {
    return [...this.records.values()].map(({ group, peer, rec }) => ({
      group,
      id: peer,
      state: rec.state,
      lastSeenAt: rec.lastSeenAt === undefined ? undefined : new Date(rec.lastSeenAt).toISOString(),
      advertised: rec.advertised,
    }));
  }

  private expireDue(): void {
    const now = this.timers.now();
    for (const entry of this.records.values()) {
      const { rec, event } = expire(entry.rec, now, this.deadMs);
      entry.rec = rec;
      if (event?.kind === 'silent') this.events.silent(entry.group, entry.peer, event.lastSeenAt);
    }
  }

  private resume(lateMs: number): void {
    const now = this.timers.now();
    for (const entry of this.records.values()) entry.rec = resumed(entry.rec, now);
    this.events.stalled?.(lateMs);
  }

  private arm(): void {
    this.cancelTimer?.();
    const due = [...this.records.values()]
      .map((e) => deadline(e.rec, this.deadMs))
      .filter((d): d is number => d !== undefined);
    if (due.length === 0) {
      this.cancelTimer = undefined;
      this.armedFor = undefined;
      return;
    }
    const at = Math.min(...due);
    this.armedFor = at;
    this.cancelTimer = this.timers.after(at - this.timers.now(), () => {
      const late = this.timers.now() - at;
      // One more turn of the event loop first: adverts that arrived while this process could not run
      // are still unread in the socket, and must count before anyone is called silent.
      this.cancelTimer = this.timers.after(0, () => {
        if (late >= this.stallMs) this.resume(late);
        else this.expireDue();
        this.arm();
      });
    });
  }
}
