/**
 * The data-plane port: put an address on an interface, take it off, announce it by gratuitous ARP. Two
 * adapters: `linux` spawns iproute2's `ip` and iputils' `arping` (the commands of the orchestrator's
 * Cloud Assistant announce script, so both paths leave a host alike); `simulator` tells the embedded
 * simulator about an announcement and keeps the address table in memory, so local mode and tests never
 * touch the machine's own network configuration.
 */
import { execFile } from 'node:child_process';

export interface DataPlane {
  /** The interface of the default route, if there is one. */
  defaultInterface(): Promise<string | undefined>;
  isConfigured(address: string, dev: string): Promise<boolean>;
  add(address: string, dev: string): Promise<void>;
  remove(address: string, dev: string): Promise<void>;
  /** Announces `address`; resolves with how (for the log), rejects when it could not. */
  announce(address: string, dev: string, count: number): Promise<string>;
}

/** Interface names as `ip` prints them; anything else from a route listing is not used. */
const DEV_RE = /^[A-Za-z0-9_.:@-]{1,15}$/;

export interface LinuxDataPlaneOptions {
  /** Environment for `ip` and `arping` (tests put recorders first on PATH). */
  readonly env?: NodeJS.ProcessEnv;
  /** Per command; arping takes about a second per packet, so announcements get `count` seconds more. */
  readonly timeoutMs?: number;
}

export function linuxDataPlane(opts: LinuxDataPlaneOptions = {}): DataPlane {
  const env = opts.env ?? { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };
  const timeout = opts.timeoutMs ?? 5_000;
  const run = (cmd: string, args: string[], extraMs = 0) =>
    new Promise<string>((resolve, reject) =>
      execFile(cmd, args, { env, timeout: timeout + extraMs }, (e, stdout, stderr) =>
        e
          ? reject(new Error(`${cmd} ${args.join(' ')}: ${String(stderr).trim() || e.message}`))
          : resolve(stdout),
      ),
    );
  return {
    async defaultInterface() {
      const out = await run('ip', ['-4', 'route', 'show', 'default']);
      const words = out.split('\n')[0]?.split(/\s+/) ?? [];
      const dev = words[words.indexOf('dev') + 1];
      return words.includes('dev') && dev !== undefined && DEV_RE.test(dev) ? dev : undefined;
    },
    async isConfigured(address, dev) {
      const out = await run('ip', ['-4', '-o', 'addr', 'show', 'dev', dev]);
      // Compares the "inet" field exactly: 10.0.0.1 must not match 10.0.0.10.
      return out.split('\n').some((line) => {
        const words = line.trim().split(/\s+/);
        const i = words.indexOf('inet');
        return i >= 0 && words[i + 1]?.split('/')[0] === address;
      });
    },
    async add(address, dev) {
      await run('ip', ['addr', 'add', `${address}/32`, 'dev', dev]);
    },
    async remove(address, dev) {
      await run('ip', ['addr', 'del', `${address}/32`, 'dev', dev]);
    },
    async announce(address, dev, count) {
      const args = (mode: string) => [mode, '-c', String(count), '-I', dev, address];
      try {
        await run('arping', args('-U'), count * 1000);
        return `gratuitous ARP x${count}`;
      } catch {
        // An arping build without -U: ARP replies, which the VPC accepts as well.
        await run('arping', args('-A'), count * 1000);
        return `ARP reply x${count}, arping -U failed`;
      }
    },
  };
}

export interface SimulatorDataPlane extends DataPlane {
  /** The in-memory address table, as `DEV ADDRESS/32` lines. */
  addresses(): string[];
}

/** Announcements go to `<url>/__admin/instances/<instanceId>/announce`; the table stays in memory. */
export function simulatorDataPlane(
  url: string,
  instanceId: string,
  fetchImpl: typeof fetch = fetch,
): SimulatorDataPlane {
  const table = new Set<string>();
  const entry = (address: string, dev: string) => `${dev} ${address}/32`;
  return {
    defaultInterface: async () => 'eth0',
    isConfigured: async (address, dev) => table.has(entry(address, dev)),
    add: async (address, dev) => void table.add(entry(address, dev)),
    remove: async (address, dev) => void table.delete(entry(address, dev)),
    async announce(address) {
      const res = await fetchImpl(
        `${url.replace(/\/+$/, '')}/__admin/instances/${encodeURIComponent(instanceId)}/announce`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ address }),
          signal: AbortSignal.timeout(5_000),
        },
      );
      await res.body?.cancel();
      if (!res.ok) throw new Error(`the simulator answered HTTP ${res.status} to the announcement`);
      return 'announced to the simulator';
    },
    addresses: () => [...table].sort(),
  };
}
