import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  CONFIG_DEFAULTS,
  loadTopology,
  parseTopology,
  safeParseTopology,
} from '../../../shared/core/config.js';
import { ConfigError } from '../../../shared/core/errors.js';
import type { Finding } from '../../../shared/core/model.js';
import { QUOTA_PROFILES } from '../../../shared/core/quotas.js';
import { PRIORITY_OWNER_MESSAGE } from '../../../shared/core/validate.js';

const example = (name: string) => readFileSync(new URL(`../../../examples/${name}`, import.meta.url), 'utf8');

type Doc = Record<string, unknown> & { groups: Record<string, unknown>[] };

/** A valid two-group document; tests clone and break it. */
function baseDoc(): Doc {
  return {
    region: 'cn-hangzhou',
    groups: [
      {
        name: 'web',
        vSwitchId: 'vsw-bp1a',
        haVipId: 'havip-bp1a',
        members: [
          { id: 'i-bp1a1', priority: 100, ip: '192.168.0.11' },
          { id: 'i-bp1a2', priority: 10, ip: '192.168.0.12' },
        ],
      },
      {
        name: 'db',
        vSwitchId: 'vsw-bp1b',
        haVipId: 'havip-bp1b',
        members: [
          { id: 'eni-bp1b1', priority: 100, ip: '192.168.1.11' },
          { id: 'eni-bp1b2', priority: 50, ip: '192.168.1.12' },
        ],
      },
    ],
  };
}

function failures(input: unknown): readonly Finding[] {
  const r = safeParseTopology(input);
  if (r.ok) throw new Error('expected the document to be refused');
  return r.findings;
}

// biome-ignore lint/suspicious/noExplicitAny: tests poke at arbitrary document shapes.
type Mutate = (d: any) => void;

describe('parseTopology: examples', () => {
  it('two-node.yaml parses to the documented pair', () => {
    const t = parseTopology(example('two-node.yaml'));
    expect(t.region).toBe('cn-hangzhou');
    expect(t.quotaProfile).toBe('current');
    expect(t.quotas).toEqual(QUOTA_PROFILES.current);
    const g = t.groups[0]!;
    expect(g.name).toBe('web');
    expect(g.region).toBe('cn-hangzhou');
    expect(g.eip).toEqual({ allocationId: 'eip-bp1demo0000000000001', mode: 'havip' });
    expect(g.nopreempt).toBe(true);
    expect(g.health.heartbeatTimeoutSeconds).toBe(15);
    expect(g.health.probe).toEqual({ kind: 'tcp', port: 80, timeoutMs: 1000, intervalSeconds: 10 });
    expect(g.members).toEqual([
      { id: 'i-bp1demo0000000000001', kind: 'ecs', priority: 100, ip: '192.168.0.11' },
      { id: 'i-bp1demo0000000000002', kind: 'ecs', priority: 10, ip: '192.168.0.12' },
    ]);
  });

  it('three-node.yaml merges its defaults block into the group', () => {
    const g = parseTopology(example('three-node.yaml')).groups[0]!;
    expect(g.nopreempt).toBe(false);
    expect(g.preemptDelaySeconds).toBe(30);
    expect(g.health.heartbeatTimeoutSeconds).toBe(15); // from defaults
    expect(g.health.probe).toEqual({
      kind: 'http',
      port: 8080,
      path: '/healthz',
      expectStatus: [200, 204],
      timeoutMs: 2000,
      intervalSeconds: 5,
    });
    expect(g.members.map((m) => m.priority)).toEqual([150, 100, 50]);
  });
});

