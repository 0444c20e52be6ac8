/**
 * `havip local`, in-process through the CLI's I/O seam: the flags it refuses before starting anything,
 * and what its help says about Tencent Cloud. The local mode itself runs in test/shared/app/local.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { havip } from '../../support/cli.js';

describe('havip local', () => {
  it('refuses an unknown --cloud, naming the choices (exit 2, nothing started)', async () => {
    const r = await havip(['local', '--cloud', 'aws', '--port', '0', '--sqlite', ':memory:']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--cloud must be alibaba or tencent, got "aws"/);
    expect(r.stdout).toBe('');
  });

  it('refuses a bad number before starting the Tencent simulator', async () => {
    const r = await havip(['local', '--cloud', 'tencent', '--sweep-seconds', '0', '--sqlite', ':memory:']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--sweep-seconds must be a whole number ≥ 1/);
  });

  it('says in --help where Tencent agents report', async () => {
    const r = await havip(['local', '--help']);
    expect(r.stdout).toMatch(/--cloud <cloud>/);
    expect(r.stdout).toMatch(/tencent[\s\S]*agents report[\s\S]*through its[\s\S]*CMQ[\s\S]*topic/);
  });
});
