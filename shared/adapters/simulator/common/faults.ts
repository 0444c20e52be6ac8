/**
 * Fault injection for the simulator: latency, per-account throttling (token bucket), injected 5xx,
 * dropped responses after a committed mutation, stale describes and slow asynchronous transitions.
 *
 * Everything is deterministic: time comes from the simulator's clock and probabilities from its seeded
 * generator. The controller only decides; the fault gate (`fault-gate.ts`) of a simulated cloud
 * applies the decisions to each call and counts them. Nothing here is specific to one cloud's API.
 */
import { InvalidInputError } from '../../../core/errors.js';
import type { SimClock } from './clock.js';

/** The 5xx codes a failure injection answers with (Alibaba's; another cloud names its own set). */
export type ServerFaultCode = 'ServiceUnavailable' | 'InternalError';
/** Resource kinds with asynchronous transitions (Alibaba's; another cloud names its own set). */
export type TransitionKind = 'haVip' | 'eip' | 'instance';
/**
 * How the Cloud Assistant agent on an instance behaves: `ok` runs commands; `offline` never picks them
 * up (the invocation ends `Aborted` with `ClientNotRunning`); `fail` runs them but the script exits 1.
 */
export type CloudAssistantMode = 'ok' | 'offline' | 'fail';

export interface ThrottleConfig {
  /** Tokens added per second (sustained calls per second per account). */
  readonly ratePerSecond: number;
  /** Bucket size: calls allowed in a burst from a full bucket. */
  readonly burst: number;
  /**
   * HTTP status of a throttled answer. Default 400: Alibaba's RPC gateway answers `Throttling.User`
   * with 400 (the SDK classifies by the code, not the status, so 429 behaves the same for it).
   */
  readonly status?: 400 | 429;
}

/** A read-only picture of the active faults (for the admin endpoint and reports). */
export interface FaultConfig<Code extends string = ServerFaultCode, Kind extends string = TransitionKind> {
  readonly latencyMs: number;
  readonly latencyByAction: Readonly<Record<string, number>>;
  readonly throttle: ThrottleConfig | null;
  readonly failNext: readonly { action: string; remaining: number; code: Code }[];
  readonly failureRates: readonly { action: string; probability: number; code: Code }[];
  readonly dropNext: readonly { action: string; remaining: number }[];
  readonly stalenessMs: number;
  readonly staleActions: readonly string[] | null;
  readonly transitionDelayMs: Readonly<Record<Kind, number>>;
  /** Instances (or `*`) whose simulated keepalived does not move. */
  readonly keepalivedStuck: readonly string[];
  /** Cloud Assistant agent behaviour by instance (or `*`); absent = `ok`. */
  readonly cloudAssistant: Readonly<Record<string, CloudAssistantMode>>;
}

/**
 * The programmatic fault API (also driven by the admin endpoint `/__admin/faults/...`). `Code` is what
 * an injected failure answers with, `Kind` the resource kinds whose transitions can be slowed.
 */
export interface FaultController<
  Code extends string = ServerFaultCode,
  Kind extends string = TransitionKind,
> {
  /** Delay every call (or only `action`) by `ms` on the simulator clock; 0 removes it. */
  setLatency(ms: number, opts?: { action?: string }): void;
  /** Enable a token bucket per AccessKey id; `null` disables throttling. */
  setThrottle(config: ThrottleConfig | null): void;
  /** The next `count` calls (of `action`, or of any action) fail with a 5xx and have no effect. */
  failNext(opts?: { action?: string; count?: number; code?: Code }): void;
  /** Each call (of `action`, or any) fails with a 5xx with this probability (seeded); 0 removes it. */
  setFailureRate(opts: { probability: number; action?: string; code?: Code }): void;
  /**
   * The next `count` successful mutations (of `action`, or any mutating action) are applied but their
   * responses are dropped: the HTTP server destroys the socket without answering.
   */
  dropNextResponse(opts?: { action?: string; count?: number }): void;
  /**
   * Describe calls answer the world as it was `ms` ago (only `actions` when given; default every
   * Describe* action); 0 turns staleness off.
   */
  setStaleness(ms: number, opts?: { actions?: readonly string[] }): void;
  /** How long asynchronous transitions of one resource kind take from now on. */
  setTransitionDelay(kind: Kind, ms: number): void;
  /**
   * Freeze (or release) the simulated keepalived on an instance, or on every instance with `*`: as if
   * its vrrp_script never noticed the failure, it does not take over a HaVip that lost its master.
   * Releasing it lets keepalived act on the current state (after the takeover delay).
   */
  setKeepalivedStuck(instanceId: string, stuck: boolean): void;
  /** Cloud Assistant agent behaviour on an instance, or on every instance with `*` (per-instance wins). */
  setCloudAssistant(instanceId: string, mode: CloudAssistantMode): void;
  /** Remove every fault; transition delays go back to the constructor's values. */
  reset(): void;
  config(): FaultConfig<Code, Kind>;
}

