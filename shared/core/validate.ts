/**
 * Static validation of a topology: Alibaba's HaVip quotas and the topology rules the orchestrator
 * relies on, checked without calling the cloud.
 *
 * Two kinds of rules live here:
 * - **Field rules** (`check*`): the format or range of one value (an id, an IP, a priority). The
 *   topology parser runs them as part of its schema, so a document with a bad field never becomes a
 *   `Topology`; {@link validateTopology} runs them again so a `Topology` built in code gets the same
 *   findings, with the same codes and messages.
 * - **Topology rules**: relations between fields, groups and quotas. Only {@link validateTopology}
 *   runs them, so `havip validate` can report every such finding at once.
 */
import { ConfigError } from './errors.js';
import type { Finding, Group, Member, Severity, Topology } from './model.js';
import { comparePaths, joinPath } from './paths.js';
import { describeQuota, QUOTA_DESCRIPTIONS } from './quotas.js';
import { isKnownHaVipRegion, REGION_ID_PATTERN } from './regions.js';

/** What is wrong with one value, as a field rule reports it. */
export interface Problem {
  readonly code: string;
  readonly message: string;
  readonly hint: string;
}

// =============================================================================================
// Field rules

/** The message for priority 255; the parser and the validator both use it verbatim. */
export const PRIORITY_OWNER_MESSAGE =
  'must be an integer 1–254; 255 is the keepalived address-owner priority, which a HaVip member cannot be';

/**
 * Member priority: an integer 1–254, keepalived's range for a router that does not own the address.
 * 255 means "address owner" in VRRP; with a HaVip no instance owns the address, so it is refused.
 */
export function checkPriority(priority: number): Problem | undefined {
  if (Number.isInteger(priority) && priority >= 1 && priority <= 254) return undefined;
  if (priority === 255) {
    return {
      code: 'member.priority.owner',
      message: PRIORITY_OWNER_MESSAGE,
      hint: 'use 254 or lower; the highest-priority eligible member holds the HaVip',
    };
  }
  return {
    code: 'member.priority.range',
    message: `must be an integer 1–254, got ${priority}`,
    hint: 'higher wins; keepalived-style pairs often use 100 for the primary and 10 for the backup',
  };
}

const DOTTED_QUAD = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;

/**
 * Member IP: a dotted IPv4 address a VPC can assign. HaVip is IPv4-only, and the election's
 * tie-break compares primary IPv4 addresses as numbers, as keepalived does.
 */
export function checkMemberIp(ip: string): Problem | undefined {
  if (ip.includes(':')) {
    return {
      code: 'member.ip.ipv6',
      message: `must be an IPv4 address, got the IPv6 address ${JSON.stringify(ip)}: HaVip works only with IPv4 in a VPC, and the election tie-break compares IPv4 addresses`,
      hint: "use the member's primary private IPv4 address",
    };
  }
  const m = DOTTED_QUAD.exec(ip);
  const octets = m ? m.slice(1).map(Number) : [];
  if (!m || octets.some((o) => o > 255)) {
    return {
      code: 'member.ip.format',
      message: `must be a dotted IPv4 address like 192.168.0.11 (no leading zeros), got ${JSON.stringify(ip)}`,
      hint: "use the member's primary private IPv4 address",
    };
  }
  const [a, b] = octets as [number, number, number, number];
  const reserved =
    a === 0
      ? 'an unspecified ("this network") address'
      : a === 127
        ? 'a loopback address'
        : a === 169 && b === 254
          ? 'a link-local address'
          : a >= 224
            ? 'a multicast or reserved address'
            : undefined;
  if (reserved) {
    return {
      code: 'member.ip.reserved',
      message: `${ip} is ${reserved}, which a VPC never assigns to an instance`,
      hint: "use the member's primary private IPv4 address (ECS console → instance → Primary private IP)",
    };
  }
  return undefined;
}

function idRule(code: string, pattern: RegExp, what: string, example: string) {
  return (id: string): Problem | undefined => {
    if (pattern.test(id)) return undefined;
    const lower = id.toLowerCase();
    return {
      code,
      message: `must be ${what} like ${example}, got ${JSON.stringify(id)}`,
      hint:
        lower !== id && pattern.test(lower)
          ? 'Alibaba Cloud ids are lowercase'
          : id.trim() !== id
            ? 'remove the surrounding spaces'
            : 'copy the id from the console or the DescribeXxx API',
    };
  };
}

