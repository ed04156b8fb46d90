import type { SigningIdentity } from '../../../crdt/identity/host-identity';
import { peerIdForKey } from '../../../crdt/identity/participant-identity';
import { keepHostKey, participantIdentity, storedHostIdentity } from '../storage/stored-keys';

/** Who this page is in a room: its participant key and peer id, and the host key if this browser holds it. */
export interface Identities {
  self: SigningIdentity;
  selfId: string;
  host: SigningIdentity | null;
}

/** Loads (or makes) this tab's keys for the room; a host key from a host link is kept first. */
export async function loadIdentities(roomId: string, hostKeyFromLink?: string): Promise<Identities> {
  if (hostKeyFromLink && !(await keepHostKey(roomId, hostKeyFromLink))) {
    console.warn('[confab] the host key in this link is not this room\'s; joining as a guest');
  }
  const self = await participantIdentity(roomId);
  return { self, selfId: await peerIdForKey(self.publicKey), host: await storedHostIdentity(roomId) };
}
