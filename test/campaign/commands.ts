/**
 * The campaign's commands (fast-check model-based testing): operations on the world, faults, saga
 * crashes and pauses, and concurrent invocations whose interleaving a fast-check scheduler picks. Members
 * and groups are addressed by index (taken modulo the topology), so a command means something in every
 * topology and shrinks well. Every command is one step: it runs, drives its invocations to their end,
 * and the step-end invariants are checked before the next.
 */
import fc from 'fast-check';
import type { TransitionKind } from '../../shared/adapters/simulator/index.js';
import { quiesceAndCheck, replayDelivered } from './invariants.js';
import type { ReportFault } from './reports.js';
import { type Actor, type CampaignWorld, ENGINE_OPTIONS, type SagaFaultHow } from './world.js';

/** The model side of model-based testing: the world is its own oracle, so the model only counts. */
export interface Model {
  releases: number;
}

export class CampaignViolation extends Error {
  constructor(readonly violations: readonly string[]) {
    super(`invariant violated:\n  ${violations.join('\n  ')}`);
    this.name = 'CampaignViolation';
  }
}

export function assertClean(w: CampaignWorld): void {
  if (w.violations.length === 0) return;
  const trace = w.traceLines.length > 0 ? ['trace of the run:', ...w.traceLines] : [];
  throw new CampaignViolation([...w.violations, ...trace]);
}

abstract class Step implements fc.AsyncCommand<Model, CampaignWorld> {
  abstract readonly kind: string;
  readonly concurrent: boolean = false;
  check(_m: Readonly<Model>): boolean {
    return true;
  }
  async run(m: Model, w: CampaignWorld): Promise<void> {
    w.stats.command(this.kind);
    w.beginStep(this.concurrent);
    w.trace(`step ${w.stepNo}: ${this.toString().split('\n')[0]}`);
    // Signals carry receiver time: one millisecond between steps keeps "newer" unambiguous.
    await w.clock.advance(1);
    await this.body(m, w);
    w.endStep();
    assertClean(w);
  }
  protected abstract body(m: Model, w: CampaignWorld): Promise<void>;
  abstract toString(): string;
}

// ---------------------------------------------------------------------------------------------
// Time and the environment

export class Advance extends Step {
  readonly kind = 'advance time';
  constructor(readonly ms: number) {
    super();
  }
  protected async body(_m: Model, w: CampaignWorld) {
    await w.clock.advance(this.ms);
  }
  toString() {
    return `advance(${this.ms})`;
  }
}

export class Power extends Step {
  readonly kind: string;
  constructor(
    readonly gi: number,
    readonly mi: number,
    readonly action: 'stop' | 'start' | 'release',
  ) {
    super();
    this.kind = `instance ${action}`;
  }
  override check(m: Readonly<Model>) {
    return this.action !== 'release' || m.releases < 2;
  }
  protected async body(m: Model, w: CampaignWorld) {
    const member = w.memberOf(w.group(this.gi), this.mi);
    const status = w.sim.instance(member.host)?.status;
    if (this.action === 'stop' && status === 'Running') w.sim.stopInstance(member.host);
    if (this.action === 'start' && status === 'Stopped') w.sim.startInstance(member.host);
    if (this.action === 'release' && status !== undefined) {
      m.releases++;
      w.sim.deleteInstance(member.host);
    }
    // The host's new state is a witness at once (its ECS state), whenever the simulator emits its event.
    w.hostChanged(member);
  }
  toString() {
    return `${this.action}(g${this.gi}, m${this.mi})`;
  }
}

export class Host extends Step {
  readonly kind: string;
  constructor(
    readonly gi: number,
    readonly mi: number,
    readonly what: 'agent' | 'app',
    readonly up: boolean,
  ) {
    super();
    this.kind = `${what} ${up ? 'up' : 'down'}`;
  }
  protected async body(_m: Model, w: CampaignWorld) {
    const member = w.memberOf(w.group(this.gi), this.mi);
    if (this.what === 'agent') member.agentUp = this.up;
    else {
      if (member.appUp !== this.up) w.stats.fault('probe flap');
      member.appUp = this.up;
    }
    w.hostChanged(member);
  }
  toString() {
    return `${this.what}(g${this.gi}, m${this.mi}, ${this.up ? 'up' : 'down'})`;
  }
}