/** A member id: an ECS instance (`i-…`) or an ENI (`eni-…`). The member kind follows from the prefix. */
export const checkMemberId = idRule(
  'member.id.format',
  /^(i|eni)-[a-z0-9]{1,60}$/,
  'an ECS instance id (i-…) or an ENI id (eni-…)',
  'i-bp1demo0000000000001',
);
/** A HaVip id (`havip-…`). */
export const checkHaVipId = idRule(
  'group.havip-id.format',
  /^havip-[a-z0-9]{1,60}$/,
  'a HaVip id',
  'havip-bp1demo0000000000001',
);
/** A vSwitch id (`vsw-…`). */
export const checkVSwitchId = idRule(
  'group.vswitch-id.format',
  /^vsw-[a-z0-9]{1,60}$/,
  'a vSwitch id',
  'vsw-bp1demo0000000000001',
);
/** An EIP allocation id (`eip-…`). */
export const checkAllocationId = idRule(
  'group.eip.allocation-id.format',
  /^eip-[a-z0-9]{1,60}$/,
  'an EIP allocation id',
  'eip-bp1demo0000000000001',
);

/** Group names appear in store keys, URLs and ClientTokens, so they are kept to a safe alphabet. */
export const GROUP_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export function checkGroupName(name: string): Problem | undefined {
  if (GROUP_NAME_PATTERN.test(name)) return undefined;
  return {
    code: 'group.name.format',
    message: `must be 1–63 characters of lowercase letters, digits and dashes, starting with a letter or digit, got ${JSON.stringify(name)}`,
    hint: 'e.g. web or db-primary; the name appears in URLs, store keys and ClientTokens',
  };
}

/** A region id's shape; whether HaVip is offered there is a separate warning (`region.unknown`). */
export function checkRegionId(region: string): Problem | undefined {
  if (REGION_ID_PATTERN.test(region)) return undefined;
  return {
    code: 'region.format',
    message: `must be an Alibaba Cloud region id like cn-hangzhou, got ${JSON.stringify(region)}`,
    hint: 'use the region id, not its display name (cn-shanghai, not "China (Shanghai)")',
  };
}

// =============================================================================================
// Codes

/**
 * Every code {@link validateTopology} can report, with its severity. Field-rule codes are also
 * reported by the parser. docs/configuration.md documents each one.
 */
export const VALIDATION_CODES: Readonly<Record<string, Severity>> = Object.freeze({
  'region.format': 'error',
  'region.unknown': 'warning',
  'group.name.format': 'error',
  'group.name.duplicate': 'error',
  'group.vswitch-id.format': 'error',
  'group.havip-id.format': 'error',
  'group.eip.allocation-id.format': 'error',
  'group.address.missing': 'error',
  'group.havip.required': 'error',
  'group.eip.direct-with-havip': 'error',
  'group.announce.keepalived-direct': 'error',
  'group.nopreempt-with-delay': 'error',
  'group.health.probe-timeout': 'warning',
  'group.members.single': 'warning',
  'group.members.quota': 'error',
  'group.members.mixed-kinds': 'error',
  'group.havip.duplicate': 'error',
  'group.eip.duplicate': 'error',
  'havip.eips.quota': 'error',
  'region.havips.quota': 'error',
  'member.id.format': 'error',
  'member.id.duplicate': 'error',
  'member.ip.format': 'error',
  'member.ip.ipv6': 'error',
  'member.ip.reserved': 'error',
  'member.ip.duplicate': 'error',
  'member.ip.conflict': 'error',
  'member.priority.owner': 'error',
  'member.priority.range': 'error',
  'member.havips.quota': 'error',
});

// =============================================================================================
// Topology rules

/**
 * Runs every static rule over `t`. Findings are sorted by path (indices numerically), then by code.
 * Paths point at the effective group setting, which may have been inherited from `defaults`.
 */
