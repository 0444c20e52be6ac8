/**
 * Argument validation at the StateStore port, for every adapter: the store API is an edge (callers are
 * other layers, and what they pass is persisted). {@link withArgumentChecks} wraps an adapter so that each
 * call is checked before it reaches storage; an adapter implements the semantics only.
 *
 * A bad argument is an `InvalidInputError` (`store.invalid-argument`) whose issue paths name it, e.g.
 * `signal.sequence` or `args.ttlMs`.
 */
import { z } from 'zod';
import { type InputIssue, InvalidInputError } from '../../core/errors.js';
import type { StateStore } from '../../core/ports.js';
import {
  epochMs,
  healthSchema,
  historySchema,
  journalSchema,
  name,
  observationSchema,
  signalSchema,
} from './schemas.js';

function issuesOf(prefix: string, error: z.ZodError): InputIssue[] {
  return error.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].join('.'),
    message: i.message,
  }));
}

function check(operation: string, prefix: string, schema: z.ZodType, value: unknown): void {
  const r = schema.safeParse(value);
  if (!r.success) {
    throw new InvalidInputError(
      'store.invalid-argument',
      `${operation}: invalid ${prefix}`,
      issuesOf(prefix, r.error),
    );
  }
}

const ttlMs = z.int().min(1);
const acquireArgs = z.object({ group: name, holder: z.string().max(1024), ttlMs, now: epochMs });
const epochArgs = z.object({ group: name, epoch: z.int().min(0), now: epochMs.optional() });
const renewArgs = epochArgs.extend({ ttlMs, now: epochMs });
const dedupeArgs = z.object({ eventId: name, ttlMs, now: epochMs });
const historyQuery = z.object({
  group: name.optional(),
  since: epochMs.optional(),
  limit: z.int().min(1).max(10_000),
});
const memberIds = z.array(name);
const version = z.int().min(0);
const groupNames = z.array(name);

/** The adapter behind a layer that checks every argument first (and so rejects, never throws). */
export function withArgumentChecks(store: StateStore): StateStore {
  return {
    acquireLease: async (group, holder, ttl, now) => {
      check('acquireLease', 'args', acquireArgs, { group, holder, ttlMs: ttl, now });
      return store.acquireLease(group, holder, ttl, now);
    },
    renewLease: async (group, epoch, ttl, now) => {
      check('renewLease', 'args', renewArgs, { group, epoch, ttlMs: ttl, now });
      return store.renewLease(group, epoch, ttl, now);
    },
    releaseLease: async (group, epoch) => {
      check('releaseLease', 'args', epochArgs, { group, epoch });
      return store.releaseLease(group, epoch);
    },
    assertEpoch: async (group, epoch, now) => {
      check('assertEpoch', 'args', epochArgs, { group, epoch, now });
      return store.assertEpoch(group, epoch, now);
    },
    getLease: async (group) => {
      check('getLease', 'group', name, group);
      return store.getLease(group);
    },
    writeJournal: async (entry, now) => {
      check('writeJournal', 'entry', journalSchema, entry);
      check('writeJournal', 'now', epochMs, now);
      return store.writeJournal(entry, now);
    },
    readJournal: async (group) => {
      check('readJournal', 'group', name, group);
      return store.readJournal(group);
    },
    recordSignal: async (signal) => {
      check('recordSignal', 'signal', signalSchema, signal);
      return store.recordSignal(signal);
    },
    latestSignals: async (ids) => {
      check('latestSignals', 'memberIds', memberIds, ids);
      return store.latestSignals(ids);
    },
    recordObservation: async (record) => {
      check('recordObservation', 'record', observationSchema, record);
      return store.recordObservation(record);
    },
    latestObservations: async (groups) => {
      check('latestObservations', 'groups', groupNames, groups);
      return store.latestObservations(groups);
    },
    getHealth: async (ids) => {
      check('getHealth', 'memberIds', memberIds, ids);
      return store.getHealth(ids);
    },
    putHealth: async (state, expectedVersion) => {
      check('putHealth', 'state', healthSchema, state);
      check('putHealth', 'expectedVersion', version, expectedVersion);
      return store.putHealth(state, expectedVersion);
    },
    markEventSeen: async (eventId, ttl, now) => {
      check('markEventSeen', 'args', dedupeArgs, { eventId, ttlMs: ttl, now });
      return store.markEventSeen(eventId, ttl, now);
    },
    appendHistory: async (record) => {
      check('appendHistory', 'record', historySchema, record);
      return store.appendHistory(record);
    },
    listHistory: async (query) => {
      check('listHistory', 'query', historyQuery, query);
      return store.listHistory(query);
    },
    close: () => store.close(),
  };
}
