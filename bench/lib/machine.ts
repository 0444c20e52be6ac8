/** The machine a benchmark ran on, for the report: figures mean little without it. */
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  readonly platform: string;
  /** 1-minute load average when the run started (the machine may be shared). */
  readonly load: string;
  readonly memoryGb: number;
}

export function machine(): MachineInfo {
  let cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m?.[1]) cpu = m[1].trim();
  } catch {
    // Not Linux: the os module's model name is what there is.
  }
  return {
    cpu,
    cores: os.availableParallelism(),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    load: os.loadavg()[0]?.toFixed(2) ?? '?',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
  };
}
