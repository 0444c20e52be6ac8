/**
 * The seed of the Tencent Cloud simulator: the initial world (VPCs with subnets, CVM instances with
 * their types and IPs, secondary ENIs, HAVIPs with their drift scope, holder and EIP, and EIPs), as JSON
 * or a JS object. It is an edge (files, the CLI, tests), so its shape is validated with zod here and
 * its references (ids exist, same subnet, quotas) when the world is built (`build-world.ts`); both
 * report `simulator.seed-invalid` with every problem's path.
 */
import { z } from 'zod';
import { parseInput } from '../simulator/common/json-input.js';

const id = (prefix: string, what: string) =>
  z
    .string()
    .regex(
      new RegExp(`^${prefix}[A-Za-z0-9_.-]+$`),
      `${what} must look like ${prefix}… (letters, digits, -, _, .)`,
    );

export const ipv4 = z
  .string()
  .regex(
    /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/,
    'must be a dotted-quad IPv4 address',
  );

const cidr = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'must be an IPv4 CIDR like 10.0.1.0/24');

const subnetSeed = z.object({
  subnetId: id('subnet-', 'subnetId'),
  cidr: cidr.optional(),
  /** Defaults to `<region>-1`. */
  zone: z.string().min(1).optional(),
});

const vpcSeed = z.object({
  vpcId: id('vpc-', 'vpcId'),
  cidr: cidr.optional(),
  subnets: z.array(subnetSeed),
});

const instanceSeed = z.object({
  instanceId: id('ins-', 'instanceId'),
  subnetId: id('subnet-', 'subnetId'),
  privateIp: ipv4,
  /** Default `S5.MEDIUM2`. */
  instanceType: z.string().min(1).optional(),
  /** Default `RUNNING`. */
  state: z.enum(['RUNNING', 'STOPPED']).optional(),
  name: z.string().optional(),
  /** The primary ENI's id; default `eni-` + the part after `ins-`. */
  primaryNetworkInterfaceId: id('eni-', 'primaryNetworkInterfaceId').optional(),
  /** Whether the TAT agent is installed (default `online`); `offline`/`fail` are faults set at run time. */
  tatAgent: z.enum(['online', 'missing']).optional(),
});

const eniSeed = z.object({
  networkInterfaceId: id('eni-', 'networkInterfaceId'),
  subnetId: id('subnet-', 'subnetId'),
  privateIp: ipv4,
  /** The instance the secondary ENI is attached to; absent = detached. */
  instanceId: id('ins-', 'instanceId').optional(),
});

const haVipSeed = z.object({
  haVipId: id('havip-', 'haVipId'),
  subnetId: id('subnet-', 'subnetId'),
  vip: ipv4,
  name: z.string().optional(),
  /**
   * Whether drift is checked against the scope. Default false, as the CreateHaVip API documents it (the
   * console documentation says on: set it explicitly to model either).
   */
  checkAssociate: z.boolean().optional(),
  /** The drift scope: CVM ids (`ins-…`) or ENI ids (`eni-…`), one kind only. */
  associations: z.array(z.string().min(1)).optional(),
  /** Who holds it now (has announced it): an instance, or an ENI of one. Default: nobody. */
  holder: z.string().min(1).optional(),
  /** The public IP of an EIP of this region bound to the HAVIP. */
  addressIp: ipv4.optional(),
});

const eipSeed = z.object({
  addressId: id('eip-', 'addressId'),
  addressIp: ipv4,
});

const regionSeed = z.object({
  region: z.string().regex(/^[a-z]{2,3}-[a-z0-9-]+$/, 'must be a Tencent region like ap-guangzhou'),
  vpcs: z.array(vpcSeed),
  instances: z.array(instanceSeed).default([]),
  networkInterfaces: z.array(eniSeed).default([]),
  haVips: z.array(haVipSeed).default([]),
  eips: z.array(eipSeed).default([]),
});

const positiveInt = z.number().int().min(1);

export const tencentSeedSchema = z.object({
  regions: z.array(regionSeed).min(1, 'at least one region is required'),
  /** The one key pair requests must be signed with. Without it any well-formed signature is accepted. */
  credentials: z
    .object({
      secretId: z.string().min(1),
      secretKey: z.string().min(1),
      token: z.string().min(1).optional(),
    })
    .optional(),
  quotas: z
    .object({
      /** `vpc-max-havips` (DescribeVpcLimits). Default 10. */
      havipsPerVpc: positiveInt.optional(),
      /** HAVIPs one ENI (or a CVM's primary ENI) may carry in drift scopes. Default 5. */
      havipsPerEni: positiveInt.optional(),
    })
    .optional(),
});

export type TencentSimSeed = z.input<typeof tencentSeedSchema>;
export type ParsedTencentSeed = z.output<typeof tencentSeedSchema>;
export type TencentRegionSeed = ParsedTencentSeed['regions'][number];

export interface TencentSimQuotas {
  readonly havipsPerVpc: number;
  readonly havipsPerEni: number;
}

export function resolveTencentQuotas(q: ParsedTencentSeed['quotas']): TencentSimQuotas {
  return { havipsPerVpc: q?.havipsPerVpc ?? 10, havipsPerEni: q?.havipsPerEni ?? 5 };
}

/** Validates a seed's shape (references are checked when the world is built). */
export function parseTencentSeed(input: unknown, source = 'seed'): ParsedTencentSeed {
  return parseInput(
    tencentSeedSchema,
    input,
    'simulator.seed-invalid',
    `${source}: the Tencent simulator seed is invalid`,
  );
}
