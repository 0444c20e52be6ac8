import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PARSE_CODES, parseTopology, safeParseTopology } from '../../../shared/core/config.js';
import { ConfigError } from '../../../shared/core/errors.js';
import type { Group, Member, Severity, Topology } from '../../../shared/core/model.js';
import {
  assertValid,
  checkPriority,
  PRIORITY_OWNER_MESSAGE,
  VALIDATION_CODES,
  validateTopology,
} from '../../../shared/core/validate.js';

const read = (rel: string) => readFileSync(new URL(rel, import.meta.url), 'utf8');

// ---------------------------------------------------------------------------------------------
// Builders. Topology-rule cases go through the parser (so they are documents an operator could
// write); field-rule cases the schema would refuse are built by editing a parsed topology.

const member = (id: string, ip: string, priority = 100) => ({ id, ip, priority });
const pair = (p: string, a = 1) => [member(`i-${p}1`, `10.0.${a}.1`), member(`i-${p}2`, `10.0.${a}.2`)];

function group(name: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, vSwitchId: 'vsw-1', haVipId: `havip-${name}`, members: pair(name), ...over };
}

function topo(groups: Record<string, unknown>[], top: Record<string, unknown> = {}): Topology {
  return parseTopology({ region: 'cn-hangzhou', ...top, groups });
}

/** The one-group topology every field-rule case starts from. */
const fine = topo([group('g')]);

function editGroup(t: Topology, patch: Partial<Group>): Topology {
  return { ...t, groups: [{ ...t.groups[0]!, ...patch }, ...t.groups.slice(1)] };
}

function editMember(t: Topology, index: number, patch: Partial<Member>): Topology {
  const g = t.groups[0]!;
  return editGroup(t, { members: g.members.map((m, i) => (i === index ? { ...m, ...patch } : m)) });
}

/** `count` groups g0…, each with its own HaVip and the same instance as first member. */
function sharedInstance(count: number, top: Record<string, unknown> = {}): Topology {
  const groups = Array.from({ length: count }, (_, i) =>
    group(`g${i}`, { members: [member('i-shared', '10.0.0.1'), member(`i-own${i}`, `10.0.1.${i + 1}`)] }),
  );
  return topo(groups, top);
}

interface Rule {
  readonly code: string;
  readonly severity: Severity;
  readonly path: string;
  readonly pass: () => Topology;
  readonly fail: () => Topology;
}

