import type { RelayOffer } from '../../../crdt/wire';

export type Topology = 'mesh' | 'relay';

/**
 * Mesh while the room has at most `meshMax` people (everyone we know of, us included), relay
 * above that when the server offers a relay node. Every peer counts the same people (the
 * room's announcements, and the relay's publishers once connected), so they agree.
 */
export function chooseTopology(people: number, relay: RelayOffer | null): Topology {
  return relay !== null && people > relay.meshMax ? 'relay' : 'mesh';
}

/** The relay node's control socket beside the signaling endpoint: …/signal → …/relay. */
export function relayUrlFor(signalingUrl: string): string {
  return signalingUrl.replace(/signal(\?.*)?$/, 'relay');
}
