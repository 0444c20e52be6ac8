/**
 * Spot (preemptible) instances: the metadata service publishes a termination time a few minutes before
 * the instance is released. The agent polls it and, once a notice appears, asks the orchestrator to
 * drain this member (a `spot-termination` report in every group) and sets the drain flag in its adverts.
 */
import type { Logger } from '../core/ports.js';
import { every, type Timers } from './timers.js';

/** Reads the termination notice: the termination time, or undefined while there is none. */
export interface SpotNotice {
  check(): Promise<string | undefined>;
}

/** Where each cloud's metadata service publishes the notice (404 while there is none). */
export const SPOT_NOTICE_URLS = {
  alibaba: 'http://100.100.100.200/latest/meta-data/instance/spot/termination-time',
  tencent: 'http://metadata.tencentyun.com/latest/meta-data/spot/termination-time',
} as const;

/**
 * A minimal reader over HTTP: 200 with a body is a notice, 404 is none, anything else is an error (the
 * watcher tries again next time). The metadata client of shared/adapters/metadata can stand in for it.
 */
export function httpSpotNotice(url: string, fetchImpl: typeof fetch = fetch): SpotNotice {
  return {
    async check() {
      const res = await fetchImpl(url, { signal: AbortSignal.timeout(2_000) });
      const text = (await res.text()).trim();
      if (res.status === 404) return undefined;
      if (res.status !== 200) throw new Error(`the metadata service answered HTTP ${res.status}`);
      return text === '' ? undefined : text.slice(0, 64);
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
