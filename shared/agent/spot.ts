/**
 * Spot (preemptible) instances: the metadata service publishes a termination time a few minutes before
 * the instance is released. The agent polls it and, once a notice appears, asks the orchestrator to
 * drain this member (a `spot-termination` report in every group) and sets the drain flag in its adverts.
 */
import type { MetadataClient } from '../adapters/metadata/index.js';
import type { Logger } from '../core/ports.js';
import { every, type Timers } from './timers.js';

/** Reads the termination notice: the termination time, or undefined while there is none. */
export interface SpotNotice {
  check(): Promise<string | undefined>;
}

/**
 * The notice as the metadata client reads it (404 = none; another failure throws, and the watcher tries
 * again next time), as an ISO 8601 time.
 */
export function metadataSpotNotice(client: Pick<MetadataClient, 'spotTerminationTime'>): SpotNotice {
  return {
    async check() {
      const at = await client.spotTerminationTime();
      return at === undefined ? undefined : new Date(at).toISOString();
    },
  };
}

/** Polls `notice` every `intervalMs` until a notice appears, then calls `onNotice` once and stops. */
export function watchSpot(
  notice: SpotNotice,
  intervalMs: number,
  deps: { timers: Timers; logger: Logger; onNotice: (terminationTime: string) => void },
): () => void {
  let failures = 0;
  let seen = false;
  const stop = every(
    deps.timers,
    intervalMs,
    () => {
      if (seen) return;
      notice.check().then(
        (time) => {
          if (time === undefined || seen) return;
          seen = true;
          stop();
          deps.logger.warn({ terminationTime: time }, 'spot termination notice: asking to drain this member');
          deps.onNotice(time);
        },
        (e) => {
          failures++;
          if (failures === 1 || failures % 60 === 0)
            deps.logger.warn({ error: String(e), failures }, 'cannot read the spot termination notice');
        },
      );
    },
    0,
  );
  return stop;
}
