/**
 * The JSON bodies the API answers with, one per route (docs/http-api.md). The routes build them, so they
 * cannot drift from what is sent; clients (the CLI) import them type-only. Every non-2xx answer is an
 * {@link ErrorBody} instead — except the routes that answer with a reconcile result, whose 409/502/504
 * still carry the result. Fields that are `undefined` are absent from the JSON.
 */
import type { ReconcileResult } from '../../core/engine.js';
import type { Finding, GroupName } from '../../core/model.js';
import type { GroupStatus, GroupSummary, HeartbeatReply, HistoryView } from '../service.js';

export type { GroupStatus, GroupSummary, HeartbeatReply, HistoryView, MemberStatus } from '../service.js';
export type { ErrorBody } from './errors.js';
export type { ReconcileResult };

/** `GET /v1/groups`. */
export interface GroupListResponse {
  readonly groups: readonly GroupSummary[];
}

/** `GET /v1/groups/:name`: the status with the automatic plan of the group now. */
export type GroupStatusResponse = GroupStatus;

/** `POST /v1/groups/:name/plan` and `POST /v1/groups/:name/failover`. */
export type ResultResponse = ReconcileResult;

/** `POST /v1/members/:id/drain` and `/undrain`: the signal recorded, and a reconcile of each group. */
export interface DrainResponse {
  readonly member: string;
  readonly draining: boolean;
  readonly groups: readonly GroupName[];
  readonly results: readonly ReconcileResult[];
}

/** `POST /v1/validate`. */
export interface ValidateResponse {
  readonly findings: readonly Finding[];
  readonly errors: number;
  readonly warnings: number;
}

/** `POST /v1/heartbeats`. */
export type HeartbeatResponse = HeartbeatReply;

/** `GET /v1/history`. */
export interface HistoryResponse {
  readonly history: readonly HistoryView[];
}
