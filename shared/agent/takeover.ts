/**
 * The data-plane duty after each usable heartbeat reply (docs/agent.md, "Heartbeats to the API and the
 * data plane"): configure and announce every held address, announce again every refresh interval
 * (keepalived's garp_master_refresh), put back an address someone removed, and withdraw — only — the
 * addresses this agent added itself once they are no longer held. What it added is kept in the state
 * directory, so a restarted agent still knows which addresses are its own.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../core/ports.js';
import type { DataPlane } from './dataplane.js';
import type { Timers } from './timers.js';

export interface TakeoverOptions {
  readonly dataPlane: DataPlane;
  /** Fixed interface; by default the interface of the default route. */
  readonly interface?: string | undefined;
  readonly garpCount: number;
  readonly refreshMs: number;
  readonly stateDirectory: string;
  readonly timers: Timers;
  readonly logger: Logger;
}

export class Takeover {
  /** Address → interface, for addresses this agent added (persisted). */
  private readonly owned: Map<string, string>;
  /** Address → interface, held after the last usable reply. */
  private held = new Map<string, string>();
  private readonly announcedAt = new Map<string, number>();
  private readonly announcing = new Map<string, Promise<void>>();
  private readonly file: string;

  constructor(private readonly opts: TakeoverOptions) {
    mkdirSync(opts.stateDirectory, { recursive: true, mode: 0o700 });
    this.file = join(opts.stateDirectory, 'owned.json');
    this.owned = loadOwned(this.file);
  }

  /** Applies the set of held addresses from one usable reply. */
  async apply(addresses: readonly string[]): Promise<void> {
    const wanted = new Set(addresses);
    await this.withdraw(wanted);
    const held = new Map<string, string>();
    let dev: string | undefined | null = null; // null: not resolved yet in this pass
    for (const address of wanted) {
      let at = this.held.get(address) ?? this.owned.get(address);
      if (at === undefined) {
        if (dev === null) dev = await this.resolveInterface();
        if (dev === undefined) continue;
        at = dev;
      }
      held.set(address, at);
      const configured = await this.ensureConfigured(address, at);
      if (configured === 'failed') continue;
      // Just became the holder, or just put the address back: announce now.
      const fresh = !this.held.has(address) || configured === 'added';
      const last = this.announcedAt.get(address);
      const now = this.opts.timers.now();
      if (fresh || last === undefined || now < last || now - last >= this.opts.refreshMs)
        this.announce(address, at);
    }
    this.held = held;
  }

  /** Waits for announcements in flight (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all(this.announcing.values());
  }

  snapshot(): { held: string[]; owned: string[] } {
    return {
      held: [...this.held].map(([a, d]) => `${d} ${a}`),
      owned: [...this.owned].map(([a, d]) => `${d} ${a}`),
    };
  }

  private async withdraw(wanted: ReadonlySet<string>): Promise<void> {
    const { dataPlane, logger } = this.opts;
    for (const [address, dev] of [...this.owned]) {
      if (wanted.has(address)) continue;
      try {
        if (!(await dataPlane.isConfigured(address, dev))) {
          logger.info(
            { address, dev },
            `${address}/32 is no longer on ${dev} (removed by someone else); forgetting it`,
          );
        } else {
          await dataPlane.remove(address, dev);
          logger.info({ address, dev }, `withdrew ${address}/32 from ${dev}`);
        }
        this.owned.delete(address);
        this.saveOwned();
      } catch (e) {
        logger.warn(
          { address, dev, error: String(e) },
          `cannot remove ${address}/32 from ${dev}; will retry on the next beat`,
        );
      }
    }
    for (const [address, dev] of this.held) {
      if (wanted.has(address)) continue;
      this.announcedAt.delete(address);
      if (this.owned.has(address)) continue;
      const configured = await dataPlane.isConfigured(address, dev).catch(() => false);
      if (configured)
        logger.info(
          { address, dev },
          `no longer holds ${address}; left it on ${dev} (not configured by havip-agent)`,
        );
    }
  }

  private async resolveInterface(): Promise<string | undefined> {
    if (this.opts.interface !== undefined) return this.opts.interface;
    const dev = await this.opts.dataPlane.defaultInterface().catch(() => undefined);
    if (dev === undefined)
      this.opts.logger.warn({}, 'no default route to pick the interface from: set takeover.interface');
    return dev;
  }

  /** Puts the address on `dev` unless it is there. */
  private async ensureConfigured(address: string, dev: string): Promise<'present' | 'added' | 'failed'> {
    const { dataPlane, logger } = this.opts;
    try {
      if (await dataPlane.isConfigured(address, dev)) return 'present';
      // /32: no connected route and no change to source address selection.
      await dataPlane.add(address, dev);
    } catch (e) {
      logger.warn(
        { address, dev, error: String(e) },
        `cannot configure ${address}/32 on ${dev}; will retry on the next beat`,
      );
      return 'failed';
    }
    // Recorded right after the change, so the agent never forgets it owns the address.
    this.owned.set(address, dev);
    this.saveOwned();
    logger.info({ address, dev }, `configured ${address}/32 on ${dev}`);
    return 'added';
  }

  private announce(address: string, dev: string): void {
    if (this.announcing.has(address)) return;
    const { dataPlane, logger, garpCount, timers } = this.opts;
    const started = timers.now();
    const run = dataPlane
      .announce(address, dev, garpCount)
      .then(
        (how) => {
          this.announcedAt.set(address, started);
          logger.info({ address, dev }, `announced ${address} on ${dev} (${how})`);
        },
        (e) => logger.warn({ address, dev, error: String(e) }, `cannot announce ${address} on ${dev}`),
      )
      .finally(() => this.announcing.delete(address));
    this.announcing.set(address, run);
  }

  private saveOwned(): void {
    const text = `${JSON.stringify([...this.owned].map(([address, dev]) => ({ address, dev })))}\n`;
    try {
      writeFileSync(`${this.file}.tmp`, text, { mode: 0o600 });
      renameSync(`${this.file}.tmp`, this.file);
    } catch (e) {
      // Still known in memory; only a restart before the next successful write would forget it.
      this.opts.logger.error(
        { file: this.file, error: String(e) },
        'cannot record the addresses this agent added',
      );
    }
  }
}

function loadOwned(file: string): Map<string, string> {
  try {
    const list = JSON.parse(readFileSync(file, 'utf8')) as { address: string; dev: string }[];
    return new Map(
      list
        .filter((e) => typeof e?.address === 'string' && typeof e?.dev === 'string')
        .map((e) => [e.address, e.dev]),
    );
  } catch {
    return new Map();
  }
}
