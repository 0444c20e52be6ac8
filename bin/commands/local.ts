/**
 * `havip local`: the local mode (what `npm start` runs). The orchestrator on the embedded simulator, with
 * the HTTP API on 127.0.0.1, timer sweeps, and simulator ECS events routed into the ECS-event handler.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { LogLevel } from '../../shared/adapters/logger/index.js';
import { startLocal } from '../../shared/app/local.js';
import { HavipError } from '../../shared/core/errors.js';
import { failUsage } from '../output.js';

const DEMO = fileURLToPath(new URL('../../examples/local-demo.yaml', import.meta.url));

interface LocalFlags {
  topology?: string;
  port: string;
  sweepSeconds: string;
  transitionMs: string;
  logLevel: string;
  sqlite: string;
}

export function registerLocal(program: Command): void {
  program
    .command('local')
    .description(
      'run the orchestrator locally on the embedded Alibaba VPC/ECS simulator (what `npm start` runs)',
    )
    .option('--topology <file>', 'topology YAML/JSON (default: examples/local-demo.yaml)')
    .option('--port <n>', 'HTTP API port on 127.0.0.1', '8080')
    .option('--sweep-seconds <n>', 'seconds between health sweeps', '5')
    .option('--transition-ms <n>', 'simulated duration of asynchronous cloud operations', '1500')
    .option('--sqlite <path>', 'state store file (reset at start)', '.data/local.sqlite')
    .option(
      '--log-level <level>',
      'JSON log level on stderr-free stdout: debug|info|warn|error|silent',
      'warn',
    )
    .action(async (flags: LocalFlags) => {
      const file = flags.topology ?? DEMO;
      const ints = {
        port: Number(flags.port),
        sweepSeconds: Number(flags.sweepSeconds),
        transitionMs: Number(flags.transitionMs),
      };
      for (const [name, v] of Object.entries(ints)) {
        if (!Number.isInteger(v) || v < 0 || (name === 'sweepSeconds' && v < 1)) {
          failUsage(
            'local',
            `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} must be a whole number${name === 'sweepSeconds' ? ' ≥ 1' : ' ≥ 0'}, got ${JSON.stringify(flags[name as keyof LocalFlags])}`,
          );
          return;
        }
      }
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        failUsage(
          'local',
          `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
          'pass --topology <file>',
        );
        return;
      }
      const print = (line: string) => process.stdout.write(`${line}\n`);
      let local: Awaited<ReturnType<typeof startLocal>>;
      try {
        local = await startLocal({
          topologyText: text,
          topologySource: file,
          port: ints.port,
          sweepSeconds: ints.sweepSeconds,
          transitionMs: ints.transitionMs,
          sqlitePath: flags.sqlite,
          token: process.env.HAVIP_API_TOKEN,
          logLevel: flags.logLevel as LogLevel | 'silent',
          print,
        });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          failUsage(
            'local',
            `port ${ints.port} is already in use`,
            'pass --port <another port> (or --port 0 for any free port)',
          );
          return;
        }
        if (e instanceof HavipError) {
          failUsage('local', e.message);
          return;
        }
        throw e;
      }
      const holderLines = local.runtime.topology.groups.map((g) => {
        const h = g.haVipId ? local.sim.haVip(g.haVipId) : undefined;
        return `  group ${g.name}: ${g.haVipId ?? 'EIP only'} ${h ? `(${h.ipAddress}) bound to ${h.associatedInstances.join(', ') || 'nothing'}` : ''}`;
      });
      const g0 = local.runtime.topology.groups[0];
      const holder = g0?.haVipId ? local.sim.haVip(g0.haVipId)?.associatedInstances[0] : g0?.members[0]?.id;
      print(
        [
          '',
          'havip-failover — local mode on the embedded Alibaba VPC/ECS simulator',
          `  API        ${local.apiUrl}`,
          `  token      ${local.token}`,
          `  simulator  ${local.simulatorUrl}  (state: ${local.simulatorUrl}/__admin/state)`,
          ...holderLines,
          '',
          'In another terminal:',
          `  export HAVIP_ENDPOINT=${local.apiUrl} HAVIP_API_TOKEN=${local.token}`,
          `  npx havip status ${g0?.name ?? ''}                                   # 1. who holds the HaVip`,
          `  curl -s -X POST ${local.simulatorUrl}/__admin/instances/${holder ?? 'i-...'}/stop   # 2. stop the holder`,
          `  npx havip status ${g0?.name ?? ''}                                   # 3. watch it move (a few seconds)`,
          '',
          `Sweeps every ${ints.sweepSeconds}s. Ctrl-C stops.`,
          '',
        ].join('\n'),
      );
      const stop = async () => {
        print('stopping…');
        await local.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}
