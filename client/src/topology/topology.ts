import type { RelayOffer } from '../../../crdt/protocol/wire';

export type Topology = 'mesh' | 'relay';

/**
 * Mesh while the room has at most `meshMax` people (everyone we know of, us included), relay
 * above that when the server offers a relay node. Every peer counts the same people (the
 * room's announcements, and the relay's publishers once connected), so they agree.
 */
export function chooseTopology(people: number, relay: RelayOffer | null): Topology {
  return relay !== null && people > relay.meshMax ? 'relay' : 'mesh';
}

/**
 * Up to this many people, peer links stay open beside a relay, idle (no media): when the relay
 * dies together with the signaling server (a server's own relay is the same process), the room
 * is back on its mesh at once, where without links it would wait for signaling to return.
 * Above it the relay carries the room state alone (a star): 50 people need no 1,225 links.
 */
export const STANDBY_LINKS_UP_TO = 8;

/** Whether this page wants peer links now (mesh-session.ts tells its peers). */
export function meshLinksWanted(now: { meshMedia: boolean; relayCarriesRoom: boolean; screenOnLinks: boolean; people: number }): boolean {
  // screenOnLinks: we share a screen and the relay forwards none (an older relay), so peer links carry it.
  return now.meshMedia || !now.relayCarriesRoom || now.screenOnLinks || now.people <= STANDBY_LINKS_UP_TO;
}

/** The relay node's control socket beside the signaling endpoint: …/signal → …/relay. */
export function relayUrlFor(signalingUrl: string): string {
  return signalingUrl.replace(/signal(\?.*)?$/, 'relay');
}
