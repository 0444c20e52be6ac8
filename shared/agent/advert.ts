/**
 * The advert datagram peers exchange over unicast UDP (docs/agent.md, "The advert datagram"): UTF-8
 * text, one field per line, the last line an HMAC-SHA256 with the group key over the lines before it.
 * Decoding never throws: a datagram is either an advert or a reason to drop it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AGENT_GROUP_NAME_RE, AGENT_MEMBER_ID_RE, type CheckState } from '../events/agent-report.js';

export const ADVERT_FORMAT = 'havip-advert/1';
export const MAX_ADVERT_BYTES = 512;

export interface Advert {
  readonly group: string;
  readonly sender: string;
  readonly sequence: number;
  /** The sender's clock, Unix milliseconds. */
  readonly sentAt: number;
  readonly checks: CheckState;
  readonly draining: boolean;
}

/** The lines the MAC covers, joined by `\n`. */
export function advertCanonicalString(a: Advert): string {
  return [
    ADVERT_FORMAT,
    a.group,
    a.sender,
    String(a.sequence),
    String(a.sentAt),
    a.checks,
    a.draining ? '1' : '0',
  ].join('\n');
}

const hmac = (key: Uint8Array, text: string) => createHmac('sha256', key).update(text).digest();

export function encodeAdvert(a: Advert, key: Uint8Array): Buffer {
  const signed = advertCanonicalString(a);
  return Buffer.from(`${signed}\n${hmac(key, signed).toString('hex')}`, 'utf8');
}

/** A datagram whose shape is right; its MAC is not checked yet (the group names the key). */
export interface UnverifiedAdvert {
  readonly advert: Advert;
  readonly signed: string;
  readonly mac: Buffer;
}

export type ParseOutcome =
  | { readonly ok: true; readonly value: UnverifiedAdvert }
  | { readonly ok: false; readonly detail: string };

/** Decimal without sign or leading zero, within the safe integer range. */
const DECIMAL_RE = /^[1-9][0-9]{0,15}$/;
const decimal = (s: string): number | undefined => {
  if (!DECIMAL_RE.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
};

/** Parses a datagram's shape (`malformed` when it fails, with the first problem as detail). */
export function parseAdvert(datagram: Uint8Array): ParseOutcome {
  const bad = (detail: string) => ({ ok: false as const, detail });
  if (datagram.byteLength > MAX_ADVERT_BYTES) return bad(`longer than ${MAX_ADVERT_BYTES} bytes`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(datagram);
  } catch {
    return bad('not UTF-8');
  }
  const lines = text.split('\n');
  if (lines.length !== 8) return bad(`${lines.length} lines, expected 8`);
  const [format, group, sender, seq, sent, checks, draining, mac] = lines as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (format !== ADVERT_FORMAT) return bad(`format line is not ${ADVERT_FORMAT}`);
  if (!AGENT_GROUP_NAME_RE.test(group)) return bad('group is not a group name');
  if (!AGENT_MEMBER_ID_RE.test(sender)) return bad('sender is not a member id');
  const sequence = decimal(seq);
  if (sequence === undefined) return bad('sequence is not a positive whole number');
  const sentAt = decimal(sent);
  if (sentAt === undefined) return bad('sent-at is not a positive whole number');
  if (checks !== 'ok' && checks !== 'failing') return bad('checks is neither ok nor failing');
  if (draining !== '0' && draining !== '1') return bad('draining is neither 0 nor 1');
  if (!/^[0-9a-f]{64}$/.test(mac)) return bad('mac is not 64 lowercase hex characters');
  const advert: Advert = { group, sender, sequence, sentAt, checks, draining: draining === '1' };
  return {
    ok: true,
    value: { advert, signed: lines.slice(0, 7).join('\n'), mac: Buffer.from(mac, 'hex') },
  };
}

/** Constant-time MAC check with the group's key. */
export function macMatches(u: UnverifiedAdvert, key: Uint8Array): boolean {
  return timingSafeEqual(hmac(key, u.signed), u.mac);
}
