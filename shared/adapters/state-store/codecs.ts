/**
 * JSON kept in storage (the journal, history records, signal payloads): how every adapter writes it and
 * reads it back. What is read back is validated; a value this version cannot read is a `StoreError`
 * naming the row, never a silent misreading.
 */
import type { z } from 'zod';
import { StoreError } from '../../core/errors.js';
import type { Decision, GroupName } from '../../core/model.js';
import type { HistoryRecord, JournalEntry } from '../../core/ports.js';
import { historySchema, journalSchema } from './schemas.js';

/** Parses stored JSON text and checks it against `schema`; `what` names the row in error messages. */
export function parseStoredJson<T>(what: string, schema: z.ZodType<T>, json: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (cause) {
    throw new StoreError(
      `${what} is not valid JSON; the stored value was written by something else or truncated`,
      { cause },
    );
  }
  return checkStored(what, schema, raw);
}

/** Checks a value read back from storage against `schema`. */
export function checkStored<T>(what: string, schema: z.ZodType<T>, raw: unknown): T {
  const r = schema.safeParse(raw);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new StoreError(
      `${what} does not match the expected shape (${first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'unknown'}); it was written by an incompatible version`,
    );
  }
  return r.data;
}

/** Journal entries and history records are stored as JSON text (timestamps stay epoch-ms numbers). */
export function encodeJournal(entry: JournalEntry): string {
  return JSON.stringify(entry);
}

/** Parses and validates a stored journal entry; `what` names the row in error messages. */
export function decodeJournal(what: string, json: string): JournalEntry {
  const j = parseStoredJson(what, journalSchema, json);
  return {
    group: j.group as GroupName,
    epoch: j.epoch,
    phase: j.phase,
    decision: j.decision as unknown as Decision,
    step: j.step,
    updatedAt: j.updatedAt,
    detail: j.detail,
  };
}

export function encodeHistory(record: HistoryRecord): string {
  return JSON.stringify(record);
}

/** Parses and validates a stored history record; `what` names the row in error messages. */
export function decodeHistory(what: string, json: string): HistoryRecord {
  const h = parseStoredJson(what, historySchema, json);
  return {
    group: h.group as GroupName,
    epoch: h.epoch,
    at: h.at,
    decision: h.decision as unknown as Decision,
    outcome: h.outcome,
    actor: h.actor,
    durationMs: h.durationMs,
    detail: h.detail,
  };
}

/** Newest first: later `at`, then higher epoch; the caller breaks remaining ties by insertion order. */
export function compareHistoryNewestFirst(a: HistoryRecord, b: HistoryRecord): number {
  return b.at - a.at || b.epoch - a.epoch;
}
