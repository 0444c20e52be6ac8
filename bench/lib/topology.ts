/**
 * Programmatic topologies for the benchmarks: `groups` failover groups spread evenly over `regions`
 * regions, each with its own vSwitch and HaVip and `members` ECS instances. The output is a plain
 * document that `loadTopology` parses and validates like a YAML file, so the benchmarks run on
 * topologies that pass every static rule.
 */
import type { AnnouncePolicy } from '../../shared/core/model.js';
import { HAVIP_REGIONS } from '../../shared/core/regions.js';

export interface TopologySpec {
  readonly groups: number;
  readonly members: number;
  readonly regions?: number;
  readonly announce?: AnnouncePolicy;
}

/** The raw topology document (the shape of a YAML topology file). */
export interface TopologyDocument {
  readonly region: string;
  readonly quotas: { readonly haVipsPerRegion: number };
  readonly defaults: { readonly announce: AnnouncePolicy; readonly nopreempt: boolean };
  readonly groups: readonly {
    readonly name: string;
    readonly region: string;
    readonly vSwitchId: string;
    readonly haVipId: string;
    readonly members: readonly { readonly id: string; readonly priority: number; readonly ip: string }[];
  }[];
}

const pad = (n: number): string => n.toString().padStart(5, '0');

/** Member `k` (0-based) of group `i`: the id used in topologies and simulator seeds. */
export const memberIdOf = (i: number, k: number): string => `i-bench${pad(i)}m${k}`;
export const haVipIdOf = (i: number): string => `havip-bench${pad(i)}`;

export function generateTopology(spec: TopologySpec): TopologyDocument {
  const regionCount = spec.regions ?? 1;
  if (regionCount < 1 || regionCount > HAVIP_REGIONS.length)
    throw new RangeError(`regions must be 1–${HAVIP_REGIONS.length}, got ${regionCount}`);
  if (spec.members < 1 || spec.members > 10)
    throw new RangeError(`members must be 1–10, got ${spec.members}`);
  if (spec.groups < 1 || spec.groups > 60_000)
    throw new RangeError(`groups must be 1–60000, got ${spec.groups}`);
  const perRegion = Math.ceil(spec.groups / regionCount);
  const groups = Array.from({ length: spec.groups }, (_, i) => {
    const region = HAVIP_REGIONS[Math.floor(i / perRegion)] as string;
    return {
      name: `g${pad(i)}`,
      region,
      vSwitchId: `vsw-bench${pad(i)}`,
      haVipId: haVipIdOf(i),
      // One /24 per group keeps member addresses unique and leaves room for the simulator's HaVip address.
      members: Array.from({ length: spec.members }, (_, k) => ({
        id: memberIdOf(i, k),
        priority: 100 - 10 * k,
        ip: `10.${Math.floor(i / 250)}.${i % 250}.${11 + k}`,
      })),
    };
  });
  return {
    region: groups[0]?.region ?? 'cn-hangzhou',
    // The `current` profile allows 50 HaVips per region; a raised quota is modelled by this override.
    quotas: { haVipsPerRegion: Math.max(50, perRegion) },
    defaults: { announce: spec.announce ?? 'none', nopreempt: true },
    groups,
  };
}
