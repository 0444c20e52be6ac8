/**
 * What both simulators' admin APIs (`/__admin/…`) share: the request and route shapes, the read-only
 * views (state, stats, events), settle, the fault-switch answer, and the 404 for an unknown route. Each
 * simulator adds its fault switches (their codes and transition kinds differ) and its operator actions.
 */
import type { ErrorCode } from '../../../core/errors.js';

/** What the shared routes need of a simulator. */
export interface AdminViews {
  snapshot(): unknown;
  stats(): unknown;
  resetStats(): void;
  recentEvents(): unknown;
  settle(): Promise<void>;
  readonly faults: { config(): unknown; reset(): void };
}

/** One admin request: the simulator, the raw body, and `route` (`POST /__admin/…`) for error messages. */
export interface AdminCall<C> {
  readonly cloud: C;
  readonly body: Buffer;
  readonly route: string;
}

/** A route answers 200 with what it returns. */
export type AdminRoute<C> = (c: AdminCall<C>) => unknown;

/** An admin answer: the HTTP status and the JSON body. */
export interface AdminReply {
  readonly status: number;
  readonly body: unknown;
}

/** A fault switch: applies the change, then answers the faults now in force. */
export const faultRoute =
  <C extends AdminViews>(apply: (c: AdminCall<C>) => void): AdminRoute<C> =>
  (c) => {
    apply(c);
    return { ok: true, faults: c.cloud.faults.config() };
  };

/** The routes without an id or a fault setting, by `METHOD /path` (below `/__admin`). */
export function viewRoutes<C extends AdminViews>(): [string, AdminRoute<C>][] {
  return [
    ['GET /state', ({ cloud }) => cloud.snapshot()],
    ['GET /stats', ({ cloud }) => cloud.stats()],
    [
      'POST /stats/reset',
      ({ cloud }) => {
        cloud.resetStats();
        return { ok: true };
      },
    ],
    ['GET /events', ({ cloud }) => ({ events: cloud.recentEvents() })],
    [
      'POST /settle',
      async ({ cloud }) => {
        await cloud.settle();
        return { ok: true };
      },
    ],
    ['GET /faults', ({ cloud }) => cloud.faults.config()],
    ['POST /faults/reset', faultRoute<C>(({ cloud }) => cloud.faults.reset())],
  ];
}

/** The 404 for a path that is no admin route, pointing at the simulator's documentation. */
export function notAnAdminRoute(route: string, doc: string): AdminReply {
  return {
    status: 404,
    body: {
      error: {
        code: 'simulator.admin-not-found' satisfies ErrorCode,
        message: `${route} is not an admin route; see ${doc}`,
      },
    },
  };
}