export function validateTopology(t: Topology): Finding[] {
  const out: Finding[] = [];
  const add = (code: string, path: string, message: string, hint: string): void => {
    const severity = VALIDATION_CODES[code];
    if (severity === undefined) throw new Error(`undocumented finding code ${code}`);
    out.push(Object.freeze({ severity, code, path, message, hint }));
  };
  const field = (problem: Problem | undefined, path: string): boolean => {
    if (problem) add(problem.code, path, problem.message, problem.hint);
    return problem === undefined;
  };

  checkRegion(t.region, 'region', field, add);
  t.groups.forEach((g, gi) => {
    const base = `groups[${gi}]`;
    field(checkGroupName(g.name), joinPath(base, 'name'));
    // A group that inherits the top-level region was already checked once at `region`.
    if (g.region !== t.region) checkRegion(g.region, joinPath(base, 'region'), field, add);
    field(checkVSwitchId(g.vSwitchId), joinPath(base, 'vSwitchId'));
    if (g.haVipId !== undefined) field(checkHaVipId(g.haVipId), joinPath(base, 'haVipId'));
    if (g.eip !== undefined)
      field(checkAllocationId(g.eip.allocationId), joinPath(base, 'eip', 'allocationId'));
    groupRules(t, g, base, add);
    g.members.forEach((m, mi) => {
      const mp = joinPath(base, 'members', mi);
      field(checkMemberId(m.id), joinPath(mp, 'id'));
      field(checkMemberIp(m.ip), joinPath(mp, 'ip'));
      field(checkPriority(m.priority), joinPath(mp, 'priority'));
    });
    memberUniqueness(g, base, add);
  });
  crossGroupRules(t, add);

  return out.sort((a, b) => comparePaths(a.path, b.path) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/** Throws {@link ConfigError} (`config.invalid`) listing every error-severity finding; warnings pass. */
export function assertValid(t: Topology): void {
  const errors = validateTopology(t).filter((f) => f.severity === 'error');
  if (errors.length > 0) {
    throw new ConfigError(`topology is invalid: ${plural(errors.length, 'error')}`, errors);
  }
}

type Add = (code: string, path: string, message: string, hint: string) => void;
type Field = (problem: Problem | undefined, path: string) => boolean;

function checkRegion(region: string, path: string, field: Field, add: Add): void {
  if (!field(checkRegionId(region), path)) return;
  if (!isKnownHaVipRegion(region)) {
    add(
      'region.unknown',
      path,
      `${region} is not on the 2025 list of regions offering HaVip`,
      'check the region id; if Alibaba has since opened HaVip there, ignore this warning',
    );
  }
}

function groupRules(t: Topology, g: Group, base: string, add: Add): void {
  const who = `group ${g.name}`;
  if (g.haVipId === undefined && g.eip === undefined) {
    add(
      'group.address.missing',
      base,
      `${who} has neither haVipId nor eip, so there is no address to fail over`,
      'set haVipId (and optionally eip), or eip with mode: direct for a group without a HaVip',
    );
  } else if (g.haVipId === undefined && g.eip?.mode === 'havip') {
    add(
      'group.havip.required',
      joinPath(base, 'haVipId'),
      `${who} sets eip.mode: havip, which binds the EIP to the group's HaVip, but has no haVipId`,
      'add haVipId, or set eip.mode: direct to move the EIP itself between members',
    );
  }
  if (g.haVipId !== undefined && g.eip?.mode === 'direct') {
    add(
      'group.eip.direct-with-havip',
      joinPath(base, 'eip', 'mode'),
      `${who} has a HaVip and eip.mode: direct; direct mode moves the EIP itself between members and is only for groups without a HaVip (with a HaVip, the EIP is bound to the HaVip and follows it)`,
      'use eip.mode: havip, or remove haVipId',
    );
  }
  if (g.announce === 'keepalived' && g.eip?.mode === 'direct') {
    add(
      'group.announce.keepalived-direct',
      joinPath(base, 'announce'),
      `${who} uses announce: keepalived with eip.mode: direct; keepalived announces a HaVip address by ARP, and a direct-mode group has no HaVip to announce`,
      'use announce: agent, cloud-assistant or none, or give the group a HaVip with eip.mode: havip',
    );
  }
  if (g.nopreempt && g.preemptDelaySeconds > 0) {
    add(
      'group.nopreempt-with-delay',
      joinPath(base, 'preemptDelaySeconds'),
      `${who} sets preemptDelaySeconds: ${g.preemptDelaySeconds} with nopreempt: true; the delay only applies when preempting, and keepalived ignores preempt_delay under nopreempt`,
      'set preemptDelaySeconds: 0, or nopreempt: false to let a recovered higher-priority member take the HaVip back after the delay',
    );
  }
  const probe = g.health.probe;
  if (probe !== undefined && probe.timeoutMs >= probe.intervalSeconds * 1000) {
    add(
      'group.health.probe-timeout',
      joinPath(base, 'health', 'probe', 'timeoutMs'),
      `${who}: probe timeoutMs ${probe.timeoutMs} is not shorter than intervalSeconds ${probe.intervalSeconds}, so a slow probe overlaps the next one`,
      'make timeoutMs smaller than intervalSeconds × 1000',
    );
  }
  if (g.members.length === 1) {
    add(
      'group.members.single',
      joinPath(base, 'members'),
      `${who} has one member, so there is nothing to fail over to`,
      'add a second member, or ignore this while building the group up',
    );
  }
  if (g.haVipId !== undefined && g.members.length > t.quotas.membersPerHaVip) {
    add(
      'group.members.quota',
      joinPath(base, 'members'),
      `${who} has ${g.members.length} members, more than the ${QUOTA_DESCRIPTIONS.membersPerHaVip} (${describeQuota('membersPerHaVip', t.quotas, t.quotaProfile)})`,
      t.quotaProfile === 'legacy'
        ? 'remove members, or use quotaProfile: current if your account follows the current documentation (10)'
        : 'remove members, or raise the quota in Quota Center and set quotas.membersPerHaVip',
    );
  }
  const kinds = new Set(g.members.map((m) => m.kind));
  if (kinds.size > 1) {
    const ecs = g.members.filter((m) => m.kind === 'ecs').map((m) => m.id);
    const eni = g.members.filter((m) => m.kind === 'eni').map((m) => m.id);
    add(
      'group.members.mixed-kinds',
      joinPath(base, 'members'),
      `${who} mixes ECS instances (${ecs.join(', ')}) and ENIs (${eni.join(', ')}); a HaVip binds either ECS instances or ENIs, never both`,
      'use only i-… ids or only eni-… ids in one group (an ENI member can stand for an instance)',
    );
  }
}

function memberUniqueness(g: Group, base: string, add: Add): void {
  const ids = new Map<string, number>();
  const ips = new Map<string, number>();
  g.members.forEach((m, mi) => {
    const mp = joinPath(base, 'members', mi);
    const firstId = ids.get(m.id);
    if (firstId === undefined) ids.set(m.id, mi);
    else {
      add(
        'member.id.duplicate',
        joinPath(mp, 'id'),
        `${m.id} is already listed as ${joinPath(base, 'members', firstId)}`,
        'list each member once',
      );
    }
    const firstIp = ips.get(m.ip);
    if (firstIp === undefined) ips.set(m.ip, mi);
    else if (firstId === undefined) {
      add(
        'member.ip.duplicate',
        joinPath(mp, 'ip'),
        `${m.ip} is already the IP of ${joinPath(base, 'members', firstIp)}; two members of one vSwitch cannot share a primary IP, and the election tie-break needs distinct addresses`,
        "use each member's own primary private IPv4",
      );
    }
  });
}

interface Seen {
  readonly path: string;
  readonly group: Group;
}

function crossGroupRules(t: Topology, add: Add): void {
  const names = new Map<string, string>();
  const haVips = new Map<string, Seen>();
  const eips = new Map<string, Seen>();
  const memberIps = new Map<string, { ip: string; path: string }>();
  /** Member id → groups (with a HaVip) it is bound in, for the per-instance quota. */
  const instanceHaVips = new Map<string, { haVips: Set<string>; paths: string[] }>();
  /** Region → HaVip ids in first-seen order. */
  const regionHaVips = new Map<string, string[]>();
  /** HaVip → EIP allocation ids bound to it (havip mode). */
  const haVipEips = new Map<string, Set<string>>();

  t.groups.forEach((g, gi) => {
    const base = `groups[${gi}]`;
    const firstName = names.get(g.name);
    if (firstName === undefined) names.set(g.name, base);
    else {
      add(
        'group.name.duplicate',
        joinPath(base, 'name'),
        `group name ${g.name} is already used by ${firstName}`,
        'give every group a unique name; names key the lease, journal and HTTP API',
      );
    }

    if (g.haVipId !== undefined) {
      const first = haVips.get(g.haVipId);
      if (first === undefined) haVips.set(g.haVipId, { path: base, group: g });
      else {
        add(
          'group.havip.duplicate',
          joinPath(base, 'haVipId'),
          `HaVip ${g.haVipId} is already managed by group ${first.group.name} (${first.path}); two groups would fight over it`,
          'manage each HaVip in exactly one group (merge the groups)',
        );
      }
      const list = regionHaVips.get(g.region) ?? [];
      if (!list.includes(g.haVipId)) {
        list.push(g.haVipId);
        regionHaVips.set(g.region, list);
        if (list.length === t.quotas.haVipsPerRegion + 1) {
          add(
            'region.havips.quota',
            joinPath(base, 'haVipId'),
            `${g.region} now has ${list.length} HaVips in this topology, more than the ${QUOTA_DESCRIPTIONS.haVipsPerRegion} (${describeQuota('haVipsPerRegion', t.quotas, t.quotaProfile)})`,
            'raise the HaVip quota in Quota Center and set quotas.haVipsPerRegion, or use fewer HaVips',
          );
        }
      }
    }

    if (g.eip !== undefined) {
      const id = g.eip.allocationId;
      const first = eips.get(id);
      if (first === undefined) eips.set(id, { path: base, group: g });
      else {
        add(
          'group.eip.duplicate',
          joinPath(base, 'eip', 'allocationId'),
          `EIP ${id} is already managed by group ${first.group.name} (${first.path}); two groups would move it in opposite directions`,
          'manage each EIP in exactly one group',
        );
      }
      if (g.eip.mode === 'havip' && g.haVipId !== undefined) {
        const bound = haVipEips.get(g.haVipId) ?? new Set<string>();
        bound.add(id);
        haVipEips.set(g.haVipId, bound);
        if (bound.size === t.quotas.eipsPerHaVip + 1) {
          add(
            'havip.eips.quota',
            joinPath(base, 'eip', 'allocationId'),
            `HaVip ${g.haVipId} would have ${bound.size} EIPs bound (${[...bound].join(', ')}), more than the ${QUOTA_DESCRIPTIONS.eipsPerHaVip} (${describeQuota('eipsPerHaVip', t.quotas, t.quotaProfile)})`,
            'bind one EIP per HaVip; for more public addresses use more HaVips',
          );
        }
      }
    }

    g.members.forEach((m: Member, mi) => {
      const mp = joinPath(base, 'members', mi);
      const known = memberIps.get(m.id);
      if (known === undefined) memberIps.set(m.id, { ip: m.ip, path: joinPath(mp, 'ip') });
      else if (known.ip !== m.ip) {
        add(
          'member.ip.conflict',
          joinPath(mp, 'ip'),
          `${m.id} has ip ${m.ip} here but ${known.ip} at ${known.path}; a member has one primary IP`,
          "use the instance's primary private IPv4 in every group",
        );
      }
      // The documented limit counts HaVips per ECS instance; what an ENI counts against depends on
      // the instance it is attached to, which only live validation can see.
      if (m.kind === 'ecs' && g.haVipId !== undefined) {
        const entry = instanceHaVips.get(m.id) ?? { haVips: new Set<string>(), paths: [] };
        if (!entry.haVips.has(g.haVipId)) {
          entry.haVips.add(g.haVipId);
          entry.paths.push(joinPath(mp, 'id'));
          instanceHaVips.set(m.id, entry);
          if (entry.haVips.size === t.quotas.haVipsPerInstance + 1) {
            add(
              'member.havips.quota',
              joinPath(mp, 'id'),
              `${m.id} is bound to ${entry.haVips.size} HaVips in this topology (${[...entry.haVips].join(', ')}), more than the ${QUOTA_DESCRIPTIONS.haVipsPerInstance} (${describeQuota('haVipsPerInstance', t.quotas, t.quotaProfile)})`,
              'spread the HaVips over more instances, or raise the quota and set quotas.haVipsPerInstance',
            );
          }
        }
      }
    });
  });
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
