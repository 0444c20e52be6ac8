/**
 * A cloud port whose resource ids are renamed on the way through: the engine sees one set of ids (e.g.
 * Tencent CVM ids), the cloud behind it another (the Alibaba simulator's). Every string in a request that
 * equals a renamed id is translated to the cloud's id, every string in an answer back. For tests that
 * drive the Tencent trigger path through the existing simulated runtime.
 */
import type { CloudApi } from '../../shared/core/ports.js';

function mapStrings(value: unknown, ids: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') return ids.get(value) ?? value;
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, ids));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, ids)]));
  return value;
}

/** `engineToCloud` maps the engine's ids to the cloud's; answers are mapped back. */
export function renamedCloud(cloud: CloudApi, engineToCloud: ReadonlyMap<string, string>): CloudApi {
  const cloudToEngine = new Map([...engineToCloud].map(([a, b]) => [b, a]));
  return new Proxy(cloud, {
    get(target, prop, receiver) {
      const member = Reflect.get(target, prop, receiver) as unknown;
      if (typeof member !== 'function') return member;
      return async (...args: unknown[]) => {
        const answer = await (member as (...a: unknown[]) => Promise<unknown>).apply(
          target,
          args.map((a) => mapStrings(a, engineToCloud)),
        );
        return mapStrings(answer, cloudToEngine);
      };
    },
  });
}