// ---------------------------------------------------------------------------------------------
// Signals and invocations

export class Drain extends Step {
  readonly kind: string;
  constructor(
    readonly gi: number,
    readonly mi: number,
    readonly on: boolean,
  ) {
    super();
    this.kind = on ? 'drain' : 'undrain';
  }
  protected async body(_m: Model, w: CampaignWorld) {
    await w.drive([w.setDrain(w.memberOf(w.group(this.gi), this.mi), this.on)]);
  }
  toString() {
    return `${this.on ? 'drain' : 'undrain'}(g${this.gi}, m${this.mi})`;
  }
}

export class Enqueue extends Step {
  readonly kind: string;
  constructor(
    readonly gi: number,
    readonly mi: number,
    readonly what: 'spot' | 'maintenance' | 'maintenance-canceled' | 'hb-timeout' | 'hb-ok',
  ) {
    super();
    this.kind = `event ${what}`;
  }
  protected async body(_m: Model, w: CampaignWorld) {
    const m = w.memberOf(w.group(this.gi), this.mi);
    if (this.what === 'spot') w.enqueueEcs('spot', m);
    else if (this.what === 'maintenance') w.enqueueEcs('maintenance', m, 'Scheduled');
    else if (this.what === 'maintenance-canceled') w.enqueueEcs('maintenance', m, 'Canceled');
    else w.enqueueHeartbeatMessage(m, this.what === 'hb-ok');
  }
  toString() {
    return `${this.what}(g${this.gi}, m${this.mi})`;
  }
}

/**
 * A host agent publishes a report (reports.ts): about a peer it lost sight of — whether or not that peer
 * is alive — or about its own checks, or a recovery; sometimes forged. It waits in the outbox, where
 * delivery faults reach it like any message.
 */
export class Report extends Step {
  readonly kind: string;
  constructor(
    readonly gi: number,
    readonly reporterMi: number,
    readonly suspectMi: number,
    readonly fault: ReportFault,
  ) {
    super();
    this.kind = `agent report ${fault.reason}${fault.forged ? ' (forged)' : ''}`;
  }
  protected async body(_m: Model, w: CampaignWorld) {
    const g = w.group(this.gi);
    const reporter = w.memberOf(g, this.reporterMi);
    const suspect = w.memberOf(g, this.suspectMi);
    if (
      this.fault.reason === 'peer-silent' &&
      suspect !== reporter &&
      suspect.agentUp &&
      suspect.appUp &&
      w.hostRunning(suspect)
    )
      w.stats.fault('agent report calls a live, healthy peer silent (reporter cut off)');
    w.enqueueReport(reporter, suspect, this.fault);
  }
  toString() {
    return `report(g${this.gi}, m${this.reporterMi} → m${this.suspectMi}, ${JSON.stringify(this.fault)})`;
  }
}

/** Delivers the i-th pending event: any pending event may go first (reordering). */
export class Deliver extends Step {
  readonly kind = 'deliver event';
  constructor(readonly i: number) {
    super();
  }
  protected async body(_m: Model, w: CampaignWorld) {
    if (w.outbox.length === 0) return;
    const idx = this.i % w.outbox.length;
    if (idx > 0) w.stats.fault('event delivered out of order');
    const [item] = w.outbox.splice(idx, 1);
    if (item !== undefined) await w.drive([w.deliver(item)]);
  }
  toString() {
    return `deliver(${this.i})`;
  }
}

export class Lose extends Step {
  readonly kind = 'lose event';
  constructor(readonly i: number) {
    super();
  }
  protected async body(_m: Model, w: CampaignWorld) {
    if (w.outbox.length === 0) return;
    w.outbox.splice(this.i % w.outbox.length, 1);
    w.stats.fault('event lost');
  }
  toString() {
    return `lose(${this.i})`;
  }
}

