/**
 * The option checks both cloud adapters make the same way, each reported with the field it names and
 * without echoing a secret. Each adapter lists its issues in the order of its options.
 */
import type { InputIssue } from '../../core/errors.js';

/**
 * The problems of explicit keys (`problems` is the cloud's check), each with the cloud's `hint`; a
 * function, or the cloud's `named` source (`'default'`, `'environment'`), is checked when it is used.
 */
export function credentialIssues(
  source: unknown,
  named: string,
  problems: (c: unknown) => string[],
  hint: string,
): InputIssue[] {
  if (source === named || typeof source === 'function') return [];
  return problems(source).map((message) => ({ path: 'credentials', message, hint }));
}

export function protocolIssues(protocol: unknown): InputIssue[] {
  if (protocol === undefined || protocol === 'https' || protocol === 'http') return [];
  return [{ path: 'protocol', message: "must be 'https' or 'http'" }];
}

/** Each of `keys` that is set must be a whole number of milliseconds up to ten minutes. */
export function millisecondIssues<K extends string>(
  o: { readonly [P in K]?: number | undefined },
  keys: readonly K[],
): InputIssue[] {
  return keys
    .filter((key) => {
      const v = o[key];
      return v !== undefined && !(Number.isInteger(v) && v > 0 && v <= 600_000);
    })
    .map((path) => ({ path, message: 'must be an integer number of milliseconds between 1 and 600000' }));
}

const HOST_PORT = /^[A-Za-z0-9.-]+(:\d{1,5})?$/;

/** `endpoints.override`, when given, is one `host[:port]` (the simulator). */
export function endpointOverrideIssues(endpoints: object | undefined): InputIssue[] {
  if (!endpoints || !('override' in endpoints)) return [];
  const override = (endpoints as { readonly override: string }).override;
  if (HOST_PORT.test(override)) return [];
  return [
    {
      path: 'endpoints.override',
      message: 'must be host or host:port without a scheme or path',
      hint: "e.g. '127.0.0.1:8080'; set protocol: 'http' for a local simulator",
    },
  ];
}
