/**
 * `havip local`: the local mode (what `npm start` runs). The orchestrator on the embedded simulator, with
 * the HTTP API on 127.0.0.1, timer sweeps, and simulator ECS events routed into the ECS-event handler;
 * and, unless `--no-agents`, one `havip agent` process per member with its service and the MNS topic.
 * With `--cloud tencent`: the same on the Tencent simulator; the agents publish their reports to its CMQ
 * topic, which delivers them to the havip-heartbeat handler.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { LogLevel } from '../../shared/adapters/logger/index.js';
import {
  type LocalMode,
  startLocal,
  startTencentLocal,
  type TencentLocalMode,
} from '../../shared/app/local.js';
import type { LocalAgent } from '../../shared/app/local-agents.js';
import { LOCAL_TOPIC } from '../../shared/app/local-reports.js';
import { HavipError } from '../../shared/core/errors.js';
import { type ExitCodeSink, failUsage, type Sink } from '../output.js';

const DEMO = fileURLToPath(new URL('../../examples/local-demo.yaml', import.meta.url));
const TENCENT_DEMO = fileURLToPath(new URL('../../examples/tencent/topology.yaml', import.meta.url));
/** `havip agent` as a process of its own: the package's bin shim (tsx), with the `agent` verb. */
export const AGENT_COMMAND: readonly string[] = [
  process.execPath,
  fileURLToPath(new URL('../havip.js', import.meta.url)),
  'agent',
];

interface LocalFlags {
  cloud: string;
  topology?: string;
  port: string;
  sweepSeconds: string;
  transitionMs: string;
  logLevel: string;
  sqlite: string;
  agents: boolean;
}

