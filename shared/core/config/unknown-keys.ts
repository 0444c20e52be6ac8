/**
 * Unknown keys: which keys are allowed where the unknown one was written, and what the operator
 * probably meant.
 */
import { z } from 'zod';
import { valueAt } from '../paths.js';
import { didYouMean } from './did-you-mean.js';
import { documentSchema } from './schema.js';

/** Walks the schema along `segs` (using the data to choose the probe variant) and lists the object's keys. */
export function knownKeysAt(segs: readonly PropertyKey[], root: unknown): string[] {
  let schema: unknown = documentSchema;
  for (let i = 0; i < segs.length; i++) {
    const cur = unwrap(schema, segs.slice(0, i), root);
    const seg = segs[i];
    if (cur instanceof z.ZodObject && typeof seg === 'string')
      schema = (cur.shape as Record<string, unknown>)[seg];
    else if (cur instanceof z.ZodArray) schema = cur.element;
    else return [];
  }
  const end = unwrap(schema, segs, root);
  return end instanceof z.ZodObject ? Object.keys(end.shape) : [];
}

/**
 * The schema that applies at `at`: optional wrappers removed, a union resolved by its discriminator (a
 * probe by its `kind`, a group by its `cloud`).
 */
function unwrap(schema: unknown, at: readonly PropertyKey[], root: unknown): unknown {
  let cur = schema;
  for (;;) {
    if (cur instanceof z.ZodOptional) cur = cur.unwrap();
    else if (cur instanceof z.ZodDiscriminatedUnion) {
      const key = cur.def.discriminator;
      const value = valueAt(root, [...at, key]);
      const match = (cur.options as unknown[]).find((o) => hasLiteral(o, key, value));
      if (match === undefined) return undefined;
      cur = match;
    } else return cur;
  }
}

function hasLiteral(option: unknown, key: string, value: unknown): boolean {
  if (!(option instanceof z.ZodObject)) return false;
  const literal = (option.shape as Record<string, unknown>)[key];
  return literal instanceof z.ZodLiteral && literal.values.has(value as never);
}

/** Keys of one cloud's groups written in a group on the other cloud. */
const TENCENT_GROUP_KEYS = new Set(['vpcId', 'subnetId', 'addressIp']);
const ALIBABA_GROUP_KEYS = new Set(['vSwitchId', 'allocationId', 'mode']);

function crossCloudHint(key: string, known: readonly string[]): string | undefined {
  if (TENCENT_GROUP_KEYS.has(key) && !known.includes(key)) {
    return `${key} belongs to a Tencent Cloud group: set cloud: tencent on the group (or the file), or on Alibaba use vSwitchId and eip: {allocationId: eip-…}`;
  }
  if (ALIBABA_GROUP_KEYS.has(key) && known.includes('subnetId')) {
    return key === 'vSwitchId'
      ? 'vSwitchId is Alibaba Cloud’s: a Tencent group names subnetId: subnet-… and vpcId: vpc-…'
      : 'a Tencent group binds its EIP by public IP: eip: {addressIp: 203.0.113.10}';
  }
  if (ALIBABA_GROUP_KEYS.has(key) && known.includes('addressIp')) {
    return 'a Tencent group binds its EIP by public IP only: eip: {addressIp: 203.0.113.10}';
  }
  return undefined;
}

const PER_GROUP_KEYS = new Set(['name', 'members', 'vSwitchId', 'haVipId', 'eip']);

/** The hint for the unknown `key` inside `parent`, given the keys allowed there. */
export function unknownKeyHint(
  key: string,
  parent: readonly PropertyKey[],
  known: readonly string[],
): string {
  const inside = parent[parent.length - 1];
  const inMember = typeof inside === 'number' && parent[parent.length - 2] === 'members';
  if (inside === 'defaults' && key === 'region') {
    return 'the top-level region already applies to every group; set region at the top level or on a group';
  }
  if (inside === 'defaults' && PER_GROUP_KEYS.has(key)) return `${key} is per group: set it on each group`;
  if (inMember && key === 'kind') {
    return 'the member kind follows from the id prefix (i- is an ECS instance, eni- an ENI); remove kind';
  }
  if (key === 'state') {
    return 'there is no MASTER/BACKUP state: the highest-priority eligible member holds the address; set priority';
  }
  if (inside === 'probe' && (key === 'path' || key === 'expectStatus')) {
    return `${key} applies only to probes with kind: http`;
  }
  const crossCloud = crossCloudHint(key, known);
  if (crossCloud !== undefined) return crossCloud;
  if (key === 'eips') return 'a HaVip carries at most one EIP: use eip: {allocationId: eip-…}';
  const guess = didYouMean(key, known);
  return guess ? `did you mean ${guess}?` : 'remove it, or check the spelling against docs/configuration.md';
}
