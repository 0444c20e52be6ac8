/**
 * Topology rules that hold on every cloud: they read only the cloud-neutral parts of a group (its name,
 * the preemption and health settings, the members' ids and IPs). Each rule is named after what it
 * requires and reports the codes in its doc comment.
 */
import type { SeverityTable } from '../findings.js';
import { joinPath } from '../paths.js';
import { forEachRepeat, type GroupRule, type TopologyRule } from './rule-set.js';

/** The codes of the cloud-neutral rules (documented in docs/configuration.md). */
export const COMMON_CODES = Object.freeze({
  'group.name.duplicate': 'error',
  'group.nopreempt-with-delay': 'error',
  'group.health.probe-timeout': 'warning',
  'group.members.single': 'warning',
  'member.id.duplicate': 'error',
  'member.ip.duplicate': 'error',
  'member.ip.conflict': 'error',
} as const satisfies SeverityTable<string>);

export type CommonCode = keyof typeof COMMON_CODES;

/** `group.name.duplicate`: names key the lease, the journal and the HTTP API, so they are unique. */
export const uniqueGroupNames: TopologyRule<CommonCode> = (t, report) => {
  forEachRepeat(
    t,
    (g) => g.name,
    (g, at, first) =>
      report(
        'group.name.duplicate',
        joinPath(at, 'name'),
        `group name ${g.name} is already used by ${first.at}`,
        'give every group a unique name; names key the lease, journal and HTTP API',
      ),
  );
};

/** `group.nopreempt-with-delay`: a preemption delay means nothing under nopreempt (as in keepalived). */
export const noDelayUnderNopreempt: GroupRule<CommonCode> = (g, base, _t, report) => {
  if (!g.nopreempt || g.preemptDelaySeconds <= 0) return;
  report(
    'group.nopreempt-with-delay',
    joinPath(base, 'preemptDelaySeconds'),
    `group ${g.name} sets preemptDelaySeconds: ${g.preemptDelaySeconds} with nopreempt: true; the delay only applies when preempting, and keepalived ignores preempt_delay under nopreempt`,
    'set preemptDelaySeconds: 0, or nopreempt: false to let a recovered higher-priority member take the HaVip back after the delay',
  );
};

/** `group.health.probe-timeout`: a probe must time out before the next one starts. */
export const probeTimeoutBelowInterval: GroupRule<CommonCode> = (g, base, _t, report) => {
  const probe = g.health.probe;
  if (probe === undefined || probe.timeoutMs < probe.intervalSeconds * 1000) return;
  report(
    'group.health.probe-timeout',
    joinPath(base, 'health', 'probe', 'timeoutMs'),
    `group ${g.name}: probe timeoutMs ${probe.timeoutMs} is not shorter than intervalSeconds ${probe.intervalSeconds}, so a slow probe overlaps the next one`,
    'make timeoutMs smaller than intervalSeconds × 1000',
  );
};

/** `group.members.single`: a group of one has nothing to fail over to. */
export const moreThanOneMember: GroupRule<CommonCode> = (g, base, _t, report) => {
  if (g.members.length !== 1) return;
  report(
    'group.members.single',
    joinPath(base, 'members'),
    `group ${g.name} has one member, so there is nothing to fail over to`,
    'add a second member, or ignore this while building the group up',
  );
};

/**
 * `member.id.duplicate`, `member.ip.duplicate`: a member is listed once per group, and two members do
 * not share a primary IP (a repeated member is reported once, for its id).
 */
export const uniqueMembers: GroupRule<CommonCode> = (g, base, _t, report) => {
  const ids = new Map<string, number>();
  const ips = new Map<string, number>();
  g.members.forEach((m, mi) => {
    const mp = joinPath(base, 'members', mi);
    const firstId = ids.get(m.id);
    if (firstId === undefined) ids.set(m.id, mi);
    else {
      report(
        'member.id.duplicate',
        joinPath(mp, 'id'),
        `${m.id} is already listed as ${joinPath(base, 'members', firstId)}`,
        'list each member once',
      );
    }
    const firstIp = ips.get(m.ip);
    if (firstIp === undefined) ips.set(m.ip, mi);
    else if (firstId === undefined) {
      report(
        'member.ip.duplicate',
        joinPath(mp, 'ip'),
        `${m.ip} is already the IP of ${joinPath(base, 'members', firstIp)}; two members of one vSwitch cannot share a primary IP, and the election tie-break needs distinct addresses`,
        "use each member's own primary private IPv4",
      );
    }
  });
};

/** `member.ip.conflict`: a member has one primary IP, whichever group lists it. */
export const oneIpPerMember: TopologyRule<CommonCode> = (t, report) => {
  const known = new Map<string, { ip: string; path: string }>();
  t.groups.forEach((g, gi) => {
    g.members.forEach((m, mi) => {
      const path = joinPath(`groups[${gi}]`, 'members', mi, 'ip');
      const first = known.get(m.id);
      if (first === undefined) known.set(m.id, { ip: m.ip, path });
      else if (first.ip !== m.ip) {
        report(
          'member.ip.conflict',
          path,
          `${m.id} has ip ${m.ip} here but ${first.ip} at ${first.path}; a member has one primary IP`,
          "use the instance's primary private IPv4 in every group",
        );
      }
    });
  });
};
