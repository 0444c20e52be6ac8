/**
 * `havip simulate --engine` on Tencent groups agrees with the pure rules: every example scenario, with
 * its group moved to Tencent Cloud (CVM ids, VPC and subnet), runs through the engine over the Tencent
 * fake — drift scope, TAT announce, InstanceId verify — and gives the pure path's timeline line by line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulateWithEngine, tencentSimulatorScenarioWorld } from '../../../shared/app/simulate-engine.js';
import { ConfigError } from '../../../shared/core/errors.js';
import { parseScenario } from '../../../shared/core/scenario.js';
import { simulate as simulatePure } from '../../../shared/core/simulate.js';
import { fakeTencentScenarioWorld } from '../../support/tencent-fake.js';

/** The example scenario with its group on Tencent: `i-bp1…` → `ins-…`, vSwitch → VPC and subnet. */
function onTencent(text: string, eni = false): string {
  const doc = JSON.parse(text.replace(/"i-bp1([a-z0-9]+)"/g, eni ? '"eni-$1"' : '"ins-$1"')) as {
    group: Record<string, unknown>;
  };
  const { vSwitchId: _v, eip: _e, ...group } = doc.group;
  doc.group = {
    ...group,
    cloud: 'tencent',
    region: 'ap-guangzhou',
    vpcId: 'vpc-0scen',
    subnetId: 'subnet-0scen',
  };
  return JSON.stringify(doc);
}

const key = (l: {
  at: number;
  trigger: string;
  holder: string | null;
  action: string;
  alert?: string;
  from?: string;
  to?: string;
}) => [l.at, l.trigger, l.holder, l.action, l.alert ?? '', l.from ?? '', l.to ?? ''].join(' ');

const examples = readdirSync('examples/scenarios').filter((f) => f.endsWith('.json'));

describe('havip simulate --engine on Tencent agrees with the pure path', () => {
  it.each(
    examples.flatMap((name) => [
      { name, eni: false },
      { name, eni: true },
    ]),
  )('$name (ENI members: $eni)', async ({ name, eni }) => {
    const scenario = parseScenario(onTencent(readFileSync(join('examples/scenarios', name), 'utf8'), eni));
    expect(scenario.group.cloud).toBe('tencent');
    const pure = simulatePure(scenario.group, scenario.steps).map(key);
    const engine = await simulateWithEngine(scenario.topology, scenario.group, scenario.steps, {
      tencentWorld: fakeTencentScenarioWorld(),
    });
    expect(engine.map(key)).toEqual(pure);
    expect(pure.length).toBeGreaterThan(3);
  });

  it.each(
    examples.flatMap((name) => [
      { name, eni: false },
      { name, eni: true },
    ]),
  )('$name through the Tencent simulator over TC3 (ENI members: $eni)', async ({ name, eni }) => {
    const scenario = parseScenario(onTencent(readFileSync(join('examples/scenarios', name), 'utf8'), eni));
    const pure = simulatePure(scenario.group, scenario.steps).map(key);
    const engine = await simulateWithEngine(scenario.topology, scenario.group, scenario.steps, {
      tencentWorld: tencentSimulatorScenarioWorld,
    });
    expect(engine.map(key)).toEqual(pure);
  });

  it('agrees without a known drift scope too (the international API)', async () => {
    const [name] = examples;
    const scenario = parseScenario(
      onTencent(readFileSync(join('examples/scenarios', name as string), 'utf8')),
    );
    const engine = await simulateWithEngine(scenario.topology, scenario.group, scenario.steps, {
      tencentWorld: fakeTencentScenarioWorld({ associations: 'unknown' }),
    });
    expect(engine.map(key)).toEqual(simulatePure(scenario.group, scenario.steps).map(key));
  });

  it('says so when no simulated Tencent Cloud is configured', async () => {
    const [name] = examples;
    const scenario = parseScenario(
      onTencent(readFileSync(join('examples/scenarios', name as string), 'utf8')),
    );
    await expect(simulateWithEngine(scenario.topology, scenario.group, scenario.steps)).rejects.toThrow(
      ConfigError,
    );
  });
});
