import { describe, expect, it } from 'vitest';
import { comparePaths, joinPath, parsePath, renderPath } from '../../../shared/core/paths.js';

describe('paths', () => {
  it.each([
    [['groups', 1, 'members', 0, 'priority'], 'groups[1].members[0].priority'],
    [[], ''],
    [['quotas', 'membersPerHaVip'], 'quotas.membersPerHaVip'],
    [['groups', 0, 'odd key'], 'groups[0]["odd key"]'],
  ] as const)('renders %j as %s and parses it back', (segs, rendered) => {
    expect(renderPath(segs)).toBe(rendered);
    expect(parsePath(rendered)).toEqual(segs);
  });

  it('joins onto a rendered path', () => {
    expect(joinPath('groups[1]', 'members', 0, 'ip')).toBe('groups[1].members[0].ip');
    expect(joinPath('', 'region')).toBe('region');
    expect(joinPath('groups', 3)).toBe('groups[3]');
  });

  it('orders indices numerically and parents before children', () => {
    const paths = [
      'region',
      'groups[10].name',
      'groups[2].members[1].ip',
      'groups[2]',
      'groups[2].members[0].ip',
      '',
    ];
    expect([...paths].sort(comparePaths)).toEqual([
      '',
      'groups[2]',
      'groups[2].members[0].ip',
      'groups[2].members[1].ip',
      'groups[10].name',
      'region',
    ]);
  });
});
