/**
 * The dependency rules of the architecture, enforced: `functions/` → `shared/app` → adapters and event
 * parsers → `shared/core`, and the core is pure. A wrong import fails this test (and so `npm test`).
 * The checker itself is table-tested below on made-up files, so a rule that silently stopped matching
 * would be caught too.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

interface Rule {
  /** Files the rule applies to (a path prefix relative to the repository root). */
  readonly scope: string;
  readonly why: string;
  /** Relative imports must resolve under one of these prefixes. */
  readonly mayImport?: readonly string[];
  /** Relative imports must not resolve under any of these prefixes. */
  readonly mayNotImport?: readonly string[];
  /** Package (bare or `node:`) imports allowed; anything else is a violation. Undefined = any package. */
  readonly packages?: readonly string[];
  /** Source text that must not appear (impure calls). */
  readonly banned?: readonly { readonly pattern: RegExp; readonly what: string }[];
}

const RULES: readonly Rule[] = [
  {
    scope: 'shared/core/',
    why: 'the core is pure: no adapter, app, events, node I/O, SDK, environment or clock',
    mayImport: ['shared/core/'],
    packages: ['zod', 'yaml'],
    banned: [
      { pattern: /\bprocess\s*\./, what: 'process.* (environment, exit, …)' },
      { pattern: /\bDate\.now\s*\(/, what: 'Date.now() (use the Clock port)' },
      { pattern: /\bnew Date\(\s*\)/, what: 'new Date() without an argument (use the Clock port)' },
      { pattern: /\bperformance\.now\s*\(/, what: 'performance.now() (use the Clock port)' },
      { pattern: /\bset(Timeout|Interval|Immediate)\s*\(/, what: 'timers (use Clock.sleep)' },
      { pattern: /\bfetch\s*\(/, what: 'fetch() (network goes through a port)' },
    ],
  },
  {
    scope: 'shared/events/',
    why: 'event parsers depend on the core only',
    mayImport: ['shared/core/', 'shared/events/'],
    packages: ['zod', 'node:crypto'],
    banned: [{ pattern: /\bprocess\s*\./, what: 'process.*' }],
  },
  {
    scope: 'shared/adapters/',
    why: 'adapters implement core ports and never reach up into the app, the parsers or the entry points',
    mayNotImport: ['shared/app/', 'shared/events/', 'shared/agent/', 'functions/', 'bin/', 'test/', 'bench/'],
  },
  {
    scope: 'shared/app/',
    why: 'the app is below the entry points',
    mayNotImport: ['shared/agent/', 'functions/', 'bin/', 'test/', 'bench/'],
  },
  {
    scope: 'shared/agent/',
    why: 'the host agent is an entry-point-level component: it builds on the core, the parsers and the adapters, and of the app only on request signing',
    mayImport: [
      'shared/core/',
      'shared/events/',
      'shared/adapters/',
      'shared/agent/',
      'shared/app/http/auth.js',
    ],
  },
  {
    scope: 'functions/',
    why: 'handlers stay thin: parse → call the app → map the result',
    mayImport: ['functions/', 'shared/app/', 'shared/core/'],
  },
];

interface Violation {
  readonly file: string;
  readonly problem: string;
}

/** Checks one file's text against every rule whose scope covers `file` (a repository-relative path). */
function checkFile(file: string, text: string, rules: readonly Rule[] = RULES): Violation[] {
  const out: Violation[] = [];
  const applicable = rules.filter((r) => file.startsWith(r.scope));
  if (applicable.length === 0) return out;
  const { importedFiles } = ts.preProcessFile(text, true, true);
  for (const { fileName: spec } of importedFiles) {
    const relativeImport = spec.startsWith('.');
    const target = relativeImport ? relative(ROOT, resolve(ROOT, dirname(file), spec)) : undefined;
    for (const r of applicable) {
      if (target !== undefined) {
        if (r.mayImport && !r.mayImport.some((p) => target.startsWith(p)))
          out.push({ file, problem: `imports ${target} (${r.why})` });
        const banned = r.mayNotImport?.find((p) => target.startsWith(p));
        if (banned) out.push({ file, problem: `imports ${target} from ${banned} (${r.why})` });
      } else if (r.packages && !r.packages.includes(spec)) {
        out.push({ file, problem: `imports package ${spec} (${r.why})` });
      }
    }
  }
  const code = stripComments(text);
  for (const r of applicable)
    for (const b of r.banned ?? [])
      if (b.pattern.test(code)) out.push({ file, problem: `uses ${b.what} (${r.why})` });
  return out;
}

/** Comments may mention `Date.now()` when explaining why it is not used; strings may not. */
function stripComments(text: string): string {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, text);
  let out = '';
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind === ts.SyntaxKind.SingleLineCommentTrivia || kind === ts.SyntaxKind.MultiLineCommentTrivia)
      continue;
    out += scanner.getTokenText();
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(ROOT, dir))) {
    const rel = `${dir}/${e}`;
    if (statSync(join(ROOT, rel)).isDirectory()) out.push(...sourceFiles(rel));
    else if (/\.(ts|mts)$/.test(e) && !e.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

describe('layer rules', () => {
  it('hold for every source file in shared/ and functions/', () => {
    const files = [...sourceFiles('shared'), ...sourceFiles('functions')];
    expect(files.length).toBeGreaterThan(50);
    const violations = files.flatMap((f) => checkFile(f, readFileSync(join(ROOT, f), 'utf8')));
    expect(violations).toEqual([]);
  });

  it.each([
    ['shared/core/x.ts', "import { a } from '../adapters/sqlite/index.js';", /imports shared\/adapters/],
    ['shared/core/x.ts', "import type { S } from '../app/service.js';", /imports shared\/app/],
    ['shared/core/x.ts', "import { parse } from '../events/mns.js';", /imports shared\/events/],
    ['shared/core/x.ts', "import { readFileSync } from 'node:fs';", /package node:fs/],
    ['shared/core/x.ts', "import Vpc from '@alicloud/vpc20160428';", /package @alicloud\/vpc20160428/],
    ['shared/core/x.ts', "const m = await import('../adapters/x.js');", /imports shared\/adapters/],
    ['shared/core/x.ts', 'const region = process.env.FC_REGION;', /process/],
    ['shared/core/x.ts', 'const t = Date.now();', /Date\.now/],
    ['shared/core/x.ts', 'const t = new Date();', /new Date\(\)/],
    ['shared/core/x.ts', 'setTimeout(f, 10);', /timers/],
    ['shared/events/x.ts', "import { Service } from '../app/service.js';", /imports shared\/app/],
    ['shared/events/x.ts', "import { x } from '../adapters/alibaba/index.js';", /imports shared\/adapters/],
    ['shared/events/x.ts', "import { get } from 'node:http';", /package node:http/],
    ['shared/adapters/sqlite/x.ts', "import { Service } from '../../app/service.js';", /shared\/app/],
    ['shared/adapters/x/y.ts', "export { h } from '../../../functions/on-timer.js';", /functions/],
    ['functions/x.ts', "import { c } from '../shared/adapters/alibaba/index.js';", /thin/],
    ['shared/agent/x.ts', "import { Service } from '../app/service.js';", /imports shared\/app\/service\.js/],
    ['shared/agent/x.ts', "import { h } from '../../functions/on-timer.js';", /imports functions/],
    ['shared/app/x.ts', "import { startAgent } from '../agent/daemon.js';", /shared\/agent/],
    ['shared/adapters/x/y.ts', "import { Takeover } from '../../agent/takeover.js';", /shared\/agent/],
    ['shared/events/x.ts', "import { parseAdvert } from '../agent/advert.js';", /imports shared\/agent/],
    ['shared/core/x.ts', "import { x } from '../agent/config.js';", /imports shared\/agent/],
    ['functions/x.ts', "import { startAgent } from '../shared/agent/daemon.js';", /thin/],
  ])('catch a violation: %s with %s', (file, text, problem) => {
    const violations = checkFile(file, text);
    expect(violations.map((v) => v.problem).join('\n')).toMatch(problem);
  });

  it.each([
    ['shared/core/x.ts', "import { z } from 'zod';\nimport { g } from './model.js';"],
    ['shared/core/x.ts', '// never Date.now(): the Clock port\nconst t = clock.now();'],
    ['shared/core/x.ts', 'const s = new Date(ms).toISOString();'],
    ['shared/events/x.ts', "import { InvalidInputError } from '../core/errors.js';"],
    [
      'shared/adapters/x/y.ts',
      "import type { CloudApi } from '../../core/ports.js';\nimport pino from 'pino';",
    ],
    ['shared/app/x.ts', "import { createSqliteStore } from '../adapters/sqlite/index.js';"],
    ['functions/x.ts', "import { handle } from '../shared/app/handlers.js';"],
    [
      'shared/agent/x.ts',
      "import { signRequest } from '../app/http/auth.js';\nimport { tcpProbe } from '../adapters/probe/index.js';\nimport { parseAgentReport } from '../events/agent-report.js';",
    ],
  ])('allow what the layering permits: %s with %s', (file, text) => {
    expect(checkFile(file, text)).toEqual([]);
  });
});