/** Where `havip local` prints and reads its token; the Ctrl-C handling stays with the process. */
export interface LocalIo extends ExitCodeSink {
  readonly out: Sink;
  readonly err: Sink;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export function registerLocal(program: Command, io: LocalIo): void {
  program
    .command('local')
    .description(
      'run the orchestrator locally on the embedded Alibaba VPC/ECS simulator (what `npm start` runs), or on the Tencent simulator',
    )
    .option(
      '--cloud <cloud>',
      'alibaba, or tencent: the Tencent VPC/CVM/TAT simulator (its agents report through its CMQ topic)',
      'alibaba',
    )
    .option(
      '--topology <file>',
      'topology YAML/JSON (default: examples/local-demo.yaml; with --cloud tencent examples/tencent/topology.yaml)',
    )
    .option('--port <n>', 'HTTP API port on 127.0.0.1', '8080')
    .option('--sweep-seconds <n>', 'seconds between health sweeps', '5')
    .option('--transition-ms <n>', 'simulated duration of asynchronous cloud operations', '1500')
    .option('--sqlite <path>', 'state store file (reset at start)', '.data/local.sqlite')
    .option(
      '--no-agents',
      'the orchestrator alone: no agent processes, no report path (the former local mode)',
    )
    .option(
      '--log-level <level>',
      'JSON log level on stderr-free stdout: debug|info|warn|error|silent',
      'warn',
    )
    .action(async (flags: LocalFlags) => {
      const local = await runLocal(flags, io);
      if (local === undefined) return;
      const stop = async () => {
        io.out.write('stopping…\n');
        await local.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}

/** Checks the flags, starts the local mode and prints how to use it; undefined after a usage error. */
async function runLocal(flags: LocalFlags, io: LocalIo): Promise<LocalMode | TencentLocalMode | undefined> {
  const usage = (message: string, hint?: string) => {
    io.setExitCode(failUsage('local', message, hint, io.err));
    return undefined;
  };
  if (flags.cloud !== 'alibaba' && flags.cloud !== 'tencent')
    return usage(`--cloud must be alibaba or tencent, got ${JSON.stringify(flags.cloud)}`);
  const tencent = flags.cloud === 'tencent';
  const file = flags.topology ?? (tencent ? TENCENT_DEMO : DEMO);
  const ints = {
    port: Number(flags.port),
    sweepSeconds: Number(flags.sweepSeconds),
    transitionMs: Number(flags.transitionMs),
  };
  for (const [name, v] of Object.entries(ints)) {
    if (!Number.isInteger(v) || v < 0 || (name === 'sweepSeconds' && v < 1)) {
      return usage(
        `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} must be a whole number${name === 'sweepSeconds' ? ' ≥ 1' : ' ≥ 0'}, got ${JSON.stringify(flags[name as keyof LocalFlags])}`,
      );
    }
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    return usage(
      `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      'pass --topology <file>',
    );
  }
  const print = (line: string) => io.out.write(`${line}\n`);
  const common = {
    topologyText: text,
    topologySource: file,
    port: ints.port,
    sweepSeconds: ints.sweepSeconds,
    transitionMs: ints.transitionMs,
    sqlitePath: flags.sqlite,
    token: io.env.HAVIP_API_TOKEN,
    logLevel: flags.logLevel as LogLevel | 'silent',
    print,
  };
  const agents = flags.agents ? { command: AGENT_COMMAND } : undefined;
  try {
    if (tencent) {
      const local = await startTencentLocal({ ...common, agents });
      print(tencentBanner(local, ints.sweepSeconds));
      return local;
    }
    const local = await startLocal({ ...common, agents });
    print(banner(local, ints.sweepSeconds));
    return local;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE')
      return usage(
        `port ${ints.port} is already in use`,
        'pass --port <another port> (or --port 0 for any free port)',
      );
    if (e instanceof HavipError) return usage(e.message);
    throw e;
  }
}

/** The Tencent walkthrough: who holds the HAVIP, stop it through the simulator, watch it move. */
function tencentBanner(local: TencentLocalMode, sweepSeconds: number): string {
  const groups = local.runtime.topology.groups.filter((g) => g.cloud === 'tencent');
  const holderLines = groups.map((g) => {
    const h = g.haVipId === undefined ? undefined : local.sim.haVip(g.haVipId);
    return `  group ${g.name}: ${g.haVipId} ${h ? `(${h.vip}) held by ${h.holder?.instanceId ?? 'nothing'}` : ''}`;
  });
  const g0 = groups[0];
  const holder = (g0?.haVipId && local.sim.haVip(g0.haVipId)?.holder?.instanceId) ?? 'ins-...';
  const status = `npx havip status ${g0?.name ?? ''}`;
  const stop = `curl -s -X POST ${local.simulatorUrl}/__admin/instances/${holder}/stop`;
  return [
    '',
    `havip-failover — local mode on the Tencent Cloud VPC/CVM/TAT simulator (TC3-signed${local.agents === undefined ? '; no agents' : ''})`,
    `  API        ${local.apiUrl}`,
    `  token      ${local.token}`,
    `  simulator  ${local.simulatorUrl}  (state: ${local.simulatorUrl}/__admin/state)`,
    `  simulator key pair (local, made up for this run): SecretId ${local.credentials.secretId}`,
    ...holderLines,
    ...tencentAgentLines(local),
    '',
    'In another terminal:',
    `  export HAVIP_ENDPOINT=${local.apiUrl} HAVIP_API_TOKEN=${local.token}`,
    `  ${status}                                   # who holds the HAVIP`,
    ...(local.agents === undefined
      ? [`  ${stop}   # stop the holder CVM (CloudAudit event)`]
      : tencentWalkthrough(local, local.agents.agent(holder), stop)),
    `  ${status}                                   # after each: InstanceId is the peer`,
    `  curl -s ${local.simulatorUrl}/__admin/state   # the simulator's view (holder, drift scope)`,
    '',
    `Sweeps every ${sweepSeconds}s. Ctrl-C stops${local.agents === undefined ? '' : ' (agents included)'}.`,
    '',
  ].join('\n');
}

function tencentAgentLines(local: TencentLocalMode): string[] {
  if (local.agents === undefined) return [];
  return [
    `  CMQ topic  ${LOCAL_TOPIC} in ${local.reports?.region} on ${local.simulatorUrl} (PublishCmqMsg; delivers to the havip-heartbeat handler)`,
    `  metadata   ${local.metadata?.url} (Tencent layout: spot/termination-time)`,
    ...local.agents.agents.map(
      (a) =>
        `  agent ${a.memberId}  pid ${a.pid}  on ${a.address}  health ${a.healthUrl}  service ${a.service.url}/`,
    ),
    `  agent logs and keys: ${local.agents.directory} (removed on exit)`,
  ];
}

/** The failures to try on the Tencent holder, agents running. */
function tencentWalkthrough(local: TencentLocalMode, a: LocalAgent, stop: string): string[] {
  const spot = `curl -s -X PUT ${local.metadata?.url}/__admin/instances/${a.memberId}/spot-termination -d '{"terminationTime":"${new Date(Date.now() + 3_600_000).toISOString()}"}'`;
  return [
    'Try one at a time (put things back between tries: kill -CONT, the /__admin/start call):',
    `  kill -STOP ${a.pid}                         # 1. freeze the holder (its agent; kill -CONT ${a.pid} thaws it)`,
    `  curl -s -X POST ${a.service.url}/__admin/stop   # 2. kill its service (/__admin/start brings it back)`,
    `  ${spot}   # 3. a spot reclamation notice: its agent asks to drain it`,
    `  ${stop}   # 4. stop the holder CVM (CloudAudit event)`,
  ];
}

/** What the operator sees first: where everything is, and the failures to try. */
function banner(local: LocalMode, sweepSeconds: number): string {
  const groups = local.runtime.topology.groups;
  const holderLines = groups.map((g) => {
    const h = g.haVipId ? local.sim.haVip(g.haVipId) : undefined;
    return `  group ${g.name}: ${g.haVipId ?? 'EIP only'} ${h ? `(${h.ipAddress}) bound to ${h.associatedInstances.join(', ') || 'nothing'}` : ''}`;
  });
  const g0 = groups[0];
  const holder = g0?.haVipId ? local.sim.haVip(g0.haVipId)?.associatedInstances[0] : g0?.members[0]?.id;
  const status = `npx havip status ${g0?.name ?? ''}`;
  return [
    '',
    'havip-failover — local mode on the embedded Alibaba VPC/ECS simulator',
    `  API        ${local.apiUrl}`,
    `  token      ${local.token}`,
    `  simulator  ${local.simulatorUrl}  (state: ${local.simulatorUrl}/__admin/state)`,
    ...holderLines,
    ...agentLines(local),
    '',
    'In another terminal:',
    `  export HAVIP_ENDPOINT=${local.apiUrl} HAVIP_API_TOKEN=${local.token}`,
    `  ${status}                                   # who holds the HaVip`,
    ...walkthrough(local, holder ?? 'i-...'),
    `  ${status}                                   # after each: watch it move (a few seconds)`,
    '',
    `Sweeps every ${sweepSeconds}s. Ctrl-C stops (agents included).`,
    '',
  ].join('\n');
}

function agentLines(local: LocalMode): string[] {
  if (local.agents === undefined) return [];
  return [
    `  MNS topic  ${local.reports?.mns.url} (delivers to the on-heartbeat handler)`,
    ...local.agents.agents.map(
      (a) =>
        `  agent ${a.memberId}  pid ${a.pid}  on ${a.address}  health ${a.healthUrl}  service ${a.service.url}/`,
    ),
    `  agent logs and keys: ${local.agents.directory} (removed on exit)`,
  ];
}

/** The failures to try on the holder; each move is printed here as it happens. */
function walkthrough(local: LocalMode, holder: string): string[] {
  const stop = `curl -s -X POST ${local.simulatorUrl}/__admin/instances/${holder}/stop`;
  if (local.agents === undefined) return [`  ${stop}   # stop the holder (ECS event)`];
  const a = local.agents.agent(holder);
  return [
    'Try one at a time (put things back between tries: kill -CONT, the /__admin/start call, .../start):',
    `  kill -STOP ${a.pid}                         # 1. freeze the holder (its agent; kill -CONT ${a.pid} thaws it)`,
    `  curl -s -X POST ${a.service.url}/__admin/stop   # 2. kill its service (/__admin/start brings it back)`,
    `  ${stop}   # 3. stop the holder (ECS event)`,
  ];
}