/** What differs between the clouds a {@link Faults} controller serves. */
export interface FaultsOptions<Code extends string> {
  /** What an injected failure answers with when the caller names no code. */
  readonly defaultCode: Code;
  /** The instance ids the per-instance switches accept (besides `*`). Default Alibaba's `i-…`. */
  readonly instanceId?: { readonly pattern: RegExp; readonly example: string };
}

const ALIBABA_INSTANCE_ID = { pattern: /^i-[A-Za-z0-9_.-]+$/, example: 'i-…' } as const;

const ANY = '*';

function nonNegative(name: string, v: number): number {
  if (!Number.isFinite(v) || v < 0) {
    throw new InvalidInputError('simulator.fault-invalid', `invalid fault setting`, [
      { path: name, message: `must be a finite number >= 0, got ${String(v)}` },
    ]);
  }
  return v;
}

function requireTarget(
  path: string,
  instanceId: string,
  id: { readonly pattern: RegExp; readonly example: string },
): void {
  if (instanceId !== ANY && !id.pattern.test(instanceId)) {
    throw new InvalidInputError('simulator.fault-invalid', 'invalid fault setting', [
      { path, message: `must be an instance id (${id.example}) or *, got ${JSON.stringify(instanceId)}` },
    ]);
  }
}

/** Decision for one call, made before the operation runs. */
export type PreDecision<Code extends string = ServerFaultCode> =
  | { readonly kind: 'ok' }
  | { readonly kind: 'throttle'; readonly status: number }
  | { readonly kind: 'error'; readonly code: Code };

