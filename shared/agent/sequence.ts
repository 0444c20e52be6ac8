/**
 * Sequence numbers for adverts, reports and API heartbeats: one counter per agent that grows across
 * restarts. It starts at the clock in milliseconds, and the agent keeps a reservation in its state
 * directory (written once per {@link RESERVATION} numbers), so a restarted agent continues above
 * everything it sent before even when the clock stepped back or numbers were used faster than 1 per ms.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HavipError } from '../core/errors.js';

export const RESERVATION = 100_000;

export class SequenceSource {
  private reservedUpTo = 0;

  private constructor(
    private readonly file: string,
    private current: number,
  ) {
    this.reserve();
  }

  /** Opens the counter kept in `dir`; the first number is above the clock and above the last reservation. */
  static open(dir: string, now: number): SequenceSource {
    const file = join(dir, 'sequence');
    let stored = 0;
    try {
      const text = readFileSync(file, 'utf8').trim();
      if (/^[0-9]{1,16}$/.test(text)) stored = Number(text);
    } catch {
      // no state yet: the clock alone
    }
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw stateError(dir, e);
    }
    return new SequenceSource(file, Math.max(Math.floor(now), stored + 1));
  }

  next(): number {
    if (this.current > this.reservedUpTo) this.reserve();
    return this.current++;
  }

  private reserve(): void {
    const upTo = this.current + RESERVATION;
    try {
      writeFileSync(`${this.file}.tmp`, `${upTo}\n`, { mode: 0o600 });
      renameSync(`${this.file}.tmp`, this.file);
    } catch (e) {
      throw stateError(this.file, e);
    }
    this.reservedUpTo = upTo;
  }
}

function stateError(where: string, e: unknown): HavipError {
  return new HavipError(
    'agent.state',
    `cannot write the agent's state at ${where}: ${(e as NodeJS.ErrnoException).code ?? String(e)}; set stateDirectory to a directory the agent may write (the unit's StateDirectory=)`,
    { cause: e },
  );
}
