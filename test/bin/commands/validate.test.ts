/**
 * `havip validate` as an operator runs it (in-process through the CLI's I/O seam, commander parsing
 * included): exit codes, the findings table and JSON, standard input, unreadable files.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderTable } from '../../../bin/output.js';
import type { Finding } from '../../../shared/core/model.js';
import { havip as runHavip } from '../../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'havip-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const havip = (args: readonly string[], stdin?: string) => runHavip(args, { stdin });

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const GROUP = `
  - name: web
    vSwitchId: vsw-bp1demo0000000000001
    haVipId: havip-bp1demo0000000000001
    members:
      - { id: i-bp1demo0000000000001, priority: 100, ip: 192.168.0.11 }
`;

describe('havip validate', () => {
  it.each(['examples/two-node.yaml', 'examples/three-node.yaml'])('%s is clean: exit 0', async (example) => {
    const r = await havip(['validate', example]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^examples\/\S+\.yaml: no findings \(1 group, [23] members\)\n$/);
    expect(r.stderr).toBe('');
  });

  it('--json on a clean file prints an empty array', async () => {
    const r = await havip(['validate', '--json', 'examples/two-node.yaml']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
  });

  it('validation errors: exit 1 and a table with every finding', async () => {
    const bad = file(
      'bad.yaml',
      `region: cn-hangzhou\ngroups:${GROUP}      - { id: i-bp1demo0000000000002, priority: 10, ip: 192.168.0.12 }\n    nopreempt: true\n    preemptDelaySeconds: 30\n${GROUP.replace('haVipId: havip-bp1demo0000000000001', 'haVipId: havip-bp1demo0000000000009')}`,
    );
    const r = await havip(['validate', bad]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^SEVERITY\s+CODE\s+PATH\s+MESSAGE\s+HINT$/);
    expect(r.stdout).toMatch(/error\s+group\.nopreempt-with-delay\s+groups\[0\]\.preemptDelaySeconds\s+/);
    expect(r.stdout).toMatch(/error\s+group\.name\.duplicate\s+groups\[1\]\.name\s+/);
    expect(r.stdout).toMatch(/warning\s+group\.members\.single\s+groups\[1\]\.members\s+/);
    expect(lines.at(-1)).toBe('2 errors, 1 warning');
  });

  it('validation errors with --json: exit 1 and the findings as an array', async () => {
    const bad = file('bad-json.yaml', `region: cn-hangzhou\ngroups:${GROUP}    preemptDelaySeconds: 5\n`);
    const r = await havip(['validate', bad, '--json']);
    expect(r.code).toBe(1);
    const findings = JSON.parse(r.stdout) as Finding[];
    expect(findings.map((f) => [f.severity, f.code, f.path])).toEqual([
      ['warning', 'group.members.single', 'groups[0].members'],
      ['error', 'group.nopreempt-with-delay', 'groups[0].preemptDelaySeconds'],
    ]);
    expect(findings[1]!.hint).not.toBe('');
  });

  it('warnings only: exit 0, findings still shown', async () => {
    const warn = file('warn.yaml', `region: cn-hangzhou\ngroups:${GROUP}`);
    const r = await havip(['validate', warn]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('group.members.single');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('0 errors, 1 warning');
  });

  it('parse errors are shown as findings with exact paths: exit 1', async () => {
    const bad = file(
      'parse.yaml',
      `region: cn-hangzhou\ngroups:${GROUP}      - { id: i-bp1demo0000000000002, priority: 255, ip: "192.168.0.12" }\n    nopreemt: true\n`,
    );
    const r = await havip(['validate', '--json', bad]);
    expect(r.code).toBe(1);
    const findings = JSON.parse(r.stdout) as Finding[];
    expect(findings.map((f) => [f.code, f.path, f.hint])).toEqual([
      [
        'member.priority.owner',
        'groups[0].members[1].priority',
        'use 254 or lower; the highest-priority eligible member holds the HaVip',
      ],
      ['config.unknown-key', 'groups[0].nopreemt', 'did you mean nopreempt?'],
    ]);
  });

  it('a YAML syntax error names the line and column: exit 1', async () => {
    const bad = file('syntax.yaml', 'region: cn-hangzhou\ngroups:\n  - name: [web\n');
    const r = await havip(['validate', bad]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/config\.syntax\s+\(document\)\s+YAML syntax error at line \d+, column \d+/);
  });

  it('reads the topology from standard input with -', async () => {
    const r = await havip(['validate', '-', '--json'], 'region: cn-hangzhou\n');
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as Finding[]).map((f) => f.code)).toEqual(['config.required']);
  });

  it.each([
    ['a missing file', () => join(dir, 'does-not-exist.yaml'), 'no such file'],
    ['a directory', () => dir, 'it is a directory'],
  ])('%s: a clear message on stderr, exit 2', async (_label, target, reason) => {
    const path = target();
    const r = await havip(['validate', path]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`havip validate: cannot read ${path}: ${reason}`);
  });

  it('a missing argument is a usage error: exit 2', async () => {
    const r = await havip(['validate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing required argument 'topology'");
  });
});

describe('renderTable', () => {
  it('aligns columns, upper-cases headers, folds newlines and blanks missing cells', () => {
    const rows = [
      { a: 'x', b: 1, c: 'first' },
      { a: 'longer', b: undefined, c: 'two\nlines' },
    ];
    expect(renderTable(rows, ['a', { header: 'bee', value: (r) => r.b }, 'c'])).toBe(
      ['A       BEE  C', 'x       1    first', 'longer       two lines', ''].join('\n'),
    );
  });

  it('renders only the header for no rows', () => {
    expect(renderTable([], ['name', 'value'])).toBe('NAME  VALUE\n');
  });
});
