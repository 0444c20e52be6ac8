/**
 * Random topologies for the campaign: 1–3 groups of 2–10 members, ECS or ENI members, HaVip groups (with
 * or without an EIP that follows the HaVip) and `direct` EIP groups, nopreempt on/off with preempt delays,
 * heartbeats, probes with fall/rise, announce policies `none`, `cloud-assistant` and `agent`.
 *
 * A spec is plain data so fast-check can shrink it; {@link buildTopology} turns it into a validated
 * topology with the production loader.
 */
import fc from 'fast-check';
import { loadTopology } from '../../shared/core/config.js';
import type { Topology } from '../../shared/core/model.js';

export type CampaignAnnounce = 'none' | 'cloud-assistant' | 'agent';

export interface GroupSpec {
  readonly kind: 'ecs' | 'eni';
  readonly priorities: readonly number[];
  /** `havip`: the group has a HaVip (and maybe an EIP on it); `direct`: an EIP moved between members. */
  readonly address: 'havip' | 'havip+eip' | 'direct';
  readonly nopreempt: boolean;
  readonly preemptDelaySeconds: number;
  readonly announce: CampaignAnnounce;
  readonly announceDeadlineSeconds: number;
  readonly heartbeatTimeoutSeconds: number | undefined;
  readonly probe: { readonly fall: number; readonly rise: number } | undefined;
  readonly flapGuard: { readonly maxMoves: number; readonly windowSeconds: number };
  readonly fencing: 'none' | 'stop';
  /** The group has an agent key: signed host agent reports count, unsigned heartbeat messages do not. */
  readonly agentKeyed: boolean;
}

export interface TopologySpec {
  readonly groups: readonly GroupSpec[];
}

const groupSpec: fc.Arbitrary<GroupSpec> = fc
  .record({
    kind: fc.constantFrom('ecs' as const, 'ecs' as const, 'eni' as const),
    // Mostly small groups (where ties and preemption matter), sometimes the full ten.
    priorities: fc.oneof(
      {
        weight: 4,
        arbitrary: fc.array(fc.constantFrom(10, 50, 100, 100, 150, 200), { minLength: 2, maxLength: 4 }),
      },
      { weight: 1, arbitrary: fc.array(fc.integer({ min: 1, max: 254 }), { minLength: 2, maxLength: 10 }) },
    ),
    address: fc.constantFrom('havip' as const, 'havip+eip' as const, 'direct' as const),
    nopreempt: fc.boolean(),
    preemptDelaySeconds: fc.constantFrom(0, 0, 5, 30),
    announce: fc.constantFrom('none' as const, 'cloud-assistant' as const, 'agent' as const),
    announceDeadlineSeconds: fc.constantFrom(5, 10, 30),
    heartbeatTimeoutSeconds: fc.option(fc.constantFrom(15, 30, 60), { nil: undefined }),
    probe: fc.option(
      fc.record({ fall: fc.integer({ min: 1, max: 3 }), rise: fc.integer({ min: 1, max: 3 }) }),
      { nil: undefined },
    ),
    flapGuard: fc.record({
      maxMoves: fc.integer({ min: 2, max: 5 }),
      windowSeconds: fc.constantFrom(60, 120, 300),
    }),
    fencing: fc.constantFrom('none' as const, 'none' as const, 'none' as const, 'stop' as const),
    agentKeyed: fc.boolean(),
  })
  .map((g) => ({
    ...g,
    // nopreempt with a delay is a configuration error (keepalived ignores preempt_delay under nopreempt).
    preemptDelaySeconds: g.nopreempt ? 0 : g.preemptDelaySeconds,
  }));

export const topologySpecArb: fc.Arbitrary<TopologySpec> = fc
  .array(groupSpec, { minLength: 1, maxLength: 3 })
  .map((groups) => ({ groups }));