describe('parseTopology: defaults', () => {
  const minimal = {
    region: 'cn-shanghai',
    groups: [{ name: 'a', vSwitchId: 'vsw-1', haVipId: 'havip-1', members: [{ id: 'i-1', ip: '10.0.0.1' }] }],
  };
  const g = parseTopology(minimal).groups[0]!;
  it.each([
    ['region', g.region, 'cn-shanghai'],
    ['priority', g.members[0]!.priority, 100],
    ['nopreempt', g.nopreempt, true],
    ['preemptDelaySeconds', g.preemptDelaySeconds, 0],
    ['flapGuard', g.flapGuard, { maxMoves: 3, windowSeconds: 600 }],
    ['health', g.health, { heartbeatTimeoutSeconds: undefined, probe: undefined, fall: 3, rise: 2 }],
    ['announce', g.announce, 'agent'],
    ['announceDeadlineSeconds', g.announceDeadlineSeconds, 30],
    ['fencing', g.fencing, 'none'],
    ['eip', g.eip, undefined],
  ])('%s defaults', (_field, actual, expected) => {
    expect(actual).toEqual(expected);
  });

  it('quotaProfile defaults to current', () => {
    expect(parseTopology(minimal).quotas).toEqual(QUOTA_PROFILES.current);
  });

  it('eip.mode defaults to havip and probe settings to their documented defaults', () => {
    const d = structuredClone(minimal) as Doc;
    d.groups[0]!.eip = { allocationId: 'eip-1' };
    d.groups[0]!.health = { probe: { kind: 'http', port: 8080 } };
    const h = parseTopology(d).groups[0]!;
    expect(h.eip?.mode).toBe('havip');
    expect(h.health.probe).toEqual({
      kind: 'http',
      port: 8080,
      path: CONFIG_DEFAULTS.probe.path,
      expectStatus: [200],
      timeoutMs: 1000,
      intervalSeconds: 10,
    });
  });

  it('a group setting wins over defaults, field by field; a probe is replaced whole', () => {
    const d = baseDoc();
    d.defaults = {
      nopreempt: false,
      announce: 'cloud-assistant',
      flapGuard: { maxMoves: 5 },
      health: { fall: 4, probe: { kind: 'http', port: 8080, path: '/ok' } },
    };
    d.groups[0]!.announce = 'none';
    d.groups[0]!.flapGuard = { windowSeconds: 60 };
    d.groups[0]!.health = { rise: 7, probe: { kind: 'tcp', port: 22 } };
    const [web, db] = parseTopology(d).groups;
    expect(web!.nopreempt).toBe(false);
    expect(web!.announce).toBe('none');
    expect(web!.flapGuard).toEqual({ maxMoves: 5, windowSeconds: 60 });
    expect(web!.health).toMatchObject({ fall: 4, rise: 7 });
    expect(web!.health.probe).toEqual({ kind: 'tcp', port: 22, timeoutMs: 1000, intervalSeconds: 10 });
    expect(db!.announce).toBe('cloud-assistant');
    expect(db!.health.probe).toMatchObject({ kind: 'http', path: '/ok' });
  });

  it('agent settings: the documented defaults once a block is given, field by field', () => {
    const d = baseDoc();
    d.defaults = { agent: { witnessTimeoutMs: 300 } };
    d.groups[0]!.agent = { healthPort: 9402 };
    const [web, db] = parseTopology(d).groups;
    expect(web!.agent).toEqual({ healthPort: 9402, reportTtlSeconds: 90, witnessTimeoutMs: 300 });
    expect(db!.agent).toEqual({ healthPort: 7402, reportTtlSeconds: 90, witnessTimeoutMs: 300 });
  });

  it('quota overrides apply on top of the chosen profile', () => {
    const t = parseTopology({ ...baseDoc(), quotaProfile: 'legacy', quotas: { membersPerHaVip: 4 } });
    expect(t.quotas).toEqual({ ...QUOTA_PROFILES.legacy, membersPerHaVip: 4 });
  });
});

