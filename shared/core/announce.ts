/**
 * The announce script: what a new holder runs so the VPC sends it the HaVip's traffic. The VPC follows
 * ARP, not the API: the holder must have the address on its NIC and announce it by gratuitous ARP (as
 * keepalived does on a takeover). Run through Cloud Assistant (`announce: cloud-assistant`); the host
 * agent in examples/agent does the same from its heartbeat loop.
 */
import { ipv4ToNumber } from './election.js';
import { InvalidInputError } from './errors.js';

/** How many gratuitous ARPs to send (keepalived sends 5 by default: `garp_master_repeat`). */
export const GARP_COUNT = 5;

/**
 * A POSIX shell script that adds `address/32` to the interface holding the default route if it is not
 * there yet, then sends gratuitous ARP (iputils `arping -U`; `-A` replies are also accepted by the VPC).
 * Idempotent: running it twice is harmless.
 */
export function announceScript(address: string): string {
  if (ipv4ToNumber(address) === undefined) {
    throw new InvalidInputError('announce.invalid-address', 'cannot build the announce script', [
      { path: 'address', message: `${JSON.stringify(address)} is not an IPv4 address` },
    ]);
  }
  return [
    '#!/bin/sh',
    '# havip-failover: take over the HaVip on this instance (configure it, announce it by gratuitous ARP)',
    'set -eu',
    `ADDR=${address}`,
    'DEV=$(ip -4 route show default | awk \'{ for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit } }\')',
    '[ -n "$DEV" ] || { echo "no default route: cannot pick the interface" >&2; exit 2; }',
    'if ! ip -4 -o addr show dev "$DEV" | grep -q " $ADDR/"; then ip addr add "$ADDR/32" dev "$DEV"; fi',
    'command -v arping >/dev/null 2>&1 || { echo "arping not installed (iputils-arping / iputils)" >&2; exit 3; }',
    `arping -U -c ${GARP_COUNT} -I "$DEV" "$ADDR" >/dev/null 2>&1 || arping -A -c ${GARP_COUNT} -I "$DEV" "$ADDR" >/dev/null`,
    'echo "announced $ADDR on $DEV"',
    '',
  ].join('\n');
}
