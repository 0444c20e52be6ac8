/**
 * The least-privilege RAM policy for a topology: the base actions every deployment needs (as in
 * deploy/ram-policy.json) plus the opt-in actions only the features the topology uses require, scoped to
 * the member instances that need them:
 * - `announce: cloud-assistant` → `ecs:RunCommand` on those groups' member instances (and on the command
 *   resource RunCommand creates), `ecs:DescribeInvocationResults`;
 * - `fencing: stop` → `ecs:StopInstance` on those groups' member instances.
 * ENI members' host instances are not in the topology, so a group of ENIs gets `instance/*` in its region.
 */
import type { Topology } from '../core/model.js';

export interface RamStatement {
  readonly Effect: 'Allow';
  readonly Action: readonly string[];
  readonly Resource: string | readonly string[];
}
export interface RamPolicy {
  readonly Version: '1';
  readonly Statement: readonly RamStatement[];
}

const instanceArn = (region: string, id: string) => `acs:ecs:${region}:*:instance/${id}`;

/** Instance ARNs of the groups matching `uses`, sorted and de-duplicated. */
function memberArns(t: Topology, uses: (g: Topology['groups'][number]) => boolean): string[] {
  const arns = new Set<string>();
  for (const g of t.groups.filter(uses)) {
    for (const m of g.members)
      arns.add(m.kind === 'ecs' ? instanceArn(g.region, m.id) : instanceArn(g.region, '*'));
  }
  return [...arns].sort();
}

export function policyForTopology(t: Topology, base: RamPolicy): RamPolicy {
  const statements: RamStatement[] = [...base.Statement];
  const announcers = memberArns(t, (g) => g.announce === 'cloud-assistant' && g.haVipId !== undefined);
  if (announcers.length > 0) {
    const regions = [
      ...new Set(t.groups.filter((g) => g.announce === 'cloud-assistant').map((g) => g.region)),
    ].sort();
    statements.push({
      Effect: 'Allow',
      Action: ['ecs:RunCommand'],
      Resource: [...announcers, ...regions.map((r) => `acs:ecs:${r}:*:command/*`)],
    });
    // DescribeInvocationResults does not support resource-level authorization.
    statements.push({ Effect: 'Allow', Action: ['ecs:DescribeInvocationResults'], Resource: '*' });
  }
  const fenced = memberArns(t, (g) => g.fencing === 'stop');
  if (fenced.length > 0) statements.push({ Effect: 'Allow', Action: ['ecs:StopInstance'], Resource: fenced });
  return { Version: '1', Statement: statements };
}