const rules: Rule[] = [
  {
    code: 'region.format',
    severity: 'error',
    path: 'region',
    pass: () => fine,
    fail: () => ({ ...fine, region: 'Hangzhou', groups: [{ ...fine.groups[0]!, region: 'Hangzhou' }] }),
  },
  {
    code: 'region.unknown',
    severity: 'warning',
    path: 'region',
    pass: () => topo([group('g')], { region: 'eu-west-1' }),
    fail: () => topo([group('g')], { region: 'xx-nowhere-1' }),
  },
  {
    code: 'region.unknown',
    severity: 'warning',
    path: 'groups[0].region',
    pass: () => topo([group('g', { region: 'cn-shanghai' })]),
    fail: () => topo([group('g', { region: 'cn-nanjing' })]),
  },
  {
    code: 'group.name.format',
    severity: 'error',
    path: 'groups[0].name',
    pass: () => fine,
    fail: () => editGroup(fine, { name: 'Web_1' as Group['name'] }),
  },
  {
    code: 'group.name.duplicate',
    severity: 'error',
    path: 'groups[1].name',
    pass: () => topo([group('a'), group('b', { members: pair('b', 2) })]),
    fail: () => topo([group('a'), group('a', { haVipId: 'havip-b', members: pair('b', 2) })]),
  },
  {
    code: 'group.vswitch-id.format',
    severity: 'error',
    path: 'groups[0].vSwitchId',
    pass: () => fine,
    fail: () => editGroup(fine, { vSwitchId: 'vpc-1' as Group['vSwitchId'] }),
  },
  {
    code: 'group.havip-id.format',
    severity: 'error',
    path: 'groups[0].haVipId',
    pass: () => fine,
    fail: () => editGroup(fine, { haVipId: '192.168.0.100' as Group['haVipId'] }),
  },
  {
    code: 'group.eip.allocation-id.format',
    severity: 'error',
    path: 'groups[0].eip.allocationId',
    pass: () => topo([group('g', { eip: { allocationId: 'eip-1' } })]),
    fail: () => editGroup(fine, { eip: { allocationId: '47.96.0.1' as never, mode: 'havip' } }),
  },
  {
    code: 'group.address.missing',
    severity: 'error',
    path: 'groups[0]',
    pass: () => topo([group('g', { haVipId: undefined, eip: { allocationId: 'eip-1', mode: 'direct' } })]),
    fail: () => topo([group('g', { haVipId: undefined })]),
  },
  {
    code: 'group.havip.required',
    severity: 'error',
    path: 'groups[0].haVipId',
    pass: () => topo([group('g', { haVipId: undefined, eip: { allocationId: 'eip-1', mode: 'direct' } })]),
    fail: () => topo([group('g', { haVipId: undefined, eip: { allocationId: 'eip-1' } })]),
  },
  {
    code: 'group.eip.direct-with-havip',
    severity: 'error',
    path: 'groups[0].eip.mode',
    pass: () => topo([group('g', { eip: { allocationId: 'eip-1', mode: 'havip' } })]),
    fail: () => topo([group('g', { eip: { allocationId: 'eip-1', mode: 'direct' } })]),
  },
  {
    code: 'group.announce.keepalived-direct',
    severity: 'error',
    path: 'groups[0].announce',
    pass: () => topo([group('g', { announce: 'keepalived', eip: { allocationId: 'eip-1', mode: 'havip' } })]),
    fail: () =>
      topo([
        group('g', {
          haVipId: undefined,
          announce: 'keepalived',
          eip: { allocationId: 'eip-1', mode: 'direct' },
        }),
      ]),
  },
  {
    code: 'group.nopreempt-with-delay',
    severity: 'error',
    path: 'groups[0].preemptDelaySeconds',
    pass: () => topo([group('g', { nopreempt: false, preemptDelaySeconds: 30 })]),
    fail: () => topo([group('g', { nopreempt: true, preemptDelaySeconds: 30 })]),
  },
  {
    code: 'group.nopreempt-with-delay',
    severity: 'error',
    path: 'groups[0].preemptDelaySeconds',
    pass: () => topo([group('g')], { defaults: { preemptDelaySeconds: 0 } }),
    // nopreempt is true by default, so a delay inherited from defaults is refused too.
    fail: () => topo([group('g')], { defaults: { preemptDelaySeconds: 5 } }),
  },
  {
    code: 'group.health.probe-timeout',
    severity: 'warning',
    path: 'groups[0].health.probe.timeoutMs',
    pass: () =>
      topo([
        group('g', { health: { probe: { kind: 'tcp', port: 80, timeoutMs: 9999, intervalSeconds: 10 } } }),
      ]),
    fail: () =>
      topo([
        group('g', { health: { probe: { kind: 'tcp', port: 80, timeoutMs: 10000, intervalSeconds: 10 } } }),
      ]),
  },
  {
    code: 'group.members.single',
    severity: 'warning',
    path: 'groups[0].members',
    pass: () => fine,
    fail: () => topo([group('g', { members: [member('i-1', '10.0.0.1')] })]),
  },
  {
    code: 'group.members.quota',
    severity: 'error',
    path: 'groups[0].members',
    pass: () => topo([group('g', { members: [...pair('a'), member('i-3', '10.0.1.3')] })]),
    fail: () =>
      topo([group('g', { members: [...pair('a'), member('i-3', '10.0.1.3')] })], { quotaProfile: 'legacy' }),
  },
  {
    code: 'group.members.quota',
    severity: 'error',
    path: 'groups[0].members',
    pass: () =>
      topo([group('g', { members: [...pair('a'), member('i-3', '10.0.1.3')] })], {
        quotaProfile: 'legacy',
        quotas: { membersPerHaVip: 3 },
      }),
    fail: () =>
      topo([group('g', { members: [...pair('a'), member('i-3', '10.0.1.3')] })], {
        quotas: { membersPerHaVip: 2 },
      }),
  },
  {
    code: 'group.members.mixed-kinds',
    severity: 'error',
    path: 'groups[0].members',
    pass: () => topo([group('g', { members: [member('eni-1', '10.0.0.1'), member('eni-2', '10.0.0.2')] })]),
    fail: () => topo([group('g', { members: [member('i-1', '10.0.0.1'), member('eni-2', '10.0.0.2')] })]),
  },
  {
    code: 'group.havip.duplicate',
    severity: 'error',
    path: 'groups[1].haVipId',
    pass: () => topo([group('a'), group('b', { members: pair('b', 2) })]),
    fail: () => topo([group('a'), group('b', { haVipId: 'havip-a', members: pair('b', 2) })]),
  },
  {
    code: 'group.eip.duplicate',
    severity: 'error',
    path: 'groups[1].eip.allocationId',
    pass: () =>
      topo([
        group('a', { eip: { allocationId: 'eip-a' } }),
        group('b', { eip: { allocationId: 'eip-b' }, members: pair('b', 2) }),
      ]),
    fail: () =>
      topo([
        group('a', { eip: { allocationId: 'eip-a' } }),
        group('b', { eip: { allocationId: 'eip-a' }, members: pair('b', 2) }),
      ]),
  },
  {
    code: 'havip.eips.quota',
    severity: 'error',
    path: 'groups[1].eip.allocationId',
    pass: () => topo([group('a', { eip: { allocationId: 'eip-a' } }), group('b', { members: pair('b', 2) })]),
    fail: () =>
      topo([
        group('a', { eip: { allocationId: 'eip-a' } }),
        group('b', { haVipId: 'havip-a', eip: { allocationId: 'eip-b' }, members: pair('b', 2) }),
      ]),
  },
  {
    code: 'region.havips.quota',
    severity: 'error',
    path: 'groups[5].haVipId',
    pass: () =>
      topo(
        Array.from({ length: 5 }, (_, i) => group(`g${i}`, { members: pair(`g${i}`, i) })),
        { quotaProfile: 'legacy' },
      ),
    fail: () =>
      topo(
        Array.from({ length: 6 }, (_, i) => group(`g${i}`, { members: pair(`g${i}`, i) })),
        { quotaProfile: 'legacy' },
      ),
  },
  {
    code: 'member.id.format',
    severity: 'error',
    path: 'groups[0].members[1].id',
    pass: () => fine,
    fail: () => editMember(fine, 1, { id: 'I-ABC' as Member['id'] }),
  },
  {
    code: 'member.id.duplicate',
    severity: 'error',
    path: 'groups[0].members[1].id',
    pass: () => fine,
    fail: () => topo([group('g', { members: [member('i-1', '10.0.0.1'), member('i-1', '10.0.0.1')] })]),
  },
  {
    code: 'member.ip.format',
    severity: 'error',
    path: 'groups[0].members[1].ip',
    pass: () => fine,
    fail: () => editMember(fine, 1, { ip: '10.0.0' }),
  },
  {
    code: 'member.ip.ipv6',
    severity: 'error',
    path: 'groups[0].members[1].ip',
    pass: () => fine,
    fail: () => editMember(fine, 1, { ip: '2408:4005::1' }),
  },
  {
    code: 'member.ip.reserved',
    severity: 'error',
    path: 'groups[0].members[1].ip',
    pass: () => editMember(fine, 1, { ip: '100.64.0.5' }),
    fail: () => editMember(fine, 1, { ip: '169.254.0.5' }),
  },
  {
    code: 'member.ip.duplicate',
    severity: 'error',
    path: 'groups[0].members[1].ip',
    pass: () => fine,
    fail: () => topo([group('g', { members: [member('i-1', '10.0.0.1'), member('i-2', '10.0.0.1')] })]),
  },
  {
    code: 'member.ip.conflict',
    severity: 'error',
    path: 'groups[1].members[0].ip',
    pass: () =>
      topo([
        group('a', { members: [member('i-1', '10.0.0.1'), member('i-2', '10.0.0.2')] }),
        group('b', { members: [member('i-1', '10.0.0.1'), member('i-3', '10.0.0.3')] }),
      ]),
    fail: () =>
      topo([
        group('a', { members: [member('i-1', '10.0.0.1'), member('i-2', '10.0.0.2')] }),
        group('b', { members: [member('i-1', '10.0.0.9'), member('i-3', '10.0.0.3')] }),
      ]),
  },
  {
    code: 'member.priority.owner',
    severity: 'error',
    path: 'groups[0].members[0].priority',
    pass: () => editMember(fine, 0, { priority: 254 }),
    fail: () => editMember(fine, 0, { priority: 255 }),
  },
  {
    code: 'member.priority.range',
    severity: 'error',
    path: 'groups[0].members[0].priority',
    pass: () => editMember(fine, 0, { priority: 1 }),
    fail: () => editMember(fine, 0, { priority: 0 }),
  },
  {
    code: 'member.havips.quota',
    severity: 'error',
    path: 'groups[5].members[0].id',
    pass: () => sharedInstance(5),
    fail: () => sharedInstance(6),
  },
  {
    code: 'member.havips.quota',
    severity: 'error',
    path: 'groups[2].members[0].id',
    pass: () => sharedInstance(3, { quotas: { haVipsPerInstance: 3 } }),
    fail: () => sharedInstance(3, { quotas: { haVipsPerInstance: 2 } }),
  },
];

