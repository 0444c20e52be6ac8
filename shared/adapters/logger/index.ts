/**
 * Logger port adapters: structured JSON on stdout through pino (FC ships stdout to SLS), and an in-memory
 * recorder for tests. Both redact credential-like fields at any depth before anything is written.
 */
import { pino } from 'pino';
import type { LogFields, Logger } from '../../core/ports.js';
import { redactFields, scrubString } from './redact.js';

export { isSecretKey, REDACTED, redact, redactFields, scrubString } from './redact.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export interface LoggerOptions {
  /** Minimum level written; default `info`. `silent` writes nothing. */
  readonly level?: LogLevel | 'silent';
  /** Where JSON lines go; default stdout (synchronous, so nothing is lost when FC freezes the instance). */
  readonly destination?: pino.DestinationStream | NodeJS.WritableStream;
  /** Fields on every line (e.g. `{ service: 'havip-failover' }`); redacted like any other field. */
  readonly base?: LogFields;
}

/** Create the production logger: one JSON object per line, ISO `time`, textual `level`. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? 'info';
  if (level !== 'silent' && !LEVELS.includes(level)) {
    throw new TypeError(`logger level must be one of ${LEVELS.join(', ')}, silent; got ${String(level)}`);
  }
  const root = pino(
    {
      level,
      base: redactFields(opts.base ?? {}),
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Fields are pre-serialised by redactFields (errors included). pino's default `err` serializer would
      // re-read the plain object as an error and rename its type, so it is replaced by the identity.
      serializers: { err: (v: unknown) => v },
    },
    (opts.destination ?? pino.destination({ dest: 1, sync: true })) as pino.DestinationStream,
  );
  return wrapPino(root);
}

function wrapPino(p: pino.Logger): Logger {
  const write = (lvl: LogLevel) => (fields: LogFields, msg: string) => {
    if (!p.isLevelEnabled(lvl)) return;
    p[lvl](redactFields(fields), scrubString(msg));
  };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (bindings) => wrapPino(p.child(redactFields(bindings))),
  };
}

/** One recorded log call: level, message and the (redacted) bindings merged with the fields. */
export interface LogEntry {
  readonly level: LogLevel;
  readonly msg: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

export interface MemoryLogger extends Logger {
  /** Every entry written by this logger and its children, oldest first (shared array). */
  readonly entries: LogEntry[];
  /** Entries whose message equals `msg` (or matches it, for a RegExp). */
  find(msg: string | RegExp): LogEntry[];
  clear(): void;
}

/** A Logger that records entries in memory, with the same redaction as {@link createLogger}. */
export function createMemoryLogger(opts: { level?: LogLevel } = {}): MemoryLogger {
  const entries: LogEntry[] = [];
  const min = LEVELS.indexOf(opts.level ?? 'debug');
  const make = (bindings: Record<string, unknown>): MemoryLogger => {
    const write = (level: LogLevel) => (fields: LogFields, msg: string) => {
      if (LEVELS.indexOf(level) < min) return;
      entries.push({ level, msg: scrubString(msg), fields: { ...bindings, ...redactFields(fields) } });
    };
    return {
      entries,
      debug: write('debug'),
      info: write('info'),
      warn: write('warn'),
      error: write('error'),
      child: (b) => make({ ...bindings, ...redactFields(b) }),
      find: (m) => entries.filter((e) => (typeof m === 'string' ? e.msg === m : m.test(e.msg))),
      clear: () => {
        entries.length = 0;
      },
    };
  };
  return make({});
}
