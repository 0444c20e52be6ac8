/**
 * zod issues → findings: one finding per problem, with a stable parse code (or the field rule's code),
 * the path of the value, a message naming what is allowed and what was found, and a hint.
 */
import type { z } from 'zod';
import type { Finding } from '../model.js';
import { renderPath, valueAt } from '../paths.js';
import { didYouMean } from './did-you-mean.js';
import { parseFinding } from './parse-codes.js';
import type { IssueParams } from './schema.js';
import { knownKeysAt, unknownKeyHint } from './unknown-keys.js';

type Issue = z.core.$ZodIssue;

/** Where an issue is, and the value found there in the parsed document. */
interface At {
  readonly segs: readonly PropertyKey[];
  readonly path: string;
  readonly value: unknown;
  readonly root: unknown;
}

/** The findings for one zod issue over the parsed document `root`. */
export function toFindings(issue: Issue, root: unknown): Finding[] {
  const segs = issue.path as PropertyKey[];
  const at: At = { segs, path: renderPath(segs), value: valueAt(root, segs), root };
  switch (issue.code) {
    case 'custom': {
      const params = (issue.params ?? {}) as IssueParams;
      return [parseFinding(params.code ?? 'config.format', at.path, issue.message, params.hint ?? '')];
    }
    case 'invalid_type':
      return [invalidType(issue, at)];
    case 'unrecognized_keys':
      return issue.keys.map((key) => unknownKey(key, at));
    case 'invalid_value':
      return [notAllowed(issue.values.map(String), at)];
    case 'invalid_union':
      return [invalidUnion(issue, at)];
    case 'too_small':
      return [
        parseFinding(issue.origin === 'array' ? 'config.empty-list' : 'config.range', at.path, issue.message),
      ];
    case 'too_big':
      return [parseFinding('config.range', at.path, issue.message)];
    case 'invalid_format':
      return [parseFinding('config.format', at.path, `${issue.message}, got ${describe(at.value)}`)];
    default:
      return [parseFinding('config.format', at.path, issue.message)];
  }
}

function invalidType(issue: Issue & { code: 'invalid_type' }, { segs, path, value }: At): Finding {
  if (segs.length === 0 && (value === undefined || value === null)) {
    return parseFinding(
      'config.type',
      path,
      `the topology is empty; it ${issue.message}`,
      'start from examples/two-node.yaml',
    );
  }
  if (value === undefined) {
    return parseFinding('config.required', path, `is required and ${issue.message}`, requiredHint(segs));
  }
  return parseFinding(
    'config.type',
    path,
    `${issue.message}, got ${describe(value)}`,
    typeHint(issue.expected, value),
  );
}

function unknownKey(key: string, { segs, root }: At): Finding {
  const known = knownKeysAt(segs, root);
  return parseFinding(
    'config.unknown-key',
    renderPath([...segs, key]),
    `is not a known setting${known.length > 0 ? ` (allowed here: ${known.join(', ')})` : ''}`,
    unknownKeyHint(key, segs, known),
  );
}

/** A value outside an enum (or a probe `kind` outside the union); a missing one is `config.required`. */
function notAllowed(allowed: readonly string[], { path, value }: At): Finding {
  const hint = typeof value === 'string' ? didYouMean(value, allowed) : undefined;
  return parseFinding(
    value === undefined ? 'config.required' : 'config.enum',
    path,
    `must be one of ${allowed.join(', ')}, got ${describe(value)}`,
    hint ? `did you mean ${hint}?` : '',
  );
}

function invalidUnion(issue: Issue & { code: 'invalid_union' }, at: At): Finding {
  const disc = issue as Issue & { options?: unknown[]; discriminator?: string };
  if (disc.discriminator === undefined) return parseFinding('config.type', at.path, issue.message);
  const allowed = (disc.options ?? []).map(String);
  if (at.value === undefined) {
    return parseFinding('config.required', at.path, `is required: one of ${allowed.join(', ')}`);
  }
  return notAllowed(allowed, at);
}

/** A value as an operator would recognise it in their file. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') return `the text ${JSON.stringify(value)}`;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

function typeHint(expected: string, value: unknown): string {
  const numeric = expected === 'number' || expected === 'int';
  if (numeric && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
    return `write ${value.trim()} without quotes; a quoted value is text, not a number`;
  }
  if (expected === 'boolean' && typeof value === 'string' && /^(true|false|yes|no|on|off)$/i.test(value)) {
    return 'write true or false without quotes (YAML 1.2 reads yes/no/on/off as text)';
  }
  if (value === null) return 'the key has no value: give it one or remove the key';
  if (expected === 'string' && typeof value === 'number') return 'quote the value';
  return '';
}

const REQUIRED_HINTS: Readonly<Record<string, string>> = {
  region: 'add e.g. region: cn-hangzhou at the top level',
  groups: 'add a groups: list (see examples/two-node.yaml)',
  name: 'give the group a name like web',
  vSwitchId: "add the vSwitch the HaVip and the members live in (the HaVip's VSwitchId)",
  members: 'list the ECS instances or ENIs that may hold the address',
  id: 'add the ECS instance id (i-…) or ENI id (eni-…)',
  ip: "add the member's primary private IPv4; the election breaks priority ties on it",
  allocationId: 'add the EIP allocation id (eip-…)',
  haVipId: 'add the HAVIP the group fails over (havip-…)',
  vpcId: "add the VPC the HAVIP lives in (the HAVIP's VpcId, vpc-…)",
  subnetId: "add the subnet the HAVIP and the members live in (the HAVIP's SubnetId, subnet-…)",
  addressIp: "add the EIP's public IPv4 address",
  port: 'add the port the probe connects to',
};

function requiredHint(segs: readonly PropertyKey[]): string {
  const last = segs[segs.length - 1];
  return typeof last === 'string' ? (REQUIRED_HINTS[last] ?? '') : '';
}