export class Replay extends Step {
  readonly kind = 'replay event';
  constructor(
    readonly i: number,
    readonly times: number,
  ) {
    super();
  }
  protected async body(_m: Model, w: CampaignWorld) {
    const items = w.delivered;
    if (items.length === 0) return;
    const item = items[items.length - 1 - (this.i % items.length)];
    if (item !== undefined) await replayDelivered(w, item, this.times);
  }
  toString() {
    return `replay(${this.i}, ×${this.times})`;
  }
}

export class Sweep extends Step {
  readonly kind = 'timer sweep';
  protected async body(_m: Model, w: CampaignWorld) {
    await w.drive([w.sweep()]);
  }
  toString() {
    return 'sweep()';
  }
}

export class Manual extends Step {
  readonly kind: string;
  constructor(
    readonly gi: number,
    readonly mi: number | undefined,
    readonly force: boolean,
  ) {
    super();
    this.kind = force ? 'manual failover (force)' : 'manual failover';
  }
  protected async body(_m: Model, w: CampaignWorld) {
    const g = w.group(this.gi);
    await w.drive([
      w.manualFailover(g, this.mi === undefined ? undefined : w.memberOf(g, this.mi), this.force),
    ]);
  }
  toString() {
    return `failover(g${this.gi}, ${this.mi === undefined ? 'next' : `m${this.mi}`}${this.force ? ', force' : ''})`;
  }
}

// ---------------------------------------------------------------------------------------------
// Cloud faults

export type FaultSpec =
  | { readonly f: 'throttle'; readonly rate: number; readonly burst: number }
  | { readonly f: 'failure-rate'; readonly p: number; readonly action: string | undefined }
  | { readonly f: 'fail-next'; readonly action: string; readonly count: number }
  | { readonly f: 'drop-next'; readonly action: string | undefined }
  | { readonly f: 'stale'; readonly ms: number }
  | { readonly f: 'slow'; readonly kind: TransitionKind; readonly ms: number }
  | { readonly f: 'latency'; readonly ms: number }
  | {
      readonly f: 'cloud-assistant';
      readonly gi: number;
      readonly mi: number;
      readonly mode: 'ok' | 'offline' | 'fail';
    }
  | { readonly f: 'off' };

export class Fault extends Step {
  readonly kind: string;
  constructor(readonly spec: FaultSpec) {
    super();
    this.kind = `fault ${spec.f}`;
  }
  protected async body(_m: Model, w: CampaignWorld) {
    const f = w.sim.faults;
    const s = this.spec;
    switch (s.f) {
      case 'throttle':
        f.setThrottle({ ratePerSecond: s.rate, burst: s.burst });
        w.stats.fault('throttling storm started');
        break;
      case 'failure-rate':
        f.setFailureRate({ probability: s.p, ...(s.action ? { action: s.action } : {}) });
        w.stats.fault('5xx failure rate set');
        break;
      case 'fail-next':
        f.failNext({ action: s.action, count: s.count });
        break;
      case 'drop-next':
        f.dropNextResponse(s.action ? { action: s.action } : {});
        break;
      case 'stale':
        w.setStaleness(s.ms);
        if (s.ms > 0) w.stats.fault('stale describes switched on');
        break;
      case 'slow':
        f.setTransitionDelay(s.kind, s.ms);
        w.stats.fault(`slow ${s.kind} transitions`);
        break;
      case 'latency':
        f.setLatency(s.ms);
        break;
      case 'cloud-assistant': {
        const m = w.memberOf(w.group(s.gi), s.mi);
        f.setCloudAssistant(m.host, s.mode);
        if (s.mode !== 'ok') w.stats.fault(`cloud assistant ${s.mode}`);
        break;
      }
      case 'off':
        f.reset();
        w.setStaleness(0);
        break;
    }
  }
  toString() {
    return `fault(${JSON.stringify(this.spec)})`;
  }
}

// ---------------------------------------------------------------------------------------------
// Saga crashes and pauses

/**
 * Arms a crash (before or after the point) or a pause at the `at`-th saga point (journal write or cloud
 * mutation) of the next invocation, and runs that invocation.
 */
