import { describe, expect, it } from 'vitest';
import { parseAgentConfig } from '../../../shared/agent/config.js';
import { InvalidInputError } from '../../../shared/core/errors.js';

const BASE = {
  advert: { bind: '192.168.0.11' },
  groups: [
    { name: 'web', key: { file: '/etc/havip/web.key' }, peers: [{ id: 'i-b', address: '192.168.0.12' }] },
  ],
  reports: { sink: { type: 'http', url: 'https://collector.example/reports' } },
};

const issuesOf = (doc: unknown, instanceId = 'i-a') => {
  try {
    parseAgentConfig(JSON.stringify(doc), instanceId);
  } catch (e) {
    if (e instanceof InvalidInputError)
      return e.issues.map((i) => `${i.path}: ${i.message}${i.hint === undefined ? '' : ` (${i.hint})`}`);
    throw e;
  }
  return [];
};

describe('agent configuration', () => {
  it('fills the documented defaults', () => {
    const c = parseAgentConfig(JSON.stringify(BASE), 'i-a');
    expect(c).toMatchObject({
      instanceId: 'i-a',
      stateDirectory: '/var/lib/havip-agent',
      advert: {
        bind: '192.168.0.11',
        port: 7401,
        intervalSeconds: 1,
        deadFactor: 3,
        maxClockSkewSeconds: 60,
      },
      checks: [],
      reports: { repeatSeconds: 30, timeoutSeconds: 5, backoff: { baseSeconds: 1, maxSeconds: 30 } },
      takeover: { mode: 'off', dataPlane: 'linux', garpCount: 5, garpRefreshSeconds: 60 },
      spot: { enabled: false, provider: 'alibaba', intervalSeconds: 5 },
      health: { port: 7402 },
    });
  });

  it('turns the takeover on when the API is configured, with the check defaults', () => {
    const c = parseAgentConfig(
      JSON.stringify({
        ...BASE,
        api: { endpoint: 'https://api.example', auth: { bearer: { env: 'HAVIP_API_TOKEN' } } },
        checks: [{ name: 'web', kind: 'http', url: 'http://127.0.0.1/health' }],
      }),
      'i-a',
    );
    expect(c.takeover.mode).toBe('on');
    expect(c.api).toMatchObject({
      intervalSeconds: 5,
      fastIntervalSeconds: 0.5,
      fastForSeconds: 20,
      timeoutSeconds: 2,
    });
    expect(c.checks[0]).toMatchObject({
      intervalSeconds: 2,
      timeoutSeconds: 1,
      fall: 3,
      rise: 2,
      expectStatus: [200],
    });
  });

  it('takes a Tencent member: its CVM id, the http sink to the API, the spot notice in Tencent’s layout', () => {
    const c = parseAgentConfig(
      JSON.stringify({
        ...BASE,
        groups: [{ ...BASE.groups[0], peers: [{ id: 'ins-0demo002', address: '10.0.1.12' }] }],
        reports: {
          sink: {
            type: 'http',
            url: 'https://api.example/v1/reports',
            token: { file: '/etc/havip/api.token' },
          },
        },
        spot: { enabled: true, provider: 'tencent' },
      }),
      'ins-0demo001',
    );
    expect(c).toMatchObject({
      instanceId: 'ins-0demo001',
      reports: { sink: { type: 'http', url: 'https://api.example/v1/reports' } },
      spot: { enabled: true, provider: 'tencent', intervalSeconds: 5 },
    });
  });

  it('takes the cmq sink on Tencent: the topic and its region, the role credentials by default', () => {
    const c = parseAgentConfig(
      JSON.stringify({
        ...BASE,
        groups: [{ ...BASE.groups[0], peers: [{ id: 'ins-0demo002', address: '10.0.1.12' }] }],
        reports: { sink: { type: 'cmq', topic: 'havip-heartbeats', region: 'ap-guangzhou' } },
      }),
      'ins-0demo001',
    );
    expect(c.reports.sink).toEqual({
      type: 'cmq',
      topic: 'havip-heartbeats',
      region: 'ap-guangzhou',
      credentials: 'instance-role',
    });
  });

  it('reads YAML', () => {
    const yaml = `advert: {bind: 10.0.0.1}\ngroups:\n  - name: web\n    key: {env: WEB_KEY}\n    peers: [{id: i-b, address: "10.0.0.2:9000"}]\nreports:\n  sink: {type: http, url: "http://127.0.0.1:1/r"}\n`;
    expect(parseAgentConfig(yaml, 'i-a').groups[0]?.peers[0]?.address).toBe('10.0.0.2:9000');
  });

  it.each<{ name: string; doc: unknown; issue: RegExp; instanceId?: string }>([
    {
      name: 'a key given inline',
      doc: { ...BASE, groups: [{ ...BASE.groups[0], key: 'secret' }] },
      issue: /^groups\[0\]\.key: /,
    },
    {
      name: 'a key with both file and env',
      doc: { ...BASE, groups: [{ ...BASE.groups[0], key: { file: '/k', env: 'K' } }] },
      issue: /^groups\[0\]\.key: give exactly one of file or env/,
    },
    {
      name: 'a peer address that is a name',
      doc: { ...BASE, groups: [{ ...BASE.groups[0], peers: [{ id: 'i-b', address: 'web-2' }] }] },
      issue: /^groups\[0\]\.peers\[0\]\.address: must be an IPv4 address/,
    },
    {
      name: 'a bind address with a leading zero',
      doc: { ...BASE, advert: { bind: '192.168.0.011' } },
      issue: /^advert\.bind: must be an IPv4 address/,
    },
    {
      name: 'a dead factor of 1',
      doc: { ...BASE, advert: { ...BASE.advert, deadFactor: 1 } },
      issue: /^advert\.deadFactor: must be at least 2/,
    },
    {
      name: 'an unknown field',
      doc: { ...BASE, advert: { ...BASE.advert, intervall: 1 } },
      issue: /^advert\.intervall: unknown field/,
    },
    {
      name: 'a relative check command',
      doc: { ...BASE, checks: [{ name: 'c', kind: 'exec', command: ['systemctl', 'is-active', 'x'] }] },
      issue: /^checks\[0\]\.command: the program \(first item\) must be an absolute path/,
    },
    {
      name: 'a command as one string',
      doc: { ...BASE, checks: [{ name: 'c', kind: 'exec', command: '/bin/true' }] },
      issue: /^checks\[0\]\.command: must be a list/,
    },
    {
      name: 'a timeout not below the interval',
      doc: {
        ...BASE,
        checks: [{ name: 'c', kind: 'tcp', host: 'x', port: 1, intervalSeconds: 1, timeoutSeconds: 1 }],
      },
      issue: /^checks\[0\]\.timeoutSeconds: must be shorter than intervalSeconds/,
    },
    {
      name: 'an unknown check kind',
      doc: { ...BASE, checks: [{ name: 'c', kind: 'ping' }] },
      issue: /^checks\[0\]\.kind: /,
    },
    {
      name: 'two checks with one name',
      doc: {
        ...BASE,
        checks: [
          { name: 'c', kind: 'tcp', host: 'x', port: 1 },
          { name: 'c', kind: 'tcp', host: 'y', port: 1 },
        ],
      },
      issue: /^checks\[1\]\.name: check c is listed twice/,
    },
    {
      name: 'a peer listed twice',
      doc: {
        ...BASE,
        groups: [
          {
            ...BASE.groups[0],
            peers: [
              { id: 'i-b', address: '1.1.1.1' },
              { id: 'i-b', address: '1.1.1.2' },
            ],
          },
        ],
      },
      issue: /^groups\[0\]\.peers\[1\]\.id: peer i-b is listed twice/,
    },
    {
      name: 'this member among its peers',
      doc: { ...BASE, groups: [{ ...BASE.groups[0], peers: [{ id: 'i-a', address: '1.1.1.1' }] }] },
      issue: /^groups\[0\]\.peers\[0\]\.id: is this member itself/,
    },
    {
      name: 'an instance id that disagrees with the command line',
      doc: { ...BASE, instanceId: 'i-other' },
      issue: /^instanceId: says i-other but --instance-id says i-a/,
    },
    {
      name: 'a bad --instance-id',
      doc: BASE,
      instanceId: 'web-1',
      issue: /^--instance-id: "web-1" is not a member id/,
    },
    {
      name: 'the takeover without the API',
      doc: { ...BASE, takeover: { mode: 'on' } },
      issue: /^takeover\.mode: the takeover needs api/,
    },
    {
      name: 'the simulator data plane without a URL',
      doc: { ...BASE, takeover: { mode: 'off', dataPlane: 'simulator' } },
      issue: /^takeover\.simulatorUrl: /,
    },
    {
      name: 'an unknown sink type',
      doc: { ...BASE, reports: { sink: { type: 'kafka' } } },
      issue: /^reports\.sink\.type: /,
    },
    {
      name: 'an unknown sink type, with the three sinks in the hint',
      doc: { ...BASE, reports: { sink: { type: 'sqs' } } },
      issue: /^reports\.sink\.type: .*mns on Alibaba.*cmq on Tencent.*http/,
    },
    {
      name: 'a cmq sink without its region',
      doc: { ...BASE, reports: { sink: { type: 'cmq', topic: 'havip-heartbeats' } } },
      issue: /^reports\.sink\.region: must be a Tencent region \(the region the CMQ topic lives in/,
    },
    {
      name: 'a cmq topic that starts with a digit',
      doc: { ...BASE, reports: { sink: { type: 'cmq', topic: '9lives', region: 'ap-guangzhou' } } },
      issue: /^reports\.sink\.topic: must be a CMQ topic name/,
    },
    {
      name: 'a cmq endpoint that is not a URL',
      doc: {
        ...BASE,
        reports: {
          sink: { type: 'cmq', topic: 't', region: 'ap-guangzhou', endpoint: 'tdmq.tencentcloudapi.com' },
        },
      },
      issue: /^reports\.sink\.endpoint: must be a URL/,
    },
    {
      name: 'API auth with both schemes',
      doc: {
        ...BASE,
        api: {
          endpoint: 'https://a.example',
          auth: { bearer: { env: 'T' }, hmac: { keyId: 'k', secret: { env: 'S' } } },
        },
      },
      issue: /^api\.auth: give exactly one of bearer or hmac/,
    },
    { name: 'no groups', doc: { ...BASE, groups: [] }, issue: /^groups: must list at least one group/ },
  ])('names the field with $name', ({ doc, issue, instanceId }) => {
    const issues = issuesOf(doc, instanceId);
    expect(
      issues.some((i) => issue.test(i)),
      issues.join('\n'),
    ).toBe(true);
  });

  it('reports text that is not YAML', () => {
    expect(() => parseAgentConfig('advert: [', 'i-a')).toThrow(/not valid YAML or JSON/);
  });
});

describe('the sample configuration (examples/agent/agent.yaml)', () => {
  it('is valid for the instance it names', async () => {
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(new URL('../../../examples/agent/agent.yaml', import.meta.url), 'utf8');
    const c = parseAgentConfig(text, 'i-bp1aaaaaaaaaaaaaaaaa');
    expect(c).toMatchObject({ takeover: { mode: 'on' }, reports: { sink: { type: 'mns' } } });
    expect(c.checks.map((k) => k.kind)).toEqual(['exec', 'http']);
  });
});
