/** `havip simulate`, in-process through the CLI's I/O seam: the pure timeline, `--engine`, bad scenarios. */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulateWithEngine } from '../../../shared/app/simulate-engine.js';
import { parseScenario } from '../../../shared/core/scenario.js';
import { simulate as simulatePure } from '../../../shared/core/simulate.js';
import { havip } from '../../support/cli.js';

const simulate = (file: string) => havip(['simulate', file]);

describe('havip simulate', () => {
  it('replays the two-node example: attach, failover, nopreempt hold, failback, keep the last holder', async () => {
    const r = await simulate('examples/scenarios/two-node-failover.json');
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.at, l.action, l.holder])).toEqual([
      [0, 'attach', 'i-bp1demo0000000000001'],
      [60, 'move', 'i-bp1demo0000000000002'],
      [300, 'noop', 'i-bp1demo0000000000002'],
      [900, 'move', 'i-bp1demo0000000000001'],
      [960, 'alert', 'i-bp1demo0000000000001'],
    ]);
    for (const l of lines) expect(typeof l.reason).toBe('string');
  });

  it('replays the three-node example: preempt after the delay, then the flap guard', async () => {
    const r = await simulate('examples/scenarios/three-node-preempt.json');
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.find((l) => l.trigger === 'recheck')).toMatchObject({
      at: 50,
      action: 'move',
      holder: 'i-bp1demo0000000000011',
    });
    expect(lines.at(-1)).toMatchObject({ action: 'alert', alert: 'flap-guard' });
  });

  it.each([
    { name: 'not JSON', body: '{nope', message: /not valid JSON/ },
    { name: 'missing steps', body: JSON.stringify({ group: {} }), message: /steps/ },
    {
      name: 'unknown member in a step',
      body: JSON.stringify({
        group: {
          name: 'g',
          vSwitchId: 'vsw-a1',
          haVipId: 'havip-a1',
          members: [
            { id: 'i-a1', priority: 100, ip: '10.0.0.1' },
            { id: 'i-b1', priority: 50, ip: '10.0.0.2' },
          ],
        },
        steps: [{ at: 0, healthy: ['i-zz'] }],
      }),
      message: /steps\[0\]\.healthy\[0\]/,
    },
    {
      name: 'bad priority in the group',
      body: JSON.stringify({
        group: {
          name: 'g',
          vSwitchId: 'vsw-a1',
          haVipId: 'havip-a1',
          members: [{ id: 'i-a1', priority: 255, ip: '10.0.0.1' }],
        },
        steps: [{ at: 0, healthy: [] }],
      }),
      message: /group\.members\[0\]\.priority/,
    },
  ])('exits 2 with a clear message: $name', async ({ body, message }) => {
    const dir = await mkdtemp(join(tmpdir(), 'havip-sim-'));
    const file = join(dir, 'scenario.json');
    await writeFile(file, body);
    const r = await simulate(file);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('exits 2 when the file is missing', async () => {
    const r = await simulate('does-not-exist.json');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read/);
  });
});

describe('havip simulate --engine agrees with the pure path', () => {
  const key = (l: {
    at: number;
    trigger: string;
    holder: string | null;
    action: string;
    alert?: string;
    from?: string;
    to?: string;
  }) => [l.at, l.trigger, l.holder, l.action, l.alert ?? '', l.from ?? '', l.to ?? ''].join(' ');

  it.each(readdirSync('examples/scenarios').filter((f) => f.endsWith('.json')))('%s', async (name) => {
    const scenario = parseScenario(readFileSync(join('examples/scenarios', name), 'utf8'));
    const pure = simulatePure(scenario.group, scenario.steps).map(key);
    const engine = (await simulateWithEngine(scenario.topology, scenario.group, scenario.steps)).map(key);
    expect(engine).toEqual(pure);
    expect(pure.length).toBeGreaterThan(3);
  });

  it('the CLI flag runs the engine path', async () => {
    const { code, stdout } = await havip([
      'simulate',
      '--engine',
      'examples/scenarios/two-node-failover.json',
    ]);
    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string });
    expect(lines.map((l) => l.action)).toEqual(['attach', 'move', 'noop', 'move', 'alert']);
  });

  it('the CLI flag runs a Tencent group through the engine on the Tencent simulator', async () => {
    const doc = JSON.parse(readFileSync('examples/scenarios/two-node-failover.json', 'utf8'));
    const tencent = JSON.parse(JSON.stringify(doc).replace(/"i-bp1([a-z0-9]+)"/g, '"ins-$1"'));
    const { vSwitchId: _v, ...group } = tencent.group;
    tencent.group = {
      ...group,
      cloud: 'tencent',
      region: 'ap-guangzhou',
      vpcId: 'vpc-0scen',
      subnetId: 'subnet-0scen',
    };
    const file = join(await mkdtemp(join(tmpdir(), 'havip-sim-')), 'tencent.json');
    await writeFile(file, JSON.stringify(tencent));
    const { code, stdout, stderr } = await havip(['simulate', '--engine', file]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; holder: string | null });
    expect(lines.map((l) => [l.action, l.holder])).toEqual([
      ['attach', 'ins-demo0000000000001'],
      ['move', 'ins-demo0000000000002'],
      ['noop', 'ins-demo0000000000002'],
      ['move', 'ins-demo0000000000001'],
      ['alert', 'ins-demo0000000000001'],
    ]);
  });
});
