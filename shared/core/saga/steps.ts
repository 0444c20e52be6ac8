/**
 * The saga's vocabulary: the steps a decision becomes, what running one reports, and the ClientToken each
 * mutation carries. Shared by the pure planner (plan.ts) and the runner (runner.ts).
 */
import type { MemberId } from '../model.js';
import type { EipInstanceType, HaVipInstanceType, JournalPhase } from '../ports.js';
import type { TencentHaVipTargetType } from '../tencent-ports.js';

export type SagaStep =
  | { readonly op: 'attach-havip'; readonly member: MemberId; readonly instanceType: HaVipInstanceType }
  | {
      readonly op: 'detach-havip';
      readonly member: MemberId;
      readonly instanceType: HaVipInstanceType;
      readonly force: boolean;
    }
  /** Run the announce script on `host`: the member itself, or the instance an ENI member is attached to. */
  | { readonly op: 'announce'; readonly member: MemberId; readonly host: string }
  /** Wait up to `waitSeconds` for `MasterInstanceId` to name the member (0 = one read). */
  | { readonly op: 'verify'; readonly member: MemberId; readonly waitSeconds: number }
  | { readonly op: 'eip-unbind'; readonly instanceId: string; readonly instanceType: EipInstanceType }
  | { readonly op: 'eip-bind'; readonly instanceId: string; readonly instanceType: EipInstanceType }
  | { readonly op: 'fence-stop'; readonly member: MemberId }
  // Tencent Cloud (tencent/plan.ts): the HAVIP's drift scope, and its EIP bound by address.
  /** Add the member to the HAVIP's drift scope (AssociateHaVipInstance): it may then take the address. */
  | { readonly op: 'scope-add'; readonly member: MemberId; readonly targetType: TencentHaVipTargetType }
  /**
   * Remove the member from the drift scope (DisassociateHaVipInstance). Never the current holder unless
   * `evict` (keepalived coexistence, forced move): whether that evicts it is undocumented.
   */
  | {
      readonly op: 'scope-drop';
      readonly member: MemberId;
      readonly targetType: TencentHaVipTargetType;
      readonly evict: boolean;
    }
  /** Bind the EIP with this public IP to the HAVIP (HaVipAssociateAddressIp, an asynchronous task). */
  | { readonly op: 'havip-eip'; readonly haVipId: string; readonly addressIp: string };

export type StepOp = SagaStep['op'];
export type StepOf<K extends StepOp> = Extract<SagaStep, { op: K }>;

export type StepOutcome = 'planned' | 'done' | 'skipped' | 'failed' | 'incomplete';

export interface StepReport {
  readonly op: StepOp;
  readonly target: string;
  readonly key: string;
  readonly outcome: StepOutcome;
  readonly clientToken?: string;
  readonly note?: string;
  readonly durationMs?: number;
}

/** The journal phase written before a step of each kind. */
export const PHASE: Readonly<Record<StepOp, JournalPhase>> = {
  'attach-havip': 'ATTACHING',
  'detach-havip': 'DETACHING',
  announce: 'ANNOUNCING',
  verify: 'VERIFYING',
  'eip-unbind': 'EIP',
  'eip-bind': 'EIP',
  'fence-stop': 'FENCING',
  'scope-add': 'ATTACHING',
  'scope-drop': 'DETACHING',
  'havip-eip': 'EIP',
};

export const stepTarget = (s: SagaStep): string =>
  'member' in s ? s.member : 'instanceId' in s ? s.instanceId : s.haVipId;
export const stepKey = (s: SagaStep): string => `${s.op}:${stepTarget(s)}`;

/** The report of a step the dry run (`plan`) shows without running it. */
export function plannedReport(step: SagaStep): StepReport {
  return { op: step.op, target: stepTarget(step), key: stepKey(step), outcome: 'planned' };
}

/** FNV-1a 64-bit, hex: a short stable digest for ClientTokens (pure, no crypto dependency needed). */
export function fnv1a64(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (const ch of new TextEncoder().encode(text)) {
    h ^= BigInt(ch);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

/** ClientToken from (group, epoch, step): ASCII, ≤ 64 chars, identical for every retry of one step. */
export function clientToken(group: string, epoch: number, key: string): string {
  const op = key.split(':')[0] ?? 'step';
  return `hv-${epoch}-${op}-${fnv1a64(`${group}\u0000${epoch}\u0000${key}`)}`.slice(0, 64);
}
