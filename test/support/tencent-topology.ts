/** A Tencent active/passive pair as topology YAML (the ids of the Tencent event fixtures), for SCF tests. */
export const TENCENT_PAIR = {
  primary: 'ins-demo0001',
  backup: 'ins-demo0002',
  haVipId: 'havip-demoweb1',
} as const;

export const TENCENT_PAIR_YAML = `cloud: tencent
region: ap-guangzhou
groups:
  - name: web
    haVipId: ${TENCENT_PAIR.haVipId}
    vpcId: vpc-demo0001
    subnetId: subnet-demo0001
    nopreempt: true
    announce: cloud-assistant
    announceDeadlineSeconds: 10
    members:
      - { id: ${TENCENT_PAIR.primary}, priority: 100, ip: 10.0.1.11 }
      - { id: ${TENCENT_PAIR.backup}, priority: 10, ip: 10.0.1.12 }
`;
