import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { policyForTopology, type RamPolicy } from '../../../shared/app/policy.js';
import { loadTopology } from '../../../shared/core/config.js';

const base = JSON.parse(readFileSync('deploy/ram-policy.json', 'utf8')) as RamPolicy;
const actionsOf = (p: RamPolicy) => new Set(p.Statement.flatMap((s) => s.Action));
const featureActions = [
  'deploy/ram-policy-announce-cloud-assistant.json',
  'deploy/ram-policy-fencing-stop.json',
].flatMap((f) => [...actionsOf(JSON.parse(readFileSync(f, 'utf8')) as RamPolicy)]);

const TOPOLOGY = `
region: cn-hangzhou
groups:
  - name: web
    vSwitchId: vsw-bp1a
    haVipId: havip-bp1a
    announce: cloud-assistant
    members:
      - { id: i-bp1web1, priority: 100, ip: 10.0.0.1 }
      - { id: i-bp1web2, priority: 10, ip: 10.0.0.2 }
  - name: db
    vSwitchId: vsw-bp1b
    haVipId: havip-bp1b
    announce: agent
    fencing: stop
    members:
      - { id: i-bp1db1, priority: 100, ip: 10.0.1.1 }
      - { id: i-bp1db2, priority: 10, ip: 10.0.1.2 }
`;

describe('havip policy: the RAM policy follows the topology', () => {
  it('grants RunCommand only on cloud-assistant members and StopInstance only on fenced members', () => {
    const p = policyForTopology(loadTopology(TOPOLOGY).topology, base);
    const run = p.Statement.find((s) => s.Action.includes('ecs:RunCommand'));
    expect(run?.Resource).toEqual([
      'acs:ecs:cn-hangzhou:*:instance/i-bp1web1',
      'acs:ecs:cn-hangzhou:*:instance/i-bp1web2',
      'acs:ecs:cn-hangzhou:*:command/*',
    ]);
    const stop = p.Statement.find((s) => s.Action.includes('ecs:StopInstance'));
    expect(stop?.Resource).toEqual([
      'acs:ecs:cn-hangzhou:*:instance/i-bp1db1',
      'acs:ecs:cn-hangzhou:*:instance/i-bp1db2',
    ]);
    // Every action granted is one the deploy/ files document (base or an opt-in feature file), none is a wildcard.
    for (const a of actionsOf(p)) {
      expect(a).not.toContain('*');
      expect([...actionsOf(base), ...featureActions]).toContain(a);
    }
  });

  it('a topology without the opt-in features gets exactly the base policy', () => {
    const plain = loadTopology(readFileSync('examples/two-node.yaml', 'utf8')).topology;
    expect(policyForTopology(plain, base)).toEqual(base);
  });
});
