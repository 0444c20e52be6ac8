/** Tencent's live rules over the in-memory Tencent fake (the port's semantics), table-driven. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../../../../shared/core/config.js';
import {
  TENCENT_LIVE_CODES,
  validateLive,
  validateTencentLive,
} from '../../../../../shared/core/validate-live.js';
import { TencentFake } from '../../../../support/tencent-fake.js';
import { UNREACHABLE_ALIBABA } from '../../../../support/tencent-world.js';

const HAVIP = 'havip-0live001';

function yaml(members: string, extra = ''): string {
  return `
region: ap-guangzhou
cloud: tencent
groups:
  - name: tweb
    haVipId: ${HAVIP}
    vpcId: vpc-0fake
    subnetId: subnet-0fake${extra}
    members:
${members}
`;
}
const CVM_PAIR = `      - { id: ins-0live001, priority: 100, ip: 10.0.1.11 }
      - { id: ins-0live002, priority: 10, ip: 10.0.1.12 }`;
const ENI_PAIR = `      - { id: eni-0live001, priority: 100, ip: 10.0.2.11 }
      - { id: eni-0live002, priority: 10, ip: 10.0.2.12 }`;

function cvmWorld(f: TencentFake): void {
  f.addInstance({ instanceId: 'ins-0live001', ip: '10.0.1.11' });
  f.addInstance({ instanceId: 'ins-0live002', ip: '10.0.1.12' });
  f.addHaVip({ haVipId: HAVIP, vip: '10.0.1.100' });
}
function eniWorld(f: TencentFake): void {
  f.addInstance({ instanceId: 'ins-0host001', ip: '10.0.1.21' });
  f.addInstance({ instanceId: 'ins-0host002', ip: '10.0.1.22' });
  f.addEni({ networkInterfaceId: 'eni-0live001', ip: '10.0.2.11', instanceId: 'ins-0host001' });
  f.addEni({ networkInterfaceId: 'eni-0live002', ip: '10.0.2.12', instanceId: 'ins-0host002' });
  f.addHaVip({ haVipId: HAVIP, vip: '10.0.2.100' });
}

const cases: {
  name: string;
  members: string;
  seed: (f: TencentFake) => void;
  fake?: ConstructorParameters<typeof TencentFake>[0];
  expected: string[];
}[] = [
  { name: 'a CVM pair that agrees', members: CVM_PAIR, seed: cvmWorld, expected: [] },
  { name: 'an ENI pair that agrees', members: ENI_PAIR, seed: eniWorld, expected: [] },
  {
    name: 'the HAVIP does not exist',
    members: CVM_PAIR,
    seed: (f) => {
      cvmWorld(f);
      f.haVips.clear();
    },
    expected: ['tencent.live.havip.missing@groups[0].haVipId'],
  },
  {
    name: 'the HAVIP is in another subnet',
    members: CVM_PAIR,
    seed: (f) => {
      cvmWorld(f);
      (f.haVips.get(HAVIP) as { subnetId: string }).subnetId = 'subnet-0other';
    },
    expected: ['tencent.live.havip.placement@groups[0].haVipId'],
  },
  {
    name: 'an instance outside the group holds it and sits in the scope',
    members: CVM_PAIR,
    seed: (f) => {
      cvmWorld(f);
      f.addInstance({ instanceId: 'ins-0other01', ip: '10.0.1.99' });
      f.haVips.get(HAVIP)?.scope.push({ instanceId: 'ins-0other01', instanceType: 'CVM' });
      f.announce(HAVIP, 'ins-0other01');
    },
    expected: [
      'tencent.live.havip.foreign-holder@groups[0].haVipId',
      'tencent.live.havip.foreign-scope@groups[0].haVipId',
    ],
  },
  {
    name: 'eleven HAVIPs in the VPC, ten outside the topology',
    members: CVM_PAIR,
    seed: (f) => {
      cvmWorld(f);
      for (let i = 0; i < 10; i++) f.addHaVip({ haVipId: `havip-0other${i}`, vip: `10.0.1.${200 + i}` });
    },
    expected: ['tencent.live.vpc.havips.quota@groups[0].vpcId'],
  },
  {
    name: 'eleven HAVIPs under a raised quota',
    members: CVM_PAIR,
    fake: { maxHaVipsPerVpc: 20 },
    seed: (f) => {
      cvmWorld(f);
      for (let i = 0; i < 10; i++) f.addHaVip({ haVipId: `havip-0other${i}`, vip: `10.0.1.${200 + i}` });
    },
    expected: [],
  },
  {
    name: 'a missing, a stopped and a misplaced instance',
    members: `${CVM_PAIR}
      - { id: ins-0live003, priority: 5, ip: 10.0.1.13 }`,
    seed: (f) => {
      cvmWorld(f);
      f.setState('ins-0live002', 'STOPPED');
      f.addInstance({ instanceId: 'ins-0live003', ip: '10.0.1.13', subnetId: 'subnet-0other' });
      f.instances.delete('ins-0live001');
    },
    expected: [
      'tencent.live.member.missing@groups[0].members[0].id',
      'tencent.live.member.not-running@groups[0].members[1].id',
      'tencent.live.member.placement@groups[0].members[2].id',
    ],
  },
  {
    name: 'a detached ENI and a primary ENI',
    members: ENI_PAIR,
    seed: (f) => {
      eniWorld(f);
      (f.enis.get('eni-0live001') as { instanceId: string | undefined }).instanceId = undefined;
      (f.enis.get('eni-0live002') as { primary: boolean }).primary = true;
    },
    expected: [
      'tencent.live.eni.detached@groups[0].members[0].id',
      'tencent.live.eni.primary@groups[0].members[1].id',
    ],
  },
  {
    name: 'an ENI already in the scope of five other HAVIPs',
    members: ENI_PAIR,
    seed: (f) => {
      eniWorld(f);
      for (let i = 0; i < 5; i++)
        f.addHaVip({
          haVipId: `havip-0eni${i}`,
          vip: `10.0.2.${200 + i}`,
          scope: [{ instanceId: 'eni-0live001', instanceType: 'ENI' }],
        });
    },
    expected: ['tencent.live.eni.havips.quota@groups[0].members[0].id'],
  },
];

describe('Tencent live rules', () => {
  it.each(cases)('$name', async ({ members, seed, fake: opts, expected }) => {
    const { topology } = loadTopology(yaml(members));
    const fake = new TencentFake(opts);
    seed(fake);
    const found = await validateTencentLive(fake, topology);
    expect(found.map((f) => `${f.code}@${f.path}`).sort()).toEqual([...expected].sort());
  });

  it('leaves Tencent groups out of the Alibaba live validation (no Alibaba call)', async () => {
    const { topology } = loadTopology(yaml(CVM_PAIR));
    expect(await validateLive(UNREACHABLE_ALIBABA, topology)).toEqual([]);
  });
});

describe('docs/tencent-topology.md', () => {
  const doc = readFileSync(new URL('../../../../../docs/tencent-topology.md', import.meta.url), 'utf8');
  it.each(Object.keys(TENCENT_LIVE_CODES))('documents %s', (code) => {
    expect(doc).toContain(`\`${code}\``);
  });
});
