/**
 * Which received datagrams count as adverts. Every check of docs/agent.md's table, in its order; a
 * datagram that fails one is dropped with that reason. Pure apart from the replay windows it keeps.
 */
import { type Advert, macMatches, parseAdvert } from './advert.js';
import { checkReplay, type ReplayWindow } from './replay.js';

export const DROP_REASONS = [
  'malformed',
  'wrong-group',
  'bad-mac',
  'unknown-sender',
  'wrong-source',
  'stale',
  'replayed',
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

export interface AdmissionGroup {
  readonly key: Uint8Array;
  /** Peer id → its configured address (IPv4). */
  readonly peers: ReadonlyMap<string, string>;
}

export type Admission =
  | { readonly ok: true; readonly advert: Advert }
  | { readonly ok: false; readonly reason: DropReason; readonly detail: string };

export class AdvertAdmission {
  private readonly windows = new Map<string, ReplayWindow>();

  constructor(
    private readonly self: string,
    private readonly groups: ReadonlyMap<string, AdmissionGroup>,
    private readonly maxSkewMs: number,
  ) {}

  admit(datagram: Uint8Array, sourceAddress: string, now: number): Admission {
    const drop = (reason: DropReason, detail: string): Admission => ({ ok: false, reason, detail });
    const parsed = parseAdvert(datagram);
    if (!parsed.ok) return drop('malformed', parsed.detail);
    const { advert } = parsed.value;
    const group = this.groups.get(advert.group);
    if (group === undefined) return drop('wrong-group', `group ${advert.group} is not one of this agent's`);
    if (!macMatches(parsed.value, group.key))
      return drop('bad-mac', `the MAC does not verify with the key of group ${advert.group}`);
    const address = group.peers.get(advert.sender);
    if (advert.sender === this.self || address === undefined)
      return drop('unknown-sender', `${advert.sender} is not a peer in group ${advert.group}`);
    if (sourceAddress !== address)
      return drop('wrong-source', `${advert.sender} is configured at ${address}, not ${sourceAddress}`);
    const skew = advert.sentAt - now;
    if (Math.abs(skew) > this.maxSkewMs)
      return drop('stale', `sent ${Math.round(Math.abs(skew) / 1000)} s ${skew < 0 ? 'ago' : 'ahead'}`);
    const key = `${advert.group}\n${advert.sender}`;
    const { verdict, window } = checkReplay(this.windows.get(key), advert.sequence);
    if (verdict !== 'accept')
      return drop(verdict, `sequence ${advert.sequence} (highest accepted ${this.windows.get(key)?.top})`);
    this.windows.set(key, window!);
    return { ok: true, advert };
  }
}
