/**
 * `havip validate <topology>`: parses a topology file and runs the static validators, without any
 * cloud call. Exit 0 when clean or warnings only, 1 on any error (parse errors included), 2 when the
 * file cannot be read.
 */
import type { Command } from 'commander';
import { safeParseTopology } from '../../shared/core/config.js';
import type { Finding, Topology } from '../../shared/core/model.js';
import { validateTopology } from '../../shared/core/validate.js';
import {
  ExitCode,
  type ExitCodeSink,
  exitCodeForFindings,
  failUsage,
  printFindings,
  type Sink,
} from '../output.js';

/** Options of `havip validate`. */
export interface ValidateOptions {
  /** Print the findings as a JSON array instead of a table. */
  readonly json?: boolean;
  /** Also check the topology against the cloud (real, or the simulator with `endpoint`). */
  readonly live?: boolean;
  /** `host:port` of an OpenAPI endpoint to use for every service (e.g. `havip sim`), plain HTTP. */
  readonly endpoint?: string;
  /** `host:port` of the Tencent simulator when the topology is on both clouds (else `endpoint` serves). */
  readonly tencentEndpoint?: string;
}

/** Where the command reads and writes; tests and other commands can substitute these. */
export interface ValidateIo {
  readonly out: Sink;
  readonly err: Sink;
  /** Reads a file, or standard input for `-`. */
  readonly readText: (file: string) => Promise<string>;
  /** For `--live`: HAVIP_CLOUD_ENDPOINT and the AccessKey variables (default: the process environment). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Validates the topology in `file` (`-` for stdin), prints the findings and returns the exit code.
 * Never throws for bad input: an unreadable file is reported on `err` with {@link ExitCode.USAGE}.
 */
export async function runValidate(
  file: string,
  opts: ValidateOptions = {},
  io: ValidateIo,
): Promise<ExitCode> {
  let text: string;
  try {
    text = await io.readText(file);
  } catch (e) {
    return failUsage(
      'validate',
      `cannot read ${file}: ${describeReadError(e)}`,
      'pass the path of a YAML or JSON topology file',
      io.err,
    );
  }

  const parsed = safeParseTopology(text, { source: file });
  let findings: readonly Finding[];
  let clean = `${file}: no findings`;
  if (parsed.ok) {
    findings = validateTopology(parsed.topology);
    const groups = parsed.topology.groups;
    const members = groups.reduce((n, g) => n + g.members.length, 0);
    clean += ` (${groups.length} group${groups.length === 1 ? '' : 's'}, ${members} member${members === 1 ? '' : 's'})`;
    if (opts.live) {
      const live = await liveFindings(parsed.topology, opts, io);
      if (live === undefined) return ExitCode.USAGE;
      findings = [...findings, ...live];
      clean += ', live: clean';
    }
  } else {
    findings = parsed.findings;
  }

  printFindings(findings, { json: opts.json === true, cleanMessage: clean }, io.out);
  return exitCodeForFindings(findings);
}

/** Registers `havip validate` on the program. */
export function registerValidate(program: Command, io: ValidateIo & ExitCodeSink): void {
  program
    .command('validate')
    .description(
      'check a topology file offline: schema, HaVip/HAVIP quotas and topology rules (Alibaba, Tencent)',
    )
    .argument('<topology>', 'topology file (YAML or JSON), or - to read standard input')
    .option('--json', 'print the findings as a JSON array')
    .option(
      '--live',
      'also check against the cloud of each group (Alibaba: ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET or the default chain; Tencent: TENCENTCLOUD_SECRET_ID/_KEY)',
    )
    .option(
      '--endpoint <host:port>',
      'with --live: one plain-HTTP endpoint for every API (e.g. `havip sim`, `havip sim --cloud tencent`); default HAVIP_CLOUD_ENDPOINT',
    )
    .option(
      '--tencent-endpoint <host:port>',
      "with --live on a topology with groups on both clouds: the Tencent simulator's endpoint",
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 no errors (warnings allowed), 1 errors found, 2 the file could not be read.',
    )
    .action(async (file: string, opts: ValidateOptions) => {
      io.setExitCode(await runValidate(file, opts, io));
    });
}

/**
 * Live findings of every cloud the topology is on, or undefined after reporting why a cloud could not be
 * asked (credentials, network). Cloud modules are imported here, not at the top, so offline validation
 * stays fast.
 */
async function liveFindings(
  topology: Topology,
  opts: ValidateOptions,
  io: ValidateIo,
): Promise<Finding[] | undefined> {
  const env = io.env ?? process.env;
  const endpoint = opts.endpoint ?? env.HAVIP_CLOUD_ENDPOINT;
  const onAlibaba = topology.groups.some((g) => g.cloud !== 'tencent');
  const onTencent = topology.groups.some((g) => g.cloud === 'tencent');
  // One --endpoint serves a one-cloud topology; a mixed one names the Tencent simulator apart.
  const tencentEndpoint = opts.tencentEndpoint ?? (onAlibaba ? undefined : endpoint);
  const found: Finding[] = [];
  for (const [on, cloud, at, ask] of [
    [onAlibaba, 'Alibaba Cloud', endpoint, () => alibabaLive(topology, endpoint, env)],
    [onTencent, 'Tencent Cloud', tencentEndpoint, () => tencentLive(topology, tencentEndpoint, env)],
  ] as const) {
    if (!on) continue;
    try {
      found.push(...(await ask()));
    } catch (e) {
      failUsage(
        'validate',
        `live validation could not run: ${e instanceof Error ? e.message : String(e)}`,
        at !== undefined
          ? `is a simulator listening on ${at}?${cloud === 'Tencent Cloud' ? TENCENT_KEY_HINT : ''}`
          : `check credentials and network access to the ${cloud} API`,
        io.err,
      );
      return undefined;
    }
  }
  return found;
}

const TENCENT_KEY_HINT =
  ' It accepts one key pair: set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY to the pair it prints';

async function alibabaLive(
  topology: Topology,
  endpoint: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Finding[]> {
  const [{ createAlibabaCloudApi }, { validateLive }] = await Promise.all([
    import('../../shared/adapters/alibaba/index.js'),
    import('../../shared/core/validate-live.js'),
  ]);
  const local = endpoint !== undefined;
  const cloud = createAlibabaCloudApi({
    // A local simulator accepts any key; the real cloud needs the default credentials chain.
    credentials:
      local && !env.ALIBABA_CLOUD_ACCESS_KEY_ID
        ? { accessKeyId: 'local', accessKeySecret: 'local' }
        : 'default',
    ...(local ? { endpoints: { override: endpoint }, protocol: 'http' as const } : {}),
  });
  return validateLive(cloud, topology);
}

/** Tencent's keys always come from the environment (TENCENTCLOUD_SECRET_ID/_KEY): the simulator checks them. */
async function tencentLive(
  topology: Topology,
  endpoint: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Finding[]> {
  const [{ createTencentCloudApi }, { validateTencentLive }] = await Promise.all([
    import('../../shared/adapters/tencent/index.js'),
    import('../../shared/core/validate-live.js'),
  ]);
  const api = createTencentCloudApi({
    credentials: 'environment',
    env: () => env,
    ...(endpoint === undefined ? {} : { endpoints: { override: endpoint }, protocol: 'http' as const }),
  });
  return validateTencentLive(api, topology);
}

function describeReadError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'it is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return e instanceof Error ? e.message : String(e);
  }
}
