/**
 * The script model of a simulated cloud's command runner (Alibaba Cloud Assistant, Tencent TAT): hosts
 * do not run scripts, but a script that sends gratuitous ARP for an address announces it.
 */
import { ipv4ToNumber } from '../../../core/election.js';

/**
 * The IPv4 addresses a script sends gratuitous ARP for. The model is deliberately simple: a script that
 * runs `arping` announces every IPv4 address it mentions (the caller keeps only HaVip addresses).
 */
export function addressesInScript(script: string): string[] {
  if (!/(^|[^\w-])arping\b/.test(script)) return [];
  const out: string[] = [];
  for (const m of script.matchAll(/(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.]*\d)/g)) {
    const a = m[1]!;
    if (ipv4ToNumber(a) !== undefined && !out.includes(a)) out.push(a);
  }
  return out;
}
