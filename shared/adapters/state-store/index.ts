/**
 * What every StateStore adapter shares (SQLite, Tablestore, and any other, e.g. PostgreSQL), so that the
 * semantics the contract suite (`test/support/state-store-contract.ts`) checks live in one place:
 *
 * - {@link withArgumentChecks}: argument validation at the port, wrapped around an adapter;
 * - the lease rules on a group row ({@link leaseVerdict}, {@link isLeaseFree}, {@link staleEpoch});
 * - the signal layout and order ({@link encodeSignal}, {@link decodeSignal}, {@link isNewerSignal}),
 *   and version-1 rows read as signals ({@link decodeLegacySignal});
 * - the observation layout and order ({@link encodeObservation}, {@link decodeObservation},
 *   {@link isNewerObservation});
 * - the JSON codecs for the journal and history, and the history order;
 * - the rows of the SQL stores ({@link fromLeaseRow}, {@link fromSignalRow}, {@link fromHealthRow}, …).
 *
 * An adapter maps these to its own rows and makes each conditional operation atomic its own way.
 */
export { withArgumentChecks } from './arguments.js';
export {
  compareHistoryNewestFirst,
  decodeHistory,
  decodeJournal,
  encodeHistory,
  encodeJournal,
} from './codecs.js';
export {
  isLeaseFree,
  type LeaseVerdict,
  leaseVerdict,
  type StoredLease,
  staleEpoch,
  toLease,
} from './lease.js';
export {
  decodeObservation,
  encodeObservation,
  isNewerObservation,
  type StoredObservation,
} from './observations.js';
export {
  decodeLegacySignal,
  decodeSignal,
  encodeSignal,
  isNewerSignal,
  type LegacySignalRow,
  type SignalOrder,
  type StoredSignal,
} from './signals.js';
export {
  fromHealthRow,
  fromLeaseRow,
  fromObservationRow,
  fromSignalRow,
  type HealthRow,
  type LeaseRow,
  type ObservationRow,
  type SignalRow,
} from './sql-rows.js';
