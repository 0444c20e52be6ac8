/** The error vocabulary: one typed list of codes, documented in one table, used by every error class. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CloudError,
  CloudResponseLostError,
  ConfigError,
  DeadlineExceededError,
  ERROR_CODES,
  type ErrorCode,
  HavipError,
  InvalidInputError,
  LeaseBusyError,
  NotFoundError,
  StaleEpochError,
  StoreError,
} from '../../../shared/core/errors.js';

describe('ERROR_CODES', () => {
  it('gives every code a one-line meaning', () => {
    for (const [code, meaning] of Object.entries(ERROR_CODES)) {
      expect(code, code).toMatch(/^(internal|[a-z]+\.[a-z-]+)$/);
      expect(meaning.length, code).toBeGreaterThan(10);
      expect(meaning, code).not.toContain('\n');
    }
  });

  it('is the table in docs/http-api.md, row for row', () => {
    const doc = readFileSync(new URL('../../../docs/http-api.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('### Error codes'), doc.indexOf('### Reconcile results'));
    const rows = [...section.matchAll(/^\| `([^`]+)` +\| (.+?) +\|$/gm)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual(Object.entries(ERROR_CODES).map(([c, m]) => [c, m.replace(/\|/g, '\\|')]));
  });

  it('is what the error classes carry', () => {
    const errors: HavipError[] = [
      new InvalidInputError('request.invalid', 'bad', []),
      new ConfigError('bad', []),
      new ConfigError('bad', [], 'env.invalid'),
      new CloudError({ action: 'A', alibabaCode: 'X', message: 'm', retryable: false }),
      new CloudError({ code: 'cloud.quota', action: 'A', alibabaCode: 'X', message: 'm', retryable: false }),
      new CloudResponseLostError('A'),
      new StaleEpochError('web', 1),
      new LeaseBusyError('web', 1, 0),
      new StoreError('m'),
      new NotFoundError('group', 'web'),
      new NotFoundError('member', 'i-1'),
      new DeadlineExceededError('x'),
    ];
    expect(errors.map((e) => e.code)).toEqual([
      'request.invalid',
      'config.invalid',
      'env.invalid',
      'cloud.error',
      'cloud.quota',
      'cloud.response-lost',
      'store.stale-epoch',
      'store.lease-busy',
      'store.error',
      'group.not-found',
      'member.not-found',
      'deadline.exceeded',
    ] satisfies ErrorCode[]);
    for (const e of errors) expect(Object.keys(ERROR_CODES)).toContain(e.code);
  });

  it('refuses an unknown code at compile time', () => {
    // The directives fail `npm run typecheck` if the compiler ever accepts these.
    // @ts-expect-error 'cloud.nope' is not an ErrorCode
    const unknown = new HavipError('cloud.nope', 'm');
    const foreign = new CloudError({
      // @ts-expect-error a CloudError takes only cloud.* codes
      code: 'store.error',
      action: 'A',
      alibabaCode: 'X',
      message: 'm',
      retryable: false,
    });
    // @ts-expect-error only groups and members are looked up in the topology
    const kind = new NotFoundError('region', 'cn-x');
    expect([unknown.code, foreign.code, kind.code]).toEqual([
      'cloud.nope',
      'store.error',
      'region.not-found',
    ]);
  });
});