export class SagaFault extends Step {
  readonly kind: string;
  constructor(
    readonly at: number,
    readonly how: SagaFaultHow,
    readonly trigger: 'sweep' | 'deliver' | 'manual',
    readonly gi: number,
    /** Stop the group's holder first, so the invocation has a failover to do. */
    readonly provoke = false,
  ) {
    super();
    this.kind = `saga ${how}`;
  }
  protected async body(_m: Model, w: CampaignWorld) {
    const paused = [...w.actors].filter((a) => a.status === 'paused').length;
    const how: SagaFaultHow = this.how === 'pause' && paused >= 2 ? 'crash-before' : this.how;
    if (this.provoke) stopHolder(w, this.gi);
    w.armed = { at: this.at, how };
    let actor: Actor;
    if (this.trigger === 'deliver' && w.outbox.length > 0) actor = w.deliver(w.outbox.shift() as never);
    else if (this.trigger === 'manual') actor = w.manualFailover(w.group(this.gi), undefined, false);
    else actor = w.sweep();
    await w.drive([actor]);
    if (w.armed !== undefined) w.armed = undefined;
    if (actor.plan !== undefined && actor.points < actor.plan.at)
      w.stats.fault('saga fault armed but not reached');
  }
  toString() {
    return `${this.how}(point ${this.at}, ${this.trigger}${this.trigger === 'manual' || this.provoke ? ` g${this.gi}` : ''}${this.provoke ? ', holder stopped first' : ''})`;
  }
}

function stopHolder(w: CampaignWorld, gi: number): void {
  const g = w.group(gi);
  const holder = w.bound(g)[0];
  const m = holder === undefined ? undefined : w.members.get(holder);
  if (m !== undefined && w.sim.instance(m.host)?.status === 'Running') w.sim.stopInstance(m.host);
}

/**
 * A lease holder frozen past its TTL (a stopped-the-world pause): the invocation pauses at its `at`-th
 * saga point, time passes beyond the lease TTL, a sweep takes the group over, and then the frozen
 * invocation resumes (or is killed). Its journal writes must be rejected and, when it was frozen in front
 * of a cloud call, that one stale call must be its last.
 */
export class PausePastTtl extends Step {
  readonly kind = 'lease holder paused past its TTL';
  constructor(
    readonly at: number,
    readonly gi: number,
    readonly release: 'proceed' | 'crash',
  ) {
    super();
  }
  protected async body(_m: Model, w: CampaignWorld) {
    stopHolder(w, this.gi);
    const actor = w.sweep({ plan: { at: this.at, how: 'pause' } });
    await w.drive([actor]);
    if (actor.status !== 'paused') {
      w.stats.fault('saga fault armed but not reached');
      return;
    }
    await w.clock.advance((ENGINE_OPTIONS.leaseTtlMs ?? 0) + 1_000);
    await w.drive([w.sweep({ noArm: true })]);
    await w.releasePaused(actor, this.release);
  }
  toString() {
    return `pause-past-ttl(point ${this.at}, g${this.gi}, then ${this.release})`;
  }
}

export class ReleasePaused extends Step {
  readonly kind = 'release paused invocation';
  constructor(readonly how: 'proceed' | 'crash') {
    super();
  }
  protected async body(_m: Model, w: CampaignWorld) {
    const a = [...w.actors].find((x) => x.status === 'paused');
    if (a !== undefined) await w.releasePaused(a, this.how);
  }
  toString() {
    return `release-paused(${this.how})`;
  }
}

// ---------------------------------------------------------------------------------------------
// Concurrency

export type ConcurrentSpec =
  | { readonly k: 'sweep' }
  | { readonly k: 'deliver'; readonly i: number }
  | { readonly k: 'manual'; readonly mi: number; readonly force: boolean }
  | { readonly k: 'drain' | 'undrain' | 'hb-timeout'; readonly mi: number };

