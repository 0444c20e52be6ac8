/**
 * `havip sim`: serve the Alibaba VPC/ECS API simulator (or, with `--cloud tencent`, the Tencent
 * VPC/CVM/TAT one: `sim-tencent.ts`) on 127.0.0.1 for SDKs, scripts and manual experiments, until Ctrl-C.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  demoSeed,
  type SimSeed,
  SimulatedCloud,
  type SimulatorServer,
  seedFromTopology,
  startSimulatorServer,
} from '../../shared/adapters/simulator/index.js';
import { parseTopology } from '../../shared/core/config.js';
import { HavipError, InvalidInputError } from '../../shared/core/errors.js';
import { ExitCode, type ExitCodeSink, failUsage, type Sink } from '../output.js';
import { startTencentSim } from './sim-tencent.js';

export interface SimOptions {
  /** 0 = any free port. */
  readonly port: number;
  /** A topology (YAML/JSON) or a simulator seed (JSON with `regions`); the demo world when absent. */
  readonly seedFile?: string;
  readonly transitionMs: number;
  /** For topology files: bind each HaVip/EIP to its highest-priority member, or leave all unbound. */
  readonly attach: 'highest' | 'none';
}

export interface RunningSim {
  readonly cloud: SimulatedCloud;
  readonly server: SimulatorServer;
  close(): Promise<void>;
}

/**
 * Reads the seed file: JSON with a top-level `regions` array is a simulator seed, anything else is
 * parsed as a topology and turned into the world that makes it valid.
 */
export async function loadSimSeed(file: string, attach: 'highest' | 'none'): Promise<SimSeed> {
  const text = await readFile(file, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (typeof json === 'object' && json !== null && Array.isArray((json as { regions?: unknown }).regions)) {
    return json as SimSeed;
  }
  return seedFromTopology(parseTopology(text, { source: file }), { attach });
}

/** Starts the simulator server and prints how to reach it. */
export async function startSim(opts: SimOptions, print: (line: string) => void): Promise<RunningSim> {
  const seed = opts.seedFile === undefined ? demoSeed() : await loadSimSeed(opts.seedFile, opts.attach);
  const cloud = new SimulatedCloud(seed, { transitionDelayMs: opts.transitionMs });
  const server = await startSimulatorServer({ cloud, port: opts.port });
  const snap = cloud.snapshot();
  const region = snap.regions[0] ?? 'cn-hangzhou';
  const key = cloud.accessKey;
  print(`Alibaba VPC (2016-04-28) / ECS (2014-05-26) simulator listening on ${server.url}`);
  print(
    `world: ${opts.seedFile ?? 'built-in demo'} — ${snap.regions.length} region(s), ${snap.instances.length} instance(s), ` +
      `${snap.enis.length} ENI(s), ${snap.haVips.length} HaVip(s), ${snap.eips.length} EIP(s); transitions take ${opts.transitionMs} ms`,
  );
  print('SDK config (@alicloud/vpc20160428, @alicloud/ecs20140526):');
  print(
    `  new $OpenApiUtil.Config({ accessKeyId: '${key?.id ?? 'any'}', accessKeySecret: '${key === undefined ? 'any' : '<the seed secret>'}', ` +
      `endpoint: '${server.endpoint}', protocol: 'http', regionId: '${region}' })`,
  );
  print(
    `admin: curl ${server.url}/__admin/state   (faults: POST ${server.url}/__admin/faults/..., see docs/simulator.md)`,
  );
  const off = cloud.onEvent((e) => print(`event ${e.time} ${e.data.resourceId} ${e.data.state}`));
  return {
    cloud,
    server,
    close: async () => {
      off();
      await server.close();
    },
  };
}

interface SimFlags {
  port: string;
  seed?: string;
  transitionMs: string;
  attach: string;
  cloud: string;
  secretId?: string;
  secretKey?: string;
}

export function registerSim(program: Command, io: { out: Sink; err: Sink } & ExitCodeSink): void {
  program
    .command('sim')
    .description('serve the Alibaba VPC/ECS (or Tencent VPC/CVM/TAT) API simulator on 127.0.0.1 until Ctrl-C')
    .option('--cloud <name>', 'alibaba or tencent', 'alibaba')
    .option('--port <n>', 'port on 127.0.0.1 (0 = any free port)', '0')
    .option('--seed <file>', 'topology YAML/JSON or simulator seed JSON (default: a built-in demo world)')
    .option(
      '--transition-ms <n>',
      'duration of asynchronous operations (attach, detach, stop, start)',
      '1000',
    )
    .option(
      '--attach <mode>',
      'for topology files: highest (bind each HaVip to its top member) or none',
      'highest',
    )
    .option('--secret-id <id>', 'tencent: the SecretId to accept (default: made up and printed)')
    .option('--secret-key <key>', 'tencent: the SecretKey to accept (with --secret-id)')
    .action(async (flags: SimFlags) => {
      const port = Number(flags.port);
      const transitionMs = Number(flags.transitionMs);
      const usage = (message: string, hint?: string) =>
        io.setExitCode(failUsage('sim', message, hint, io.err));
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        return usage(`--port must be a whole number 0–65535, got ${JSON.stringify(flags.port)}`);
      if (!Number.isInteger(transitionMs) || transitionMs < 0)
        return usage(`--transition-ms must be a whole number ≥ 0, got ${JSON.stringify(flags.transitionMs)}`);
      if (flags.attach !== 'highest' && flags.attach !== 'none')
        return usage(`--attach must be highest or none, got ${JSON.stringify(flags.attach)}`);
      if (flags.cloud !== 'alibaba' && flags.cloud !== 'tencent')
        return usage(`--cloud must be alibaba or tencent, got ${JSON.stringify(flags.cloud)}`);
      if (
        (flags.secretId === undefined) !== (flags.secretKey === undefined) ||
        (flags.secretId !== undefined && flags.cloud !== 'tencent')
      )
        return usage('--secret-id and --secret-key go together, with --cloud tencent');
      const print = (line: string) => io.out.write(`${line}\n`);
      let sim: { close(): Promise<void> };
      try {
        const common = {
          port,
          transitionMs,
          attach: flags.attach as 'highest' | 'none',
          ...(flags.seed === undefined ? {} : { seedFile: flags.seed }),
        };
        sim =
          flags.cloud === 'tencent'
            ? await startTencentSim(
                {
                  ...common,
                  ...(flags.secretId === undefined || flags.secretKey === undefined
                    ? {}
                    : { credentials: { secretId: flags.secretId, secretKey: flags.secretKey } }),
                },
                print,
              )
            : await startSim(common, print);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
          usage(`cannot read ${flags.seed}: ${code}`, 'pass --seed <topology.yaml|seed.json>');
        } else if (code === 'EADDRINUSE') {
          usage(`port ${port} is already in use`, 'pick another --port, or 0 for any free port');
        } else if (e instanceof HavipError) {
          io.err.write(`havip sim: ${e.message}\n`);
          io.setExitCode(e instanceof InvalidInputError ? ExitCode.FINDINGS : ExitCode.USAGE);
        } else {
          throw e;
        }
        return;
      }
      print('Ctrl-C to stop');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await sim.close();
    });
}
