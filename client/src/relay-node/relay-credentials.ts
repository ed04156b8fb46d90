import { acceptableRecords } from '../../../crdt/room/control-records';
import type { SigningIdentity } from '../../../crdt/identity/host-identity';
import { signRelayHello } from '../../../crdt/identity/relay-proof';
import type { RoomControls } from '../../../crdt/room/room-controls';
import type { RelayCredentials } from './relay-link';

/**
 * Our side of the relay's enforcement (PROTOCOL.md, "Relay node media plane"): the relay
 * session is bound to our participant key, and the relay gets every control record we hold, so
 * it can drop whoever the room's records keep out. A refusal's records are believed only as
 * far as they verify; once folded, the room session reacts as to any other record (a removed
 * page shows it was removed).
 */
export function relayCredentials(roomId: string, identity: Promise<SigningIdentity>, controls: RoomControls): RelayCredentials {
  return {
    async prove(nonce, room, peer) {
      const self = await identity;
      return { key: self.publicKey, proof: await signRelayHello(self, { nonce, room, peer }) };
    },
    // Only what our own fold applied: junk a member wrote into the document would spend our
    // record budget at the relay and cost it verifications for nothing.
    records: () => controls.applied(),
    onRecords: (cb) => controls.onChange(() => cb()),
    refused(_reason, records) {
      void acceptableRecords(roomId, controls.values(), records).then((ok) => (ok.length > 0 ? controls.keep(ok) : undefined));
    },
  };
}