/** 2–8 invocations on one group at the same instant; the scheduler picks the order of every port call. */
export class Concurrent extends Step {
  readonly kind = 'concurrent invocations';
  override readonly concurrent = true;
  constructor(
    readonly gi: number,
    readonly specs: readonly ConcurrentSpec[],
    readonly scheduler: fc.Scheduler,
  ) {
    super();
  }
  protected async body(_m: Model, w: CampaignWorld) {
    const g = w.group(this.gi);
    const s = this.scheduler;
    const step = w.stepNo;
    const used = new Set<number>();
    const opts = { step, scheduler: s, probeCertain: false };
    const actors = this.specs.map((spec): Actor => {
      switch (spec.k) {
        case 'sweep':
          return w.sweep({ ...opts, groups: [g.name] });
        case 'deliver': {
          if (w.outbox.length === 0) return w.sweep({ ...opts, groups: [g.name] });
          const idx = spec.i % w.outbox.length;
          const item = w.outbox[idx];
          if (used.has(idx)) w.stats.fault('event delivered twice at once');
          used.add(idx);
          return w.deliver(item as never, opts);
        }
        case 'manual':
          return w.manualFailover(g, w.memberOf(g, spec.mi), spec.force, opts);
        case 'drain':
        case 'undrain':
          return w.setDrain(w.memberOf(g, spec.mi), spec.k === 'drain', opts);
        default: {
          w.enqueueHeartbeatMessage(w.memberOf(g, spec.mi), false);
          const item = w.outbox.pop();
          return w.deliver(item as never, opts);
        }
      }
    });
    for (const idx of [...used].sort((a, b) => b - a)) w.outbox.splice(idx, 1);
    w.stats.concurrentSchedules++;
    w.stats.concurrentInvocations += actors.length;
    await w.drive(actors, s);
    for (const a of actors) a.scheduler = undefined;
  }
  toString() {
    return `concurrent(g${this.gi}, ${this.specs.map((x) => JSON.stringify(x)).join(' ')}, ${this.scheduler.toString()})`;
  }
}

export class Quiesce extends Step {
  readonly kind = 'faults stop (convergence check)';
  protected async body(_m: Model, w: CampaignWorld) {
    await quiesceAndCheck(w);
  }
  toString() {
    return 'quiesce()';
  }
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

const idx = fc.nat({ max: 9 });
const MUTATING = [
  'AssociateHaVip',
  'UnassociateHaVip',
  'AssociateEipAddress',
  'UnassociateEipAddress',
  'RunCommand',
];
const ANY = [
  ...MUTATING,
  'DescribeHaVips',
  'DescribeInstances',
  'DescribeEipAddresses',
  'DescribeNetworkInterfaces',
];

const faultSpec: fc.Arbitrary<FaultSpec> = fc.oneof(
  fc.record({
    f: fc.constant('throttle' as const),
    rate: fc.constantFrom(1, 2, 5),
    burst: fc.constantFrom(1, 3, 10),
  }),
  fc.record({
    f: fc.constant('failure-rate' as const),
    p: fc.constantFrom(0.1, 0.3, 0.6),
    action: fc.option(fc.constantFrom(...ANY), { nil: undefined }),
  }),
  fc.record({
    f: fc.constant('fail-next' as const),
    action: fc.constantFrom(...ANY),
    count: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({
    f: fc.constant('drop-next' as const),
    action: fc.option(fc.constantFrom(...MUTATING), { nil: undefined }),
  }),
  fc.record({ f: fc.constant('stale' as const), ms: fc.constantFrom(0, 2_000, 10_000, 20_000) }),
  fc.record({
    f: fc.constant('slow' as const),
    kind: fc.constantFrom('haVip' as const, 'eip' as const, 'instance' as const),
    ms: fc.constantFrom(0, 3_000, 20_000, 70_000),
  }),
  fc.record({ f: fc.constant('latency' as const), ms: fc.constantFrom(0, 300, 3_000) }),
  fc.record({
    f: fc.constant('cloud-assistant' as const),
    gi: idx,
    mi: idx,
    mode: fc.constantFrom('ok' as const, 'offline' as const, 'fail' as const),
  }),
  fc.constant({ f: 'off' as const }),
);

const concurrentSpec: fc.Arbitrary<ConcurrentSpec> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ k: 'sweep' as const }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('deliver' as const), i: idx }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('manual' as const), mi: idx, force: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constantFrom('drain' as const, 'undrain' as const, 'hb-timeout' as const),
      mi: idx,
    }),
  },
);

