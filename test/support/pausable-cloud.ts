/**
 * A CloudApi wrapper that can hold one call at the door, like a process paused (GC, frozen FC instance)
 * between its fence check and its request. Releasing it either lets the call through or "crashes" it
 * (the request is never sent). Everything else passes straight to the real adapter.
 */
import type { CloudApi } from '../../shared/core/ports.js';

type Method = keyof CloudApi;

export interface Gate {
  /** Resolves when the paused call has arrived at the gate. */
  readonly reached: Promise<void>;
  release(how: 'proceed' | 'crash'): void;
}

export class PausableCloud implements CloudApi {
  private gates = new Map<Method, { reached: () => void; wait: Promise<'proceed' | 'crash'> }>();
  readonly calls: Method[] = [];

  constructor(private readonly inner: CloudApi) {}

  /** The next call of `method` waits at the gate. */
  pauseNext(method: Method): Gate {
    let reached!: () => void;
    let release!: (how: 'proceed' | 'crash') => void;
    const reachedP = new Promise<void>((r) => {
      reached = r;
    });
    const wait = new Promise<'proceed' | 'crash'>((r) => {
      release = r;
    });
    this.gates.set(method, { reached, wait });
    return { reached: reachedP, release };
  }

  private async gate(method: Method): Promise<void> {
    this.calls.push(method);
    const g = this.gates.get(method);
    if (g === undefined) return;
    this.gates.delete(method);
    g.reached();
    if ((await g.wait) === 'crash') throw new Error(`simulated crash before ${method}`);
  }

  private via<K extends Method>(method: K): CloudApi[K] {
    const call = async (req: never) => {
      await this.gate(method);
      return (this.inner[method] as (r: never) => Promise<unknown>)(req);
    };
    return call as unknown as CloudApi[K];
  }

  describeHaVips = this.via('describeHaVips');
  listHaVips = this.via('listHaVips');
  describeInstances = this.via('describeInstances');
  describeNetworkInterfaces = this.via('describeNetworkInterfaces');
  associateHaVip = this.via('associateHaVip');
  unassociateHaVip = this.via('unassociateHaVip');
  describeEipAddresses = this.via('describeEipAddresses');
  associateEipAddress = this.via('associateEipAddress');
  unassociateEipAddress = this.via('unassociateEipAddress');
  stopInstance = this.via('stopInstance');
  runCommand = this.via('runCommand');
  describeInvocationResult = this.via('describeInvocationResult');
}
