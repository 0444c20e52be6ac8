/** The `havip` program: commander's own errors and help through the I/O seam, and the file/stdin readers. */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fileReaders } from '../../bin/program.js';
import { havip } from '../support/cli.js';

describe('havip program', () => {
  it('an unknown verb is a usage error (exit 2) naming it', async () => {
    const r = await havip(['nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'nope'");
  });

  it('--help lists every verb and exits 0', async () => {
    const r = await havip(['--help']);
    expect(r.code).toBe(0);
    const verbs = [...r.stdout.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]);
    expect(verbs).toEqual(
      expect.arrayContaining([
        'status',
        'plan',
        'failover',
        'drain',
        'undrain',
        'history',
        'heartbeat',
        'invoke',
        'local',
        'sim',
        'policy',
        'simulate',
        'store',
        'validate',
      ]),
    );
  });
});

describe('fileReaders', () => {
  it('reads - from the given standard input and anything else from the file system', async () => {
    const { readText, readPayload } = fileReaders(
      Readable.from([Buffer.from('région: '), Buffer.from('x\n')]),
    );
    expect(await readText('-')).toBe('région: x\n');
    expect((await readPayload('examples/two-node.yaml')).toString('utf8')).toMatch(/^# |region:/m);
    await expect(readText('does-not-exist.yaml')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
