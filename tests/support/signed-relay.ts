import { newSigningIdentity } from '../../crdt/identity/host-identity';
import { RelayPresenceSigner } from '../../crdt/identity/relay-presence-auth';

/** A room id for tests that need one but no room. */
export const TEST_ROOM_ID = 'EBESExQVFhcYGRobHB0eHw';

/** A joined relay's presence with a fresh key of its own (real ECDSA P-256). */
export async function signedRelay(url: string, meshMax: number, roomId = TEST_ROOM_ID): Promise<RelayPresenceSigner> {
  return RelayPresenceSigner.create(roomId, await newSigningIdentity(), url, meshMax);
}