describe('validateTopology rules', () => {
  it.each(rules.map((r) => [r.code, r.path, r] as const))('%s at %s', (_code, _path, rule) => {
    const passing = validateTopology(rule.pass());
    expect(passing.filter((f) => f.code === rule.code)).toEqual([]);
    const failing = validateTopology(rule.fail()).filter((f) => f.code === rule.code);
    expect(failing).toHaveLength(1);
    expect(failing[0]).toMatchObject({ code: rule.code, severity: rule.severity, path: rule.path });
    expect(failing[0]!.message.length).toBeGreaterThan(0);
    expect(failing[0]!.hint.length).toBeGreaterThan(0);
  });

  it('every documented validation code has a case above, with the documented severity', () => {
    const covered = new Map(rules.map((r) => [r.code, r.severity]));
    for (const [code, severity] of Object.entries(VALIDATION_CODES)) {
      expect(covered.get(code), code).toBe(severity);
    }
  });

  it('the base topology and the examples have no findings', () => {
    expect(validateTopology(fine)).toEqual([]);
    for (const name of ['two-node.yaml', 'three-node.yaml']) {
      expect(validateTopology(parseTopology(read(`../../../examples/${name}`))), name).toEqual([]);
    }
  });

  it('explains the keepalived reason for priority 255 and nopreempt with a delay', () => {
    const [owner] = validateTopology(editMember(fine, 0, { priority: 255 }));
    expect(owner!.message).toBe(PRIORITY_OWNER_MESSAGE);
    const [delay] = validateTopology(topo([group('g', { preemptDelaySeconds: 5 })]));
    expect(delay!.message).toContain('keepalived ignores preempt_delay');
  });

  it('reports the parser and the validator with the same code and message for a field rule', () => {
    const parsed = safeParseTopology({
      region: 'cn-hangzhou',
      groups: [group('g', { members: [member('i-1', '10.0.0.1', 255), member('i-2', '10.0.0.2')] })],
    });
    expect(parsed.ok).toBe(false);
    const fromParser = parsed.ok ? undefined : parsed.findings[0];
    const fromValidator = validateTopology(editMember(fine, 0, { priority: 255 }))[0];
    expect(fromParser).toEqual(fromValidator);
    expect(checkPriority(255)?.code).toBe('member.priority.owner');
  });

  it('checks every group, and reports every finding at once', () => {
    const t = topo([
      group('a', { preemptDelaySeconds: 5 }),
      group('b', { haVipId: 'havip-a', members: [member('i-1', '10.0.2.1')] }),
    ]);
    expect(validateTopology(t).map((f) => [f.code, f.path])).toEqual([
      ['group.nopreempt-with-delay', 'groups[0].preemptDelaySeconds'],
      ['group.havip.duplicate', 'groups[1].haVipId'],
      ['group.members.single', 'groups[1].members'],
    ]);
  });

  it('sorts findings by path with indices in numeric order', () => {
    const groups = Array.from({ length: 11 }, (_, i) => group(`g${i}`, { members: pair(`g${i}`, i) }));
    groups[10] = group('g10', { members: [member('i-x', '10.0.10.1')] });
    groups[2] = group('g2', { members: [member('i-y', '10.0.2.1')] });
    const paths = validateTopology(topo(groups, { region: 'xx-nowhere-1' })).map((f) => f.path);
    expect(paths).toEqual(['groups[2].members', 'groups[10].members', 'region']);
  });

  it('counts the per-instance quota only for ECS members of HaVip groups', () => {
    // The same ENI in six groups: ENIs count against the instance they are attached to, which
    // only live validation can see.
    const groups = Array.from({ length: 6 }, (_, i) =>
      group(`g${i}`, {
        members: [member('eni-shared', '10.0.0.1'), member(`eni-own${i}`, `10.0.1.${i + 1}`)],
      }),
    );
    expect(validateTopology(topo(groups)).map((f) => f.code)).not.toContain('member.havips.quota');
  });

  it('does not apply the members-per-HaVip quota to a direct-mode group without a HaVip', () => {
    const members = [...pair('a'), member('i-3', '10.0.1.3')];
    const t = topo(
      [group('g', { haVipId: undefined, eip: { allocationId: 'eip-1', mode: 'direct' }, members })],
      {
        quotaProfile: 'legacy',
      },
    );
    expect(validateTopology(t)).toEqual([]);
  });

  it('names the quota source in quota messages', () => {
    const members = [...pair('a'), member('i-3', '10.0.1.3')];
    const [legacy] = validateTopology(topo([group('g', { members })], { quotaProfile: 'legacy' }));
    expect(legacy!.message).toContain('quota membersPerHaVip = 2 (legacy profile)');
    const [override] = validateTopology(topo([group('g', { members })], { quotas: { membersPerHaVip: 2 } }));
    expect(override!.message).toContain('quota membersPerHaVip = 2 (override; the current profile says 10)');
  });
});

describe('assertValid', () => {
  it('passes with warnings only', () => {
    expect(() => assertValid(topo([group('g', { members: [member('i-1', '10.0.0.1')] })]))).not.toThrow();
  });

  it('throws ConfigError carrying only the error findings', () => {
    const t = topo([
      group('a', { members: [member('i-1', '10.0.0.1')] }),
      group('a', { haVipId: 'havip-b' }),
    ]);
    let err: unknown;
    try {
      assertValid(t);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const ce = err as ConfigError;
    expect(ce.code).toBe('config.invalid');
    expect(ce.issues.map((i) => i.path)).toEqual(['groups[1].name']);
    expect(ce.message).toContain('groups[1].name: group name a is already used by groups[0]');
  });
});

describe('docs/configuration.md', () => {
  const doc = read('../../../docs/configuration.md');
  it.each([...Object.keys(VALIDATION_CODES), ...PARSE_CODES])('documents %s', (code) => {
    expect(doc).toContain(`\`${code}\``);
  });
});