describe('parseTopology: input forms and result', () => {
  it('YAML text, JSON text and a parsed object give the same topology', () => {
    const d = baseDoc();
    const fromObject = parseTopology(d);
    expect(parseTopology(JSON.stringify(d))).toEqual(fromObject);
    const text = example('two-node.yaml');
    expect(parseTopology(JSON.stringify(parseYaml(text)))).toEqual(parseTopology(text));
  });

  it('derives the member kind from the id prefix', () => {
    const t = parseTopology(baseDoc());
    expect(t.groups[0]!.members.map((m) => m.kind)).toEqual(['ecs', 'ecs']);
    expect(t.groups[1]!.members.map((m) => m.kind)).toEqual(['eni', 'eni']);
  });

  it('returns a deeply frozen topology', () => {
    const t = parseTopology(baseDoc());
    expect(Object.isFrozen(t)).toBe(true);
    expect(Object.isFrozen(t.quotas)).toBe(true);
    expect(Object.isFrozen(t.groups[0]!.members[0])).toBe(true);
    expect(Object.isFrozen(t.groups[0]!.health)).toBe(true);
    expect(() => {
      (t.groups[0]!.members[0] as { priority: number }).priority = 1;
    }).toThrow(TypeError);
  });

  it('does not mutate the caller-supplied object', () => {
    const d = baseDoc();
    const before = structuredClone(d);
    parseTopology(d);
    expect(d).toEqual(before);
    expect(Object.isFrozen(d.groups[0])).toBe(false);
  });

  it('supports YAML anchors and merge keys for shared settings', () => {
    const t = parseTopology(`
region: cn-hangzhou
groups:
  - &web
    name: web
    vSwitchId: vsw-1
    haVipId: havip-1
    members: [{ id: i-1, ip: 10.0.0.1 }, { id: i-2, ip: 10.0.0.2 }]
  - <<: *web
    name: api
    haVipId: havip-2
`);
    expect(t.groups.map((g) => [g.name, g.haVipId, g.members.length])).toEqual([
      ['web', 'havip-1', 2],
      ['api', 'havip-2', 2],
    ]);
  });
});

