/**
 * The `havip simulate` scenario format: one group in the topology schema plus a timeline of steps.
 * `{"group": {...}, "steps": [{"at": 0, "healthy": ["i-a", "i-b"]}, ...]}`
 */
import { z } from 'zod';
import { safeParseTopology } from './config.js';
import { ConfigError, type InputIssue } from './errors.js';
import { findDuplicateKey } from './json.js';
import type { Group, Topology } from './model.js';
import { renderPath } from './paths.js';
import { checkSteps, type ScenarioStep, scenarioStepSchema } from './simulate.js';
import { validateTopology } from './validate.js';

/** Each step is one decision; the cap keeps a run (and the flap-guard history it builds) bounded. */
export const MAX_SCENARIO_STEPS = 10_000;

const scenarioSchema = z.strictObject({
  group: z.record(z.string(), z.unknown()),
  steps: z
    .array(scenarioStepSchema)
    .min(1, 'at least one step is needed')
    .max(
      MAX_SCENARIO_STEPS,
      `at most ${MAX_SCENARIO_STEPS} steps; split the timeline into several scenarios`,
    ),
  /** Region used when the group does not name one. */
  region: z.string().optional(),
});

export interface Scenario {
  readonly topology: Topology;
  readonly group: Group;
  readonly steps: readonly ScenarioStep[];
}

/** Parses a scenario document (JSON text or a parsed value). Throws `ConfigError` (`scenario.invalid`). */
export function parseScenario(input: string | unknown): Scenario {
  let data: unknown = input;
  if (typeof input === 'string') {
    try {
      data = JSON.parse(input);
    } catch (e) {
      throw new ConfigError(
        'the scenario is not valid JSON',
        [{ path: '', message: (e as Error).message, hint: 'check the file with a JSON linter' }],
        'scenario.invalid',
      );
    }
    const dup = findDuplicateKey(input);
    if (dup !== undefined) {
      throw new ConfigError(
        'the scenario gives a key twice',
        [{ path: renderPath(dup.path), message: 'is given more than once', hint: 'give each key once' }],
        'scenario.invalid',
      );
    }
  }
  const shape = scenarioSchema.safeParse(data);
  if (!shape.success) {
    const hint = 'expected {"group": {...}, "steps": [{"at": <seconds>, "healthy": ["i-..."]}]}';
    const issues: InputIssue[] = shape.error.issues.flatMap((i) =>
      i.code === 'unrecognized_keys'
        ? i.keys.map((k) => ({ path: renderPath([...i.path, k]), message: 'unknown field', hint }))
        : [{ path: renderPath(i.path), message: i.message, hint }],
    );
    throw new ConfigError('the scenario does not have the expected shape', issues, 'scenario.invalid');
  }
  // The parsed document's own group, not zod's copy of the record: the copy drops a `__proto__` key,
  // which the topology schema must see to refuse it like any other unknown setting.
  const rawGroup = (data as { group: Record<string, unknown> }).group;
  const region = typeof rawGroup.region === 'string' ? rawGroup.region : (shape.data.region ?? 'cn-hangzhou');
  const parsed = safeParseTopology({ region, groups: [rawGroup] });
  // Paths in the scenario are `group.x`, not `groups[0].x`.
  const toScenarioPath = (p: string): string => p.replace(/^groups\[0\]/, 'group');
  if (!parsed.ok) {
    throw new ConfigError(
      'the scenario group is invalid',
      parsed.findings.map((f) => ({ path: toScenarioPath(f.path), message: f.message, hint: f.hint })),
      'scenario.invalid',
    );
  }
  const errors = validateTopology(parsed.topology).filter((f) => f.severity === 'error');
  if (errors.length > 0) {
    throw new ConfigError(
      'the scenario group breaks a topology rule',
      errors.map((f) => ({ path: toScenarioPath(f.path), message: f.message, hint: f.hint })),
      'scenario.invalid',
    );
  }
  const group = parsed.topology.groups[0] as Group;
  const stepIssues = checkSteps(group, shape.data.steps);
  if (stepIssues.length > 0)
    throw new ConfigError('the scenario does not fit the group', stepIssues, 'scenario.invalid');
  return { topology: parsed.topology, group, steps: shape.data.steps };
}