export const commandArb: fc.Arbitrary<fc.AsyncCommand<Model, CampaignWorld>> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.constantFrom(1_000, 5_000, 20_000, 65_000, 120_000).map((ms) => new Advance(ms)),
  },
  { weight: 10, arbitrary: fc.constant(new Sweep()) },
  { weight: 12, arbitrary: fc.nat({ max: 7 }).map((i) => new Deliver(i)) },
  { weight: 6, arbitrary: fc.tuple(idx, idx).map(([g, m]) => new Power(g, m, 'stop')) },
  { weight: 5, arbitrary: fc.tuple(idx, idx).map(([g, m]) => new Power(g, m, 'start')) },
  { weight: 1, arbitrary: fc.tuple(idx, idx).map(([g, m]) => new Power(g, m, 'release')) },
  { weight: 3, arbitrary: fc.tuple(idx, idx, fc.boolean()).map(([g, m, up]) => new Host(g, m, 'agent', up)) },
  { weight: 4, arbitrary: fc.tuple(idx, idx, fc.boolean()).map(([g, m, up]) => new Host(g, m, 'app', up)) },
  { weight: 3, arbitrary: fc.tuple(idx, idx, fc.boolean()).map(([g, m, on]) => new Drain(g, m, on)) },
  {
    weight: 6,
    arbitrary: fc
      .tuple(
        idx,
        idx,
        fc.constantFrom(
          'spot' as const,
          'maintenance' as const,
          'maintenance-canceled' as const,
          'hb-timeout' as const,
          'hb-timeout' as const,
          'hb-ok' as const,
        ),
      )
      .map(([g, m, what]) => new Enqueue(g, m, what)),
  },
  {
    weight: 5,
    arbitrary: fc
      .tuple(
        idx,
        idx,
        idx,
        fc.record({
          reason: fc.constantFrom(
            'peer-silent' as const,
            'peer-silent' as const,
            'checks-failed' as const,
            'recovered' as const,
          ),
          reporterChecks: fc.constantFrom('ok' as const, 'ok' as const, 'ok' as const, 'failing' as const),
          forged: fc.nat({ max: 6 }).map((n) => n === 0),
        }),
      )
      .map(([g, r, s, fault]) => new Report(g, r, s, fault)),
  },
  { weight: 2, arbitrary: fc.nat({ max: 7 }).map((i) => new Lose(i)) },
  {
    weight: 3,
    arbitrary: fc.tuple(fc.nat({ max: 7 }), fc.integer({ min: 1, max: 4 })).map(([i, n]) => new Replay(i, n)),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(idx, fc.option(idx, { nil: undefined, freq: 3 }), fc.boolean())
      .map(([g, m, force]) => new Manual(g, m, force && m !== undefined)),
  },
  { weight: 14, arbitrary: faultSpec.map((s) => new Fault(s)) },
  {
    weight: 7,
    arbitrary: fc
      .tuple(
        fc.integer({ min: 1, max: 10 }),
        fc.constantFrom('crash-before' as const, 'crash-after' as const, 'pause' as const),
        fc.constantFrom('sweep' as const, 'deliver' as const, 'manual' as const),
        idx,
        fc.boolean(),
      )
      .map(([at, how, trigger, g, provoke]) => new SagaFault(at, how, trigger, g, provoke)),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.integer({ min: 1, max: 8 }), idx, fc.constantFrom('proceed' as const, 'crash' as const))
      .map(([at, g, release]) => new PausePastTtl(at, g, release)),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom('proceed' as const, 'crash' as const).map((h) => new ReleasePaused(h)),
  },
  {
    weight: 6,
    arbitrary: fc
      .tuple(idx, fc.array(concurrentSpec, { minLength: 2, maxLength: 8 }), fc.scheduler())
      .map(([g, specs, s]) => new Concurrent(g, specs, s)),
  },
  { weight: 1, arbitrary: fc.constant(new Quiesce()) },
);
