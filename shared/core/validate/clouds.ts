/**
 * One topology may hold groups on several clouds; each cloud's rules see only its own groups. A rule set
 * runs over the cloud's part of the topology, and its findings are mapped back to the paths (and the
 * `groups[i]` references in messages) of the whole document.
 */
import type { CloudKind, Finding, Group, Topology } from '../model.js';

/** The groups on one cloud, as a topology of their own. */
export interface CloudPart {
  readonly topology: Topology;
  /** Rewrites a finding of the part so its paths name the document's groups. */
  readonly toDocument: (f: Finding) => Finding;
}

const cloudOf = (g: Group): CloudKind => g.cloud ?? 'alibaba';

/** Which clouds the topology's groups are on. */
export function cloudsOf(t: Topology): ReadonlySet<CloudKind> {
  return new Set(t.groups.map(cloudOf));
}

/** The part of `t` on `cloud`; the identity (no copy, no rewrite) when every group is on it. */
export function partOn(t: Topology, cloud: CloudKind): CloudPart {
  if (t.groups.every((g) => cloudOf(g) === cloud)) return { topology: t, toDocument: (f) => f };
  const indices: number[] = [];
  t.groups.forEach((g, i) => {
    if (cloudOf(g) === cloud) indices.push(i);
  });
  const remap = (text: string): string =>
    text.replace(/groups\[(\d+)\]/g, (_, k: string) => `groups[${indices[Number(k)] ?? k}]`);
  return {
    topology: { ...t, groups: indices.map((i) => t.groups[i] as Group) },
    toDocument: (f) =>
      Object.freeze({ ...f, path: remap(f.path), message: remap(f.message), hint: remap(f.hint) }),
  };
}
