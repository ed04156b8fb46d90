import { sign, verify, type SigningIdentity } from './host-identity';
import { keyMatchesPeerId } from './participant-identity';

/**
 * A relay session is bound to a participant key: the relay's `welcome` carries a fresh nonce,
 * and `hello` signs it with the participant key together with the room topic and peer id, so
 * a session can be neither replayed nor claimed for someone else's key.
 */
export interface RelayHelloBinding {
  nonce: string;
  room: string;
  peer: string;
}

const MAX_PROOF_CHARS = 256;

function helloBytes(b: RelayHelloBinding): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(JSON.stringify(['confab/relay-hello/v2', b.nonce, b.room, b.peer]));
}

export function signRelayHello(identity: SigningIdentity, binding: RelayHelloBinding): Promise<string> {
  return sign(identity, helloBytes(binding));
}

/** True only when `key` hashes to the peer id and `proof` is its signature over the binding. Never throws. */
export async function verifyRelayHello(key: unknown, proof: unknown, binding: RelayHelloBinding): Promise<boolean> {
  if (typeof key !== 'string' || typeof proof !== 'string' || proof.length > MAX_PROOF_CHARS) return false;
  return (await keyMatchesPeerId(key, binding.peer)) && (await verify(key, proof, helloBytes(binding)));
}