export class Faults<Code extends string = ServerFaultCode, Kind extends string = TransitionKind>
  implements FaultController<Code, Kind>
{
  private latencyMs = 0;
  private latencyByAction = new Map<string, number>();
  private throttle: ThrottleConfig | null = null;
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private failQueue: { action: string; remaining: number; code: Code }[] = [];
  private failureRates = new Map<string, { probability: number; code: Code }>();
  private dropQueue: { action: string; remaining: number }[] = [];
  private stalenessMs = 0;
  private staleActions: ReadonlySet<string> | null = null;
  private delays: Record<Kind, number>;
  private readonly stuck = new Set<string>();
  private readonly agents = new Map<string, CloudAssistantMode>();

  constructor(
    private readonly clock: SimClock,
    private readonly random: () => number,
    private readonly defaultDelays: Readonly<Record<Kind, number>>,
    /** Called when a data-plane switch changes (keepalived may have to act). */
    private readonly onDataPlaneChange: () => void = () => {},
    // The defaults are Alibaba's, whose codes include ServiceUnavailable.
    private readonly options: FaultsOptions<Code> = { defaultCode: 'ServiceUnavailable' as Code },
  ) {
    this.delays = { ...defaultDelays };
  }

  setLatency(ms: number, opts: { action?: string } = {}): void {
    nonNegative('latency.ms', ms);
    if (opts.action === undefined) this.latencyMs = ms;
    else if (ms === 0) this.latencyByAction.delete(opts.action);
    else this.latencyByAction.set(opts.action, ms);
  }

  setThrottle(config: ThrottleConfig | null): void {
    if (config !== null) {
      nonNegative('throttle.ratePerSecond', config.ratePerSecond);
      if (!Number.isInteger(config.burst) || config.burst < 1) {
        throw new InvalidInputError('simulator.fault-invalid', 'invalid fault setting', [
          { path: 'throttle.burst', message: `must be an integer >= 1, got ${String(config.burst)}` },
        ]);
      }
    }
    this.throttle = config;
    this.buckets.clear();
  }

  failNext(opts: { action?: string; count?: number; code?: Code } = {}): void {
    const count = opts.count ?? 1;
    nonNegative('failNext.count', count);
    if (count > 0) {
      this.failQueue.push({
        action: opts.action ?? ANY,
        remaining: count,
        code: opts.code ?? this.options.defaultCode,
      });
    }
  }

  setFailureRate(opts: { probability: number; action?: string; code?: Code }): void {
    if (!(opts.probability >= 0 && opts.probability <= 1)) {
      throw new InvalidInputError('simulator.fault-invalid', 'invalid fault setting', [
        {
          path: 'failureRate.probability',
          message: `must be between 0 and 1, got ${String(opts.probability)}`,
        },
      ]);
    }
    const key = opts.action ?? ANY;
    if (opts.probability === 0) this.failureRates.delete(key);
    else
      this.failureRates.set(key, {
        probability: opts.probability,
        code: opts.code ?? this.options.defaultCode,
      });
  }

  dropNextResponse(opts: { action?: string; count?: number } = {}): void {
    const count = opts.count ?? 1;
    nonNegative('dropNext.count', count);
    if (count > 0) this.dropQueue.push({ action: opts.action ?? ANY, remaining: count });
  }

  setStaleness(ms: number, opts: { actions?: readonly string[] } = {}): void {
    nonNegative('staleness.ms', ms);
    this.stalenessMs = ms;
    this.staleActions = opts.actions === undefined ? null : new Set(opts.actions);
  }

  setTransitionDelay(kind: Kind, ms: number): void {
    nonNegative(`transitionDelay.${kind}`, ms);
    this.delays[kind] = ms;
  }

  setKeepalivedStuck(instanceId: string, stuck: boolean): void {
    requireTarget('keepalivedStuck.instanceId', instanceId, this.instanceIdRule());
    if (stuck) this.stuck.add(instanceId);
    else this.stuck.delete(instanceId);
    this.onDataPlaneChange();
  }

  setCloudAssistant(instanceId: string, mode: CloudAssistantMode): void {
    requireTarget('cloudAssistant.instanceId', instanceId, this.instanceIdRule());
    if (mode !== 'ok' && mode !== 'offline' && mode !== 'fail') {
      throw new InvalidInputError('simulator.fault-invalid', 'invalid fault setting', [
        { path: 'cloudAssistant.mode', message: `must be ok, offline or fail, got ${String(mode)}` },
      ]);
    }
    // Kept even when `ok`: a per-instance setting wins over `*`.
    this.agents.set(instanceId, mode);
  }

  reset(): void {
    this.stuck.clear();
    this.agents.clear();
    this.latencyMs = 0;
    this.latencyByAction.clear();
    this.throttle = null;
    this.buckets.clear();
    this.failQueue = [];
    this.failureRates.clear();
    this.dropQueue = [];
    this.stalenessMs = 0;
    this.staleActions = null;
    this.delays = { ...this.defaultDelays };
    this.onDataPlaneChange();
  }

  config(): FaultConfig<Code, Kind> {
    return {
      latencyMs: this.latencyMs,
      latencyByAction: Object.fromEntries(this.latencyByAction),
      throttle: this.throttle,
      failNext: this.failQueue.map((f) => ({ ...f })),
      failureRates: [...this.failureRates].map(([action, r]) => ({ action, ...r })),
      dropNext: this.dropQueue.map((d) => ({ ...d })),
      stalenessMs: this.stalenessMs,
      staleActions: this.staleActions === null ? null : [...this.staleActions],
      transitionDelayMs: { ...this.delays },
      keepalivedStuck: [...this.stuck],
      cloudAssistant: Object.fromEntries(this.agents),
    };
  }

  /** Whether keepalived on this instance is frozen. */
  keepalivedStuckOn(instanceId: string): boolean {
    return this.stuck.has(ANY) || this.stuck.has(instanceId);
  }

  /** The Cloud Assistant agent's behaviour on this instance. */
  cloudAssistantOn(instanceId: string): CloudAssistantMode {
    return this.agents.get(instanceId) ?? this.agents.get(ANY) ?? 'ok';
  }

  // -- decisions (applied by the fault gate) --------------------------------------------------

  latencyFor(action: string): number {
    return this.latencyByAction.get(action) ?? this.latencyMs;
  }

  transitionDelay(kind: Kind): number {
    return this.delays[kind];
  }

  /** Staleness to apply to a describe call, 0 for none. */
  stalenessFor(action: string): number {
    if (this.stalenessMs === 0 || !action.startsWith('Describe')) return 0;
    if (this.staleActions !== null && !this.staleActions.has(action)) return 0;
    return this.stalenessMs;
  }

  /** Throttle and injected-failure decision, taken before the operation runs (it then has no effect). */
  before(action: string, account: string): PreDecision<Code> {
    if (this.throttle !== null && !this.takeToken(account, this.throttle)) {
      return { kind: 'throttle', status: this.throttle.status ?? 400 };
    }
    const queued = this.failQueue.find((f) => f.remaining > 0 && (f.action === ANY || f.action === action));
    if (queued !== undefined) {
      queued.remaining -= 1;
      this.failQueue = this.failQueue.filter((f) => f.remaining > 0);
      return { kind: 'error', code: queued.code };
    }
    const rate = this.failureRates.get(action) ?? this.failureRates.get(ANY);
    if (rate !== undefined && this.random() < rate.probability) return { kind: 'error', code: rate.code };
    return { kind: 'ok' };
  }

  /** Whether the response of this successful mutation is to be dropped (consumes one drop). */
  takeDrop(action: string): boolean {
    const d = this.dropQueue.find((x) => x.remaining > 0 && (x.action === ANY || x.action === action));
    if (d === undefined) return false;
    d.remaining -= 1;
    this.dropQueue = this.dropQueue.filter((x) => x.remaining > 0);
    return true;
  }

  private instanceIdRule(): { readonly pattern: RegExp; readonly example: string } {
    return this.options.instanceId ?? ALIBABA_INSTANCE_ID;
  }

  private takeToken(account: string, cfg: ThrottleConfig): boolean {
    const now = this.clock.now();
    const b = this.buckets.get(account) ?? { tokens: cfg.burst, at: now };
    const refilled = Math.min(cfg.burst, b.tokens + ((now - b.at) / 1000) * cfg.ratePerSecond);
    const ok = refilled >= 1;
    this.buckets.set(account, { tokens: ok ? refilled - 1 : refilled, at: now });
    return ok;
  }
}
