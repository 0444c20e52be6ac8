/** Tencent Cloud resource ids as the trigger payloads carry them, with the fix an operator needs. */

/** CVM instance ids: `ins-` followed by lowercase letters and digits (8 in practice). */
export const CVM_INSTANCE_ID_RE = /^ins-[a-z0-9]{1,62}$/;
export const CVM_ID_HINT =
  'a CVM instance id looks like "ins-abcd1234" (lowercase letters and digits after "ins-")';

/** Heartbeat members on Tencent: CVM instances or, for ENI groups, ENIs. */
export const TENCENT_MEMBER_ID_RE = /^(?:ins|eni)-[a-z0-9]{1,62}$/;
export const TENCENT_MEMBER_HINT =
  'a member id looks like "ins-abcd1234" or "eni-abcd1234" (lowercase letters and digits)';

/**
 * The CVM instance a `subject` names: EventBridge puts either the bare id (`ins-abcd1234`) or a
 * six-segment resource description ending in it (`qcs::cvm:ap-guangzhou:uin/100000:instance/ins-abcd1234`).
 */
export function instanceIdOfSubject(subject: string | undefined): string | undefined {
  if (subject === undefined) return undefined;
  return /(?:^|[/:])(ins-[^/:]+)$/.exec(subject)?.[1];
}
