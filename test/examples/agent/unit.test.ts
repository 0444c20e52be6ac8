/** The systemd unit of the host agent keeps its promises: a daemon, restarted, unprivileged, two capabilities. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const unit = readFileSync(new URL('../../../examples/agent/havip-agent@.service', import.meta.url), 'utf8');
const directives = new Map<string, string[]>();
for (const line of unit.split('\n')) {
  const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
  if (m) directives.set(m[1]!, [...(directives.get(m[1]!) ?? []), m[2]!]);
}
const one = (key: string) => directives.get(key)?.join(' ');

describe('havip-agent@.service', () => {
  it.each([
    ['Type', 'simple'],
    ['Restart', 'always'],
    ['RestartPreventExitStatus', '2'],
    ['User', 'havip-agent'],
    ['AmbientCapabilities', 'CAP_NET_ADMIN CAP_NET_RAW'],
    ['CapabilityBoundingSet', 'CAP_NET_ADMIN CAP_NET_RAW'],
    ['NoNewPrivileges', 'yes'],
    ['ProtectSystem', 'strict'],
    ['StateDirectory', 'havip-agent'],
  ])('sets %s=%s', (key, value) => {
    expect(one(key)).toBe(value);
  });

  it('names the instance on the command line and starts the bundled agent', () => {
    expect(one('ExecStart')).toMatch(
      /^\/usr\/bin\/node \/usr\/local\/lib\/havip-agent\/havip-agent\.cjs --instance-id %i --config \S+$/,
    );
  });
});
