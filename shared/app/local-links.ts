/**
 * The local mode's advert links: one UDP relay per ordered pair of members on loopback, so a link can be
 * cut (one agent's outbound adverts lost) without touching the machine's network configuration.
 *
 * Agent B's configuration lists peer A at `A.address:<relay port>`: the relay listens on A's loopback
 * address and forwards what arrives to A's advert port from a socket bound on B's address. Both checks of
 * the agents' admission hold (the datagram comes from the host the configuration names), and the advert
 * bytes pass unchanged: their MAC, sequence and replay window are the agents' own business.
 */
import { createSocket, type Socket } from 'node:dgram';

export interface LinkEnd {
  readonly id: string;
  readonly address: string;
}

export interface AdvertLinks {
  /** Where `from`'s agent sends its adverts for `to` (`address:port`). */
  peerAddress(from: string, to: string): string;
  /** Cuts (or restores) every advert `from` sends. */
  setOutboundCut(from: string, cut: boolean): void;
  close(): Promise<void>;
}

interface Link {
  readonly inbound: Socket;
  readonly outbound: Socket;
  readonly port: number;
}

const bind = (socket: Socket, address: string) =>
  new Promise<number>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, address, () => {
      socket.off('error', reject);
      resolve(socket.address().port);
    });
  });

export async function startAdvertLinks(
  members: readonly LinkEnd[],
  advertPort: number,
): Promise<AdvertLinks> {
  const links = new Map<string, Link>();
  const cut = new Set<string>();
  const key = (from: string, to: string) => `${from}>${to}`;
  try {
    for (const from of members)
      for (const to of members) {
        if (from.id === to.id) continue;
        const inbound = createSocket('udp4');
        const outbound = createSocket('udp4');
        links.set(key(from.id, to.id), { inbound, outbound, port: await bind(inbound, to.address) });
        await bind(outbound, from.address);
        inbound.on('message', (msg) => {
          if (!cut.has(from.id)) outbound.send(msg, advertPort, to.address);
        });
        // A lost datagram is what UDP does; a relay error must not stop local mode.
        inbound.on('error', () => undefined);
        outbound.on('error', () => undefined);
      }
  } catch (e) {
    await closeAll(links);
    throw e;
  }
  const address = new Map(members.map((m) => [m.id, m.address]));
  return {
    peerAddress(from, to) {
      const link = links.get(key(from, to));
      if (link === undefined) throw new Error(`no advert link from ${from} to ${to}`);
      return `${address.get(to)}:${link.port}`;
    },
    setOutboundCut(from, isCut) {
      if (isCut) cut.add(from);
      else cut.delete(from);
    },
    close: () => closeAll(links),
  };
}

async function closeAll(links: ReadonlyMap<string, Link>): Promise<void> {
  const close = (s: Socket) =>
    new Promise<void>((resolve) => {
      try {
        s.close(() => resolve());
      } catch {
        resolve(); // never bound, or closed already
      }
    });
  await Promise.all([...links.values()].flatMap((l) => [close(l.inbound), close(l.outbound)]));
}
