/**
 * The announce script: refused for anything but an IPv4 address, and — run by /bin/sh against the `ip` and
 * `arping` recorders (test/support/recorders, first on PATH: the machine's network is never touched) —
 * what it does on a host, table by table.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { announceScript, GARP_COUNT } from '../../../shared/core/announce.js';
import { InvalidInputError } from '../../../shared/core/errors.js';
import { RECORDERS } from '../../support/recorders/index.js';

const exec = promisify(execFile);
const ADDR = '192.168.0.200';

const dirs: string[] = [];
afterEach(async () => {
  while (dirs.length > 0) await rm(dirs.pop() as string, { recursive: true, force: true });
});

interface Host {
  readonly dir: string;
  /** Runs the script once; `path` replaces the recorders-first PATH. */
  run(script: string, env?: Record<string, string>, path?: string): Promise<Run>;
}
interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The ip/arping command lines of this run, in order. */
  readonly commands: string[];
  /** The fake address table after the run, as `DEV ADDR/LEN`. */
  readonly addresses: string[];
}

const lines = (s: string) => s.split('\n').filter((l) => l !== '');

async function host(): Promise<Host> {
  const dir = await mkdtemp(join(tmpdir(), 'havip-announce-'));
  dirs.push(dir);
  const read = (file: string) => readFile(join(dir, file), 'utf8').then(lines, () => [] as string[]);
  return {
    dir,
    async run(script, env = {}, path = `${RECORDERS}:${process.env.PATH ?? '/usr/bin:/bin'}`) {
      const before = (await read('log')).length;
      let r: { code: number; stdout: string; stderr: string };
      try {
        const { stdout, stderr } = await exec('/bin/sh', ['-c', script], {
          env: { PATH: path, HAVIP_SHIM_DIR: dir, ...env },
        });
        r = { code: 0, stdout, stderr };
      } catch (e) {
        const err = e as { code: number; stdout: string; stderr: string };
        r = { code: err.code, stdout: err.stdout, stderr: err.stderr };
      }
      return { ...r, commands: (await read('log')).slice(before), addresses: await read('addrs') };
    },
  };
}

describe('announceScript: the address', () => {
  it.each([
    '',
    '192.168.0',
    '192.168.0.256',
    '192.168.00.1',
    ' 192.168.0.1',
    '192.168.0.1; reboot',
    '$(reboot)',
    '::1',
  ])('%j is refused with a clear error naming the field', (address) => {
    const error = (() => {
      try {
        announceScript(address);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ code: 'announce.invalid-address', issues: [{ path: 'address' }] });
  });

  it.each(['10.0.0.1', '192.168.0.200', '255.255.255.255', '0.0.0.0'])('%s is accepted', (address) => {
    const script = announceScript(address);
    expect(script.startsWith('#!/bin/sh\n')).toBe(true);
    expect(lines(script)).toContain(`ADDR=${address}`);
  });
});

interface Case {
  readonly name: string;
  readonly env: Record<string, string>;
}

describe('announceScript on a host', () => {
  it.each<Case & { commands: string[]; addresses: string[]; stdout: string }>([
    {
      name: 'configures the address on the default-route interface, then sends gratuitous ARP',
      env: {},
      commands: [
        'ip -4 route show default',
        'ip -4 -o addr show dev eth0',
        `ip addr add ${ADDR}/32 dev eth0`,
        `arping -U -c ${GARP_COUNT} -I eth0 ${ADDR}`,
      ],
      addresses: [`eth0 ${ADDR}/32`],
      stdout: `announced ${ADDR} on eth0`,
    },
    {
      name: 'follows the default route to another interface',
      env: { HAVIP_SHIM_DEFAULT_DEV: 'eth1' },
      commands: [
        'ip -4 route show default',
        'ip -4 -o addr show dev eth1',
        `ip addr add ${ADDR}/32 dev eth1`,
        `arping -U -c ${GARP_COUNT} -I eth1 ${ADDR}`,
      ],
      addresses: [`eth1 ${ADDR}/32`],
      stdout: `announced ${ADDR} on eth1`,
    },
    {
      name: 'falls back to ARP replies (-A) where arping has no -U',
      env: { HAVIP_SHIM_ARPING_NO_U: '1' },
      commands: [
        'ip -4 route show default',
        'ip -4 -o addr show dev eth0',
        `ip addr add ${ADDR}/32 dev eth0`,
        `arping -U -c ${GARP_COUNT} -I eth0 ${ADDR}`,
        `arping -A -c ${GARP_COUNT} -I eth0 ${ADDR}`,
      ],
      addresses: [`eth0 ${ADDR}/32`],
      stdout: `announced ${ADDR} on eth0`,
    },
  ])('$name', async ({ env, commands, addresses, stdout }) => {
    const h = await host();
    const r = await h.run(announceScript(ADDR), env);
    expect(r).toMatchObject({ code: 0, commands, addresses });
    expect(r.stdout.trim()).toBe(stdout);
  });

  it('is idempotent: a second run announces again without adding the address twice', async () => {
    const h = await host();
    await h.run(announceScript(ADDR));
    const again = await h.run(announceScript(ADDR));
    expect(again.code).toBe(0);
    expect(again.commands.filter((c) => c.startsWith('ip addr add'))).toEqual([]);
    expect(again.commands).toContain(`arping -U -c ${GARP_COUNT} -I eth0 ${ADDR}`);
    expect(again.addresses).toEqual([`eth0 ${ADDR}/32`]);
  });

  it.each<Case & { code: number; stderr: RegExp }>([
    {
      name: 'no default route',
      env: { HAVIP_SHIM_DEFAULT_DEV: 'none' },
      code: 2,
      stderr: /no default route/,
    },
    { name: 'the kernel refuses the address', env: { HAVIP_SHIM_FAIL: 'add' }, code: 2, stderr: /RTNETLINK/ },
    { name: 'arping cannot send', env: { HAVIP_SHIM_ARPING_FAIL: '1' }, code: 2, stderr: /arping/ },
  ])('fails with a non-zero exit when $name', async ({ env, code, stderr }) => {
    const h = await host();
    const r = await h.run(announceScript(ADDR), env);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(stderr);
    expect(r.stdout).not.toMatch(/announced/);
  });

  it('fails (exit 3) naming the package when arping is not installed', async () => {
    const h = await host();
    // A PATH with the `ip` recorder and the tools it needs, and no arping anywhere on it.
    const bin = join(h.dir, 'bin');
    await exec('mkdir', [bin]);
    await symlink(join(RECORDERS, 'ip'), join(bin, 'ip'));
    for (const tool of ['awk', 'grep', 'mv']) {
      const { stdout } = await exec('/bin/sh', ['-c', `command -v ${tool}`]);
      await symlink(stdout.trim(), join(bin, tool));
    }
    const r = await h.run(announceScript(ADDR), {}, bin);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/arping not installed \(iputils-arping/);
    expect(r.commands.some((c) => c.startsWith('arping'))).toBe(false);
  });
});
