/**
 * `havip agent --instance-id i-… --config /etc/havip/agent.yaml`: the host agent daemon of one member
 * (docs/agent.md). The command line names the instance, so `ps` tells the agents of a host apart.
 * `--check` validates the configuration and its secrets, prints a summary and exits.
 *
 * Exit codes: 0 stopped by SIGTERM/SIGINT (or `--check` passed); 1 it could not start (a port in use, an
 * unwritable state directory) — systemd restarts it; 2 the configuration is wrong — the unit does not
 * restart it (`RestartPreventExitStatus=2`), since nothing would change.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { createLogger, type LogLevel } from '../../shared/adapters/logger/index.js';
import { type AgentConfig, parseAgentConfig } from '../../shared/agent/config.js';
import { startAgent } from '../../shared/agent/daemon.js';
import {
  createDataPlaneFromConfig,
  createSinkFromConfig,
  loadAgentSecrets,
} from '../../shared/agent/setup.js';
import { InvalidInputError } from '../../shared/core/errors.js';
import { ExitCode, failUsage, type Sink } from '../output.js';

export interface AgentFlags {
  readonly instanceId: string;
  readonly config: string;
  readonly check?: boolean;
  readonly logLevel?: string;
}

const LEVELS = ['debug', 'info', 'warn', 'error'];

/** Adds the agent's options and action to `cmd` (the `havip agent` verb, or the bundle's own program). */
export function defineAgentCommand(cmd: Command): Command {
  return cmd
    .description('host agent for one member: local checks, peer adverts, reports, heartbeats and takeover')
    .requiredOption('--instance-id <id>', 'the instance (or ENI) id of the member this agent runs on')
    .requiredOption('--config <file>', 'the agent configuration (YAML or JSON), e.g. /etc/havip/agent.yaml')
    .option('--check', 'validate the configuration and load its secrets, print a summary, and exit')
    .option('--log-level <level>', 'JSON log level on stdout: debug|info|warn|error', 'info')
    .action(async (flags: AgentFlags) => {
      process.exitCode = await runAgentCommand(flags);
    });
}

export function registerAgent(program: Command): void {
  defineAgentCommand(program.command('agent'));
}

/** Runs the agent until SIGTERM/SIGINT (or only checks it); resolves with the exit code. */
export async function runAgentCommand(
  flags: AgentFlags,
  out: Sink = process.stdout,
  err: Sink = process.stderr,
) {
  const level = flags.logLevel ?? 'info';
  if (!LEVELS.includes(level)) {
    failUsage(
      'agent',
      `--log-level must be one of ${LEVELS.join(', ')}, got ${JSON.stringify(level)}`,
      undefined,
      err,
    );
    return ExitCode.USAGE;
  }
  let config: AgentConfig;
  try {
    config = parseAgentConfig(await readConfig(flags.config), flags.instanceId, flags.config);
    if (flags.check) {
      const secrets = await loadAgentSecrets(config);
      createSinkFromConfig(config, secrets, { env: process.env, clock: { now: () => Date.now() } });
      if (config.takeover.mode === 'on') createDataPlaneFromConfig(config);
      out.write(summary(config, secrets.warnings));
      return ExitCode.OK;
    }
  } catch (e) {
    return reportStartError(e, err);
  }
  const logger = createLogger({
    level: level as LogLevel,
    base: { service: 'havip-agent', instanceId: config.instanceId },
  });
  let agent: Awaited<ReturnType<typeof startAgent>>;
  try {
    agent = await startAgent(config, { logger });
  } catch (e) {
    return reportStartError(e, err);
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    // Started with an IPC channel by a supervisor (local mode): the channel closes when the supervisor is
    // gone, even killed outright, and the agent stops rather than outlive it. Under systemd there is none.
    if (process.channel) {
      process.once('disconnect', resolve);
      process.channel.unref();
    } else if (process.send !== undefined && !process.connected) resolve(); // it closed while starting
  });
  logger.info({}, 'stopping (the addresses stay as they are)');
  await agent.stop();
  return ExitCode.OK;
}

async function readConfig(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new InvalidInputError('config.unreadable', `cannot read the agent configuration ${file}`, [
      {
        path: '--config',
        message: (e as NodeJS.ErrnoException).code ?? String(e),
        hint: 'pass the path of a YAML or JSON file',
      },
    ]);
  }
}

function reportStartError(e: unknown, err: Sink): number {
  if (e instanceof InvalidInputError) {
    failUsage('agent', e.message, undefined, err);
    return ExitCode.USAGE;
  }
  const message = e instanceof Error ? e.message : String(e);
  err.write(`havip agent: cannot start: ${message}\n`);
  return 1;
}

/** Where reports go, as an operator checks it against the deployment (never a credential). */
function sinkSummary(sink: AgentConfig['reports']['sink']): string {
  if (sink.type === 'http') {
    const u = new URL(sink.url); // without user info or query: either may carry a secret
    return `http sink, POST ${u.origin}${u.pathname}`;
  }
  const role =
    sink.credentials === 'env' ? 'keys of the environment' : `role ${sink.roleName ?? 'from metadata'}`;
  if (sink.type === 'cmq')
    return `cmq sink, topic ${sink.topic} in ${sink.region} via ${sink.endpoint ?? 'tdmq.tencentcloudapi.com'} (${role})`;
  return `mns sink, topic ${sink.topic} at ${sink.endpoint} (${role})`;
}

function summary(c: AgentConfig, warnings: readonly string[]): string {
  const lines = [
    `configuration OK for ${c.instanceId}`,
    `  adverts: ${c.advert.bind}:${c.advert.port} every ${c.advert.intervalSeconds} s, silent after ${c.advert.intervalSeconds * c.advert.deadFactor} s`,
    ...c.groups.map(
      (g) => `  group ${g.name}: peers ${g.peers.map((p) => `${p.id} (${p.address})`).join(', ')}`,
    ),
    `  checks: ${c.checks.length === 0 ? 'none' : c.checks.map((k) => `${k.name} (${k.kind})`).join(', ')}`,
    `  reports: ${sinkSummary(c.reports.sink)}`,
    `  heartbeats: ${c.api === undefined ? 'off' : c.api.endpoint}; takeover ${c.takeover.mode}${c.takeover.mode === 'on' ? ` (${c.takeover.dataPlane})` : ''}`,
    `  spot notices: ${c.spot.enabled ? c.spot.provider : 'off'}; health: ${c.health.address ?? c.advert.bind}:${c.health.port}`,
    ...warnings.map((w) => `warning: ${w}`),
  ];
  return `${lines.join('\n')}\n`;
}
