/**
 * What the middlewares hand to the routes, and the few helpers every route uses to read it: the caller's
 * identity, the (already bounded) body parsed against a schema, and a reconcile result as the answer.
 */
import type { Context } from 'hono';
import type { ReconcileResult } from '../../core/engine.js';
import type { Principal } from './auth.js';
import { publicResult, statusForResult } from './errors.js';
import { parseJsonBody } from './schemas.js';

/** Per-request values the middlewares hand to the routes. */
export interface HttpEnv {
  Variables: {
    requestId: string;
    principal: Principal | undefined;
    body: Uint8Array;
  };
}

export type HttpContext = Context<HttpEnv>;

/** The authenticated caller's name: it is journaled as the actor of what the request does. */
export const actorOf = (c: HttpContext): string => c.get('principal')!.id;

/** The request body parsed against `schema`; `undefined` only when `optional` and the body is empty. */
export const bodyOf = <S extends Parameters<typeof parseJsonBody>[2]>(
  c: HttpContext,
  schema: S,
  optional = false,
) => parseJsonBody(c.get('body'), c.req.header('content-type'), schema, { optional });

/** A reconcile result as the answer, with the status it maps to. */
export const resultResponse = (c: HttpContext, r: ReconcileResult) =>
  c.json(publicResult(r, c.get('requestId')), statusForResult(r));

/** The invocation id of what this request starts, tied to its request id for the logs. */
export const invocationIdOf = (c: HttpContext): string => `http-${c.get('requestId')}`;
