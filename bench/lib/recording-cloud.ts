/**
 * A CloudApi wrapper that records when each call started and ended, so a benchmark can tell which calls
 * ran one after another (the critical path) and which overlapped (batched describes in parallel).
 */
import { performance } from 'node:perf_hooks';
import type { CloudApi } from '../../shared/core/ports.js';

/** One cloud call as seen by the engine: method name, start and end on the `performance.now()` scale. */
export interface CallRecord {
  readonly op: string;
  readonly start: number;
  readonly end: number;
  readonly ok: boolean;
}

/**
 * Wraps every method of `inner` (including methods added to the port later) with timing. The wrapper
 * changes nothing else: arguments, results and errors pass through untouched.
 */
export function recordCalls(inner: CloudApi): { readonly cloud: CloudApi; readonly calls: CallRecord[] } {
  const calls: CallRecord[] = [];
  const cloud = new Proxy(inner, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      const op = String(prop);
      return async (...args: unknown[]) => {
        const start = performance.now();
        let ok = false;
        try {
          const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          ok = true;
          return result;
        } finally {
          calls.push({ op, start, end: performance.now(), ok });
        }
      };
    },
  });
  return { cloud, calls };
}

/**
 * The longest chain of calls where each starts only after the previous one ended: the number of cloud
 * round trips a run had to wait for one after another. Overlapping calls (issued in parallel) count once.
 * Ties go to the predecessor that ended last (the call the next one really waited for), so the reported
 * path is the one that gated the run.
 */
export function criticalChain(calls: readonly CallRecord[]): CallRecord[] {
  const byEnd = [...calls].sort((a, b) => a.end - b.end || a.start - b.start);
  const best: number[] = [];
  const prev: (number | undefined)[] = [];
  byEnd.forEach((c, i) => {
    let len = 1;
    let from: number | undefined;
    for (let j = 0; j < i; j++) {
      const d = byEnd[j] as CallRecord;
      if (d.end <= c.start && (best[j] as number) + 1 >= len) {
        len = (best[j] as number) + 1;
        from = j;
      }
    }
    best.push(len);
    prev.push(from);
  });
  let tail: number | undefined;
  byEnd.forEach((_, i) => {
    if (tail === undefined || (best[i] as number) >= (best[tail] as number)) tail = i;
  });
  const path: CallRecord[] = [];
  for (let i = tail; i !== undefined; i = prev[i]) path.unshift(byEnd[i] as CallRecord);
  return path;
}

/** Short names of the Alibaba actions behind the port's methods, for printing a chain. */
export const ACTION_OF: Readonly<Record<string, string>> = {
  describeHaVips: 'DescribeHaVips',
  listHaVips: 'DescribeHaVips',
  describeInstances: 'DescribeInstances',
  describeNetworkInterfaces: 'DescribeNetworkInterfaces',
  associateHaVip: 'AssociateHaVip',
  unassociateHaVip: 'UnassociateHaVip',
  describeEipAddresses: 'DescribeEipAddresses',
  associateEipAddress: 'AssociateEipAddress',
  unassociateEipAddress: 'UnassociateEipAddress',
  stopInstance: 'StopInstance',
  runCommand: 'RunCommand',
  describeInvocationResult: 'DescribeInvocationResults',
};

/**
 * The chain as `A → B → C`, with calls that ran in parallel with a chain call (overlapping it in time)
 * shown as `A|B`.
 */
export function describeChain(chain: readonly CallRecord[], all: readonly CallRecord[]): string {
  return chain
    .map((c) => {
      const parallel = all.filter((d) => d !== c && d.start < c.end && c.start < d.end && !chain.includes(d));
      return [c, ...parallel].map((d) => ACTION_OF[d.op] ?? d.op).join('|');
    })
    .join(' → ');
}
