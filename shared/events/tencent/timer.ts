/**
 * SCF timer trigger → sweep scope. SCF sends `{"Type":"Timer","TriggerName","Time","Message"}` where
 * `Message` is the trigger's configured argument, read exactly as FC's timer `payload` (`../timer.ts`):
 * empty or `all` sweeps every group, `{"groups":["web"]}` some.
 */
import { z } from 'zod';
import {
  DEFAULT_MAX_EVENT_BYTES,
  invalidEvent,
  isPlainObject,
  limitOption,
  parseJsonBody,
  zodIssues,
} from '../decode.js';
import { parseSweepScope, type TimerEvent, type TimerParseOptions } from '../timer.js';

const ScfTimerSchema = z.looseObject({
  // "Timer" in Tencent's trigger reference, "timer" in the Serverless Framework's: both are accepted.
  Type: z.string().refine((t) => t.toLowerCase() === 'timer', 'expected "Timer"'),
  TriggerName: z.string().optional(),
  Time: z.string().optional(),
  Message: z.union([z.string(), z.null()]).optional(),
});

const HINTS: Record<string, string> = {
  Type: 'SCF timer events carry "Type": "Timer"; route only the timer trigger to this function',
  TriggerName: 'TriggerName is a string',
  Time: 'Time is a timestamp string',
  Message: 'configure the trigger argument as a JSON string such as {"sweep":"all"} or {"groups":["web"]}',
};

/** Parse an SCF timer event. Throws `InvalidInputError` (`event.invalid`) naming the field otherwise. */
export function parseScfTimerEvent(body: unknown, opts: TimerParseOptions = {}): TimerEvent {
  const maxBytes = limitOption(opts.maxBytes, DEFAULT_MAX_EVENT_BYTES, 'maxBytes');
  const doc = parseJsonBody(body, { maxBytes, what: 'timer event' });
  if (!isPlainObject(doc)) {
    throw invalidEvent('invalid timer event', [
      {
        path: '',
        message: 'expected a JSON object',
        hint: 'SCF timer events look like {"Type":"Timer","TriggerName","Time","Message"}',
      },
    ]);
  }
  const parsed = ScfTimerSchema.safeParse(doc);
  if (!parsed.success) throw invalidEvent('invalid timer event', zodIssues(parsed.error, '', HINTS));
  const ev = parsed.data;
  return {
    ...(ev.Time === undefined ? {} : { triggerTime: ev.Time }),
    ...(ev.TriggerName === undefined ? {} : { triggerName: ev.TriggerName }),
    scope: parseSweepScope(ev.Message, 'Message'),
  };
}
