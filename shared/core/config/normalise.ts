/**
 * Raw document → `Topology`: defaults applied field by field (a group's own setting wins over the
 * document's `defaults`, which win over the built-in {@link CONFIG_DEFAULTS}), ids branded, quotas
 * resolved, and the result deeply frozen.
 */
import {
  type AgentSettings,
  allocationId,
  DEFAULT_AGENT_SETTINGS,
  type Group,
  groupName,
  haVipId,
  type Member,
  memberId,
  memberKindOf,
  type ProbeConfig,
  type Topology,
  vSwitchId,
} from '../model.js';
import { resolveQuotas } from '../quotas.js';
import { CONFIG_DEFAULTS } from './defaults.js';
import type { RawDocument, RawGroup, RawProbe, RawSettings, RawTencentGroup } from './schema.js';

export function toTopology(raw: RawDocument): Topology {
  const quotaProfile = raw.quotaProfile ?? CONFIG_DEFAULTS.quotaProfile;
  const defaults: RawSettings = raw.defaults ?? {};
  return deepFreeze({
    region: raw.region,
    quotaProfile,
    quotas: resolveQuotas(quotaProfile, raw.quotas ?? {}),
    groups: raw.groups.map((g) => toGroup(g, defaults, raw.region)),
  });
}

/** A group's own setting wins over `defaults`, which wins over the built-in default, field by field. */
function toGroup(g: RawGroup | RawTencentGroup, d: RawSettings, region: string): Group {
  const D = CONFIG_DEFAULTS;
  const members: Member[] = g.members.map((m) => ({
    id: memberId(m.id),
    // The schema admits only i-/ins-/eni- ids, so the kind is always defined here.
    kind: memberKindOf(m.id) ?? 'ecs',
    priority: m.priority ?? D.priority,
    ip: m.ip,
  }));
  return {
    name: groupName(g.name),
    ...placementOf(g),
    region: g.region ?? region,
    nopreempt: g.nopreempt ?? d.nopreempt ?? D.nopreempt,
    preemptDelaySeconds: g.preemptDelaySeconds ?? d.preemptDelaySeconds ?? D.preemptDelaySeconds,
    flapGuard: {
      maxMoves: g.flapGuard?.maxMoves ?? d.flapGuard?.maxMoves ?? D.flapGuard.maxMoves,
      windowSeconds: g.flapGuard?.windowSeconds ?? d.flapGuard?.windowSeconds ?? D.flapGuard.windowSeconds,
    },
    health: toHealth(g.health, d.health),
    announce: g.announce ?? d.announce ?? D.announce,
    announceDeadlineSeconds:
      g.announceDeadlineSeconds ?? d.announceDeadlineSeconds ?? D.announceDeadlineSeconds,
    fencing: g.fencing ?? d.fencing ?? D.fencing,
    keepalivedForceMove: g.keepalivedForceMove ?? d.keepalivedForceMove ?? D.keepalivedForceMove,
    agent: toAgent(g.agent, d.agent),
    members,
  };
}

/** Field by field like the other settings; undefined when neither the group nor `defaults` has a block. */
function toAgent(g: RawSettings['agent'], d: RawSettings['agent']): AgentSettings | undefined {
  if (g === undefined && d === undefined) return undefined;
  const D = DEFAULT_AGENT_SETTINGS;
  return {
    healthPort: g?.healthPort ?? d?.healthPort ?? D.healthPort,
    reportTtlSeconds: g?.reportTtlSeconds ?? d?.reportTtlSeconds ?? D.reportTtlSeconds,
    witnessTimeoutMs: g?.witnessTimeoutMs ?? d?.witnessTimeoutMs ?? D.witnessTimeoutMs,
  };
}

/** Where the group's address lives: an Alibaba vSwitch, HaVip and EIP, or a Tencent VPC subnet and HAVIP. */
function placementOf(
  g: RawGroup | RawTencentGroup,
): Pick<Group, 'cloud' | 'vSwitchId' | 'haVipId' | 'eip' | 'tencent'> {
  if (g.cloud === 'tencent') {
    return {
      cloud: 'tencent',
      vSwitchId: vSwitchId(g.subnetId),
      haVipId: haVipId(g.haVipId),
      eip: undefined,
      tencent: { vpcId: g.vpcId, subnetId: g.subnetId, eipAddressIp: g.eip?.addressIp },
    };
  }
  return {
    cloud: 'alibaba',
    vSwitchId: vSwitchId(g.vSwitchId),
    haVipId: g.haVipId === undefined ? undefined : haVipId(g.haVipId),
    eip:
      g.eip === undefined
        ? undefined
        : { allocationId: allocationId(g.eip.allocationId), mode: g.eip.mode ?? CONFIG_DEFAULTS.eipMode },
  };
}

function toHealth(g: RawSettings['health'], d: RawSettings['health']): Group['health'] {
  const probe = g?.probe ?? d?.probe;
  return {
    heartbeatTimeoutSeconds: g?.heartbeatTimeoutSeconds ?? d?.heartbeatTimeoutSeconds,
    // A probe is one unit: a group's probe replaces the default probe rather than merging into it.
    probe: probe === undefined ? undefined : toProbe(probe),
    fall: g?.fall ?? d?.fall ?? CONFIG_DEFAULTS.health.fall,
    rise: g?.rise ?? d?.rise ?? CONFIG_DEFAULTS.health.rise,
  };
}

function toProbe(p: RawProbe): ProbeConfig {
  const timeoutMs = p.timeoutMs ?? CONFIG_DEFAULTS.probe.timeoutMs;
  const intervalSeconds = p.intervalSeconds ?? CONFIG_DEFAULTS.probe.intervalSeconds;
  if (p.kind === 'tcp') return { kind: 'tcp', port: p.port, timeoutMs, intervalSeconds };
  return {
    kind: 'http',
    port: p.port,
    path: p.path ?? CONFIG_DEFAULTS.probe.path,
    expectStatus: p.expectStatus ?? [...CONFIG_DEFAULTS.probe.expectStatus],
    timeoutMs,
    intervalSeconds,
  };
}

/** Freezes a plain object graph in place so no layer can mutate the shared topology. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
