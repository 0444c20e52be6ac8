/**
 * How long `loadTopology` (parse, schema, static rules) takes for large topologies, by input form: YAML
 * text (what operators write), JSON text (also accepted: JSON is YAML) and an already parsed object (what a
 * JSON fast path would hand over). Every function instance pays this once, on its first invocation.
 */
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { loadTopology } from '../shared/core/config.js';
import { type Summary, summarize } from './lib/stats.js';
import { generateTopology } from './lib/topology.js';

export interface ConfigLoadOptions {
  readonly sizes: readonly { readonly groups: number; readonly regions: number }[];
  readonly samples: number;
}

export const DEFAULT_CONFIG_LOAD: ConfigLoadOptions = {
  sizes: [
    { groups: 1_000, regions: 1 },
    { groups: 10_000, regions: 10 },
  ],
  samples: 3,
};

export type InputForm = 'yaml text' | 'json text' | 'JSON.parse + object';

export interface ConfigLoadReport {
  readonly options: ConfigLoadOptions;
  readonly rows: readonly { readonly groups: number; readonly form: InputForm; readonly ms: Summary }[];
}

export function runConfigLoadBench(opts: ConfigLoadOptions = DEFAULT_CONFIG_LOAD): ConfigLoadReport {
  const rows: { groups: number; form: InputForm; ms: Summary }[] = [];
  for (const size of opts.sizes) {
    const doc = generateTopology({ ...size, members: 3 });
    const yamlText = stringify(doc);
    const jsonText = JSON.stringify(doc);
    const forms: [InputForm, () => unknown][] = [
      ['yaml text', () => loadTopology(yamlText)],
      ['json text', () => loadTopology(jsonText)],
      ['JSON.parse + object', () => loadTopology(JSON.parse(jsonText))],
    ];
    const samples = new Map<InputForm, number[]>(forms.map(([f]) => [f, []]));
    // Interleaved, so a slow moment of the machine does not land on one form only.
    for (let i = 0; i < opts.samples; i++) {
      for (const [form, load] of forms) {
        const t0 = performance.now();
        load();
        samples.get(form)?.push(performance.now() - t0);
      }
    }
    for (const [form] of forms)
      rows.push({ groups: size.groups, form, ms: summarize(samples.get(form) ?? []) });
  }
  return { options: opts, rows };
}
