/**
 * What the middlewares hand to the routes, and the few helpers every route uses to read it: the caller's
 * identity, the (already bounded) body parsed against a schema, a sender's sequence checked against the
 * server clock, and a reconcile result as the answer.
 */
import type { Context } from 'hono';
import type { ReconcileResult } from '../../core/engine.js';
import { InvalidInputError } from '../../core/errors.js';
import { MAX_SEQUENCE_SKEW_MS } from '../../core/signals.js';
import type { Principal } from './authenticator.js';
import { publicResult, statusForResult } from './errors.js';
import { parseJsonBody } from './schemas.js';

export interface HttpEnv {
  /**
   * What the entry point passes to `app.fetch(request, env)`. Only a trusted adapter sets `requestId`
   * (the FC handler passes FC's own id); a header a client sent never becomes the request id.
   */
  Bindings: { readonly requestId?: string | undefined };
  /** Per-request values the middlewares hand to the routes. */
  Variables: {
    requestId: string;
    /** The server clock when the request arrived (epoch ms). */
    receivedAt: number;
    principal: Principal | undefined;
    body: Uint8Array;
    /** The client went away before the body was read (logged as such, not as a server error). */
    clientClosed: boolean;
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

/** The invocation id of what this request starts, tied to its (server-assigned) request id for the logs. */
export const invocationIdOf = (c: HttpContext): string => `http-${c.get('requestId')}`;

/**
 * A sender's sequence, refused (400 `request.invalid`, naming `field`) when it is further ahead of the
 * server clock than the core trusts ({@link MAX_SEQUENCE_SKEW_MS}, the rule every signal path applies).
 * The core would record such a signal without its sequence; over HTTP the sender can be told instead,
 * and nothing is recorded. Every route taking a sequence reads it through here.
 */
export function checkedSequence(
  c: HttpContext,
  sequence: number | undefined,
  field = 'sequence',
): number | undefined {
  if (sequence === undefined) return undefined;
  const ahead = sequence - c.get('receivedAt');
  if (ahead <= MAX_SEQUENCE_SKEW_MS) return sequence;
  throw new InvalidInputError('request.invalid', 'sequence from the future', [
    {
      path: field,
      message: `is ${ahead} ms ahead of the server clock; the limit is ${MAX_SEQUENCE_SKEW_MS} ms`,
      hint: 'a sequence counts up from the sender clock in ms: synchronise the clock (NTP), or send without a sequence (ordered by the server clock)',
    },
  ]);
}
