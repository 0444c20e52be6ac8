/**
 * SCF timer trigger → sweep scope. SCF sends `{"Type":"Timer","TriggerName","Time","Message"}` where
 * `Message` is the trigger's configured argument, read exactly as FC's timer `payload` (`../timer.ts`):
 * empty or `all` sweeps every group, `{"groups":["web"]}` some.
 */
import { z } from 'zod';
import {
  parseSweepScope,
  parseTimerFormat,
  type TimerEvent,
  type TimerFormat,
  type TimerParseOptions,
} from '../timer.js';

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

const SCF_TIMER: TimerFormat<typeof ScfTimerSchema> = {
  schema: ScfTimerSchema,
  hints: HINTS,
  looksLike: 'SCF timer events look like {"Type":"Timer","TriggerName","Time","Message"}',
  read: (ev) => ({
    triggerTime: ev.Time,
    triggerName: ev.TriggerName,
    scope: parseSweepScope(ev.Message, 'Message'),
  }),
};

/** Parse an SCF timer event. Throws `InvalidInputError` (`event.invalid`) naming the field otherwise. */
export function parseScfTimerEvent(body: unknown, opts: TimerParseOptions = {}): TimerEvent {
  return parseTimerFormat(body, opts, SCF_TIMER);
}
