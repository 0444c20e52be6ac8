/**
 * SCF CMQ topic trigger → signals. SCF delivers `{"Records":[{"CMQ":{"type":"topic",
 * "topicName","msgId","msgBody","publishTime",…}}]}`; each `msgBody` is a body the MNS path takes
 * (`../mns.ts`): a signed agent report (verified, and unsigned messages about a member of a keyed group
 * refused, as on MNS), a heartbeat or an alarm, naming CVM (`ins-…`) or ENI members. One record that is malformed
 * rejects the invocation; in a batch of several, a malformed record lands in `ignored` with its issues.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  DEFAULT_MAX_EVENT_BYTES,
  invalidEvent,
  isPlainObject,
  limitOption,
  malformedElement,
  parseJsonBody,
  zodIssues,
} from '../decode.js';
import { DEFAULT_MAX_BATCH, MAX_EVENT_ID_CHARS } from '../ecs.js';
import { type HeartbeatDialect, parseHeartbeatBody } from '../mns.js';
import type { ParseResult } from '../parse-result.js';
import type { ReportAuthority } from '../report-signals.js';
import { TENCENT_MEMBER_HINT, TENCENT_MEMBER_ID_RE } from './ids.js';

export const CMQ_DIALECT: HeartbeatDialect = {
  source: 'cmq',
  what: 'CMQ message',
  memberIdPattern: TENCENT_MEMBER_ID_RE,
  memberHint: TENCENT_MEMBER_HINT,
};

export interface CmqParseOptions {
  /** Maximum body size in bytes (default 256 KiB; a CMQ message is at most 64 KiB). */
  readonly maxBytes?: number;
  /** Maximum records in one invocation (default 100). */
  readonly maxBatch?: number;
  /** The agent keys and group membership that verify reports; without it every report is refused. */
  readonly reports?: ReportAuthority | undefined;
}

const RecordSchema = z.looseObject({
  CMQ: z.looseObject({
    type: z.string().optional(),
    topicName: z.string().optional(),
    msgId: z.string().min(1).max(MAX_EVENT_ID_CHARS).optional(),
    msgBody: z.string(),
    publishTime: z.string().optional(),
  }),
});

const HINTS: Record<string, string> = {
  Records: 'CMQ trigger events carry the messages in "Records": [{"CMQ": {...}}]',
  CMQ: 'each record holds the message in "CMQ"',
  'CMQ.msgBody': 'the message body is a string in "msgBody"',
  'CMQ.msgId': `"msgId" is a non-empty string of at most ${MAX_EVENT_ID_CHARS} characters`,
  'CMQ.type': '"type" is "topic" or "queue"',
  'CMQ.topicName': '"topicName" is a string',
  'CMQ.publishTime': '"publishTime" is a timestamp string',
};

/** Parse one CMQ trigger invocation. Throws `InvalidInputError` (`event.invalid`) with the exact path. */
export function parseCmqMessage(body: unknown, opts: CmqParseOptions = {}): ParseResult {
  const maxBytes = limitOption(opts.maxBytes, DEFAULT_MAX_EVENT_BYTES, 'maxBytes');
  const maxBatch = limitOption(opts.maxBatch, DEFAULT_MAX_BATCH, 'maxBatch');
  const doc = parseJsonBody(body, { maxBytes, what: 'CMQ message' });
  const records = isPlainObject(doc) ? doc.Records : undefined;
  if (!Array.isArray(records) || records.length === 0) {
    throw invalidEvent('invalid CMQ trigger event', [
      {
        path: isPlainObject(doc) ? 'Records' : '',
        message: 'expected {"Records": [...]} with at least one record',
        hint: HINTS.Records ?? '',
      },
    ]);
  }
  if (records.length > maxBatch) {
    throw invalidEvent('CMQ batch is too large', [
      {
        path: 'Records',
        message: `the batch has ${records.length} records; the limit is ${maxBatch}`,
        hint: 'lower the trigger batch size or raise maxBatch',
      },
    ]);
  }
  if (records.length === 1) return parseRecord(records[0], 'Records[0]', opts.reports);
  const result: ParseResult = { signals: [], ignored: [] };
  records.forEach((record, i) => {
    const prefix = `Records[${i}]`;
    try {
      const one = parseRecord(record, prefix, opts.reports);
      result.signals.push(...one.signals);
      result.ignored.push(...one.ignored);
    } catch (e) {
      result.ignored.push(malformedElement(e, record, prefix, 'record'));
    }
  });
  return result;
}

function parseRecord(record: unknown, prefix: string, reports: ReportAuthority | undefined): ParseResult {
  const parsed = RecordSchema.safeParse(record);
  if (!parsed.success) throw invalidEvent('invalid CMQ record', zodIssues(parsed.error, prefix, HINTS));
  const { msgId, msgBody } = parsed.data.CMQ;
  const eventId = msgId ?? `sha256:${createHash('sha256').update(msgBody).digest('hex').slice(0, 32)}`;
  return parseHeartbeatBody(msgBody, `${prefix}.CMQ.msgBody`, eventId, CMQ_DIALECT, reports);
}