describe('parseTopology: errors', () => {
  it('throws ConfigError with exact paths, e.g. groups[1].members[0].priority', () => {
    const d = baseDoc();
    (d.groups[1]!.members as { priority: unknown }[])[0]!.priority = 255;
    let err: unknown;
    try {
      parseTopology(d, { source: 'topology.yaml' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const ce = err as ConfigError;
    expect(ce.code).toBe('config.invalid');
    expect(ce.issues).toHaveLength(1);
    expect(ce.issues[0]).toMatchObject({
      path: 'groups[1].members[0].priority',
      message: PRIORITY_OWNER_MESSAGE,
    });
    expect(ce.message).toContain('topology.yaml: invalid topology (1 problem)');
    expect(ce.message).toContain('groups[1].members[0].priority: must be an integer 1–254');
  });

  const cases: [string, Mutate, string, string, RegExp?][] = [
    ['region missing', (d) => delete d.region, 'config.required', 'region', /is required/],
    ['region malformed', (d) => (d.region = 'China (Hangzhou)'), 'region.format', 'region'],
    ['groups empty', (d) => (d.groups = []), 'config.empty-list', 'groups', /at least one group/],
    ['groups not a list', (d) => (d.groups = { web: {} }), 'config.type', 'groups', /got a mapping/],
    [
      'unknown quota profile',
      (d) => (d.quotaProfile = 'legasy'),
      'config.enum',
      'quotaProfile',
      /current, legacy/,
    ],
    [
      'quota override zero',
      (d) => (d.quotas = { membersPerHaVip: 0 }),
      'config.range',
      'quotas.membersPerHaVip',
    ],
    ['group name uppercase', (d) => (d.groups[1].name = 'DB'), 'group.name.format', 'groups[1].name'],
    [
      'group name too long',
      (d) => (d.groups[1].name = 'a'.repeat(64)),
      'group.name.format',
      'groups[1].name',
    ],
    ['vSwitchId missing', (d) => delete d.groups[1].vSwitchId, 'config.required', 'groups[1].vSwitchId'],
    [
      'vSwitchId wrong prefix',
      (d) => (d.groups[1].vSwitchId = 'vpc-1'),
      'group.vswitch-id.format',
      'groups[1].vSwitchId',
    ],
    [
      'haVipId wrong prefix',
      (d) => (d.groups[1].haVipId = 'vip-1'),
      'group.havip-id.format',
      'groups[1].haVipId',
    ],
    [
      'eip allocation id wrong prefix',
      (d) => (d.groups[1].eip = { allocationId: '47.1.2.3' }),
      'group.eip.allocation-id.format',
      'groups[1].eip.allocationId',
    ],
    [
      'eip mode unknown',
      (d) => (d.groups[1].eip = { allocationId: 'eip-1', mode: 'bgp' }),
      'config.enum',
      'groups[1].eip.mode',
    ],
    ['eip null', (d) => (d.groups[1].eip = null), 'config.type', 'groups[1].eip', /got an empty value/],
    ['members empty', (d) => (d.groups[1].members = []), 'config.empty-list', 'groups[1].members'],
    [
      'member id wrong prefix',
      (d) => (d.groups[1].members[1].id = 'ins-1'),
      'member.id.format',
      'groups[1].members[1].id',
    ],
    [
      'member ip missing',
      (d) => delete d.groups[1].members[1].ip,
      'config.required',
      'groups[1].members[1].ip',
    ],
    [
      'member ip IPv6',
      (d) => (d.groups[1].members[1].ip = 'fd00::12'),
      'member.ip.ipv6',
      'groups[1].members[1].ip',
      /IPv4/,
    ],
    [
      'member ip octet > 255',
      (d) => (d.groups[1].members[1].ip = '10.0.0.256'),
      'member.ip.format',
      'groups[1].members[1].ip',
    ],
    [
      'member ip leading zero',
      (d) => (d.groups[1].members[1].ip = '10.0.0.012'),
      'member.ip.format',
      'groups[1].members[1].ip',
    ],
    [
      'member ip loopback',
      (d) => (d.groups[1].members[1].ip = '127.0.0.1'),
      'member.ip.reserved',
      'groups[1].members[1].ip',
    ],
    [
      'priority 255',
      (d) => (d.groups[1].members[0].priority = 255),
      'member.priority.owner',
      'groups[1].members[0].priority',
      /address-owner/,
    ],
    [
      'priority 0',
      (d) => (d.groups[1].members[0].priority = 0),
      'member.priority.range',
      'groups[1].members[0].priority',
    ],
    [
      'priority 1.5',
      (d) => (d.groups[1].members[0].priority = 1.5),
      'member.priority.range',
      'groups[1].members[0].priority',
    ],
    [
      'priority as a string',
      (d) => (d.groups[1].members[0].priority = '100'),
      'config.type',
      'groups[1].members[0].priority',
      /must be an integer 1–254, got the text "100"/,
    ],
    [
      'nopreempt as a string',
      (d) => (d.groups[1].nopreempt = 'yes'),
      'config.type',
      'groups[1].nopreempt',
      /true or false/,
    ],
    [
      'preemptDelaySeconds > 3600',
      (d) => (d.groups[1].preemptDelaySeconds = 3601),
      'config.range',
      'groups[1].preemptDelaySeconds',
      /0–3600/,
    ],
    [
      'preemptDelaySeconds negative',
      (d) => (d.groups[1].preemptDelaySeconds = -1),
      'config.range',
      'groups[1].preemptDelaySeconds',
    ],
    [
      'flapGuard.maxMoves 0',
      (d) => (d.groups[1].flapGuard = { maxMoves: 0 }),
      'config.range',
      'groups[1].flapGuard.maxMoves',
    ],
    ['announce unknown', (d) => (d.groups[1].announce = 'garp'), 'config.enum', 'groups[1].announce'],
    ['fencing unknown', (d) => (d.groups[1].fencing = 'kill'), 'config.enum', 'groups[1].fencing'],
    [
      'announceDeadlineSeconds 0',
      (d) => (d.groups[1].announceDeadlineSeconds = 0),
      'config.range',
      'groups[1].announceDeadlineSeconds',
    ],
    [
      'probe kind unknown',
      (d) => (d.groups[1].health = { probe: { kind: 'icmp', port: 1 } }),
      'config.enum',
      'groups[1].health.probe.kind',
    ],
    [
      'probe kind missing',
      (d) => (d.groups[1].health = { probe: { port: 1 } }),
      'config.required',
      'groups[1].health.probe.kind',
    ],
    [
      'probe port missing',
      (d) => (d.groups[1].health = { probe: { kind: 'tcp' } }),
      'config.required',
      'groups[1].health.probe.port',
    ],
    [
      'probe port 70000',
      (d) => (d.groups[1].health = { probe: { kind: 'tcp', port: 70000 } }),
      'config.range',
      'groups[1].health.probe.port',
    ],
    [
      'http path without slash',
      (d) => (d.groups[1].health = { probe: { kind: 'http', port: 80, path: 'healthz' } }),
      'config.format',
      'groups[1].health.probe.path',
    ],
    [
      'http expectStatus empty',
      (d) => (d.groups[1].health = { probe: { kind: 'http', port: 80, expectStatus: [] } }),
      'config.empty-list',
      'groups[1].health.probe.expectStatus',
    ],
    [
      'http expectStatus out of range',
      (d) => (d.groups[1].health = { probe: { kind: 'http', port: 80, expectStatus: [200, 600] } }),
      'config.range',
      'groups[1].health.probe.expectStatus[1]',
    ],
    ['health fall 0', (d) => (d.groups[1].health = { fall: 0 }), 'config.range', 'groups[1].health.fall'],
    [
      'agent witness timeout 50 ms',
      (d) => (d.groups[1].agent = { witnessTimeoutMs: 50 }),
      'config.range',
      'groups[1].agent.witnessTimeoutMs',
    ],
    [
      'defaults bad value',
      (d) => (d.defaults = { preemptDelaySeconds: 'soon' }),
      'config.type',
      'defaults.preemptDelaySeconds',
    ],
  ];

  it.each(cases.map(([label, mutate, code, path, message]) => [label, code, path, mutate, message] as const))(
    '%s → %s at %s',
    (_label, code, path, mutate, message) => {
      const d = baseDoc();
      mutate(d);
      const found = failures(d);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ severity: 'error', code, path });
      if (message) expect(found[0]!.message).toMatch(message);
    },
  );

  it('the untouched base document parses (the table above breaks one thing each)', () => {
    expect(safeParseTopology(baseDoc()).ok).toBe(true);
  });

  it('reports every problem at once, sorted by path with indices compared numerically', () => {
    const d = baseDoc();
    for (let i = 2; i <= 10; i++) {
      d.groups.push({ ...structuredClone(d.groups[0]!), name: `g${i}`, haVipId: `havip-${i}` });
    }
    d.groups[10]!.nopreempt = 'no';
    d.groups[2]!.fencing = 'x';
    d.region = 'Hangzhou';
    expect(failures(d).map((f) => f.path)).toEqual(['groups[2].fencing', 'groups[10].nopreempt', 'region']);
  });

  it.each([
    ['prioirty', 'groups[0].members[0].prioirty', 'did you mean priority?'],
    ['vswitchId', 'groups[0].vswitchId', 'did you mean vSwitchId?'],
    ['preempt_delay', 'groups[0].preempt_delay', 'did you mean preemptDelaySeconds?'],
    ['nopremept', 'groups[0].nopremept', 'did you mean nopreempt?'],
    ['kind', 'groups[0].members[0].kind', 'the member kind follows from the id prefix'],
    ['zzzz', 'groups[0].zzzz', 'check the spelling'],
  ])('unknown key %s is an error at %s with a hint', (key, path, hint) => {
    const d = baseDoc();
    const target = path.includes('members')
      ? (d.groups[0]!.members as Record<string, unknown>[])[0]!
      : d.groups[0]!;
    target[key] = 1;
    const found = failures(d);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ code: 'config.unknown-key', path });
    expect(found[0]!.hint).toContain(hint);
  });

  it('unknown keys in a probe are checked against the probe kind given', () => {
    const d = baseDoc();
    d.groups[0]!.health = { probe: { kind: 'tcp', port: 80, path: '/x', intervl: 5 } };
    const found = failures(d);
    expect(found.map((f) => [f.path, f.hint])).toEqual([
      ['groups[0].health.probe.intervl', 'did you mean intervalSeconds?'],
      ['groups[0].health.probe.path', 'path applies only to probes with kind: http'],
    ]);
  });

  it('defaults may not carry per-group settings or the region', () => {
    const d = baseDoc();
    d.defaults = { region: 'cn-shanghai', vSwitchId: 'vsw-1' };
    const found = failures(d);
    expect(found.map((f) => [f.code, f.path])).toEqual([
      ['config.unknown-key', 'defaults.region'],
      ['config.unknown-key', 'defaults.vSwitchId'],
    ]);
    expect(found[0]!.hint).toContain('top-level region');
  });

  it('a quoted integer is refused with a hint to remove the quotes', () => {
    const found = failures(
      'region: cn-hangzhou\ngroups:\n  - name: a\n    vSwitchId: vsw-1\n    haVipId: havip-1\n    preemptDelaySeconds: "30"\n    members: [{ id: i-1, ip: 10.0.0.1 }]\n',
    );
    expect(found).toEqual([
      {
        severity: 'error',
        code: 'config.type',
        path: 'groups[0].preemptDelaySeconds',
        message: 'must be an integer 0–3600, got the text "30"',
        hint: 'write 30 without quotes; a quoted value is text, not a number',
      },
    ]);
  });

  it.each([
    ['bad indentation', 'region: cn-hangzhou\ngroups:\n  - name: a\n   vSwitchId: x\n', /line 4, column \d+/],
    ['unclosed flow sequence', 'region: [cn-hangzhou\n', /line \d+, column \d+/],
    ['duplicate key', 'region: a\nregion: b\n', /line 2, column 1: .*unique/],
    ['tab indentation', 'region: a\ngroups:\n\t- name: a\n', /line 3, column \d+/],
  ])('YAML syntax error (%s) is a config.syntax finding with line and column', (_label, text, message) => {
    const found = failures(text);
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]).toMatchObject({ severity: 'error', code: 'config.syntax', path: '' });
    expect(found[0]!.message).toMatch(message);
  });

  it.each([
    ['empty text', ''],
    ['only a comment', '# nothing here\n'],
    ['null object', null],
  ])('an empty topology (%s) is refused at the document root', (_label, input) => {
    const found = failures(input);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ code: 'config.type', path: '' });
    expect(found[0]!.message).toContain('empty');
  });

  it('a YAML list at the top level is refused as the wrong type', () => {
    expect(failures('- a\n- b\n')[0]).toMatchObject({ code: 'config.type', path: '' });
  });
});

describe('loadTopology', () => {
  it('returns the topology and its warnings when there are no errors', () => {
    const d = baseDoc();
    d.groups[1]!.members = [{ id: 'eni-1', ip: '10.0.0.1' }];
    const { topology, warnings } = loadTopology(d);
    expect(topology.groups).toHaveLength(2);
    expect(warnings.map((w) => [w.code, w.path])).toEqual([['group.members.single', 'groups[1].members']]);
  });

  it('throws ConfigError listing validation errors', () => {
    const d = baseDoc();
    d.groups[1]!.name = 'web';
    expect(() => loadTopology(d, { source: 'env HAVIP_TOPOLOGY' })).toThrow(
      expect.objectContaining({
        code: 'config.invalid',
        issues: [expect.objectContaining({ code: 'group.name.duplicate', path: 'groups[1].name' })],
      }),
    );
  });

  it('throws ConfigError for parse errors before validating', () => {
    expect(() => loadTopology('region: [')).toThrow(ConfigError);
  });
});