/** Ids are lowercase letters and digits, as Alibaba's are (the event parsers insist). */
/** A two-member ECS pair (100/10, nopreempt, HaVip) for hand-written scenarios; `over` changes any setting. */
export const pairSpec = (over: Partial<GroupSpec> = {}): GroupSpec => ({
  kind: 'ecs',
  priorities: [100, 10],
  address: 'havip',
  nopreempt: true,
  preemptDelaySeconds: 0,
  announce: 'none',
  announceDeadlineSeconds: 5,
  heartbeatTimeoutSeconds: undefined,
  probe: undefined,
  flapGuard: { maxMoves: 3, windowSeconds: 60 },
  fencing: 'none',
  agentKeyed: false,
  ...over,
});

export const memberIdOf = (kind: 'ecs' | 'eni', g: number, m: number): string =>
  kind === 'ecs' ? `i-cg${g}m${m}` : `eni-cg${g}m${m}`;
export const groupNameOf = (g: number): string => `g${g}`;
/** The agent key of a keyed group (HAVIP_AGENT_KEYS in a deployment). */
export const agentKeyOf = (groupName: string): string => `campaign-agent-key-${groupName}-0123456789`;

/** The agent keys of a spec's keyed groups, as the runtime takes them. */
export function agentKeysOf(spec: TopologySpec): Map<string, Uint8Array> {
  const keys = new Map<string, Uint8Array>();
  spec.groups.forEach((g, gi) => {
    if (g.agentKeyed) keys.set(groupNameOf(gi), Buffer.from(agentKeyOf(groupNameOf(gi))));
  });
  return keys;
}

/** The topology document for a spec (what an operator would write), loaded and validated. */
export function buildTopology(spec: TopologySpec): Topology {
  const doc = {
    region: 'cn-hangzhou',
    groups: spec.groups.map((g, gi) => ({
      name: groupNameOf(gi),
      vSwitchId: `vsw-cg${gi}`,
      ...(g.address === 'direct' ? {} : { haVipId: `havip-cg${gi}` }),
      ...(g.address === 'havip'
        ? {}
        : { eip: { allocationId: `eip-cg${gi}`, mode: g.address === 'direct' ? 'direct' : 'havip' } }),
      nopreempt: g.nopreempt,
      preemptDelaySeconds: g.preemptDelaySeconds,
      announce: g.announce,
      announceDeadlineSeconds: g.announceDeadlineSeconds,
      flapGuard: g.flapGuard,
      fencing: g.fencing,
      health: {
        ...(g.heartbeatTimeoutSeconds === undefined
          ? {}
          : { heartbeatTimeoutSeconds: g.heartbeatTimeoutSeconds }),
        ...(g.probe === undefined
          ? {}
          : {
              probe: { kind: 'tcp', port: 80, timeoutMs: 500, intervalSeconds: 10 },
              fall: g.probe.fall,
              rise: g.probe.rise,
            }),
      },
      members: g.priorities.map((priority, mi) => ({
        id: memberIdOf(g.kind, gi, mi),
        priority,
        ip: `10.${gi}.0.${10 + mi}`,
      })),
    })),
  };
  return loadTopology(doc, { source: 'campaign topology' }).topology;
}

/** A one-line description for counterexamples and logs. */
export function describeSpec(spec: TopologySpec): string {
  return spec.groups
    .map(
      (g, i) =>
        `${groupNameOf(i)}[${g.kind} ${g.address} ${g.announce}${g.nopreempt ? ' nopreempt' : ` preempt+${g.preemptDelaySeconds}s`}` +
        `${g.heartbeatTimeoutSeconds ? ` hb${g.heartbeatTimeoutSeconds}s` : ''}${g.probe ? ` probe${g.probe.fall}/${g.probe.rise}` : ''}` +
        `${g.fencing === 'stop' ? ' fence' : ''}${g.agentKeyed ? ' keyed' : ''} prio ${g.priorities.join(',')}]`,
    )
    .join(' ');
}
